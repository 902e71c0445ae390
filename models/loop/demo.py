"""`make loop-demo`: proof that the loop learns, on the local stack, over real HTTP.

1. Starts `saring serve` (moto + the GraphQL API) as `make run` does, on a free port, with fresh
   keys, serving the live model from .local/loop/live (a copy of the shipped model: the
   repository's models/listing-classifier is never touched).
2. Replays the first weeks of models/loop/stream.jsonl (days < SPLIT_DAY) as a platform would:
   `verdicts` in batches; a simulated reviewer reviews REVIEW verdicts and audit samples
   (`Verdict.auditSample`) only, at most MAX_OUTCOMES, and reports each with
   `reportReviewOutcome` (its truth from the stream). TAKEDOWN and ALLOW verdicts that are not
   audit samples are never reviewed.
3. Asks the same live model for verdicts on the later weeks, unreviewed: the "before" figures.
4. `saring labels export`; trains a candidate with `models/train.py --labels` on the older
   TRAIN_SHARE of the outcomes (by recordedAt), so that the newer ones are left for the gate's
   time split, with the `labels_weight` and `outcome_feature_scale` that
   `choose_labels_weight.py` picks by a time split inside those older outcomes;
   `saring model gate CANDIDATE --baseline LIVE --labels ALL`.
5. If the gate passes, promotes the candidate (copies it over .local/loop/live), restarts the
   stack and replays the later weeks: the "after" figures. If it fails, nothing is promoted and
   the "after" figures are the unchanged live model's.

Prints one JSON summary (also written to .local/loop/summary.json).

The audit-sample rate is not the service's 1% default: this stream has some 600 listings, a
platform has millions, and what the loop learns from is the number of outcomes (at most
MAX_OUTCOMES here), not their share. A platform sets the rate to fill its review capacity over the
period from the verdicts it expects: every REVIEW verdict is reviewed, TAKEDOWN verdicts never are,
so the rate is what the budget leaves after the REVIEW verdicts over the ALLOW verdicts
(`audit_sample_rate`, rounded down to a hundredth). The demo learns that mix as a platform
learns it from its verdict counts: a first pass asks the live model for the verdicts of the
reviewed weeks (a stack of its own, nothing reviewed, then thrown away). Outcomes beyond the
budget are not reported. The identity secret that keys the sampling is a fixed local
value so the run is reproducible; it protects nothing (moto, loopback, thrown away after).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import choose_labels_weight  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
STREAM = HERE / "stream.jsonl"
WORK = REPO_ROOT / ".local" / "loop"
SHIPPED = REPO_ROOT / "models" / "listing-classifier"
SPLIT_DAY = 28  # days 0..27 are replayed and reviewed; 28..41 are the held-out later weeks
MAX_OUTCOMES = 300
TRAIN_SHARE = 0.75
BATCH = 20
PLATFORM_KEY = "shopee"

VERDICTS = """query($l: [ListingInput!]!) {
  verdicts(listings: $l) { listingId decision score auditSample }
  modelInfo { version reviewThreshold takedownThreshold }
}"""
REPORT = """mutation($i: ReviewOutcomeInput!) {
  reportReviewOutcome(input: $i) { id listingId outcome recordedAt }
}"""


def log(message: str) -> None:
    print(f"loop-demo: {message}", file=sys.stderr, flush=True)


class Stack:
    """`saring serve` in its own process, as `make run` starts it."""

    def __init__(self, port: int, dynamodb_port: int, model_dir: Path, name: str, audit_sample_rate: float) -> None:
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.dynamodb = f"http://127.0.0.1:{dynamodb_port}"
        keys_file = WORK / f"keys-{name}.json"
        keys_file.unlink(missing_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "SARING_MODEL_DIR": str(model_dir),
               "SARING_AUDIT_SAMPLE_RATE": str(audit_sample_rate),
               "SARING_IDENTITY_SECRET": hashlib.sha256(b"saring loop demo, local only").hexdigest()}
        for name_ in ("AWS_ENDPOINT_URL", "SARING_SHADOW_MODEL_DIR", "SARING_TABLE", "SARING_LABEL_TABLE"):
            env.pop(name_, None)
        self._log = (WORK / f"serve-{name}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "saring.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--dynamodb-port", str(dynamodb_port), "--keys-out", str(keys_file)],
            cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"saring serve exited early; see {self._log.name}")
            try:
                if keys_file.exists() and httpx.get(self.url, headers={"accept": "text/html"}, timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError(f"saring serve did not come up; see {self._log.name}")
        self.key = next(k["key"] for k in json.loads(keys_file.read_text()) if k["name"] == PLATFORM_KEY)
        self.client = httpx.Client(timeout=120, headers={"Authorization": f"Bearer {self.key}"})

    def post(self, query: str, variables: dict) -> dict:
        response = self.client.post(self.url, json={"query": query, "variables": variables})
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"GraphQL error: {response.status_code} {body.get('errors')}")
        return body["data"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def audit_sample_rate(allow_verdicts: int, review_verdicts: int, budget: int = MAX_OUTCOMES) -> float:
    """The share of ALLOW verdicts to send to review so that, with every REVIEW verdict, the
    reviewers' budget is filled over the reviewed weeks (see the module docstring)."""
    spare = max(0, budget - review_verdicts)
    return min(1.0, math.floor(100 * spare / max(1, allow_verdicts)) / 100)


