"""A seconds-long training run with the real training code: the exported ONNX graph must agree
with the numpy/scikit-learn reference on >= 1,000 listings, adversarial ones included, batched and
one by one; export is deterministic and the graph has no string operator."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("onnx")

MODELS = Path(__file__).resolve().parents[2] / "models"
sys.path.insert(0, str(MODELS))
import corpus  # noqa: E402
import train as training  # noqa: E402
from listing_model import FeatureConfig  # noqa: E402
from saring.adapters.onnx_classifier import OnnxClassifier  # noqa: E402
from saring.classifier import features  # noqa: E402
from saring.classifier.features import ModelInput, model_input, pack_batch, word_hash  # noqa: E402
from saring.domain.listings import Listing  # noqa: E402


def _adversarial(n: int, seed: int) -> list[corpus.Sample]:
    rng = random.Random(seed)
    pool = ("thrift bekas 3Second t.h.r.i.f.t b3k4s \u200b\u200d\u00ad рео ᴛʜʀɪꜰᴛ 𝐭𝐡 ⓣⓗ 🇹🇭 ｔｈ 💍 女 é "
            "\t\n\n   \x00\x1f |/-_*. ! ? ; 90% 108 iPhone13 bukan tidak ") + "".join(
        chr(rng.randrange(32, 0x2FFF)) for _ in range(200))
    out = []
    for i in range(n):
        title = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 120)))
        desc = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 900))) if rng.random() < 0.6 else ""
        out.append(corpus.Sample(f"adv-{i}", title, desc, 0, "adv"))
    out.append(corpus.Sample("long", "thrift " * 400, "bekas. " * 3000, 1, "adv"))
    out.append(corpus.Sample("empty", "", "", 0, "adv"))
    return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    # a margin the tiny model's segments straddle, so the graph's pooling is checked against it
    tc = training.TrainConfig(n_synthetic_train=2500, n_synthetic_validation=800, segment_margin=1.0)
    train, validation = training.training_sets(tc, with_real=False)
    fitted = training.fit(train, validation, tc, FeatureConfig(title_window_words=3), log=lambda *_: None)
    out = tmp_path_factory.mktemp("tiny-model")
    training.export(fitted, out, data_hash=corpus.corpus_hash(train), tc=tc)
    return fitted, out


def test_onnx_matches_reference_on_1000_plus_listings(tiny_model) -> None:
    fitted, out = tiny_model
    samples = corpus.generate(700, seed=4242) + _adversarial(300, seed=4244)
    assert len(samples) >= 1000
    reference = training.predict(fitted.model, samples)
    clf = OnnxClassifier(out)
    inputs = [model_input(s.title, s.description) for s in samples]
    assert np.max(np.abs(np.array(clf.score_inputs(inputs)) - reference)) <= 1e-5
    # one listing at a time, and other batch compositions, give the same scores
    for i in range(0, len(inputs), 37):
        assert abs(clf.score_inputs([inputs[i]])[0] - reference[i]) <= 1e-5
    for i in range(0, 300, 13):
        assert np.max(np.abs(np.array(clf.score_inputs(inputs[i : i + 13])) - reference[i : i + 13])) <= 1e-5


def test_packing_lays_out_blocks_then_title_windows(monkeypatch) -> None:
    monkeypatch.setattr(features, "_TOKEN_HASHES_MAX", 3)  # the token-hash cache is cleared often
    items = [model_input("kemeja", "satu. dua\ntiga"), model_input("jaket"), model_input("kaos bekas impor ready")]
    batch = pack_batch(items, window_words=3)
    # blocks listing after listing, then the windows of the one title of more than three words
    assert batch["owner"].tolist() == [-1, 0, 0, 0, -1, -1, -4, -4]
    assert features.title_windows(items[2].texts[0], 3) == [(0, 16, 0, 3), (5, 22, 1, 4)]
    tokens = [t for item in items for block in item.tokens for t in (*block, None)] + [None]
    assert batch["words"].tolist() == [0 if t is None else word_hash(t) for t in tokens]
    # a title alone is packed by plain Python arithmetic: the same feeds as the general path
    for item in [*items, model_input("THR1FT jaket"), model_input("Kemeja Flanel Pria Uniqlo Bekas Impor Jepang"),
                 model_input(""), model_input("a"), ModelInput(("",), (("x",),)), ModelInput(("\u00e9t\u00e9",), (("y",),))]:
        for window_words in (0, 2, 3):
            alone = pack_batch([item], window_words)
            general = features._pack_listings([item], window_words)
            assert set(alone) == set(general)
            for key in general:
                assert alone[key].dtype == general[key].dtype and np.array_equal(alone[key], general[key]), (item, key)
            windows = features.title_windows(item.texts[0], window_words)
            assert alone["index"].shape == (len(item.texts) + len(windows), 12)


def test_title_windows_train_as_violations_only_where_they_hold_the_whole_signal() -> None:
    title = "Kemeja Flanel Pria Bekas Impor Jepang"
    windows = features.title_windows(model_input(title).texts[0], 3)
    violation = corpus.Sample("v", title, "", 1, "clothes", (), "synthetic", ((),), title_span=(3, 5))
    got = training.window_units(violation, windows, np.random.default_rng(0), drawn=5)
    # "flanel pria bekas" holds part of "bekas impor": neither label is certain, so it is left out
    assert sorted((first, last, label) for (_, _, first, last), label in got) == [(0, 3, 0), (2, 5, 1), (3, 6, 1)]
    legal = corpus.Sample("l", title, "", 0, "clothes")
    assert [label for _, label in training.window_units(legal, windows, np.random.default_rng(0), drawn=2)] == [0, 0]
    unlocated = corpus.Sample("u", title, "", 1, "clothes", (), "synthetic", ((),))
    assert training.window_units(unlocated, windows, np.random.default_rng(0), drawn=2) == []


def test_tiny_model_learns_and_exports_metadata(tiny_model) -> None:
    _, out = tiny_model
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["version"].startswith("listing-classifier-")
    assert 0 < meta["thresholds"]["review"] <= meta["thresholds"]["takedown"] < 1
    clf = OnnxClassifier(out)
    high, low = clf.score([Listing("1", "s", "jaket thrift bekas impor ex jepang"),
                           Listing("2", "s", "kaos polos baru 3Second")])
    assert high > low


def test_export_is_deterministic(tiny_model, tmp_path) -> None:
    fitted, out = tiny_model
    training.export(fitted, tmp_path, data_hash="x", tc=training.TrainConfig())
    assert (tmp_path / "model.onnx").read_bytes() == (out / "model.onnx").read_bytes()


def test_graph_has_no_string_ops(tiny_model) -> None:
    import onnx

    _, out = tiny_model
    ops = {node.op_type for node in onnx.load(str(out / "model.onnx")).graph.node}
    assert "StringNormalizer" not in ops and "TfIdfVectorizer" not in ops


def test_takedown_counts_the_hand_written_listings_scored_out_of_fold(tiny_model) -> None:
    """Each hand-written listing is scored by a model fitted without its fold: it fits them less
    well than the model that trained on all of them, and the metadata reports those scores."""
    fitted, out = tiny_model
    tc = training.TrainConfig(n_synthetic_train=2500, n_synthetic_validation=800)
    train, validation = training.training_sets(tc, with_real=False)
    cfg = FeatureConfig()
    units, gate, val, _ = training.training_rows(train, validation, tc, cfg, log=lambda *_: None)
    held_out = training.handwritten_out_of_fold(units, gate, train, tc, cfg, log=lambda *_: None)
    written = [s for s in train if s.source == corpus.HANDWRITTEN_SOURCE]
    folds = training.handwritten_fold_index(train, tc.handwritten_folds)
    assert set(folds[folds >= 0]) == set(range(tc.handwritten_folds))
    # every hand-written listing once, fold by fold
    in_fold_order = [s for fold in range(tc.handwritten_folds) for s, k in zip(train, folds, strict=True) if k == fold]
    assert len(held_out.labels) == len(in_fold_order) == len(written)
    assert held_out.labels.tolist() == [s.label for s in in_fold_order]
    sign = 2 * held_out.labels - 1
    blocks, owner = training.listing_blocks(in_fold_order, cfg)
    margin_out = sign * held_out.violation
    margin_in = sign * fitted.model.violation(fitted.model.block_scores(blocks), owner)
    assert np.mean(margin_in) > np.mean(margin_out) + 0.5
    report = json.loads((out / "metadata.json").read_text())["validation"]["handwritten_out_of_fold"]
    assert report["takedown"]["listings"] == len(written)
    assert 0 < report["takedown"]["precision"] <= 1 and 0 < report["review_or_more"]["recall"] <= 1
