"""The shipped classifier: loads once, scores batches, explains with the seller's own words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from saring.adapters.onnx_classifier import ModelLoadError, OnnxClassifier, default_model_dir
from saring.domain.listings import Listing
from saring.domain.verdicts import Decision, decision_for_score

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = REPO_ROOT / "models" / "listing-classifier"
pytestmark = pytest.mark.skipif(not (SHIPPED / "model.onnx").exists(), reason="no shipped model (run make train)")


@pytest.fixture(scope="module")
def clf() -> OnnxClassifier:
    return OnnxClassifier(SHIPPED)


def _listing(title: str, description: str | None = None, price: int | None = None, category: str | None = None):
    return Listing("l", "s", title, description, price, category)


EVASIVE_POSITIVES = [
    _listing("THR1FT jaket uniqlo ex jepang", price=85_000),
    _listing("t.h.r.i.f.t kemeja flanel", price=60_000),
    _listing("ᴛʜʀɪꜰᴛ hoodie champion", price=75_000),
    _listing("kaos b3k4s import korea", price=30_000),
    _listing("рrеlоvеd coat ex Jepang", price=120_000),
    _listing("th\u200brift sweater gap", price=55_000),
    _listing("bal korea isi 450 pcs grade A", price=7_500_000),
    _listing("awul-awul kemeja murah", price=25_000),
    _listing("cakaran jaket levis", price=40_000),
    _listing("Jaket Carhartt", "kondisi 90%, from Japan, stok beda tiap minggu, pit to pit 58", 95_000,
             "fashion-pria/outerwear-pria/jaket-pria"),
    _listing("Kemeja flanel", "barang s\u200de\u200cc\u200do\u200cn\u200dd import, kondisi 90%", 50_000),
    _listing("used clothing bale from Japan grade A 100kg", price=9_000_000),
]

KNOWN_FALSE_POSITIVES = [
    _listing("3Second Kaos Pria Lengan Pendek Katun Regular Fit", price=99_000, category="fashion-pria/atasan-pria/kaos-pria"),
    _listing("Goreng Garam Khas Bekasi", price=15_000, category="makanan-minuman/bumbu"),
    _listing("Kopi bubuk 1 bal isi 10 sachet", price=35_000),
    _listing("Snack velfit isi 6 karung", price=40_000),
    _listing("Lem tembak tanpa bekas", price=15_000),
    _listing("Serum penghilang bekas jerawat", price=89_000),
    _listing("Kaos polos bukan thrift, 100% baru", price=45_000),
    _listing("Kalung cakar harimau titanium", price=25_000),
    _listing("Ban Monza ring 17", price=250_000),
    _listing("iPhone 11 second like new", price=4_500_000),
    _listing("Kaos sisa ekspor baru", price=35_000),
    _listing("Kemeja motif vintage baru paket hemat", price=120_000),
]


def test_metadata_and_version(clf: OnnxClassifier) -> None:
    meta = json.loads((SHIPPED / "metadata.json").read_text())
    assert clf.version == meta["version"] and clf.version.startswith("listing-classifier-")
    assert 0 < clf.thresholds.review <= clf.thresholds.takedown < 1
    assert (SHIPPED / "model.onnx").stat().st_size <= 5 * 1024 * 1024
    assert (SHIPPED / "MODEL_CARD.md").exists()


def test_catches_evasive_positives(clf: OnnxClassifier) -> None:
    scores = clf.score(EVASIVE_POSITIVES)
    assert len(scores) == len(EVASIVE_POSITIVES)
    for listing, score in zip(EVASIVE_POSITIVES, scores, strict=True):
        assert score >= clf.thresholds.review, (listing.title, score)


def test_passes_known_false_positives(clf: OnnxClassifier) -> None:
    for listing, score in zip(KNOWN_FALSE_POSITIVES, clf.score(KNOWN_FALSE_POSITIVES), strict=True):
        assert decision_for_score(score, clf.thresholds.review, clf.thresholds.takedown) is Decision.ALLOW, (
            listing.title, score)


def test_scores_are_probabilities_in_order(clf: OnnxClassifier) -> None:
    batch = EVASIVE_POSITIVES + KNOWN_FALSE_POSITIVES
    together = clf.score(batch)
    alone = [clf.score([x])[0] for x in batch]
    assert all(0.0 <= s <= 1.0 for s in together)
    assert max(abs(a - b) for a, b in zip(together, alone, strict=True)) <= 1e-5
    assert clf.score([]) == []


def test_explain_reports_the_original_spelling(clf: OnnxClassifier) -> None:
    evidence = clf.explain(_listing("Jual thr1ft jaket uniqlo"))
    assert evidence and "thrift" in evidence[0].term and "thr1ft" in evidence[0].original
    assert evidence[0].weight > 0
    split = clf.explain(_listing("t.h.r.i.f.t kemeja"), limit=1)
    assert "thrift" in split[0].term and "t.h.r.i.f.t" in split[0].original
    glyphs = clf.explain(_listing("kemeja", "ini barang ᴛʜʀɪꜰᴛ ya"), limit=3)
    assert any("thrift" in e.term and "ᴛʜʀɪꜰᴛ" in e.original for e in glyphs)
    assert clf.explain(_listing("thrift"), limit=0) == []


def test_evidence_comes_from_the_segment_that_says_it(clf: OnnxClassifier) -> None:
    listing = _listing("Dress Wanita Korean Style Motif Bunga",
                       "Halo kak, ready stock sesuai foto ya. Bahan katun adem. Ini preloved impor, bekas bal Korea. "
                       "Wajib video unboxing untuk komplain. Terima kasih!")
    assert clf.score([listing])[0] >= clf.thresholds.takedown
    shown = " ".join(e.original for e in clf.explain(listing))
    assert "bal" in shown or "bekas" in shown or "impor" in shown
    assert "unboxing" not in shown and "Terima" not in shown


def test_odd_inputs_do_not_break_scoring(clf: OnnxClassifier) -> None:
    odd = [_listing(""), _listing("\x00\u200b"), _listing("x" * 50_000, "y" * 100_000), _listing("💍" * 300)]
    assert len(clf.score(odd)) == 4


def test_default_model_dir_lookup(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SARING_MODEL_DIR", str(tmp_path))
    assert default_model_dir() == tmp_path
    monkeypatch.delenv("SARING_MODEL_DIR")
    assert (default_model_dir() / "model.onnx").exists()


def test_missing_or_tampered_model_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ModelLoadError):
        OnnxClassifier(tmp_path)
    (tmp_path / "model.onnx").write_bytes((SHIPPED / "model.onnx").read_bytes()[:-1] + b"\x00")
    (tmp_path / "metadata.json").write_text((SHIPPED / "metadata.json").read_text())
    with pytest.raises(ModelLoadError):
        OnnxClassifier(tmp_path)


def test_loads_and_scores_under_lang_c() -> None:
    code = (
        "from saring.adapters.onnx_classifier import OnnxClassifier\n"
        "from saring.domain.listings import Listing\n"
        "c = OnnxClassifier()\n"
        "print(round(c.score([Listing('1', 's', 'ᴛʜʀɪꜰᴛ jaket ex jepang')])[0], 3))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.update(LANG="C", LC_ALL="C", PYTHONPATH=str(REPO_ROOT / "functions"))
    env.pop("SARING_MODEL_DIR", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip()) >= 0.5
