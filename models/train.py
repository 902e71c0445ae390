"""Train the listing classifier and export it to models/listing-classifier/.

    .venv/bin/python models/train.py            # full training (~3 minutes on 2 cores)
    .venv/bin/python models/train.py --out DIR  # write the artifact elsewhere
    .venv/bin/python models/train.py --labels FILE --out DIR  # add review outcomes
                                                # (`saring labels export`) to training
        [--labels-weight W] [--outcome-feature-scale S]  # models/loop/choose_labels_weight.py chooses both

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
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
for _path in (str(HERE), str(REPO_ROOT / "functions")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import corpus  # noqa: E402
import labels as review_labels  # noqa: E402
from listing_model import (  # noqa: E402
    POOLING,
    FeatureConfig,
    LinearModel,
    block_matrix,
    build_onnx,
    gate_matrix,
    with_window_column,
)
from saring.classifier.features import ModelInput, encode_blocks, model_input, title_windows  # noqa: E402

ARTIFACT_DIR = HERE / "listing-classifier"
SEED = 20260101


@dataclass(frozen=True)
class TrainConfig:
    n_synthetic_train: int = 40_000
    n_synthetic_validation: int = 8_000
    real_weight: float = 1.0
    c: float = 0.5
    gate_c: float = 10.0
    # The cap ``k * clothing + gate_ceiling`` on the logit. The ceiling is set by what it must do
    # rather than fitted (validation has few titles that name no product): such a title (gate
    # log-odds near 0) is not held below any threshold. The slope ``k`` is fitted with the Platt
    # scale on validation, which has many titles of other goods; it is kept within gate_slope_bounds.
    gate_ceiling: float = 6.0
    gate_slope_bounds: tuple[float, float] = (1.0, 10.0)
    seed: int = SEED
    negative_units: int = 2  # units drawn at random per listing, besides its title alone and its signals
    handwritten_weight: float = 3.0  # models/handwritten: realistic, so it counts for more
    # Review outcomes (--labels): real listings judged by a person, so they count as much as the
    # hand-written ones.
    labels_weight: float = 3.0
    # With review outcomes in training: at most how many times the units of whole-listing
    # violations are picked again by a model fitted with the previous picks; it stops earlier
    # when a pick changes nothing (see training_rows).
    label_repicks: int = 8
    # With review outcomes in training: how much wider the prior of a feature that only outcomes
    # carry (a new code word, its spellings and contexts) is than that of the rest; its L2
    # penalty is divided by the square. A word a reviewer's violations share mostly sits beside
    # cues the model knows, which fit those units already, so under the penalty every other
    # feature has the word learns little (docs/learning-loop.md). 1 leaves the fit as it was.
    outcome_feature_scale: float = 1.0
    takedown_precision: float = 0.98
    # LinearModel.segment_margin, in raw block-score units. Set by hand, not fitted: under the
    # model before it the best segment of the behavioural tests' ordinary texts scored 1.1 at the
    # median and 3.0 at the 90th percentile; 2 was the one value tried (docs/classifier.md).
    segment_margin: float = 2.0
    # TAKEDOWN's precision is also counted on the hand-written listings, each scored by a model
    # fitted without its fold of them (cross-fitting), at their training weight. Validation is
    # mostly synthetic, where the legal look-alikes as sellers write them are rarer than on a
    # marketplace; the hand-written listings are the only labelled listings written that way, and
    # cross-fitting lets all of them still train the shipped model. Fewer than 2: validation alone.
    handwritten_folds: int = 3
    takedown_real_rate: float = 0.0002
    review_real_rate: float = 0.0015
    review_precision: float = 0.95

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """The configuration a model's ``metadata.json["training"]["config"]`` records. A model
        from before the segment margin records none: it had none. Other fields it does not record
        take today's defaults."""
        known = {f.name for f in fields(cls)}
        given = {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()
                 if key in known}
        return cls(**{"segment_margin": 0.0, **given})


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------


def sample_inputs(samples: Sequence[corpus.Sample]) -> list[ModelInput]:
    return [model_input(s.title, s.description) for s in samples]


