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
from listing_model import FeatureConfig, LinearModel, block_matrix, build_onnx, gate_matrix  # noqa: E402
from saring.classifier.features import ModelInput, encode_blocks, model_input  # noqa: E402

ARTIFACT_DIR = HERE / "listing-classifier"
SEED = 20260101


@dataclass(frozen=True)
class TrainConfig:
    n_synthetic_train: int = 40_000
    n_synthetic_validation: int = 8_000
    real_weight: float = 1.0
    c: float = 0.5
    gate_c: float = 1.0
    seed: int = SEED
    negative_units: int = 2  # units without a signal drawn per listing, besides its title alone
    takedown_precision: float = 0.98
    takedown_real_rate: float = 0.0002
    review_real_rate: float = 0.0015
    review_precision: float = 0.9


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------


def sample_inputs(samples: Sequence[corpus.Sample]) -> list[ModelInput]:
    return [model_input(s.title, s.description) for s in samples]


def training_sets(tc: TrainConfig, real_path: Path | None = None, *, with_real: bool = True):
    """(train, validation) samples. Real titles of each split are carriers for that split's
    synthetic listings and, with a description drawn like any other, its real negatives; titles
    a person read as possible violations (``models/real_audit.jsonl``) are left out."""
    real_train = corpus.real_titles("train", real_path) if with_real else []
    real_validation = corpus.real_titles("validation", real_path) if with_real else []
    train = corpus.generate(tc.n_synthetic_train, tc.seed, real=corpus.carriers(real_train))
    validation = corpus.generate(tc.n_synthetic_validation, tc.seed + 1, real=corpus.carriers(real_validation),
                                 id_prefix="val")
    train += corpus.decorate_real([s for s in real_train if s.weight > 0], tc.seed + 2)
    validation += [s for s in real_validation if s.weight > 0]
    return train, validation


def without_family(samples: Sequence[corpus.Sample], family: str | None) -> list[corpus.Sample]:
    if family is None:
        return list(samples)
    return [s for s in samples if family not in s.families]


def unit_label(signals: Sequence[tuple[int, ...]], blocks: Sequence[int]) -> int:
    """1 when the unit (title plus ``blocks``) holds every segment some signal needs."""
    held = set(blocks)
    return int(any(held.issuperset(signal) for signal in signals))


def _units(sample: corpus.Sample, segments: int, rng) -> list[tuple[int, ...]]:
    """The units a sample trains: its title alone, the smallest unit holding each signal, and a
    few drawn at random (single segments or adjacent pairs)."""
    units: list[tuple[int, ...]] = [()]
    for signal in sample.signals:
        if signal and len(signal) <= 2:
            units.append(signal)
    candidates = [(i,) for i in range(1, segments + 1)] + [(i, i + 1) for i in range(1, segments)]
    if candidates:
        for k in rng.choice(len(candidates), size=min(len(candidates), 2), replace=False):
            units.append(candidates[int(k)])
    return list(dict.fromkeys(units))


@dataclass
class Units:
    """Training rows: each a title with zero, one or two segments of one sample."""

    matrix: object  # scipy CSR [units, 2**hash_bits]
    labels: np.ndarray
    weights: np.ndarray
    sample: np.ndarray  # which sample each unit came from


def _block_matrix(texts: list[str], tokens: list[tuple[str, ...]], cfg: FeatureConfig, chunk: int = 4000,
                  features=block_matrix):
    from scipy import sparse

    parts = []
    for start in range(0, len(texts), chunk):
        chars, words = encode_blocks(texts[start : start + chunk], tokens[start : start + chunk])
        parts.append(features(chars, words, cfg))
    return sparse.vstack(parts, format="csr")


def title_gate_matrix(samples: Sequence[corpus.Sample], cfg: FeatureConfig):
    """The clothing gate's features of each sample's title."""
    inputs = sample_inputs(samples)
    return _block_matrix([item.texts[0] for item in inputs], [item.tokens[0] for item in inputs], cfg,
                         features=gate_matrix)


def build_units(samples: Sequence[corpus.Sample], tc: TrainConfig, cfg: FeatureConfig) -> Units:
    from scipy import sparse

    rng = np.random.default_rng(tc.seed)
    texts: list[str] = []
    tokens: list[tuple[str, ...]] = []
    rows, cols, labels, weights, owners = [], [], [], [], []
    for index, (sample, item) in enumerate(zip(samples, sample_inputs(samples), strict=True)):
        base = len(texts)
        used = _units(sample, len(item.texts) - 1, rng)
        needed = sorted({0, *(b for unit in used for b in unit)})
        position = {block: base + k for k, block in enumerate(needed)}
        texts.extend(item.texts[b] for b in needed)
        tokens.extend(item.tokens[b] for b in needed)
        for unit in used:
            row = len(labels)
            for block in (0, *unit):
                rows.append(row)
                cols.append(position[block])
            labels.append(unit_label(sample.signals, unit) if sample.label else 0)
            weights.append(sample.weight * (tc.real_weight if sample.source.startswith("real") else 1.0))
            owners.append(index)
    blocks = _block_matrix(texts, tokens, cfg)
    pick = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(labels), len(texts)))
    return Units(pick @ blocks, np.array(labels), np.array(weights), np.array(owners))


