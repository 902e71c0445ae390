"""The synthetic corpus: deterministic, labelled, with named evasion families."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from saring.classifier.normalise import normalise

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
import corpus  # noqa: E402


def test_generation_is_deterministic() -> None:
    a = corpus.generate(500, seed=7)
    b = corpus.generate(500, seed=7)
    assert a == b
    assert corpus.corpus_hash(a) == corpus.corpus_hash(b)
    assert corpus.corpus_hash(corpus.generate(500, seed=8)) != corpus.corpus_hash(a)


def test_both_labels_and_all_kinds_appear() -> None:
    samples = corpus.generate(4000, seed=3)
    labels = {s.label for s in samples}
    assert labels == {0, 1}
    kinds = {s.kind for s in samples}
    assert set(corpus.POSITIVE_KINDS) <= kinds
    assert set(corpus.NEGATIVE_KINDS) <= kinds
    share = sum(s.label for s in samples) / len(samples)
    assert 0.4 < share < 0.6
    for s in samples:
        assert s.title.strip()
        assert "⟦" not in s.title + s.description and "⟧" not in s.title + s.description
        assert set(s.families) <= set(corpus.FAMILIES)


@pytest.mark.parametrize("family", corpus.FAMILIES)
def test_family_test_sets_carry_their_family(family: str) -> None:
    samples = corpus.family_test_set(family, 40, seed=11)
    assert all(s.label == 1 for s in samples)
    assert sum(family in s.families for s in samples) >= 36


def test_char_evasions_change_the_text_but_normalise_back_often() -> None:
    samples = corpus.family_test_set("homoglyphs", 50, seed=5)
    assert sum(not s.title.isascii() or not s.description.isascii() for s in samples) >= 40
    samples = corpus.family_test_set("separators", 80, seed=5)
    joined = [normalise(s.title + " " + s.description) for s in samples]
    assert any(term in text for text in joined for term in ("thrift", "bekas", "second", "preloved", "bal"))


def test_implicit_only_has_no_explicit_keyword() -> None:
    for s in corpus.family_test_set("implicit_only", 60, seed=2):
        text = normalise(s.title)
        assert "thrift" not in text and "bekas" not in text and "balpres" not in text


def test_negatives_cover_the_known_false_positives() -> None:
    text = " ".join(normalise(s.title) for s in corpus.generate(6000, seed=9) if s.label == 0)
    for phrase in ("3second", "bekasi", "tanpa bekas", "1 bal", "karung", "cakar", "monza", "bukan thrift",
                   "sisa ekspor", "second", "preloved"):
        assert phrase in text, phrase


def test_real_split_is_fixed_by_id_and_roughly_proportional() -> None:
    ids = [f"tkp-{i}" for i in range(4000)]
    splits = [corpus.real_split(i) for i in ids]
    assert splits == [corpus.real_split(i) for i in ids]
    assert 0.45 < splits.count("train") / 4000 < 0.55
    assert 0.30 < splits.count("holdout") / 4000 < 0.40


def test_shared_data_dir_follows_env(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SARING_SHARED_DATA", str(tmp_path))
    assert corpus.real_titles_path() == tmp_path / "real_titles_dev.jsonl"
    monkeypatch.delenv("SARING_SHARED_DATA")
    assert corpus.shared_data_dir(Path("/x/main")) == Path("/x/shared/data")