def training_sets(tc: TrainConfig, real_path: Path | None = None, *, with_real: bool = True,
                  labels: review_labels.Resolved | None = None):
    """(train, validation) samples. Real titles of each split are carriers for that split's
    synthetic listings and, with a description drawn like any other, its real negatives; titles
    a person read as possible violations (``models/real_audit.jsonl``) are left out. Review
    outcomes (``labels``, resolved) train as whole-listing labels, never validate: thresholds
    stay chosen on the same data as without them."""
    real_train = corpus.real_titles("train", real_path) if with_real else []
    real_validation = corpus.real_titles("validation", real_path) if with_real else []
    train = corpus.generate(tc.n_synthetic_train, tc.seed, real=corpus.carriers(real_train))
    validation = corpus.generate(tc.n_synthetic_validation, tc.seed + 1, real=corpus.carriers(real_validation),
                                 id_prefix="val")
    train += corpus.decorate_real([s for s in real_train if s.weight > 0], tc.seed + 2)
    if tc.handwritten_weight:
        for path in corpus.handwritten_files():
            train += corpus.read_labelled(path, weight=tc.handwritten_weight)
    if labels is not None:
        train += review_labels.samples(labels.outcomes, tc.labels_weight)
    validation += [s for s in real_validation if s.weight > 0]
    return train, validation


# A unit is a tuple of block indexes: 0 is the title, 1.. the description's segments. Units are
# the title alone, a segment or an adjacent pair alone, or the title with one of those: what the
# pooled ``max(title + max(0, best - margin), best)`` can pick.
TITLE = (0,)


def unit_label(signals: Sequence[tuple[int, ...]], blocks: Sequence[int]) -> int:
    """1 when the unit's ``blocks`` hold every block some signal needs (a signal ``()`` is in the
    title)."""
    held = set(blocks)
    return int(any(held.issuperset(signal or TITLE) for signal in signals))


def _description_units(segments: int) -> list[tuple[int, ...]]:
    """Every segment and adjacent pair, alone and with the title."""
    alone = [*((i,) for i in range(1, segments + 1)), *((i, i + 1) for i in range(1, segments))]
    return [unit for part in alone for unit in (part, (0, *part))]


def _all_units(segments: int, most: int = 64) -> list[tuple[int, ...]]:
    return [TITLE, *_description_units(segments)][:most]


def _units(sample: corpus.Sample, segments: int, rng, drawn: int) -> list[tuple[int, ...]]:
    """The units a sample trains: its title alone, the smallest unit holding each signal, and
    ``drawn`` more at random (single segments or adjacent pairs). A listing labelled only as a whole
    (``signals is None``): every unit if it is legal (none can hold a violation); if it is a
    violation, none here (see ``best_units``)."""
    if sample.signals is None:
        return _all_units(segments) if sample.label == 0 else []
    units: list[tuple[int, ...]] = [TITLE]
    for signal in sample.signals:
        if signal and len(signal) <= 2:
            units += [signal, (0, *signal)]
    candidates = _description_units(segments)
    if candidates:
        for k in rng.choice(len(candidates), size=min(len(candidates), drawn), replace=False):
            units.append(candidates[int(k)])
    return list(dict.fromkeys(units))


def window_units(sample: corpus.Sample, windows: Sequence[tuple[int, int, int, int]], rng,
                 drawn: int) -> list[tuple[tuple[int, int, int, int], int]]:
    """The title windows a sample trains, each with its label: every window holding the whole
    title signal (1), and ``drawn`` windows outside it (0), at random; a window holding part of
    a signal says nothing certain and is left out, as is every window of a violation whose title
    signal is not located (``Sample.title_span``) or not known (a whole-listing label)."""
    if not windows:
        return []
    span = sample.title_span if sample.label else None
    if sample.label and (span is None or sample.signals is None):
        return []
    holding = [w for w in windows if span is not None and w[2] <= span[0] and span[1] <= w[3]]
    outside = [w for w in windows if span is None or w[3] <= span[0] or span[1] <= w[2]]
    picked = [outside[int(k)] for k in rng.choice(len(outside), size=min(len(outside), drawn), replace=False)] \
        if outside else []
    return [(w, 1) for w in holding] + [(w, 0) for w in picked]


def _window_block(item: ModelInput, window: tuple[int, int, int, int]) -> tuple[str, tuple[str, ...]]:
    """A title window as a block of its own (its words, no marker): what the graph reads of it."""
    start, end, first, last = window
    return item.texts[0][start:end], item.tokens[0][1 + first : 1 + last]


def _unit_score(block_scores: np.ndarray, unit: tuple[int, ...]) -> float:
    """A unit's score from its listing's block scores (title first): the title's, plus its segments'
    sum, as the pooled ``max`` adds them."""
    return (block_scores[0] if 0 in unit else 0.0) + sum(block_scores[b] for b in unit if b)