def listing_blocks(samples: Sequence[corpus.Sample], cfg: FeatureConfig):
    """(block matrix, owner) of every block of every sample, as the graph pools them."""
    texts: list[str] = []
    tokens: list[tuple[str, ...]] = []
    owner: list[int] = []
    for index, item in enumerate(sample_inputs(samples)):
        texts.extend(item.texts)
        tokens.extend(item.tokens)
        owner.extend([-1] + [index] * (len(item.texts) - 1))
    return _block_matrix(texts, tokens, cfg), np.array(owner, dtype=np.int64)


# ----------------------------------------------------------------------------------------------
# Fitting, calibration, thresholds
# ----------------------------------------------------------------------------------------------


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


@dataclass
class Validation:
    blocks: object  # scipy CSR of every block of every validation listing
    owner: np.ndarray
    titles: object  # scipy CSR of the clothing gate's features of every title
    labels: np.ndarray
    is_real: np.ndarray


def validation_data(samples: Sequence[corpus.Sample], cfg: FeatureConfig) -> Validation:
    blocks, owner = listing_blocks(samples, cfg)
    return Validation(blocks, owner, title_gate_matrix(samples, cfg), np.array([s.label for s in samples]),
                      np.array([s.source.startswith("real") for s in samples]))


@dataclass
class Gate:
    """The clothing gate's training rows: one per training title."""

    matrix: object
    labels: np.ndarray
    weights: np.ndarray


def build_gate(samples: Sequence[corpus.Sample], cfg: FeatureConfig) -> Gate:
    return Gate(title_gate_matrix(samples, cfg), np.array([int(s.clothing) for s in samples]),
                np.array([s.weight for s in samples]))


