"""What a shadow model costs: verdicts with and without a candidate scored beside the live model.

    .venv/bin/python bench/bench_shadow.py     # prints JSON

The verdicts use case (VerdictService.batch_verdicts: validation, scoring, the policy,
explanations of flagged listings) in batches of 100 listings, the API's largest, with the
seller facts answered in memory so that only the model work is measured. The candidate is the
shipped model loaded a second time (SARING_SHADOW_MODEL_DIR loads it the same way): the cost of
a second scoring pass and the band comparison. Runs alternate, with and without, in one process,
so both see the same machine state; onnxruntime on one intra-op thread as in Lambda.
"""

from __future__ import annotations

# ruff: noqa: E402  (thread-count variables must be set before numpy is imported)
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for _path in (str(REPO_ROOT / "functions"), str(REPO_ROOT / "models")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

BATCH = 100
ROUNDS = 5


def _listings(count: int):
    import evaluate
    from saring.domain.listings import Listing

    rows = evaluate.evaluation_set()
    listings = [Listing(s.id, f"seller-{n % 97}", s.title, s.description, None, None) for n, s in enumerate(rows)]
    return (listings * (1 + count // len(listings)))[:count]


def run(count: int = 1_000) -> dict:
    from saring.adapters.onnx_classifier import OnnxClassifier
    from saring.domain.listings import Listing, ListingLimits
    from saring.domain.principals import Principal, Role
    from saring.domain.standing import SellerStanding
    from saring.domain.verdicts import VerdictFacts
    from saring.ports import SystemClock, VerdictFactsReader
    from saring.service.shadow import ShadowModel
    from saring.service.verdicts import VerdictService

    class GoodSellers(VerdictFactsReader):
        def read(self, platform: str, listings: Sequence[Listing], now: datetime) -> list[VerdictFacts]:
            return [VerdictFacts(SellerStanding(platform, x.seller_id)) for x in listings]

    live = OnnxClassifier(threads=1)
    started = time.perf_counter()
    candidate = OnnxClassifier(live.model_dir, threads=1)
    shadow_load_ms = (time.perf_counter() - started) * 1000
    limits, clock, facts = ListingLimits(), SystemClock(), GoodSellers()
    plain = VerdictService(live, facts, clock, limits)
    shadowed = VerdictService(
        live, facts, clock, limits, shadow=ShadowModel(candidate, live.version)
    )
    principal = Principal(Role.PLATFORM, "bench", platform="shopee")
    listings = _listings(count)
    batches = [listings[i : i + BATCH] for i in range(0, len(listings), BATCH)]

    def seconds(service: VerdictService) -> tuple[float, list[float]]:
        per_batch = []
        t0 = time.perf_counter()
        for batch in batches:
            t = time.perf_counter()
            service.batch_verdicts(principal, batch)
            per_batch.append((time.perf_counter() - t) * 1000)
        return time.perf_counter() - t0, per_batch

    seconds(plain), seconds(shadowed)  # warm-up
    without, with_shadow = [], []
    without_batches: list[float] = []
    with_batches: list[float] = []
    for _ in range(ROUNDS):
        total, per_batch = seconds(plain)
        without.append(total)
        without_batches += per_batch
        total, per_batch = seconds(shadowed)
        with_shadow.append(total)
        with_batches += per_batch
    best_without, best_with = min(without), min(with_shadow)
    return {
        "listings": len(listings),
        "batch_size": BATCH,
        "rounds": ROUNDS,
        "shadow_load_ms": round(shadow_load_ms, 1),
        "verdicts_per_s_without_shadow": round(len(listings) / best_without),
        "verdicts_per_s_with_shadow": round(len(listings) / best_with),
        "batch_ms_p50_without_shadow": round(statistics.median(without_batches), 2),
        "batch_ms_p50_with_shadow": round(statistics.median(with_batches), 2),
        "shadow_overhead_ratio": round(best_with / best_without, 3),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
