"""How `models/train.py` chooses the decision thresholds: TAKEDOWN's precision is counted on
validation and on the hand-written listings scored out of fold, at their weight; REVIEW reads
validation alone."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
import train as training  # noqa: E402

TC = training.TrainConfig()


def _validation() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """100 violations at 0.91..0.999, one legal listing at 0.95, five at 0.905 and 400 below 0.5:
    precision is 0.99 from 0.91 up and 0.94 below, so validation alone puts TAKEDOWN at 0.91."""
    scores = np.concatenate([np.linspace(0.91, 0.999, 100), [0.95], np.full(5, 0.905), np.linspace(0.01, 0.49, 400)])
    labels = np.concatenate([np.ones(100, int), [0], np.zeros(405, int)])
    return scores, labels, np.zeros(len(scores), bool)


def test_validation_alone_sets_takedown_at_its_precision() -> None:
    chosen = training.choose_thresholds(*_validation(), TC)
    assert chosen["takedown"] == pytest.approx(0.91)
    assert "handwritten_out_of_fold" not in chosen["validation"]


def test_weighted_false_takedowns_among_held_out_listings_raise_takedown_only() -> None:
    # three legal hand-written listings at 0.96..0.98, each weighing 3: up to 0.98 the pooled
    # precision is under 0.98 (28 true against 3 false at 0.98)
    held_out = training.HeldOut(np.array([0.96, 0.97, 0.98, 0.995, 0.999, 0.2]), np.array([0, 0, 0, 1, 1, 0]),
                                np.full(6, 3.0))
    scores, labels, is_real = _validation()
    alone = training.choose_thresholds(scores, labels, is_real, TC)
    chosen = training.choose_thresholds(scores, labels, is_real, TC, held_out)
    assert 0.98 < chosen["takedown"] <= 0.985
    assert chosen["review"] == alone["review"]
    assert chosen["validation"]["handwritten_out_of_fold"]["takedown"] == {
        "listings": 6, "precision": 1.0, "recall": 1.0, "false_positives": 0}


def test_held_out_listings_that_agree_with_validation_change_nothing() -> None:
    held_out = training.HeldOut(np.array([0.99, 0.3]), np.array([1, 0]), np.full(2, 3.0))
    scores, labels, is_real = _validation()
    assert (training.choose_thresholds(scores, labels, is_real, TC, held_out)["takedown"]
            == training.choose_thresholds(scores, labels, is_real, TC)["takedown"])
