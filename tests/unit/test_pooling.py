"""How block scores make a listing's violation score (``listing_model.pool``)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
from listing_model import pool  # noqa: E402

# listing 0: a title and two segments; listing 1: a title alone; listing 0's title window
OWNER = np.array([-1, 0, 0, -1, -2])


def test_a_segment_adds_to_the_title_only_by_what_it_scores_above_the_margin() -> None:
    scores = np.array([3.0, 1.5, -4.0, 2.0, 1.0])
    assert pool(scores, OWNER).tolist() == [4.5, 2.0]
    assert pool(scores, OWNER, segment_margin=1.0).tolist() == [3.5, 2.0]
    assert pool(scores, OWNER, segment_margin=2.0).tolist() == [3.0, 2.0]


def test_a_segment_that_says_it_all_counts_on_its_own_whatever_the_margin() -> None:
    scores = np.array([-5.0, 6.0, 1.0, 2.0, -9.0])
    # the best is the pair of adjacent segments (7), which beats the title plus anything
    assert pool(scores, OWNER, segment_margin=2.0).tolist() == [7.0, 2.0]


def test_the_title_is_its_best_window_when_that_scores_higher() -> None:
    scores = np.array([-1.0, -3.0, -3.0, 2.0, 2.5])
    assert pool(scores, OWNER).tolist() == [2.5, 2.0]
