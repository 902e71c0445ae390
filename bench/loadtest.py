"""Load test: `saring serve` in a subprocess on 127.0.0.1, driven by a bounded asyncio client.

    .venv/bin/python bench/loadtest.py [--requests 20000] [--concurrency 32] [--max-seconds 1800]

Mixes `verdicts` (batches of 1-100 listings) with the other operations (me, modelInfo, seller,
recordViolation, takedownTargets, takedownOrder, compliance), counts errors (any non-200, any
GraphQL error), and reports p50/p99 latency, throughput, and the memory (VmRSS) and CPU time
of the API process and of its moto process after warm-up and at the end. Prints one JSON
document; exits 1 if any request failed, if the time ran out before --requests were made, or if
either process grew by more than --max-rss-growth-mb.

recordViolation cycles over a fixed set of idempotency keys, so after the first pass every
write is a replay: moto keeps the table in memory, and a table that grows would read as a
leak. Stops by itself after --requests or --max-seconds, whichever is first. While it runs, a
line on stderr every --progress-seconds (10) gives requests done, errors and the rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]

TITLES = [
    "bal thrift korea isi 100 pcs, buka karung",
    "Kemeja batik pria lengan panjang",
    "jaket bekas impor jepang grade A",
    "Sepatu lari baru original",
    "karungan baju second branded import",
    "Celana jeans wanita high waist",
]
VERDICTS = """query($l: [ListingInput!]!) { verdicts(listings: $l) {
  listingId decision score reasons { code } seller { standing activeStrikes } } }"""
RECORD = """mutation($i: RecordViolationInput!) { recordViolation(input: $i) { standing activeStrikes } }"""
SELLER = """query($s: ID!) { seller(platform: "shopee", sellerId: $s) { standing activeStrikes
  strikes(first: 5) { edges { node { id } } } } }"""
TARGETS = "{ takedownTargets(first: 20) { edges { node { id state overdue } } pageInfo { hasNextPage } } }"
ORDER = "query($id: ID!) { takedownOrder(id: $id) { id targets { id state } } }"
COMPLIANCE = """{ compliance(platform: "shopee", since: "2020-01-01T00:00:00Z", until: "2100-01-01T00:00:00Z")
  { received removed pending } }"""
ISSUE = """mutation($i: IssueTakedownInput!) { issueTakedown(input: $i) { id } }"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_processes(api_pid: int) -> dict[str, int]:
    """The API process and the moto process `saring serve` starts beside it."""
    children = Path(f"/proc/{api_pid}/task/{api_pid}/children").read_text().split()
    moto = [
        int(pid)
        for pid in children
        if b"saring.local_moto" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    return {"api": api_pid, **({"moto": moto[0]} if moto else {})}


def snapshot(processes: dict[str, int]) -> dict[str, dict[str, float]]:
    return {
        name: {"rss_kb": rss_kb(pid), "cpu_seconds": round(cpu_seconds(pid), 2)}
        for name, pid in processes.items()
    }


def start_server(workdir: Path) -> tuple[subprocess.Popen, str, dict[str, str]]:
    port = free_port()
    keys_file = workdir / "keys.json"
    log = (workdir / "serve.log").open("w")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("AWS_ENDPOINT_URL", None)
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--keys-out", str(keys_file)]
    process = subprocess.Popen(
        [sys.executable, "-m", "saring.cli", *serve],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"saring serve exited:\n{(workdir / 'serve.log').read_text()}")
        try:
            if (
                keys_file.exists()
                and httpx.get(url, headers={"accept": "text/html"}, timeout=2).status_code == 200
            ):
                keys = {entry["name"]: entry["key"] for entry in json.loads(keys_file.read_text())}
                return process, url, keys
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("saring serve did not come up")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Mix:
    """The request mix: about half verdicts, the rest spread over the other operations."""

    def __init__(self, rng: random.Random, order_id: str) -> None:
        self.rng = rng
        self.order_id = order_id
        self.sellers = [f"seller-{n}" for n in range(200)]
        self.violation_keys = [f"violation-{n}" for n in range(100)]
        self.n = 0

    def next(self) -> tuple[str, str, str, dict]:
        """(operation name, key name, query, variables)"""
        self.n += 1
        roll = self.rng.random()
        if roll < 0.5:
            size = self.rng.randint(1, 100)
            listings = [
                {
                    "listingId": f"L-{self.n}-{i}",
                    "sellerId": self.rng.choice(self.sellers),
                    "title": self.rng.choice(TITLES),
                    "priceIdr": self.rng.randint(1_000, 5_000_000),
                }
                for i in range(size)
            ]
            return "verdicts", self.rng.choice(["shopee", "tokopedia"]), VERDICTS, {"l": listings}
        if roll < 0.58:
            return "me", "shopee", "{ me { role name platform } }", {}
        if roll < 0.66:
            return (
                "modelInfo",
                "tokopedia",
                "{ modelInfo { version reviewThreshold takedownThreshold } }",
                {},
            )
        if roll < 0.74:
            return "seller", "shopee", SELLER, {"s": self.rng.choice(self.sellers[:20])}
        if roll < 0.82:
            key = self.rng.choice(self.violation_keys)
            seller = self.sellers[int(key.split("-")[1]) % 20]  # one key, one seller: replays match
            return (
                "recordViolation",
                "shopee",
                RECORD,
                {"i": {"sellerId": seller, "idempotencyKey": key, "listingId": key}},
            )
        if roll < 0.90:
            return "takedownTargets", "shopee", TARGETS, {}
        if roll < 0.95:
            return "takedownOrder", "kemendag", ORDER, {"id": self.order_id}
        return "compliance", "kemendag", COMPLIANCE, {}


async def run(
    url: str,
    keys: dict[str, str],
    requests: int,
    concurrency: int,
    max_seconds: float,
    seed: int,
    label: str,
    progress_seconds: float = 10.0,
) -> dict:
    async with httpx.AsyncClient(
        timeout=60,
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    ) as client:
        order = await client.post(
            url,
            json={
                "query": ISSUE,
                "variables": {
                    "i": {
                        "reference": f"LOAD-{seed}",
                        "legalBasis": "Permendag 40/2022",
                        "reason": "load test",
                        "targets": [
                            {
                                "platform": "shopee",
                                "kind": "LISTING",
                                "value": f"L-load-{seed}-{n}",
                                "sellerId": f"seller-{n}",
                            }
                            for n in range(10)
                        ],
                    }
                },
            },
            headers={"authorization": f"Bearer {keys['kemendag']}"},
        )
        issued = order.json()
        if not (issued.get("data") or {}).get("issueTakedown"):
            raise SystemExit(
                f"could not issue the load test's order: {order.status_code} {order.text}"
            )
        order_id = issued["data"]["issueTakedown"]["id"]
        mix = Mix(random.Random(seed), order_id)
        latencies: dict[str, list[float]] = {}
        errors: Counter[str] = Counter()
        samples: list[str] = []
        sent = 0
        started = time.perf_counter()
        deadline = started + max_seconds

        async def worker() -> None:
            nonlocal sent
            while sent < requests and time.perf_counter() < deadline:
                sent += 1
                name, key, query, variables = mix.next()
                began = time.perf_counter()
                try:
                    response = await client.post(
                        url,
                        json={"query": query, "variables": variables},
                        headers={"authorization": f"Bearer {keys[key]}"},
                    )
                    ok = response.status_code == 200 and not response.json().get("errors")
                    detail = response.text[:300]
                except httpx.HTTPError as error:
                    ok, detail = False, repr(error)
                latencies.setdefault(name, []).append((time.perf_counter() - began) * 1000)
                if not ok:
                    errors[name] += 1
                    if len(samples) < 5:
                        samples.append(f"{name}: {detail}")

        async def report_progress() -> None:
            """A line on stderr every `progress_seconds`: a long run shows it is alive."""
            last_done, last_at = 0, started
            while True:
                await asyncio.sleep(progress_seconds)
                now = time.perf_counter()
                done = sum(len(values) for values in latencies.values())
                rate = done / (now - started)
                recent = (done - last_done) / (now - last_at)
                left = f", about {(requests - done) / rate:.0f} s left" if rate else ""
                print(
                    f"{label}: {done:,}/{requests:,} requests, {sum(errors.values())} errors, "
                    f"{rate:.1f} requests/s ({recent:.1f}/s in the last {now - last_at:.0f} s), "
                    f"{now - started:.0f} s{left}",
                    file=sys.stderr,
                    flush=True,
                )
                last_done, last_at = done, now

        reporter = asyncio.create_task(report_progress())
        try:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        finally:
            reporter.cancel()
        elapsed = time.perf_counter() - started
        print(
            f"{label}: done, {sum(len(v) for v in latencies.values()):,} requests, "
            f"{sum(errors.values())} errors in {elapsed:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    everything = sorted(value for values in latencies.values() for value in values)

    def pct(values: list[float], q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))], 2) if values else 0.0

    return {
        "phase": label,
        "requests": len(everything),
        "errors": sum(errors.values()),
        "errors_by_operation": dict(errors),
        "error_samples": samples,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(everything) / elapsed, 1) if elapsed else 0.0,
        "latency_ms": {
            "p50": pct(everything, 0.50),
            "p99": pct(everything, 0.99),
            "mean": round(statistics.fmean(everything), 2) if everything else 0.0,
        },
        "by_operation": {
            name: {
                "count": len(values),
                "p50_ms": pct(sorted(values), 0.5),
                "p99_ms": pct(sorted(values), 0.99),
            }
            for name, values in sorted(latencies.items())
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--max-rss-growth-mb", type=float, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, help="also write the JSON report here")
    parser.add_argument(
        "--progress-seconds", type=float, default=10.0, help="seconds between progress lines"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="saring-load-") as tmp:
        print("loadtest: starting saring serve on 127.0.0.1", file=sys.stderr, flush=True)
        process, url, keys = start_server(Path(tmp))
        try:
            processes = server_processes(process.pid)
            at_start = snapshot(processes)
            warmup = asyncio.run(
                run(
                    url, keys, args.warmup, args.concurrency, args.max_seconds, args.seed,
                    "warmup", args.progress_seconds,
                )
            )  # fmt: skip
            after_warmup = snapshot(processes)
            load = asyncio.run(
                run(
                    url,
                    keys,
                    args.requests,
                    args.concurrency,
                    args.max_seconds,
                    args.seed + 1,
                    "load",
                    args.progress_seconds,
                )
            )
            after_load = snapshot(processes)
        finally:
            stop_server(process)
    growth_mb = {
        name: round((after_load[name]["rss_kb"] - after_warmup[name]["rss_kb"]) / 1024, 1)
        for name in processes
    }
    report = {
        "server": "saring serve on 127.0.0.1: the API process and its moto process",
        "concurrency": args.concurrency,
        "warmup": {
            key: warmup[key] for key in ("requests", "errors", "throughput_rps", "latency_ms")
        },
        **{key: value for key, value in load.items() if key != "phase"},
        "processes": {
            name: {
                "rss_kb": {
                    "at_start": at_start[name]["rss_kb"],
                    "after_warmup": after_warmup[name]["rss_kb"],
                    "after_load": after_load[name]["rss_kb"],
                },
                "rss_growth_during_load_mb": growth_mb[name],
                "cpu_seconds_during_load": round(
                    after_load[name]["cpu_seconds"] - after_warmup[name]["cpu_seconds"], 1
                ),
            }
            for name in processes
        },
        "max_rss_growth_mb": args.max_rss_growth_mb,
        "cpus": os.cpu_count(),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")
    failed = (
        load["requests"] < args.requests
        or warmup["errors"]
        or load["errors"]
        or any(growth > args.max_rss_growth_mb for growth in growth_mb.values())
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
