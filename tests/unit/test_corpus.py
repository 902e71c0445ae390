"""The training generator: deterministic, counterfactual, and honest about where signals are."""

from __future__ import annotations

import sys
from difflib import SequenceMatcher
from pathlib import Path

from saring.classifier.features import model_input

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
import corpus  # noqa: E402

REAL_LIKE = [corpus.Sample(f"r{i}", title, "", 0, kind, (), "real", clothing=kind in ("clothes", "shoes", "bags"))
             for i, (title, kind) in enumerate([
                 ("Kemeja Flanel Pria Lengan Panjang Premium", "clothes"), ("Sepatu Sneakers Wanita Putih", "shoes"),
                 ("Tas Selempang Kanvas Pria", "bags"), ("Kopi Bubuk Robusta 250 gr", "food"),
                 ("Mainan Mobil Remote Control", "other")])]


def test_generation_is_deterministic() -> None:
    a = corpus.generate(600, seed=7, real=REAL_LIKE)
    assert a == corpus.generate(600, seed=7, real=REAL_LIKE)
    assert corpus.corpus_hash(a) != corpus.corpus_hash(corpus.generate(600, seed=8, real=REAL_LIKE))


def test_the_data_hash_covers_the_gate_titles_of_other_goods() -> None:
    samples = corpus.generate(50, seed=7, real=REAL_LIKE)
    goods = corpus.other_goods()
    with_goods = corpus.corpus_hash(samples, goods)
    assert with_goods == corpus.corpus_hash(samples, list(goods))
    assert with_goods != corpus.corpus_hash(samples)
    assert with_goods != corpus.corpus_hash(samples, [*goods[:-1], goods[-1] + " 2"])


def test_pairs_share_their_carrier_and_boilerplate() -> None:
    samples = corpus.generate(3000, seed=3, real=REAL_LIKE)
    pairs = {}
    for s in samples:
        if s.id.endswith(("p", "n")):
            pairs.setdefault(s.id[:-1], {})[s.id[-1]] = s
    assert len(pairs) > 800
    for pair in pairs.values():
        if len(pair) < 2:
            continue
        positive, twin = pair["p"], pair["n"]
        assert positive.label == 1 and twin.label == 0 and positive.families == twin.families
        # everything but the signal (and what the twin has in its place) is shared
        if len(positive.description) > 300:
            matcher = SequenceMatcher(None, positive.description, twin.description, autojunk=False)
            assert matcher.ratio() > 0.6, (positive.description, twin.description)