def best_units(model: LinearModel, samples: Sequence[corpus.Sample], *,
               parsimonious: bool = False) -> list[tuple[int, ...]]:
    """For listings known only to be violations, the unit ``model`` scores highest: multiple-
    instance learning, where the pooled ``max`` picks which part of the listing says it. With
    ``parsimonious``, the title alone wherever ``model`` already reads it as a violation: a
    segment beside such a title would be blamed for nothing but being there."""
    blocks, owner = listing_blocks(samples, model.cfg)
    scores = model.block_scores(blocks)
    out = []
    start = 0
    for _ in samples:
        end = start + 1
        while end < len(owner) and owner[end] >= 0:
            end += 1
        listing = scores[start:end]
        title_suffices = parsimonious and model.bias + listing[0] >= 0
        units = [TITLE, *_description_units(end - start - 1)]
        out.append(TITLE if title_suffices else max(units, key=lambda unit: _unit_score(listing, unit)))
        start = end
    return out


@dataclass
class Units:
    """Training rows: each a unit (``TITLE`` or ``_description_units``) of one sample."""

    matrix: object  # scipy CSR [units, 2**hash_bits]
    labels: np.ndarray
    weights: np.ndarray
    sample: np.ndarray  # which sample each unit came from
    sizes: np.ndarray  # how many blocks each unit holds (1, 2 or 3)
    from_outcome: np.ndarray  # whether the unit's sample is a review outcome


def _block_matrix(texts: list[str], tokens: list[tuple[str, ...]], cfg: FeatureConfig, chunk: int = 4000,
                  features=block_matrix):
    from scipy import sparse

    parts = []
    for start in range(0, len(texts), chunk):
        chars, words = encode_blocks(texts[start : start + chunk], tokens[start : start + chunk])
        parts.append(features(chars, words, cfg))
    return sparse.vstack(parts, format="csr")


def title_gate_matrix(samples: Sequence[corpus.Sample], cfg: FeatureConfig):
    """The clothing gate's features of each sample's title (its description is not read)."""
    inputs = [model_input(s.title) for s in samples]
    return _block_matrix([item.texts[0] for item in inputs], [item.tokens[0] for item in inputs], cfg,
                         features=gate_matrix)


def build_units(samples: Sequence[corpus.Sample], tc: TrainConfig, cfg: FeatureConfig, *,
                chosen: dict[int, tuple[int, ...]] | None = None) -> Units:
    """Unit rows of ``samples``; ``chosen`` gives, by sample position, the one unit to train
    for a listing known only as a violation (from ``best_units``)."""
    from scipy import sparse

    rng = np.random.default_rng(tc.seed)
    texts: list[str] = []
    tokens: list[tuple[str, ...]] = []
    rows, cols, labels, weights, owners, sizes, outcomes = [], [], [], [], [], [], []
    is_window: list[bool] = []
    # Goods that are not clothing are the clothing gate's to hold down: the violation head learns
    # what sellers of clothing, shoes and bags say, or it would learn "clothing words" as a cue.
    indexes = [i for i, s in enumerate(samples) if s.clothing] if chosen is None else sorted(chosen)
    for index, item in zip(indexes, sample_inputs([samples[i] for i in indexes]), strict=True):
        sample = samples[index]
        base = len(texts)
        used = _units(sample, len(item.texts) - 1, rng, tc.negative_units) if chosen is None else [chosen[index]]
        needed = sorted({b for unit in used for b in unit})
        position = {block: base + k for k, block in enumerate(needed)}
        texts.extend(item.texts[b] for b in needed)
        tokens.extend(item.tokens[b] for b in needed)
        weight = sample.weight * (tc.real_weight if sample.source.startswith("real") else 1.0)
        outcome = sample.source == review_labels.SAMPLE_SOURCE
        for unit in used:
            row = len(labels)
            for block in unit:
                rows.append(row)
                cols.append(position[block])
            whole = sample.signals is None
            labels.append(sample.label if whole else unit_label(sample.signals, unit) if sample.label else 0)
            weights.append(weight)
            owners.append(index)
            sizes.append(len(unit))
            outcomes.append(outcome)
            is_window.append(False)
        windows = [] if chosen is not None else window_units(
            sample, title_windows(item.texts[0], cfg.title_window_words), rng, tc.negative_units)
        for window, label in windows:
            text, window_tokens = _window_block(item, window)
            rows.append(len(labels))
            cols.append(len(texts))
            texts.append(text)
            tokens.append(window_tokens)
            labels.append(label)
            weights.append(weight)
            owners.append(index)
            sizes.append(1)
            outcomes.append(outcome)
            is_window.append(True)
    if not texts:
        return Units(sparse.csr_matrix((0, (1 << cfg.hash_bits) + 2)), np.zeros(0, int), np.zeros(0),
                     np.zeros(0, int), np.zeros(0, int), np.zeros(0, bool))
    blocks = _block_matrix(texts, tokens, cfg)
    pick = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(labels), len(texts)))
    return Units(with_window_column(pick @ blocks, np.array(is_window)), np.array(labels), np.array(weights),
                 np.array(owners), np.array(sizes), np.array(outcomes, dtype=bool))