def listing_input(row: dict) -> dict:
    return {key: row[key] for key in ("listingId", "sellerId", "title", "description", "priceIdr", "category")}


def replay(stack: Stack, rows: list[dict], *, review: bool, budget: int = MAX_OUTCOMES) -> tuple[list[dict], dict]:
    """Verdicts for ``rows`` in stream order; with ``review``, the simulated reviewer reports an
    outcome for each REVIEW verdict and audit sample, up to ``budget``. Returns the verdicts (with
    the row's truth) and counts of what was reviewed."""
    verdicts, reviewed = [], defaultdict(int)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        data = stack.post(VERDICTS, {"l": [listing_input(r) for r in batch]})
        version = data["modelInfo"]["version"]
        for row, verdict in zip(batch, data["verdicts"], strict=True):
            assert verdict["listingId"] == row["listingId"]
            verdicts.append({**verdict, "truth": row["truth"], "family": row["family"], "sub": row["sub"],
                             "day": row["day"]})
            if not review or not (verdict["decision"] == "REVIEW" or verdict["auditSample"]):
                continue
            if reviewed["outcomes"] >= budget:
                reviewed["over_budget_not_reviewed"] += 1
                continue
            stack.post(REPORT, {"i": {"listing": listing_input(row),
                                      "outcome": "VIOLATION" if row["truth"] else "NO_VIOLATION",
                                      "idempotencyKey": f"loop-demo-{row['listingId']}", "modelVersion": version}})
            reviewed["outcomes"] += 1
            reviewed["audit_samples" if verdict["auditSample"] else "review_verdicts"] += 1
            reviewed[f"{row['family']}_{'violation' if row['truth'] else 'not'}"] += 1
    return verdicts, dict(reviewed)


def stream_figures(verdicts: list[dict]) -> dict:
    """Recall of the new family and of known violations, false flags of legal listings and of the
    new family's legal look-alikes, and flagged-F1 over the stream part."""
    def flagged(v: dict) -> bool:
        return v["decision"] in ("REVIEW", "TAKEDOWN")

    by_family: dict[str, list[dict]] = defaultdict(list)
    for v in verdicts:
        by_family[v["family"]].append(v)

    def rate(family: str) -> float | None:
        members = by_family.get(family, [])
        return round(sum(map(flagged, members)) / len(members), 4) if members else None

    tp = sum(1 for v in verdicts if flagged(v) and v["truth"])
    fp = sum(1 for v in verdicts if flagged(v) and not v["truth"])
    positives = sum(v["truth"] for v in verdicts)
    precision, recall = tp / max(1, tp + fp), tp / max(1, positives)
    return {
        "listings": len(verdicts),
        "new_family_n": len(by_family.get("new_family", [])),
        "new_family_recall": rate("new_family"),
        "new_family_takedown": round(sum(v["decision"] == "TAKEDOWN" for v in by_family.get("new_family", []))
                                     / max(1, len(by_family.get("new_family", []))), 4),
        # where the new word stands (title, or only the description): the stream's "sub"
        "new_family_recall_by_where": {
            sub: {"n": len(members), "flagged": sum(map(flagged, members))}
            for sub in sorted({v["sub"] for v in by_family.get("new_family", [])})
            if (members := [v for v in by_family["new_family"] if v["sub"] == sub])},
        "known_recall": rate("known"),
        "legal_flagged": rate("legal"),
        "lookalike_flagged": rate("lookalike"),
        "flagged_f1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
    }


