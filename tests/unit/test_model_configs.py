"""A model's metadata records the configuration it was trained with; `models/evaluate.py` refits
(leave-one-family-out) from that record, so reading it back must give the configuration itself,
and a record from before a later option must read as the model was, not as today's default."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "models"))
import train as training  # noqa: E402
from listing_model import FeatureConfig  # noqa: E402

METADATA = json.loads((ROOT / "models" / "listing-classifier" / "metadata.json").read_text(encoding="utf-8"))


def test_shipped_feature_config_reads_back_from_its_metadata() -> None:
    cfg = FeatureConfig.from_dict(METADATA["features"])
    assert cfg.to_dict() == {key: METADATA["features"][key] for key in cfg.to_dict()}


def test_shipped_training_config_reads_back_from_its_metadata() -> None:
    tc = training.TrainConfig.from_dict(METADATA["training"]["config"])
    recorded = METADATA["training"]["config"]
    assert {key: getattr(tc, key) for key in recorded} == {
        key: tuple(value) if isinstance(value, list) else value for key, value in recorded.items()}


def test_a_record_without_title_windows_is_a_model_without_them() -> None:
    older = {key: value for key, value in METADATA["features"].items() if key != "title_window_words"}
    assert FeatureConfig.from_dict(older).title_window_words == 0


def test_a_record_without_a_segment_margin_is_a_model_without_one() -> None:
    older = {key: value for key, value in METADATA["training"]["config"].items() if key != "segment_margin"}
    assert training.TrainConfig.from_dict(older).segment_margin == 0.0


def test_a_setting_that_differs_from_todays_default_is_kept() -> None:
    recorded = {**METADATA["training"]["config"], "c": training.TrainConfig().c * 4}
    assert training.TrainConfig.from_dict(recorded).c == training.TrainConfig().c * 4