def whole_listing_picks(samples: Sequence[corpus.Sample], model: LinearModel, *,
                        parsimonious: bool = False) -> dict[int, tuple[int, ...]]:
    """By sample position, the unit ``model`` picks for each listing known only as a violation
    (``best_units``)."""
    wanted = [i for i, s in enumerate(samples) if s.signals is None and s.label == 1]
    return dict(zip(wanted, best_units(model, [samples[i] for i in wanted], parsimonious=parsimonious) if wanted
                    else [], strict=True))


def with_whole_listing_violations(units: Units, samples: Sequence[corpus.Sample], chosen: dict[int, tuple[int, ...]],
                                  tc: TrainConfig, cfg: FeatureConfig) -> Units:
    """``units`` plus, for each listing known only as a violation, its ``chosen`` unit (from
    ``whole_listing_picks``), labelled 1."""
    from scipy import sparse

    if not chosen:
        return units
    extra = build_units(samples, tc, cfg, chosen=chosen)
    return Units(sparse.vstack([units.matrix, extra.matrix], format="csr"),
                 np.concatenate([units.labels, extra.labels]), np.concatenate([units.weights, extra.weights]),
                 np.concatenate([units.sample, extra.sample]), np.concatenate([units.sizes, extra.sizes]),
                 np.concatenate([units.from_outcome, extra.from_outcome]))


