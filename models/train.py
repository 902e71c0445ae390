"""Train the listing classifier and export it to models/listing-classifier/.

    .venv/bin/python models/train.py            # full training (~1-2 minutes on 2 cores)
    .venv/bin/python models/train.py --out DIR  # write the artifact elsewhere

Deterministic: seeded corpus, seeded solver, single-threaded BLAS; the same inputs give the
same model.onnx byte for byte, hence the same version.
"""

from __future__ import annotations

# ruff: noqa: E402  (thread-count variables must be set before numpy is imported)
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
for _path in (str(HERE), str(REPO_ROOT / "functions")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import corpus  # noqa: E402
from listing_model import FeatureConfig, LinearModel, build_onnx, feature_matrix  # noqa: E402
from saring.classifier.features import encode_batch, model_input  # noqa: E402

ARTIFACT_DIR = HERE / "listing-classifier"
SEED = 20260101


@dataclass(frozen=True)
class TrainConfig:
    n_synthetic_train: int = 40_000
    n_synthetic_validation: int = 8_000
    real_weight: float = 3.0
    c: float = 8.0
    seed: int = SEED
    takedown_precision: float = 0.98
    takedown_real_rate: float = 0.0005
    review_real_rate: float = 0.005
    review_precision: float = 0.85


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------


def sample_inputs(samples: Sequence[corpus.Sample]):
    return [model_input(s.title, s.description, s.price, s.category) for s in samples]


def matrix_for(samples: Sequence[corpus.Sample], cfg: FeatureConfig, chunk: int = 4000):
    from scipy import sparse

    parts = []
    for start in range(0, len(samples), chunk):
        chars, words = encode_batch(sample_inputs(samples[start : start + chunk]))
        parts.append(feature_matrix(chars, words, cfg))
    return sparse.vstack(parts, format="csr") if parts else None


def training_sets(tc: TrainConfig, real_path: Path | None = None, *, with_real: bool = True):
    """(train, validation) sample lists: synthetic + the real titles' train / validation splits."""
    train = corpus.generate(tc.n_synthetic_train, tc.seed)
    validation = corpus.generate(tc.n_synthetic_validation, tc.seed + 1)
    if with_real:
        train += corpus.decorate_real(corpus.real_titles("train", real_path), tc.seed + 2)
        validation += corpus.real_titles("validation", real_path)
    return train, validation


def without_family(samples: Sequence[corpus.Sample], family: str | None) -> list[corpus.Sample]:
    if family is None:
        return list(samples)
    return [s for s in samples if family not in s.families]


# ----------------------------------------------------------------------------------------------
# Fitting, calibration, thresholds
# ----------------------------------------------------------------------------------------------


def _fit_platt(raw: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    lr.fit(raw.reshape(-1, 1), labels)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def choose_thresholds(scores: np.ndarray, labels: np.ndarray, is_real: np.ndarray, tc: TrainConfig) -> dict:
    """TAKEDOWN: the lowest threshold with precision >= target and almost no real title above it.
    REVIEW: the lowest threshold that keeps real titles flagged <= review_real_rate and precision
    >= review_precision. Both on validation data."""
    candidates = np.unique(np.round(scores, 4))
    pos = labels == 1
    n_real = max(1, int(is_real.sum()))

    def stats(t: float) -> tuple[float, float, float]:
        flagged = scores >= t
        tp = int((flagged & pos).sum())
        fp = int((flagged & ~pos).sum())
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / max(1, int(pos.sum()))
        real_rate = float((flagged & is_real).sum()) / n_real
        return precision, recall, real_rate

    takedown = 0.99
    for t in sorted(candidates):
        precision, _, real_rate = stats(t)
        if precision >= tc.takedown_precision and real_rate <= tc.takedown_real_rate:
            takedown = float(max(t, 0.5))
            break
    review = takedown
    for t in sorted(candidates):
        if t > takedown:
            break
        precision, _, real_rate = stats(t)
        if precision >= tc.review_precision and real_rate <= tc.review_real_rate:
            review = float(max(t, 0.05))
            break
    p_t, r_t, real_t = stats(takedown)
    p_r, r_r, real_r = stats(review)
    return {
        "review": round(review, 4),
        "takedown": round(takedown, 4),
        "validation": {
            "takedown": {"precision": p_t, "recall": r_t, "real_titles_rate": real_t},
            "review_or_more": {"precision": p_r, "recall": r_r, "real_titles_rate": real_r},
        },
    }


@dataclass
class Fitted:
    model: LinearModel
    thresholds: dict
    seconds: float


def fit_matrices(x_train, y_train, w_train, x_val, y_val, real_val, tc: TrainConfig, cfg: FeatureConfig,
                 *, log=print) -> Fitted:
    """Fit on precomputed feature matrices (evaluate.py reuses them for leave-one-family-out)."""
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    clf = LogisticRegression(C=tc.c, solver="liblinear", max_iter=200, tol=1e-4, random_state=tc.seed)
    clf.fit(x_train, y_train, sample_weight=w_train)
    log(f"  fitted on {x_train.shape[0]} rows ({time.perf_counter() - started:.1f}s)")
    w = clf.coef_.ravel().astype(np.float16).astype(np.float32)
    model = LinearModel(w, float(np.float32(clf.intercept_[0])), 1.0, 0.0, cfg)
    raw = model.raw_logit(x_val)
    a, b = _fit_platt(raw, y_val)
    model.platt_a, model.platt_b = float(np.float32(a)), float(np.float32(b))
    thresholds = choose_thresholds(model.probability_from_raw(raw), y_val, real_val, tc)
    return Fitted(model, thresholds, time.perf_counter() - started)


def arrays(samples: Sequence[corpus.Sample], tc: TrainConfig):
    labels = np.array([s.label for s in samples])
    weights = np.array([tc.real_weight if s.source == "real" else 1.0 for s in samples])
    real = np.array([s.source == "real" for s in samples])
    return labels, weights, real


def fit(train: Sequence[corpus.Sample], validation: Sequence[corpus.Sample], tc: TrainConfig,
        cfg: FeatureConfig | None = None, *, log=print) -> Fitted:
    cfg = cfg or FeatureConfig()
    started = time.perf_counter()
    x_train, x_val = matrix_for(train, cfg), matrix_for(validation, cfg)
    log(f"  features: {x_train.shape[0]} rows, {x_train.nnz} non-zeros ({time.perf_counter() - started:.1f}s)")
    y_train, w_train, _ = arrays(train, tc)
    y_val, _, real_val = arrays(validation, tc)
    fitted = fit_matrices(x_train, y_train, w_train, x_val, y_val, real_val, tc, cfg, log=log)
    fitted.seconds = time.perf_counter() - started
    return fitted


# ----------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------


def export(fitted: Fitted, out_dir: Path, *, data_hash: str, tc: TrainConfig, extra: dict | None = None) -> dict:
    from saring.classifier import features as feat

    out_dir.mkdir(parents=True, exist_ok=True)
    proto = build_onnx(fitted.model, producer_version="1", doc="Saring listing classifier (hashed n-grams, linear)")
    blob = proto.SerializeToString(deterministic=True)
    content_hash = hashlib.sha256(blob).hexdigest()
    version = f"listing-classifier-{content_hash[:12]}"
    (out_dir / "model.onnx").write_bytes(blob)
    metadata = {
        "version": version,
        "model_sha256": content_hash,
        "thresholds": {"review": fitted.thresholds["review"], "takedown": fitted.thresholds["takedown"]},
        "calibration": {"method": "platt", "a": fitted.model.platt_a, "b": fitted.model.platt_b},
        "features": {
            **fitted.model.cfg.to_dict(),
            "max_chars": feat.MAX_CHARS,
            "max_words": feat.MAX_WORDS,
            "field_separator": feat.FIELD_SEPARATOR,
            "inputs": {"chars": "int64 [T] code points of the model texts, packed: each text followed by "
                                "4 zeros, plus one final zero",
                       "words": "int64 [Tw] crc32 & 0x7fffffff (0 -> 1) of the tokens, packed: each listing "
                                "followed by one zero, plus one final zero",
                       "index": "int64 [batch, 12] per listing: ends then starts of its char 2..5-gram, word "
                                "unigram and bigram segments in the flat feature vector",
                       "packing": "saring.classifier.features.pack_batch"},
            "normalisation": "saring.classifier.normalise.normalise",
            "model_input": "saring.classifier.features.model_input",
        },
        "training": {
            "data_sha256": data_hash,
            "seed": tc.seed,
            "config": tc.__dict__,
            "seconds": round(fitted.seconds, 1),
            "solver": "sklearn LogisticRegression(liblinear), weights rounded to float16",
        },
        "validation": fitted.thresholds["validation"],
        **(extra or {}),
    }
    (out_dir / "metadata.json").write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return metadata


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ARTIFACT_DIR)
    parser.add_argument("--real", type=Path, default=None, help="real titles JSONL (default: ../shared/data)")
    args = parser.parse_args(argv)
    real_path = args.real or corpus.real_titles_path()
    if not real_path.exists():
        print(f"real titles not found at {real_path} (set SARING_SHARED_DATA)", file=sys.stderr)
        return 2
    tc = TrainConfig()
    started = time.perf_counter()
    train, validation = training_sets(tc, real_path)
    print(f"corpus: {len(train)} train, {len(validation)} validation ({time.perf_counter() - started:.1f}s)")
    fitted = fit(train, validation, tc)
    data_hash = corpus.corpus_hash([*train, *validation])
    metadata = export(fitted, args.out, data_hash=data_hash, tc=tc)
    print(json.dumps({"version": metadata["version"], "thresholds": metadata["thresholds"],
                      "validation": metadata["validation"], "seconds": round(time.perf_counter() - started, 1),
                      "model_bytes": (args.out / "model.onnx").stat().st_size}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
