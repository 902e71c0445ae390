"""A seconds-long training run with the real training code: the exported ONNX graph must agree
with the numpy/scikit-learn reference on >= 1,000 texts, adversarial ones included."""

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
from saring.classifier.features import (  # noqa: E402
    ModelInput,
    _pack_many,
    _pack_one,
    encode_batch,
    model_input,
    pack_batch,
    word_hash,
)
from saring.domain.listings import Listing  # noqa: E402


def _adversarial(n: int, seed: int) -> list[corpus.Sample]:
    rng = random.Random(seed)
    pool = ("thrift bekas 3Second t.h.r.i.f.t b3k4s \u200b\u200d\u00ad рео ᴛʜʀɪꜰᴛ 𝐭𝐡 ⓣⓗ 🇹🇭 ｔｈ 💍 女 é "
            "\t\n   \x00\x1f |/-_*. 90% 108 iPhone13 ") + "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(200))
    out = []
    for i in range(n):
        title = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 120)))
        desc = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 400))) if rng.random() < 0.5 else ""
        price = rng.choice([None, 0, -5, 15_000, 2_500_000, 10**12])
        out.append(corpus.Sample(f"adv-{i}", title, desc, price, rng.choice([None, "", "a/b/c", "x"]), 0, "adv"))
    out.append(corpus.Sample("long", "thrift " * 400, "bekas " * 2000, 1, "fashion", 1, "adv"))
    out.append(corpus.Sample("empty", "", "", None, None, 0, "adv"))
    return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    tc = training.TrainConfig(n_synthetic_train=2500, n_synthetic_validation=800)
    train, validation = training.training_sets(tc, with_real=False)
    fitted = training.fit(train, validation, tc, FeatureConfig(), log=lambda *_: None)
    out = tmp_path_factory.mktemp("tiny-model")
    training.export(fitted, out, data_hash=corpus.corpus_hash(train), tc=tc)
    return fitted, out


def test_onnx_matches_reference_on_1000_plus_texts(tiny_model) -> None:
    fitted, out = tiny_model
    samples = corpus.generate(700, seed=4242)
    for family in ("homoglyphs", "zero_width", "separators", "leetspeak"):
        samples += corpus.family_test_set(family, 60, seed=4243)
    samples += _adversarial(300, seed=4244)
    assert len(samples) >= 1000
    inputs = [model_input(s.title, s.description, s.price, s.category) for s in samples]
    chars, words = encode_batch(inputs)
    reference = fitted.model.predict(chars, words)
    clf = OnnxClassifier(out)
    onnx_scores = np.array(clf.score_inputs(inputs))
    assert np.max(np.abs(onnx_scores - reference)) <= 1e-5
    # one listing at a time, and other batch compositions, give the same scores
    for i in range(0, len(inputs), 97):
        assert abs(clf.score_inputs([inputs[i]])[0] - reference[i]) <= 1e-5
    for i in range(0, 200, 13):
        assert np.max(np.abs(np.array(clf.score_inputs(inputs[i : i + 13])) - reference[i : i + 13])) <= 1e-5
    # texts that are not ASCII (model_input never makes them) are packed as code points
    odd = [ModelInput("t\u0451hrift \u5973", ("thrift",), 0), ModelInput("", (), 0), inputs[0]]
    chars, words = encode_batch(odd)
    assert np.max(np.abs(np.array(clf.score_inputs(odd)) - fitted.model.predict(chars, words))) <= 1e-5


def test_packing_one_listing_matches_the_general_path(monkeypatch) -> None:
    monkeypatch.setattr(features, "_TOKEN_HASHES_MAX", 3)  # the token-hash cache is cleared often
    cases = [model_input("THR1FT jaket", "bekas ex jepang", 85_000, "fashion/jaket"), model_input(""),
             model_input("a"), ModelInput("", (), 0), ModelInput("ab", ("x",), 0), ModelInput("\u00e9t\u00e9", ("y",), 0)]
    for item in cases:
        one, many = _pack_one(item), _pack_many([item])
        assert one.keys() == many.keys()
        for key in one:
            assert one[key].dtype == many[key].dtype and np.array_equal(one[key], many[key]), (item, key)
    batch = pack_batch(cases)
    assert batch["index"].shape == (len(cases), 12)
    tokens = [t for item in cases for t in (*item.tokens, None)] + [None]
    assert batch["words"].tolist() == [0 if t is None else word_hash(t) for t in tokens]
    assert batch["chars"].ndim == batch["words"].ndim == 1


def test_tiny_model_learns_and_exports_metadata(tiny_model) -> None:
    fitted, out = tiny_model
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["version"].startswith("listing-classifier-")
    assert 0 < meta["thresholds"]["review"] <= meta["thresholds"]["takedown"] < 1
    clf = OnnxClassifier(out)
    pos, neg = Listing("1", "s", "thrift jaket bekas ex jepang"), Listing("2", "s", "kaos polos baru 3Second")
    high, low = clf.score([pos, neg])
    assert high > 0.5 > low


def test_export_is_deterministic(tiny_model, tmp_path) -> None:
    fitted, out = tiny_model
    training.export(fitted, tmp_path, data_hash="x", tc=training.TrainConfig())
    assert (tmp_path / "model.onnx").read_bytes() == (out / "model.onnx").read_bytes()


def test_graph_has_no_string_ops(tiny_model) -> None:
    import onnx

    _, out = tiny_model
    ops = {node.op_type for node in onnx.load(str(out / "model.onnx")).graph.node}
    assert "StringNormalizer" not in ops and "TfIdfVectorizer" not in ops