def test_both_classes_have_alike_lengths_and_fields() -> None:
    samples = corpus.generate(6000, seed=5, real=REAL_LIKE)
    no_description = []
    for label in (0, 1):
        rows = [s for s in samples if s.label == label and s.clothing]
        no_description.append(sum(not s.description for s in rows) / len(rows))
    assert abs(no_description[0] - no_description[1]) < 0.04, no_description
    lengths = {label: sorted(len(s.description) for s in samples if s.label == label and s.description)
               for label in (0, 1)}
    medians = [lengths[label][len(lengths[label]) // 2] for label in (0, 1)]
    assert max(medians) < 1.6 * min(medians), medians


def test_each_signal_names_segments_that_exist() -> None:
    for s in corpus.generate(3000, seed=11, real=REAL_LIKE):
        blocks = len(model_input(s.title, s.description).texts)
        for signal in s.signals:
            assert all(1 <= b < blocks for b in signal), (s.id, signal, blocks)
        assert (s.label == 1) == bool(s.signals)


def test_goods_that_are_not_clothing_are_negatives_without_garment_words_in_their_signals() -> None:
    others = [s for s in corpus.generate(4000, seed=13, real=REAL_LIKE) if not s.clothing]
    assert len(others) > 300 and all(s.label == 0 for s in others)
    assert {s.kind for s in others} == {"used_other", "bulk_food"}


def test_every_family_appears() -> None:
    families = {f for s in corpus.generate(6000, seed=9, real=REAL_LIKE) for f in s.families}
    assert set(corpus.FAMILIES) <= families


def test_gate_titles_say_what_is_sold_not_how() -> None:
    titles = corpus.gate_titles(REAL_LIKE, seed=1, synthetic=500)
    assert {s.clothing for s in titles} == {True, False}
    product_titles = [s for s in titles if s.kind in ("clothes", "shoes", "bags", "other", "food", "goods")]
    assert {s.kind for s in product_titles} >= {"clothes", "goods"}
    for s in product_titles:
        low = s.title.lower()
        assert "bekas" not in low and "thrift" not in low and " bal " not in f" {low} "
    trade = [s for s in titles if s.kind == "trade"]
    assert trade and all(s.clothing for s in trade)


def test_other_goods_are_ordinary_titles_without_the_trade_words() -> None:
    goods = corpus.other_goods()
    assert len(goods) >= 500 and len({g.lower() for g in goods}) == len(goods)
    assert not [g for g in goods if corpus.TRADE_WORDS.search(g.lower())]
    assert all(1 <= len(g.split()) <= 6 for g in goods)


def test_real_split_is_fixed_by_id_and_roughly_proportional() -> None:
    ids = [f"tkp-{i}" for i in range(4000)]
    splits = [corpus.real_split(i) for i in ids]
    assert splits == [corpus.real_split(i) for i in ids]
    assert 0.45 < splits.count("train") / 4000 < 0.55
    assert 0.30 < splits.count("holdout") / 4000 < 0.40


def test_read_labels_keep_possible_violations_out_of_the_negatives() -> None:
    audited = corpus.audit_labels()
    assert len(audited) > 600
    assert set(audited.values()) <= {"clean", "used_other", "used_clothing_unclear", "violation"}


def test_shared_data_dir_follows_env(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SARING_SHARED_DATA", str(tmp_path))
    assert corpus.real_titles_path() == tmp_path / "real_titles_dev.jsonl"
    monkeypatch.delenv("SARING_SHARED_DATA")
    assert corpus.shared_data_dir(Path("/x/main")) == Path("/x/shared/data")


def test_what_a_real_title_sells_comes_from_its_category_leaf() -> None:
    kinds = {category: corpus._item_kind(category) for category in [
        "fashion-wanita/aksesoris-wanita/topi-wanita", "fashion-pria/aksesoris-pria/sarung-tangan-pria",
        "fashion-wanita/aksesoris-wanita/scarf-shawl-wanita", "fashion-anak-bayi/aksesoris-anak/jas-hujan-anak",
        "fashion-wanita/perhiasan-wanita/kalung-wanita", "fashion-anak-bayi/aksesoris-anak/kacamata-anak",
        "komputer-laptop/aksesoris-komputer-laptop/tas-laptop", "olahraga/sepatu-olahraga/sepatu-lari",
        "makanan-minuman/buah/buah-buahan", "mainan-hobi/diecast/mobil-diecast"]}
    assert kinds == {
        "fashion-wanita/aksesoris-wanita/topi-wanita": "clothes",  # a worn article, baled with the rest
        "fashion-pria/aksesoris-pria/sarung-tangan-pria": "clothes",
        "fashion-wanita/aksesoris-wanita/scarf-shawl-wanita": "clothes",
        "fashion-anak-bayi/aksesoris-anak/jas-hujan-anak": "clothes",
        "fashion-wanita/perhiasan-wanita/kalung-wanita": "other",
        "fashion-anak-bayi/aksesoris-anak/kacamata-anak": "other",
        "komputer-laptop/aksesoris-komputer-laptop/tas-laptop": "bags",
        "olahraga/sepatu-olahraga/sepatu-lari": "shoes",
        "makanan-minuman/buah/buah-buahan": "food",
        "mainan-hobi/diecast/mobil-diecast": "other",
    }


def test_a_title_signal_is_located_among_the_title_words() -> None:
    samples = corpus.generate(600, seed=7, real=REAL_LIKE)
    with_title_signal = [s for s in samples if s.label and () in s.signals]
    located = [s for s in samples if s.title_span is not None]
    assert all(s in with_title_signal for s in located)
    assert len(located) >= 0.95 * len(with_title_signal) > 0
    for s in located:
        words = model_input(s.title).tokens[0][1:]
        first, end = s.title_span
        assert 0 <= first < end <= len(words)


def test_words_at_finds_a_run_only_where_it_occurs_once() -> None:
    assert corpus._words_at(("jaket", "bekas", "impor", "ready"), ("bekas", "impor")) == (1, 3)
    assert corpus._words_at(("bekas", "impor", "bekas", "impor"), ("bekas", "impor")) is None
    assert corpus._words_at(("jaket",), ()) is None
