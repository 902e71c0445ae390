"""The shipped model on the frozen evaluation set (models/evaluation): listings written by hand
apart from the training generator and never trained on. The targets are the product's: what a
platform that switches Saring on will see."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

from saring.adapters.onnx_classifier import OnnxClassifier
from saring.classifier.evidence import FILLER_WORDS
from saring.domain.listings import Listing

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "models"))
import evaluate  # noqa: E402


@pytest.fixture(scope="module")
def clf() -> OnnxClassifier:
    return OnnxClassifier(REPO_ROOT / "models" / "listing-classifier")


@pytest.fixture(scope="module")
def evaluation():
    return evaluate.evaluation_set()


def _listings(samples) -> list[Listing]:
    return [Listing(s.id, "evaluation", s.title, s.description or None, None, None) for s in samples]


def _metrics(clf, samples) -> dict:
    scores = np.array(clf.score(_listings(samples)))
    labels = np.array([s.label for s in samples])
    return evaluate.flagged_metrics(scores, labels, clf.thresholds.review, clf.thresholds.takedown)


def test_the_evaluation_set_is_what_the_model_card_says(evaluation) -> None:
    assert len(evaluation) >= 300
    assert {s.label for s in evaluation} == {0, 1}
    assert all(50 <= len(s.description) <= 1500 for s in evaluation)


def test_flagged_f1_at_least_093(clf, evaluation) -> None:
    metrics = _metrics(clf, evaluation)
    assert metrics["flagged"]["f1"] >= 0.93, metrics


def test_flagged_recall_and_takedown_no_worse_than_today(clf, evaluation) -> None:
    metrics = _metrics(clf, evaluation)
    assert metrics["flagged"]["recall"] >= 0.93, metrics
    # 0.865 for listing-classifier-b5d35b9120ee; 693cf5daafe4 and d405959987fb took down 170 of 200.
    # e4193c96366e takes down 155: with title windows more legal listings score near the top, and
    # TAKEDOWN rose (0.9814 -> 0.9954) to keep its precision; a trade made knowingly
    # (docs/classifier.md)
    assert metrics["takedown"]["recall"] >= 0.775, metrics


def test_takedown_precision_at_least_098(clf, evaluation) -> None:
    metrics = _metrics(clf, evaluation)
    assert metrics["takedown"]["precision"] >= 0.98, metrics


def test_shop_boilerplate_costs_at_most_003_f1(clf, evaluation) -> None:
    plain = _metrics(clf, evaluation)["flagged"]["f1"]
    padded = _metrics(clf, evaluate.with_boilerplate(evaluation))["flagged"]["f1"]
    assert plain - padded <= 0.03, (plain, padded)


def _flagged(clf, samples, label: int):
    listings = _listings([s for s in samples if s.label == label])
    scores = clf.score(listings)
    return [item for item, score in zip(listings, scores, strict=True) if score >= clf.thresholds.review]


def test_every_flagged_listing_shows_evidence_and_never_filler(clf, evaluation) -> None:
    flagged = _flagged(clf, evaluation, 1) + _flagged(clf, evaluation, 0)
    explained = clf.explain_many(flagged)
    assert all(explained), [item.title for item, ev in zip(flagged, explained, strict=True) if not ev][:5]
    for evidence in explained:
        for item in evidence:
            assert item.weight > 0
            assert item.term not in FILLER_WORDS and not item.term.isdigit(), item


def test_removing_the_shown_evidence_unflags_at_least_90_percent(clf, evaluation) -> None:
    """ERASER comprehensiveness (DeYoung et al., ACL 2020): the evidence a reviewer sees is what
    the score rests on."""
    flagged = _flagged(clf, evaluation, 1)
    assert len(flagged) >= 150
    erased = []
    for item, evidence in zip(flagged, clf.explain_many(flagged), strict=True):
        title, description = item.title, item.description or ""
        for piece in evidence:  # the words shown, wherever and in whatever case they stand
            shown = re.compile(re.escape(piece.original), re.IGNORECASE)
            title, description = shown.sub(" ", title), shown.sub(" ", description)
        erased.append(Listing(item.listing_id, item.seller_id, title, description or None, None, None))
    still = sum(score >= clf.thresholds.review for score in clf.score(erased))
    assert still <= 0.1 * len(flagged), f"{still} of {len(flagged)} still flagged"


@pytest.mark.needs_shared_data
def test_real_titles_held_out_are_rarely_flagged(clf) -> None:
    import corpus

    if not corpus.real_titles_path().exists():
        pytest.skip(f"reference data absent: {corpus.real_titles_path()} (set SARING_SHARED_DATA)")
    holdout = [s for s in corpus.real_titles("holdout") if s.weight > 0]
    scores = np.array(clf.score(_listings(holdout)))
    assert len(holdout) > 5000
    assert np.mean(scores >= clf.thresholds.takedown) <= 0.0003
    assert np.mean(scores >= clf.thresholds.review) <= 0.003


def test_the_model_cards_limits_quote_the_shipped_models_own_bands() -> None:
    import model_card

    card = (REPO_ROOT / "models" / "listing-classifier" / "MODEL_CARD.md").read_text(encoding="utf-8")
    bands = model_card._title_bands(REPO_ROOT / "models" / "listing-classifier", ["Kaos bekas impor ready"])
    assert f'"Kaos bekas impor ready" {bands["Kaos bekas impor ready"]}' in card
