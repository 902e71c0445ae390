"""Behavioural tests of the shipped model (CheckList): what platforms will send, not what the
generator writes. The fixtures in ``data/`` were written by hand apart from the training generator;
``models/checklist.py`` runs the checks, and the model card reports each failure rate."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from saring.adapters.onnx_classifier import OnnxClassifier

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "models"))
import checklist  # noqa: E402


@pytest.fixture(scope="module")
def bands() -> checklist.Bands:
    clf = OnnxClassifier(REPO_ROOT / "models" / "listing-classifier")
    return checklist.Bands(clf.score, clf.thresholds.review, clf.thresholds.takedown)


def _report(check: checklist.Check) -> str:
    return f"{check.name}: {len(check.failures)}/{check.cases} failed, e.g. {check.failures[:5]}"


def test_ordinary_shop_text_anywhere_changes_at_most_1_percent_of_bands(bands) -> None:
    check = checklist.invariance_boilerplate(bands)
    assert check.cases >= 30 * 3 * 100
    assert check.failure_rate <= 0.01, _report(check)


def test_dropping_fields_casing_and_whitespace_change_at_most_1_percent_of_bands(bands) -> None:
    check = checklist.invariance_fields(bands)
    assert check.failure_rate <= 0.01, _report(check)


def test_an_explicit_violating_phrase_raises_a_clean_listing_to_review(bands) -> None:
    check = checklist.direction_add_violation(bands)
    assert check.failure_rate <= 0.01, _report(check)


def test_compliance_text_never_raises_a_clean_listing(bands) -> None:
    check = checklist.direction_compliance(bands)
    assert not check.failures, _report(check)


def test_bukan_barang_baru_never_takes_a_violation_below_review(bands) -> None:
    check = checklist.direction_negation(bands)
    assert not check.failures, _report(check)


def test_short_product_titles_are_allowed(bands) -> None:
    no_takedown, allowed = checklist.minimum_short_titles(bands)
    assert no_takedown.cases >= 100
    assert not no_takedown.failures, _report(no_takedown)
    assert len(allowed.failures) <= 2 * allowed.cases / 100, _report(allowed)


def test_used_goods_that_are_not_clothing_are_allowed(bands) -> None:
    check = checklist.minimum_used_not_clothing(bands)
    assert check.failure_rate <= 0.05, _report(check)


def test_x_bekas_impor_is_takedown_for_every_clothing_shoe_and_bag_word(bands) -> None:
    check = checklist.minimum_bekas_impor(bands)
    assert not check.failures, _report(check)
