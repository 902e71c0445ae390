"""`models/evaluate.py`'s bootstrap intervals: the model card's measure of how far a figure on a
few hundred hand-written listings can be trusted."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
import evaluate  # noqa: E402


def _listings(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``n`` listings, half violating, scored with some overlap between the classes."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    scores = np.clip(rng.normal(0.3 + 0.4 * labels, 0.25), 0.0, 1.0)
    return scores, labels


def test_the_interval_holds_the_figure_it_is_about() -> None:
    scores, labels = _listings(400)
    point = evaluate.flagged_metrics(scores, labels, 0.5, 0.8)
    intervals = evaluate.bootstrap_intervals(scores, labels, 0.5, 0.8)
    for band in ("flagged", "takedown"):
        for name in ("precision", "recall", "f1"):
            low, high = intervals[band][name]
            assert low <= point[band][name] <= high, (band, name, low, point[band][name], high)
            assert low < high


def test_more_listings_give_a_narrower_interval() -> None:
    width = {}
    for n in (100, 1600):
        low, high = evaluate.bootstrap_intervals(*_listings(n), 0.5, 0.8)["flagged"]["f1"]
        width[n] = high - low
    assert width[1600] < width[100] / 2


def test_a_model_right_on_every_listing_has_no_doubt_to_show() -> None:
    labels = np.arange(200) % 2
    scores = labels.astype(float)
    intervals = evaluate.bootstrap_intervals(scores, labels, 0.5, 0.9)
    assert intervals["flagged"]["f1"] == [1.0, 1.0]
    assert intervals["takedown"]["precision"] == [1.0, 1.0]


def test_the_same_seed_gives_the_same_interval() -> None:
    scores, labels = _listings(300)
    assert evaluate.bootstrap_intervals(scores, labels, 0.5, 0.8) == evaluate.bootstrap_intervals(
        scores, labels, 0.5, 0.8)
