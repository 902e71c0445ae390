"""How `choose_labels_weight.py` picks a setting from its time split: the highest flagged-F1; a
tie (common with a few dozen newer outcomes) goes to the lower log loss, then to the setting
listed first."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "loop"))
from choose_labels_weight import best  # noqa: E402


def _figures(**by_setting: tuple[float, float | None]) -> dict[str, dict]:
    return {name.removeprefix("s").replace("_", "."): {"f1": f1, "log_loss": log_loss}
            for name, (f1, log_loss) in by_setting.items()}


def test_the_highest_f1_wins_whatever_the_log_loss() -> None:
    assert best((3.0, 10.0, 30.0), _figures(s3=(0.67, 0.10), s10=(0.67, 0.20), s30=(0.78, 0.90))) == 30.0


def test_a_tie_in_f1_goes_to_the_lower_log_loss() -> None:
    assert best((1.0, 3.0, 10.0), _figures(s1=(0.78, 0.22), s3=(0.83, 0.20), s10=(0.83, 0.18))) == 10.0


def test_a_full_tie_keeps_the_setting_listed_first() -> None:
    assert best((1.0, 3.0), _figures(s1=(0.5, 0.3), s3=(0.5, 0.3))) == 1.0
    assert best((3.0, 1.0), _figures(s1=(0.5, 0.3), s3=(0.5, 0.3))) == 3.0


def test_no_newer_outcome_means_no_log_loss_and_the_first_setting() -> None:
    assert best((3.0, 10.0), _figures(s3=(0.0, None), s10=(0.0, None))) == 3.0