def _fit_combination(violation: np.ndarray, clothing: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """(a, c, b) of ``sigmoid(a * violation + c * min(0, clothing) + b)`` on validation data."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    lr.fit(np.column_stack([violation, np.minimum(clothing, 0.0)]), labels)
    return float(lr.coef_[0, 0]), float(max(lr.coef_[0, 1], 0.0)), float(lr.intercept_[0])


def fit_units(units: Units, gate: Gate, validation: Validation, tc: TrainConfig, cfg: FeatureConfig, *,
              keep: np.ndarray | None = None, keep_validation: np.ndarray | None = None, log=print) -> Fitted:
    """Fit on precomputed units and gate rows (evaluate.py reuses them for leave-one-family-out):
    ``keep`` selects training samples, ``keep_validation`` validation listings."""
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    rows = np.ones(len(units.labels), dtype=bool) if keep is None else keep[units.sample]
    clf = LogisticRegression(C=tc.c, solver="liblinear", max_iter=300, tol=1e-4, random_state=tc.seed)
    clf.fit(units.matrix[rows], units.labels[rows], sample_weight=units.weights[rows])
    log(f"  fitted on {int(rows.sum())} units ({time.perf_counter() - started:.1f}s)")
    titles = np.ones(len(gate.labels), dtype=bool) if keep is None else keep
    gate_clf = LogisticRegression(C=tc.gate_c, solver="liblinear", max_iter=300, tol=1e-4, random_state=tc.seed)
    gate_clf.fit(gate.matrix[titles], gate.labels[titles], sample_weight=gate.weights[titles])
    model = LinearModel(clf.coef_.ravel().astype(np.float16).astype(np.float32), float(np.float32(clf.intercept_[0])),
                        gate_clf.coef_.ravel().astype(np.float16).astype(np.float32),
                        float(np.float32(gate_clf.intercept_[0])), 1.0, 0.0, 0.0, cfg)
    violation = model.violation(model.block_scores(validation.blocks), validation.owner)
    clothing = model.clothing(validation.titles)
    labels, is_real = validation.labels, validation.is_real
    if keep_validation is not None:
        violation, clothing = violation[keep_validation], clothing[keep_validation]
        labels, is_real = labels[keep_validation], is_real[keep_validation]
    a, c, b = _fit_combination(violation, clothing, labels)
    model.platt_a, model.gate_c, model.platt_b = float(np.float32(a)), float(np.float32(c)), float(np.float32(b))
    thresholds = choose_thresholds(model.probability(violation, clothing), labels, is_real, tc)
    return Fitted(model, thresholds, time.perf_counter() - started)


def fit(train: Sequence[corpus.Sample], validation: Sequence[corpus.Sample], tc: TrainConfig,
        cfg: FeatureConfig | None = None, *, log=print) -> Fitted:
    cfg = cfg or FeatureConfig()
    started = time.perf_counter()
    units = build_units(train, tc, cfg)
    log(f"  units: {units.matrix.shape[0]} rows, {units.matrix.nnz} non-zeros "
        f"({time.perf_counter() - started:.1f}s)")
    fitted = fit_units(units, build_gate(train, cfg), validation_data(validation, cfg), tc, cfg, log=log)
    fitted.seconds = time.perf_counter() - started
    return fitted


def predict(model: LinearModel, samples: Sequence[corpus.Sample]) -> np.ndarray:
    """The reference probability of each sample (numpy and scipy; the ONNX graph must agree)."""
    blocks, owner = listing_blocks(samples, model.cfg)
    return model.probability(model.violation(model.block_scores(blocks), owner),
                             model.clothing(title_gate_matrix(samples, model.cfg)))


# ----------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------


def data_summary(train: Sequence[corpus.Sample], validation: Sequence[corpus.Sample]) -> dict:
    """How many listings of each source trained and validated the model (for the model card)."""
    audited = corpus.audit_labels()
    return {
        "read_total": len(audited),
        "read_excluded": sum(label in corpus.AUDIT_EXCLUDED for label in audited.values()),
        "read_negatives_train": sum(s.source == "real_read" for s in train),
        "weak_negatives_train": sum(s.source == "real" for s in train),
        "validation_real": sum(s.source.startswith("real") for s in validation),
        "synthetic_train": sum(s.source == "synthetic" for s in train),
        "synthetic_train_positives": sum(s.source == "synthetic" and s.label == 1 for s in train),
        "synthetic_validation": sum(s.source == "synthetic" for s in validation),
    }


def export(fitted: Fitted, out_dir: Path, *, data_hash: str, tc: TrainConfig, data: dict | None = None,
           extra: dict | None = None) -> dict:
    from saring.classifier import features as feat

    out_dir.mkdir(parents=True, exist_ok=True)
    proto = build_onnx(fitted.model, producer_version="1", doc="Saring listing classifier (hashed n-gram blocks, max-pooled)")
    blob = proto.SerializeToString(deterministic=True)
    content_hash = hashlib.sha256(blob).hexdigest()
    version = f"listing-classifier-{content_hash[:12]}"
    (out_dir / "model.onnx").write_bytes(blob)
    metadata = {
        "version": version,
        "model_sha256": content_hash,
        "thresholds": {"review": fitted.thresholds["review"], "takedown": fitted.thresholds["takedown"]},
        "calibration": {"method": "sigmoid(a * violation + c * min(0, clothing) + b), fitted on validation",
                        "a": fitted.model.platt_a, "b": fitted.model.platt_b, "c": fitted.model.gate_c},
        "features": {
            **fitted.model.cfg.to_dict(),
            "max_title_chars": feat.MAX_TITLE_CHARS,
            "max_description_chars": feat.MAX_DESCRIPTION_CHARS,
            "max_segment_words": feat.MAX_SEGMENT_WORDS,
            "max_segments": feat.MAX_SEGMENTS,
            "pooling": "bias + title + max(0, best segment, best adjacent pair of segments)",
            "inputs": {"chars": "int64 [T] code points of the model texts, packed: each text followed by "
                                "4 zeros, plus one final zero",
                       "words": "int64 [Tw] crc32 & 0x7fffffff (0 -> 1) of the tokens, packed: each block "
                                "followed by one zero, plus one final zero",
                       "index": "int64 [blocks, 12] per block: ends then starts of its char 2..5-gram, word "
                                "unigram and bigram segments in the flat feature vector",
                       "owner": "int64 [blocks] -1 for a listing's title block, else the listing of a "
                                "description segment",
                       "packing": "saring.classifier.features.pack_batch"},
            "normalisation": "saring.classifier.normalise.normalise",
            "model_input": "saring.classifier.features.model_input",
        },
        "training": {
            "data_sha256": data_hash,
            "data": data or {},
            "seed": tc.seed,
            "config": tc.__dict__,
            "seconds": round(fitted.seconds, 1),
            "solver": "sklearn LogisticRegression(liblinear) on title+segment units, weights rounded to float16",
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
    metadata = export(fitted, args.out, data_hash=data_hash, tc=tc, data=data_summary(train, validation))
    print(json.dumps({"version": metadata["version"], "thresholds": metadata["thresholds"],
                      "validation": metadata["validation"], "seconds": round(time.perf_counter() - started, 1),
                      "model_bytes": (args.out / "model.onnx").stat().st_size}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
