"""Evidence phrases from per-word weights: whole words as the seller wrote them, toward a
violation only, filler never on its own."""

from __future__ import annotations

import numpy as np

from saring.classifier.evidence import phrases
from saring.classifier.features import model_input, traced_input


def _phrases(title: str, description: str, weights: list[list[float]], block_scores=None, limit: int = 5):
    item = model_input(title, description)
    scores = np.array(block_scores if block_scores is not None else [1.0] * len(item.texts))
    return phrases(traced_input(title, description), item, [np.array(w) for w in weights], scores, 1.0, limit)


def test_adjacent_words_that_push_up_make_one_phrase_in_the_sellers_spelling() -> None:
    found = _phrases("Baju BEKAS imp0r murah", "", [[0.1, 2.0, 1.5, -0.3]])
    assert [(e.term, e.original) for e in found] == [("baju bekas impor", "Baju BEKAS imp0r")]
    assert found[0].weight == 3.6


def test_filler_is_trimmed_from_phrases_and_never_shown_alone() -> None:
    found = _phrases("harga 50 bal korea size m", "", [[0.5, 0.5, 2.0, 1.0, 0.4, 0.4]])
    assert [e.term for e in found] == ["bal korea"]
    assert _phrases("harga cm size", "", [[1.0, 1.0, 1.0]]) == []


def test_segments_that_cannot_raise_the_score_are_not_searched() -> None:
    found = _phrases("kemeja", "ini thrift. ini juga thrift", [[0.0], [0.0, 3.0], [0.0, 0.0, 2.0]],
                     block_scores=[0.0, -1.0, 2.0])
    assert [e.original for e in found] == ["thrift"] and found[0].weight == 2.0


def test_strongest_first_and_limited() -> None:
    found = _phrases("a bekas b impor c thrift", "", [[0, 1.0, 0, 2.0, 0, 3.0]], limit=2)
    assert [e.term for e in found] == ["thrift", "impor"]


def test_phrases_worth_under_a_tenth_of_the_strongest_are_left_out() -> None:
    found = _phrases("jaket thrift ukuran besar", "", [[0.0, 5.0, 0.0, 0.4]])
    assert [e.term for e in found] == ["thrift"]