def balanced_by_size(labels: np.ndarray, weights: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Unit weights under which the share of violations is the same for units of one, two and
    three blocks. Otherwise the signal units (often a title with a segment) make "longer" itself
    a cue, and long titles and descriptions drift up."""
    out = weights.astype(np.float64).copy()
    positive = labels == 1
    overall = out[positive].sum() / max(out[~positive].sum(), 1e-12)
    for size in np.unique(sizes):
        mask = sizes == size
        pos, neg = out[mask & positive].sum(), out[mask & ~positive].sum()
        if pos > 0 and neg > 0:
            out[mask & positive] *= overall * neg / pos
    return out


def listing_blocks(samples: Sequence[corpus.Sample], cfg: FeatureConfig):
    """(block matrix, owner) of every block of every sample, then of every title window, as the
    graph pools them (``pack_batch``'s order and owners)."""
    texts: list[str] = []
    tokens: list[tuple[str, ...]] = []
    owner: list[int] = []
    window_texts: list[str] = []
    window_tokens: list[tuple[str, ...]] = []
    window_owner: list[int] = []
    for index, item in enumerate(sample_inputs(samples)):
        texts.extend(item.texts)
        tokens.extend(item.tokens)
        owner.extend([-1] + [index] * (len(item.texts) - 1))
        for window in title_windows(item.texts[0], cfg.title_window_words):
            text, words = _window_block(item, window)
            window_texts.append(text)
            window_tokens.append(words)
            window_owner.append(-2 - index)
    matrix = _block_matrix(texts + window_texts, tokens + window_tokens, cfg)
    is_window = np.arange(matrix.shape[0]) >= len(texts)
    return with_window_column(matrix, is_window), np.array(owner + window_owner, dtype=np.int64)


# ----------------------------------------------------------------------------------------------
# Fitting, calibration, thresholds
# ----------------------------------------------------------------------------------------------


@dataclass
class HeldOut:
    """Listings that trained the model, each scored by a model fitted without it: probabilities
    under the model's calibration, labels and training weights."""

    probabilities: np.ndarray
    labels: np.ndarray
    weights: np.ndarray

    def counts(self, t: float) -> tuple[float, float]:
        """Weighted (true, false) positives at threshold ``t``."""
        flagged = self.probabilities >= t
        return (float(self.weights[flagged & (self.labels == 1)].sum()),
                float(self.weights[flagged & (self.labels == 0)].sum()))

    def at(self, t: float) -> dict:
        flagged = self.probabilities >= t
        tp, fp = int((flagged & (self.labels == 1)).sum()), int((flagged & (self.labels == 0)).sum())
        return {"listings": len(self.labels), "precision": tp / (tp + fp) if tp + fp else 1.0,
                "recall": tp / max(1, int((self.labels == 1).sum())), "false_positives": fp}


def choose_thresholds(scores: np.ndarray, labels: np.ndarray, is_real: np.ndarray, tc: TrainConfig,
                      held_out: HeldOut | None = None) -> dict:
    """TAKEDOWN: the lowest threshold with precision >= target and almost no real title above it,
    the precision counted on validation data and ``held_out`` listings together. REVIEW: the
    lowest threshold that keeps real titles flagged <= review_real_rate and precision >=
    review_precision, on validation data (its errors go to a person, and the flagged F1 it sets
    is measured apart)."""
    candidates = np.unique(np.round(scores if held_out is None else np.concatenate([scores, held_out.probabilities]),
                                    4))
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

    def takedown_precision(t: float) -> float:
        flagged = scores >= t
        tp, fp = float((flagged & pos).sum()), float((flagged & ~pos).sum())
        if held_out is not None:
            tp, fp = (a + b for a, b in zip((tp, fp), held_out.counts(t), strict=True))
        return tp / (tp + fp) if tp + fp else 1.0

    takedown = 0.99
    for t in sorted(candidates):
        _, _, real_rate = stats(t)
        if takedown_precision(t) >= tc.takedown_precision and real_rate <= tc.takedown_real_rate:
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
    chosen = {
        "review": round(review, 4),
        "takedown": round(takedown, 4),
        "validation": {
            "takedown": {"precision": p_t, "recall": r_t, "real_titles_rate": real_t},
            "review_or_more": {"precision": p_r, "recall": r_r, "real_titles_rate": real_r},
        },
    }
    if held_out is not None:
        chosen["validation"]["handwritten_out_of_fold"] = {"takedown": held_out.at(chosen["takedown"]),
                                                           "review_or_more": held_out.at(chosen["review"])}
    return chosen


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
    _heads: dict = field(default_factory=dict, repr=False)

    def head(self, tc: TrainConfig) -> tuple[np.ndarray, float]:
        """The gate's weights (rounded through float16) and bias. Fitted once per configuration:
        it reads these rows alone, whichever units the violation head trains on (every re-pick
        and every leave-one-family-out fit share it)."""
        from sklearn.linear_model import LogisticRegression

        key = (tc.gate_c, tc.seed)
        if key not in self._heads:
            # balanced classes: a title that names no product reads as neither (log-odds near zero)
            clf = LogisticRegression(C=tc.gate_c, solver="liblinear", max_iter=300, tol=1e-4, random_state=tc.seed,
                                     class_weight="balanced")
            clf.fit(self.matrix, self.labels, sample_weight=self.weights)
            self._heads[key] = (clf.coef_.ravel().astype(np.float16).astype(np.float32),
                                float(np.float32(clf.intercept_[0])))
        return self._heads[key]


def build_gate(titles: Sequence[corpus.Sample], cfg: FeatureConfig) -> Gate:
    """The gate learns what a title sells from carrier titles alone (real titles by their
    category, synthetic product titles), never from the trade's words: those must not tell it
    whether the thing is clothing."""
    return Gate(title_gate_matrix(titles, cfg), np.array([int(s.clothing) for s in titles]),
                np.ones(len(titles)))


def _fit_combination(violation: np.ndarray, clothing: np.ndarray, labels: np.ndarray,
                     tc: TrainConfig) -> tuple[float, float, float]:
    """(a, b, k) of ``sigmoid(min(a * violation + b, k * clothing + m))`` by maximum likelihood on
    validation data, with the gate's ceiling ``m`` as configured (see ``TrainConfig``)."""
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000).fit(violation.reshape(-1, 1), labels)
    y = labels.astype(np.float64)

    def loss(params: np.ndarray) -> float:
        z = np.minimum(params[0] * violation + params[1], params[2] * clothing + tc.gate_ceiling)
        return float(np.mean(np.logaddexp(0.0, z) - y * z))

    low, high = tc.gate_slope_bounds
    start = np.array([platt.coef_[0, 0], platt.intercept_[0], (low + high) / 2])
    result = minimize(loss, start, method="Nelder-Mead",
                      bounds=[(None, None), (None, None), (low, high)],
                      options={"maxiter": 8000, "xatol": 1e-7, "fatol": 1e-10})
    return float(result.x[0]), float(result.x[1]), float(result.x[2])


def outcome_feature_scales(matrix, from_outcome: np.ndarray, tc: TrainConfig) -> np.ndarray | None:
    """Per feature (column of the unit ``matrix``): ``tc.outcome_feature_scale`` where only the
    units ``from_outcome`` have it, else 1; None when that changes nothing (scale 1, or no
    outcome among the units)."""
    if tc.outcome_feature_scale == 1.0 or not from_outcome.any():
        return None
    scale = np.full(matrix.shape[1], tc.outcome_feature_scale)
    scale[np.unique(matrix[~from_outcome].indices)] = 1.0
    return scale


def fit_units(units: Units, gate: Gate, validation: Validation, tc: TrainConfig, cfg: FeatureConfig, *,
              keep: np.ndarray | None = None, keep_validation: np.ndarray | None = None,
              held_out: HeldOutScores | None = None, log=print) -> Fitted:
    """Fit on precomputed units and gate rows (evaluate.py reuses them for leave-one-family-out):
    ``keep`` selects training samples, ``keep_validation`` validation listings; ``held_out``
    (``handwritten_out_of_fold``) counts toward TAKEDOWN's precision."""
    started = time.perf_counter()
    model = fit_weights(units, gate, tc, cfg, keep=keep, log=log)
    thresholds = calibrate(model, validation, tc, keep_validation=keep_validation, held_out=held_out)
    return Fitted(model, thresholds, time.perf_counter() - started)


def fit_weights(units: Units, gate: Gate, tc: TrainConfig, cfg: FeatureConfig, *, keep: np.ndarray | None = None,
                log=print) -> LinearModel:
    """The violation head fitted on the units of the samples ``keep`` selects, beside the gate;
    not yet calibrated."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    rows = np.ones(len(units.labels), dtype=bool) if keep is None else keep[units.sample]
    clf = LogisticRegression(C=tc.c, solver="liblinear", max_iter=300, tol=1e-4, random_state=tc.seed)
    matrix = units.matrix[rows]
    scale = outcome_feature_scales(matrix, units.from_outcome[rows], tc)
    if scale is not None:  # fitting w on x * scale is fitting w * scale on x with that feature's penalty / scale**2
        matrix = matrix @ sparse.diags(scale)
    clf.fit(matrix, units.labels[rows],
            sample_weight=balanced_by_size(units.labels[rows], units.weights[rows], units.sizes[rows]))
    coef = clf.coef_.ravel() if scale is None else clf.coef_.ravel() * scale
    log(f"  fitted on {int(rows.sum())} units ({time.perf_counter() - started:.1f}s)")
    # the last column is the title windows' (``with_window_column``): their bias, kept unrounded
    # like the block bias
    return LinearModel(coef[:-1].astype(np.float16).astype(np.float32), float(np.float32(clf.intercept_[0])),
                       float(np.float32(coef[-1])), *gate.head(tc), 1.0, 0.0, 1.0, 0.0, cfg, tc.segment_margin)


def calibrate(model: LinearModel, validation: Validation, tc: TrainConfig, *, keep_validation: np.ndarray | None = None,
              held_out: HeldOutScores | None = None) -> dict:
    """Sets ``model``'s calibration from validation data and returns its thresholds."""
    violation = model.violation(model.block_scores(validation.blocks), validation.owner)
    clothing = model.clothing(validation.titles)
    labels, is_real = validation.labels, validation.is_real
    if keep_validation is not None:
        violation, clothing = violation[keep_validation], clothing[keep_validation]
        labels, is_real = labels[keep_validation], is_real[keep_validation]
    a, b, k = _fit_combination(violation, clothing, labels, tc)
    model.platt_a, model.platt_b = float(np.float32(a)), float(np.float32(b))
    model.gate_k, model.gate_m = float(np.float32(k)), tc.gate_ceiling
    scored = None if held_out is None else HeldOut(model.probability(held_out.violation, held_out.clothing),
                                                   held_out.labels, held_out.weights)
    return choose_thresholds(model.probability(violation, clothing), labels, is_real, tc, scored)


@dataclass
class HeldOutScores:
    """Listings scored by a model fitted without them: violation and clothing log-odds (before
    calibration, which is the final model's), labels, training weights."""

    violation: np.ndarray
    clothing: np.ndarray
    labels: np.ndarray
    weights: np.ndarray


def handwritten_fold_index(train: Sequence[corpus.Sample], folds: int) -> np.ndarray:
    """Per training sample, its cross-fitting fold (fixed by its id), or -1 if not hand-written."""
    return np.array([zlib.crc32(s.id.encode()) % folds if s.source == corpus.HANDWRITTEN_SOURCE else -1
                     for s in train])


def handwritten_out_of_fold(units: Units, gate: Gate, train: Sequence[corpus.Sample], tc: TrainConfig,
                            cfg: FeatureConfig, *, log=print) -> HeldOutScores | None:
    """The hand-written training listings, each fold scored by a model fitted without it (on the
    same units: a violation's picked unit is the whole model's pick), in fold order. None with
    fewer than two folds or no hand-written listing."""
    if tc.handwritten_folds < 2:
        return None
    fold = handwritten_fold_index(train, tc.handwritten_folds)
    parts = []
    for k in range(tc.handwritten_folds):
        members = [train[i] for i in np.flatnonzero(fold == k)]
        if not members:
            continue
        model = fit_weights(units, gate, tc, cfg, keep=fold != k, log=log)
        blocks, owner = listing_blocks(members, cfg)
        parts.append((model.violation(model.block_scores(blocks), owner),
                      model.clothing(title_gate_matrix(members, cfg)),
                      np.array([s.label for s in members]), np.array([s.weight for s in members])))
    return HeldOutScores(*(np.concatenate(column) for column in zip(*parts, strict=True))) if parts else None


def training_rows(train: Sequence[corpus.Sample], validation: Sequence[corpus.Sample], tc: TrainConfig,
                  cfg: FeatureConfig, *, log=print) -> tuple[Units, Gate, Validation, Fitted | None]:
    """Everything a fit reads. Listings known only as violations need a first fit to pick their
    units; evaluate.py's leave-one-family-out refits from these rows. Last, the fit on exactly
    these rows where the re-picks already made it (they stopped changing), else None."""
    started = time.perf_counter()
    fitted = None
    units = build_units(train, tc, cfg)
    log(f"  units: {units.matrix.shape[0]} rows, {units.matrix.nnz} non-zeros "
        f"({time.perf_counter() - started:.1f}s)")
    gate = build_gate(corpus.gate_titles(train, tc.seed + 3), cfg)
    val = validation_data(validation, cfg)
    if any(s.signals is None and s.label == 1 for s in train):
        picks = whole_listing_picks(train, fit_units(units, gate, val, tc, cfg, log=log).model)
        extended = with_whole_listing_violations(units, train, picks, tc, cfg)
        # The first fit never saw the words review outcomes may teach (a new code word), so the
        # unit it picks in such a listing can be any line (a size chart, "warna sedikit berbeda"),
        # which the next fit then learns as a tell. Refitting with those picks learns the word
        # from listings that put it in the title; the next pick (multiple-instance learning by
        # alternation) takes the title alone where it now says enough, and finds the word in the
        # description of the others. Each such find teaches the word's other spellings and
        # contexts, which the next pick can use in turn: alternate until the picks stop changing
        # (the fixed point of the alternation), at most ``label_repicks`` times.
        with_outcomes = any(s.source == review_labels.SAMPLE_SOURCE for s in train)
        for round_ in range(tc.label_repicks if with_outcomes else 0):
            last = fit_units(extended, gate, val, tc, cfg, log=log)
            repicked = whole_listing_picks(train, last.model, parsimonious=True)
            changed = sum(repicked[i] != picks.get(i) for i in repicked)
            log(f"  re-pick {round_ + 1}: {changed} of {len(repicked)} whole-listing violations changed unit")
            if not changed:
                fitted = last  # fitted on the rows returned: no need to fit them again
                break
            picks = repicked
            extended = with_whole_listing_violations(units, train, picks, tc, cfg)
        units = extended
    return units, gate, val, fitted


def fit(train: Sequence[corpus.Sample], validation: Sequence[corpus.Sample], tc: TrainConfig,
        cfg: FeatureConfig | None = None, *, log=print) -> Fitted:
    cfg = cfg or FeatureConfig()
    started = time.perf_counter()
    units, gate, val, fitted = training_rows(train, validation, tc, cfg, log=log)
    held_out = handwritten_out_of_fold(units, gate, train, tc, cfg, log=log)
    if fitted is None:
        fitted = fit_units(units, gate, val, tc, cfg, held_out=held_out, log=log)
    elif held_out is not None:
        fitted.thresholds = calibrate(fitted.model, val, tc, held_out=held_out)
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
        "review_labels_train": sum(s.source == review_labels.SAMPLE_SOURCE for s in train),
        "gate_other_goods": len(corpus.other_goods()),
        "handwritten_train": sum(s.source == corpus.HANDWRITTEN_SOURCE for s in train),
        "handwritten_train_positives": sum(s.source == corpus.HANDWRITTEN_SOURCE and s.label == 1 for s in train),
    }


