"""Behavioural tests of the shipped model (CheckList): what platforms will send, not what the
generator writes. The fixtures in ``data/`` were written by hand apart from the training generator;
``models/checklist.py`` runs the checks, and the model card reports each failure rate.

Each target of the detection issue is asserted as written. Where the shipped model does not meet
one yet, that test is a strict xfail naming the measured rate (it turns red the day the target is
met, so the mark cannot outlive the gap), and a second test holds the model to what it measures
today, so nothing gets worse unseen.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from saring.adapters.onnx_classifier import OnnxClassifier

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "models"))
import checklist  # noqa: E402

NOT_MET = "target not met by the shipped model (see its model card)"


@pytest.fixture(scope="module")
def bands() -> checklist.Bands:
    clf = OnnxClassifier(REPO_ROOT / "models" / "listing-classifier")
    return checklist.Bands(clf.score, clf.thresholds.review, clf.thresholds.takedown)


@pytest.fixture(scope="module")
def boilerplate(bands) -> checklist.Check:
    return checklist.invariance_boilerplate(bands)


@pytest.fixture(scope="module")
def explicit_phrase(bands) -> checklist.Check:
    return checklist.direction_add_violation(bands)


def _report(check: checklist.Check) -> str:
    return f"{check.name}: {len(check.failures)}/{check.cases} failed, e.g. {check.failures[:5]}"


def test_ordinary_shop_text_anywhere_changes_at_most_1_percent_of_bands(boilerplate) -> None:
    assert boilerplate.cases >= 30 * 3 * 100
    assert boilerplate.failure_rate <= checklist.bound("ordinary shop text changes at most 1% of bands (target)"), \
        _report(boilerplate)


def test_dropping_fields_casing_and_whitespace_change_at_most_1_percent_of_bands(bands) -> None:
    check = checklist.invariance_fields(bands)
    assert check.cases >= 700
    assert check.failure_rate <= checklist.bound("fields, casing and whitespace change at most 1% of bands"), \
        _report(check)


@pytest.fixture(scope="module")
def title_additions(bands) -> checklist.Check:
    return checklist.invariance_title_additions(bands)


@pytest.mark.xfail(strict=True, reason=NOT_MET)
def test_ordinary_title_add_ons_change_at_most_1_percent_of_bands(title_additions) -> None:
    assert title_additions.failure_rate <= checklist.bound(
        "ordinary title add-ons change at most 1% of bands (target)"), _report(title_additions)


def test_ordinary_title_add_ons_change_no_more_bands_than_today(title_additions) -> None:
    assert title_additions.cases >= 30 * 2 * 100  # here, not under the xfail, where a failure would pass
    assert title_additions.failure_rate <= checklist.bound(
        "ordinary title add-ons change at most 2.5% of bands (today)"), _report(title_additions)


@pytest.mark.xfail(strict=True, reason=NOT_MET)
def test_an_explicit_violating_phrase_raises_every_clean_clothing_listing_to_review(explicit_phrase) -> None:
    assert not explicit_phrase.failures, _report(explicit_phrase)


def test_an_explicit_violating_phrase_raises_as_many_clean_listings_as_today(explicit_phrase) -> None:
    assert explicit_phrase.failure_rate <= checklist.bound(
        "an explicit phrase raises at least 99.5% of clean listings (today)"), _report(explicit_phrase)


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
    assert allowed.failure_rate <= checklist.bound("short titles are REVIEW at most 2 in 100"), _report(allowed)


@pytest.mark.xfail(strict=True, reason=NOT_MET)
def test_used_goods_that_are_not_clothing_are_all_allowed(bands) -> None:
    check = checklist.minimum_used_not_clothing(bands)
    assert not check.failures, _report(check)


def test_used_goods_that_are_not_clothing_are_allowed_as_often_as_today(bands) -> None:
    check = checklist.minimum_used_not_clothing(bands)
    assert check.failure_rate <= checklist.bound(
        "used goods that are not clothing are flagged at most 3% (today)"), _report(check)


@pytest.mark.xfail(strict=True, reason=NOT_MET)
def test_x_bekas_impor_is_takedown_for_every_clothing_shoe_and_bag_word(bands) -> None:
    check = checklist.minimum_bekas_impor(bands)
    assert not check.failures, _report(check)


def test_x_bekas_impor_is_flagged_for_as_many_words_as_today(bands) -> None:
    rows = checklist.load("clothing_words")
    got = bands([checklist.listing(f"{row['text']} bekas impor") for row in rows])
    missed = [row["text"] for row, band in zip(rows, got, strict=True) if band < 1]
    # 30% until listing-classifier-b5d35b9120ee (6 of 60), 12% until listing-classifier-d405959987fb,
    # which flags all 60 (REVIEW)
    assert not missed, missed
