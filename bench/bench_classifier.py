"""Benchmark of the listing classifier, in one process beside its baselines.

    .venv/bin/python bench/bench_classifier.py     # prints JSON

Measures, with onnxruntime on ONE intra-op thread: model load time, single-listing latency
(p50 / p99 / p99.9, normalisation included; again with the garbage collector disabled, to see
whether collections make the tail), batch throughput (listings/s over batches of 1000,
normalisation and encoding included) on the real titles if ../shared/data is present (else on
generated listings), the same throughput for the keyword-regex baseline, and the throughput on
listings with descriptions (the evaluation set's). Also the per-listing cost of each stage of a
batch: model input (normalisation included), packing, and the onnxruntime run alone.
"""

from __future__ import annotations

# ruff: noqa: E402  (thread-count variables must be set before numpy is imported)
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import gc
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for _path in (str(REPO_ROOT / "functions"), str(REPO_ROOT / "models")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

BATCH = 1000


def _listings():
    import corpus
    from saring.domain.listings import Listing

    path = corpus.real_titles_path(REPO_ROOT)
    if path.exists():
        rows, source = list(corpus.read_real_titles(path)), "real_titles"
    else:
        rows, source = corpus.generate(10_000, 12345), "synthetic"
    listings = [Listing(s.id, "bench", s.title, s.description or None, None, None) for s in rows]
    return listings, source


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run(model_dir: Path | None = None, max_listings: int = 20_000) -> dict:
    import onnxruntime

    from saring.adapters.onnx_classifier import OnnxClassifier

    listings, source = _listings()
    listings = listings[:max_listings]
    started = time.perf_counter()
    clf = OnnxClassifier(model_dir, threads=1)
    load_ms = (time.perf_counter() - started) * 1000
    clf.score(listings[:BATCH])  # warm-up

    def single_latencies() -> list[float]:
        out = []
        for listing in listings[:2000]:
            t = time.perf_counter_ns()
            clf.score([listing])
            out.append((time.perf_counter_ns() - t) / 1e6)
        return out

    single = single_latencies()
    # the same with the garbage collector off, to tell whether collections make the tail
    gc.collect()
    gc.disable()
    try:
        single_no_gc = single_latencies()
    finally:
        gc.enable()

    def throughput(fn) -> float:
        t = time.perf_counter()
        for start in range(0, len(listings), BATCH):
            fn(listings[start : start + BATCH])
        return len(listings) / (time.perf_counter() - t)

    result = {
        "source": source,
        "listings": len(listings),
        "onnxruntime": onnxruntime.__version__,
        "threads": 1,
        "model_version": clf.version,
        "model_bytes": (clf.model_dir / "model.onnx").stat().st_size,
        "load_ms": round(load_ms, 1),
        "single_ms_p50": round(_percentile(single, 50), 4),
        "single_ms_p99": round(_percentile(single, 99), 4),
        "single_ms_p999": round(_percentile(single, 99.9), 4),
        "single_ms_p50_gc_disabled": round(_percentile(single_no_gc, 50), 4),
        "single_ms_p99_gc_disabled": round(_percentile(single_no_gc, 99), 4),
        "batch_size": BATCH,
        "onnx_listings_per_s": round(throughput(clf.score)),
    }

    from saring.classifier.features import listing_input
    from saring.classifier.normalise import normalise

    t = time.perf_counter()
    for listing in listings:
        normalise(listing.title)
    result["normalise_us_per_title"] = round((time.perf_counter() - t) / len(listings) * 1e6, 2)
    t = time.perf_counter()
    inputs = [listing_input(listing) for listing in listings]
    result["model_input_us_per_listing"] = round((time.perf_counter() - t) / len(listings) * 1e6, 2)
    from saring.classifier.features import pack_batch

    t = time.perf_counter()
    feeds = [pack_batch(inputs[start : start + BATCH], clf.title_window_words) for start in range(0, len(inputs), BATCH)]
    result["pack_us_per_listing"] = round((time.perf_counter() - t) / len(listings) * 1e6, 2)
    t = time.perf_counter()
    for feed in feeds:
        clf._session.run(["probability"], feed)
    result["onnx_run_us_per_listing"] = round((time.perf_counter() - t) / len(listings) * 1e6, 2)

    import evaluate
    from saring.domain.listings import Listing

    def keywords(batch):
        return [bool(evaluate.KEYWORD_RE.search(x.title + " " + (x.description or ""))) for x in batch]

    result["keyword_regex_listings_per_s"] = round(throughput(keywords))

    # Listings as platforms send them: the evaluation set's titles with descriptions of 50 to
    # 1,500 characters (each description is cut into segments, so this costs more per listing).
    described = [Listing(s.id, "bench", s.title, s.description, None, None) for s in evaluate.evaluation_set()]
    described = (described * (1 + 5000 // len(described)))[:5000]
    result["with_descriptions_chars_per_listing"] = round(
        sum(len(x.title) + len(x.description or "") for x in described) / len(described))
    t = time.perf_counter()
    for start in range(0, len(described), BATCH):
        clf.score(described[start : start + BATCH])
    result["with_descriptions_listings_per_s"] = round(len(described) / (time.perf_counter() - t))
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