def run(*cmd: str, env: dict | None = None, out: Path | None = None) -> subprocess.CompletedProcess:
    log(" ".join(cmd))
    with (out.open("w") if out else open(os.devnull, "w")) as stdout:
        return subprocess.run(cmd, cwd=REPO_ROOT, env={**os.environ, **(env or {})}, stdout=stdout, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOOP_DEMO_PORT", "8200")))
    parser.add_argument("--dynamodb-port", type=int, default=int(os.environ.get("LOOP_DEMO_DYNAMODB_PORT", "8201")))
    args = parser.parse_args(argv)

    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    live = WORK / "live"
    shutil.copytree(SHIPPED, live)
    rows = [json.loads(line) for line in STREAM.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows.sort(key=lambda r: (r["day"], r["listingId"]))
    first = [r for r in rows if r["day"] < SPLIT_DAY]
    later = [r for r in rows if r["day"] >= SPLIT_DAY]
    started = time.perf_counter()
    stack = Stack(args.port, args.dynamodb_port, live, "plan", 0.0)
    try:
        log(f"the live model's verdict mix over days 0-{SPLIT_DAY - 1}, to size the audit sample")
        planned, _ = replay(stack, first, review=False)
    finally:
        stack.stop()
    mix = {band: sum(v["decision"] == band for v in planned) for band in ("ALLOW", "REVIEW", "TAKEDOWN")}
    rate = audit_sample_rate(mix["ALLOW"], mix["REVIEW"])
    summary: dict = {"stream": {"listings": len(rows), "reviewed_part_days": f"0-{SPLIT_DAY - 1}",
                                "held_out_days": f"{SPLIT_DAY}-{max(r['day'] for r in rows)}",
                                "reviewed_part_verdicts": mix, "audit_sample_rate": rate,
                                "max_outcomes": MAX_OUTCOMES}}

    stack = Stack(args.port, args.dynamodb_port, live, "before", rate)
    try:
        log(f"replaying days 0-{SPLIT_DAY - 1} ({len(first)} listings) with review")
        reviewed_verdicts, reviewed = replay(stack, first, review=True)
        log(f"reviewed: {reviewed}")
        log(f"held-out days, live model, no review ({len(later)} listings)")
        before_verdicts, _ = replay(stack, later, review=False)
        labels_all = WORK / "labels.jsonl"
        aws = {"AWS_ENDPOINT_URL": stack.dynamodb, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
               "AWS_DEFAULT_REGION": "ap-southeast-3", "SARING_TABLE": "saring-local"}
        exported = run(sys.executable, "-m", "saring.cli", "labels", "export", "--out", str(labels_all), env=aws)
        if exported.returncode != 0:
            raise RuntimeError("saring labels export failed")
    finally:
        stack.stop()

    labels_train = WORK / "labels-train.jsonl"
    cut, left = choose_labels_weight.split(labels_all, labels_train, TRAIN_SHARE)
    summary["outcomes"] = {**reviewed, "exported": cut + left, "trained_on": cut, "left_for_gate": left,
                           "train_positives": sum(json.loads(x)["label"] for x in labels_train.read_text(
                               encoding="utf-8").splitlines())}

    # labels_weight and outcome_feature_scale are chosen on the candidate's own training outcomes
    # (their oldest 75% train, the newest 25% validate), never on the gate's newer outcomes or the
    # later weeks
    log("choosing labels_weight and outcome_feature_scale by a time split inside the training outcomes")
    chosen = choose_labels_weight.choose(labels_train, WORK / "choose-labels-weight")
    summary["labels_weight"] = chosen
    candidate = WORK / "candidate"
    trained = run(sys.executable, str(REPO_ROOT / "models" / "train.py"), "--labels", str(labels_train),
                  "--labels-weight", str(chosen["chosen"]),
                  "--outcome-feature-scale", str(chosen["outcome_feature_scale"]["chosen"]),
                  "--out", str(candidate), out=WORK / "train.log")
    if trained.returncode != 0:
        raise RuntimeError(f"training failed; see {WORK / 'train.log'}")
    gate_report = WORK / "gate.json"
    gated = run(sys.executable, "-m", "saring.cli", "model", "gate", str(candidate), "--baseline", str(live),
                "--labels", str(labels_all), out=gate_report)
    report = json.loads(gate_report.read_text(encoding="utf-8"))
    promoted = gated.returncode == 0
    summary["gate"] = {"passed": report["passed"], "failed": report["failed"],
                       **{name: {k: v for k, v in g.items() if k in ("baseline", "candidate", "delta", "pass", "n",
                                                                       "skipped", "reason", "failed_cases")}
                          for name, g in report["gates"].items()}}
    if promoted:
        for item in candidate.iterdir():
            shutil.copy2(item, live / item.name)
        log(f"gate passed: promoted {report['candidate']['version']} into {live}")
    else:
        log(f"gate failed ({', '.join(report['failed'])}): the live model stays")

    stack = Stack(args.port, args.dynamodb_port, live, "after", rate)
    try:
        after_verdicts, _ = replay(stack, later, review=False)
    finally:
        stack.stop()

    frozen = report["gates"]["frozen_set_flagged_f1"]
    before, after = stream_figures(before_verdicts), stream_figures(after_verdicts)
    summary.update({
        "promoted": promoted,
        "models": {"before": report["baseline"]["version"],
                   "after": report["candidate"]["version"] if promoted else report["baseline"]["version"]},
        "reviewed_part_live_model": stream_figures(reviewed_verdicts),
        "held_out_before": before,
        "held_out_after": after,
        "new_family_recall": {"before": before["new_family_recall"], "after": after["new_family_recall"]},
        "frozen_set_flagged_f1": {"before": frozen["baseline"],
                                  "after": frozen["candidate"] if promoted else frozen["baseline"]},
    })
    nf, fz = summary["new_family_recall"], summary["frozen_set_flagged_f1"]
    summary["target"] = {
        "new_family_recall_before_below_0.5": nf["before"] < 0.5,
        "new_family_recall_after_at_least_0.85": nf["after"] >= 0.85,
        "outcomes_at_most_300": reviewed.get("outcomes", 0) <= MAX_OUTCOMES,
        "frozen_set_f1_drop_at_most_0.01": fz["before"] - fz["after"] <= 0.01,
    }
    summary["seconds"] = round(time.perf_counter() - started, 1)
    (WORK / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
