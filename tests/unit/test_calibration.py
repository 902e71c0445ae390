"""How `models/train.py` fits the calibration ``sigmoid(min(a * violation + b, k * clothing + m))``:
a, b and the gate's slope k by maximum likelihood on validation data, the ceiling m as set."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
import train as training  # noqa: E402

TC = training.TrainConfig()


def _drawn(a: float, b: float, k: float, n: int = 40_000, seed: int = 7):
    """Listings whose labels are drawn from the model itself at (a, b, k, TC.gate_ceiling): half
    read as clothing, half as other goods, where the cap decides."""
    rng = np.random.default_rng(seed)
    violation = rng.normal(0.0, 4.0, n)
    clothing = np.where(rng.random(n) < 0.5, rng.normal(3.0, 1.0, n), rng.normal(-1.5, 1.0, n))
    logit = np.minimum(a * violation + b, k * clothing + TC.gate_ceiling)
    labels = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return violation, clothing, labels


@pytest.mark.parametrize("slope", [2.0, 3.0, 5.0])
def test_the_gate_slope_is_recovered_from_labels_it_shaped(slope: float) -> None:
    a, b, k = training._fit_combination(*_drawn(0.8, -1.0, slope), TC)
    assert a == pytest.approx(0.8, abs=0.08)
    assert b == pytest.approx(-1.0, abs=0.15)
    assert k == pytest.approx(slope, rel=0.15)


def test_the_gate_slope_stays_within_its_bounds() -> None:
    # labels that ignore the gate entirely would push the slope toward zero, which would hold
    # every title of unknown goods below TAKEDOWN's reach
    violation, clothing, _ = _drawn(0.8, -1.0, 3.0)
    labels = (violation > 0).astype(int)
    low, high = TC.gate_slope_bounds
    _, _, k = training._fit_combination(violation, clothing, labels, TC)
    assert low <= k <= high