def export(fitted: Fitted, out_dir: Path, *, data_hash: str, tc: TrainConfig, data: dict | None = None,
           labels: dict | None = None, extra: dict | None = None) -> dict:
    """Writes model.onnx and metadata.json; ``labels`` is the summary of the review outcomes that
    trained the model (``labels.resolve``; None: none), whose newest ``recordedAt`` is the model's
    training horizon."""
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
        "calibration": {"method": "sigmoid(min(a * violation + b, k * clothing + m)), a, b and k fitted on "
                                  "validation, m set",
                        "a": fitted.model.platt_a, "b": fitted.model.platt_b, "k": fitted.model.gate_k,
                        "m": fitted.model.gate_m},
        "features": {
            **fitted.model.cfg.to_dict(),
            "max_title_chars": feat.MAX_TITLE_CHARS,
            "max_description_chars": feat.MAX_DESCRIPTION_CHARS,
            "max_segment_words": feat.MAX_SEGMENT_WORDS,
            "max_segments": feat.MAX_SEGMENTS,
            "pooling": POOLING,
            "inputs": {"chars": "int64 [T] code points of the model texts, packed: each text followed by "
                                "4 zeros, plus one final zero",
                       "words": "int64 [Tw] crc32 & 0x7fffffff (0 -> 1) of the tokens, packed: each block "
                                "followed by one zero, plus one final zero",
                       "index": "int64 [blocks, 12] per block: ends then starts of its char 2..5-gram, word "
                                "unigram and bigram segments in the flat feature vector",
                       "owner": "int64 [blocks] -1 for a listing's title block, the listing of a "
                                "description segment, -2 - the listing for a title window (windows "
                                "follow all blocks)",
                       "packing": "saring.classifier.features.pack_batch"},
            "normalisation": "saring.classifier.normalise.normalise",
            "model_input": "saring.classifier.features.model_input",
        },
        "training": {
            "data_sha256": data_hash,
            "data": data or {},
            "labels": labels,
            "seed": tc.seed,
            "config": tc.__dict__,
            "seconds": round(fitted.seconds, 1),
            "solver": "sklearn LogisticRegression(liblinear) on units (the title, a segment or adjacent pair, or both; a title window), weights rounded to float16",
        },
        "validation": fitted.thresholds["validation"],
        **(extra or {}),
    }
    (out_dir / "metadata.json").write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return metadata


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ARTIFACT_DIR)
    parser.add_argument("--real", type=Path, default=None, help="real titles JSONL (default: ../shared/data)")
    parser.add_argument("--labels", type=Path, default=None,
                        help="review outcomes to train on, as `saring labels export` writes them")
    parser.add_argument("--labels-weight", type=_positive, default=None,
                        help="weight of one review outcome, in synthetic listings (default: TrainConfig's)")
    parser.add_argument("--outcome-feature-scale", type=_positive, default=None,
                        help="how much wider the prior of features only review outcomes carry is "
                             "(default: TrainConfig's)")
    args = parser.parse_args(argv)
    real_path = args.real or corpus.real_titles_path()
    if not real_path.exists():
        print(f"real titles not found at {real_path} (set SARING_SHARED_DATA)", file=sys.stderr)
        return 2
    resolved = None
    if args.labels is not None:
        try:
            resolved = review_labels.load(args.labels)
        except (OSError, review_labels.LabelFileError) as error:
            print(f"cannot read labels: {error}", file=sys.stderr)
            return 2
        print(f"labels: {json.dumps({k: v for k, v in resolved.summary.items() if k != 'rule'})}")
    given = {"labels_weight": args.labels_weight, "outcome_feature_scale": args.outcome_feature_scale}
    tc = TrainConfig(**{name: value for name, value in given.items() if value is not None})
    started = time.perf_counter()
    train, validation = training_sets(tc, real_path, labels=resolved)
    print(f"corpus: {len(train)} train, {len(validation)} validation ({time.perf_counter() - started:.1f}s)")
    fitted = fit(train, validation, tc)
    data_hash = corpus.corpus_hash([*train, *validation], corpus.other_goods())
    metadata = export(fitted, args.out, data_hash=data_hash, tc=tc, data=data_summary(train, validation),
                      labels=resolved.summary if resolved else None)
    print(json.dumps({"version": metadata["version"], "thresholds": metadata["thresholds"],
                      "validation": metadata["validation"], "seconds": round(time.perf_counter() - started, 1),
                      "model_bytes": (args.out / "model.onnx").stat().st_size}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
