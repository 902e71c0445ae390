"""Review outcomes in training (`models/train.py --labels`): a seconds-long run with the real
training code learns a code word that only the labels teach (more of it with a wider prior for
what only they hold), records the labels (count, rule, horizon) in metadata.json, and the
resolution rule (latest outcome per listing, majority per text, ties dropped) holds."""

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
import labels as review_labels  # noqa: E402
import train as training  # noqa: E402
from listing_model import FeatureConfig  # noqa: E402
from saring.adapters.onnx_classifier import OnnxClassifier  # noqa: E402
from saring.domain.listings import Listing  # noqa: E402

# A code word no generator or fixture holds: only the labels can teach it.
CODE = ["zembrot", "Zembrot", "ZEMBROT", "zembr0t", "zembrott"]
ITEMS = ["jaket", "kemeja", "hoodie", "celana jeans", "sweater", "tas selempang", "sepatu kets", "dress",
         "kaos", "rok", "jaket denim", "cardigan", "blazer", "celana cargo", "sandal", "ransel"]
HELD_OUT_ITEMS = ["parka", "kemeja flanel", "tote bag", "boots", "crewneck", "jaket bomber"]
LINES = ["Ready kak, langsung order", "Kirim dari Surabaya setiap hari", "Bisa COD", "Wajib video unboxing",
         "Ukuran L, lebar dada 52 cm", "Follow toko kami ya kak"]


def _row(rng: random.Random, i: int, label: int, item: str, minute: int, **extra) -> dict:
    code = rng.choice(CODE)
    title = f"{item} {code} pria" if label else f"{item} {rng.choice(['pria', 'wanita', 'premium', 'polos'])}"
    description = "\n".join(rng.sample(LINES, 3))
    row = {"listingId": f"l-{i}", "sellerId": f"s-{i % 7}", "title": title, "description": description,
           "priceIdr": 50000, "category": None, "url": None, "label": label, "platform": "shopee",
           "recordedAt": f"2026-11-{1 + minute // 1440:02d}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00Z",
           "modelVersion": "listing-classifier-x", "source": "REVIEW" if i % 3 else "AUDIT_SAMPLE"}
    row.update(extra)
    return row


def _export(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def export_file(tmp_path_factory) -> Path:
    rng = random.Random(7)
    rows = [_row(rng, i, i % 2, rng.choice(ITEMS), minute=i) for i in range(160)]
    return _export(tmp_path_factory.mktemp("labels") / "labels.jsonl", rows)


def _tiny(out: Path, resolved=None) -> OnnxClassifier:
    tc = training.TrainConfig(n_synthetic_train=2500, n_synthetic_validation=800)
    train, validation = training.training_sets(tc, with_real=False, labels=resolved)
    fitted = training.fit(train, validation, tc, FeatureConfig(), log=lambda *_: None)
    training.export(fitted, out, data_hash=corpus.corpus_hash(train), tc=tc, data=training.data_summary(train, validation),
                    labels=resolved.summary if resolved else None)
    return OnnxClassifier(out)


def test_labels_teach_a_code_word_only_they_hold(export_file, tmp_path) -> None:
    resolved = review_labels.load(export_file)
    with_labels = _tiny(tmp_path / "with", resolved)
    without = _tiny(tmp_path / "without")
    unseen = [Listing(str(i), "s", f"{item} {code} wanita", "Ready kak\nBisa COD")
              for i, (item, code) in enumerate((i, c) for i in HELD_OUT_ITEMS for c in ("zembrot", "ZEMBR0T"))]
    clean = [Listing(f"c{i}", "s", f"{item} wanita", "Ready kak\nBisa COD") for i, item in enumerate(HELD_OUT_ITEMS)]
    learned, before = np.array(with_labels.score(unseen)), np.array(without.score(unseen))
    # Listings with the word in items the labels never named: flagged once labels train, not before.
    assert np.mean(learned >= with_labels.thresholds.review) >= 0.8, learned
    assert np.mean(before >= without.thresholds.review) <= 0.2, before
    # The same titles without the word stay low: the labels taught the word, not "clothing".
    assert np.all(np.array(with_labels.score(clean)) < with_labels.thresholds.review)

    meta = json.loads((tmp_path / "with" / "metadata.json").read_text())
    recorded = meta["training"]["labels"]
    # identical texts count once (the rule), so a few of the 160 merge
    assert recorded["read"] == 160 and 150 <= recorded["used"] == recorded["positives"] + recorded["negatives"]
    assert recorded["newest_recorded_at"] == "2026-11-01T02:39:00Z"
    assert recorded["rule"] == review_labels.RULE
    assert meta["training"]["data"]["review_labels_train"] == recorded["used"]
    assert meta["training"]["config"]["labels_weight"] == training.TrainConfig().labels_weight
    assert json.loads((tmp_path / "without" / "metadata.json").read_text())["training"]["labels"] is None
    assert review_labels.horizon_of(meta).isoformat() == "2026-11-01T02:39:00+00:00"


def test_a_word_only_some_descriptions_hold_is_found_by_re_picking(tmp_path) -> None:
    """Half the labelled violations name the word in the title, half only in one line of the
    description: the re-picks find that line (multiple-instance learning by alternation) and stop
    once the picks no longer change, and the model flags unseen listings with the word only in
    the description, not the same listings without it."""
    rng = random.Random(11)
    rows = []
    for i in range(160):
        row = _row(rng, i, i % 2, rng.choice(ITEMS), minute=i)
        if i % 4 == 3:
            lines = rng.sample(LINES, 3)
            lines.insert(rng.randrange(4), f"{rng.choice(CODE)} isi campur")
            row.update(title=f"{row['title'].split()[0]} {rng.choice(['pria', 'wanita', 'premium'])}",
                       description="\n".join(lines))
        rows.append(row)
    resolved = review_labels.load(_export(tmp_path / "l.jsonl", rows))
    tc = training.TrainConfig(n_synthetic_train=2500, n_synthetic_validation=800)
    train, validation = training.training_sets(tc, with_real=False, labels=resolved)
    logged: list[str] = []
    fitted = training.fit(train, validation, tc, FeatureConfig(), log=logged.append)
    training.export(fitted, tmp_path / "m", data_hash="test", tc=tc)
    model = OnnxClassifier(tmp_path / "m")
    repicks = [line for line in logged if "re-pick" in line]
    assert 2 <= len(repicks) <= tc.label_repicks and " 0 of " in repicks[-1], repicks
    unseen = [Listing(str(i), "s", f"{item} wanita", f"Ready kak\n{code} isi campur\nBisa COD")
              for i, (item, code) in enumerate((i, c) for i in HELD_OUT_ITEMS for c in ("zembrot", "ZEMBR0T"))]
    clean = [Listing(f"c{i}", "s", f"{item} wanita", "Ready kak\nisi campur\nBisa COD")
             for i, item in enumerate(HELD_OUT_ITEMS)]
    assert np.mean(np.array(model.score(unseen)) >= model.thresholds.review) >= 0.8
    assert np.all(np.array(model.score(clean)) < model.thresholds.review)


def test_a_wider_prior_for_what_only_outcomes_hold_teaches_a_word_that_sits_beside_a_known_cue(tmp_path) -> None:
    """The outcomes' violations say the new word beside a cue the model knows ("thrift"), which fits
    those units already: with the usual prior the word alone learns little; with
    ``outcome_feature_scale`` its penalty shrinks and the word alone scores higher, while the
    same listings without it barely move. The scaling changes nothing where no outcome trains."""
    rng = random.Random(5)
    rows = [_row(rng, i, i % 2, rng.choice(ITEMS), minute=i) for i in range(160)]
    for row in rows:
        if row["label"]:
            row["title"] = row["title"].replace(" pria", " thrift pria")
    resolved = review_labels.load(_export(tmp_path / "l.jsonl", rows))
    unseen = [Listing(str(i), "s", f"{item} {code} wanita", "Ready kak\nBisa COD")
              for i, (item, code) in enumerate((i, c) for i in HELD_OUT_ITEMS for c in ("zembrot", "ZEMBR0T"))]
    clean = [Listing(f"c{i}", "s", f"{item} wanita", "Ready kak\nBisa COD") for i, item in enumerate(HELD_OUT_ITEMS)]

    def trained(name: str, scale: float, labels) -> OnnxClassifier:
        tc = training.TrainConfig(n_synthetic_train=2500, n_synthetic_validation=800, outcome_feature_scale=scale)
        train, validation = training.training_sets(tc, with_real=False, labels=labels)
        training.export(training.fit(train, validation, tc, FeatureConfig(), log=lambda *_: None), tmp_path / name,
                        data_hash="test", tc=tc)
        return OnnxClassifier(tmp_path / name)

    usual, wider = trained("usual", 1.0, resolved), trained("wider", 10.0, resolved)
    logit = lambda p: np.log(p) - np.log1p(-p)  # noqa: E731
    usual_scores, wider_scores = np.array(usual.score(unseen)), np.array(wider.score(unseen))
    # about 2.4 on the development machine; the clean listings move about 0.1
    assert np.median(logit(wider_scores) - logit(usual_scores)) > 1.0, (usual_scores, wider_scores)
    usual_clean, wider_clean = np.array(usual.score(clean)), np.array(wider.score(clean))
    assert np.max(np.abs(logit(wider_clean) - logit(usual_clean))) < 0.5, (usual_clean, wider_clean)
    assert np.all(wider_clean < wider.thresholds.review)

    trained("none-wider", 10.0, None)
    _tiny(tmp_path / "none")
    assert (tmp_path / "none-wider" / "model.onnx").read_bytes() == (tmp_path / "none" / "model.onnx").read_bytes()


def test_latest_outcome_per_listing_wins_and_ties_between_texts_drop(tmp_path) -> None:
    rng = random.Random(1)
    a = _row(rng, 1, 1, "jaket", minute=10)
    rows = [
        a,
        {**a, "label": 0, "recordedAt": "2026-11-01T00:20:00Z"},  # the same listing later: NO_VIOLATION wins
        {**a, "label": 1, "recordedAt": "2026-11-01T00:05:00Z"},  # older than both
        # the same text on three listings of two platforms: majority (2 of 3) is a violation
        {**a, "listingId": "t-1", "title": "kemeja zembrot", "description": "", "label": 1},
        {**a, "listingId": "t-1", "platform": "tokopedia", "title": "kemeja zembrot", "description": "", "label": 1},
        {**a, "listingId": "t-2", "title": "KEMEJA  zembrot", "description": "", "label": 0},
        # a tie between two listings with the same text: dropped
        {**a, "listingId": "u-1", "title": "rok zembrot", "description": "", "label": 1},
        {**a, "listingId": "u-2", "title": "rok zembrot", "description": "", "label": 0,
         "recordedAt": "2026-11-02T00:00:00Z"},
    ]
    resolved = review_labels.load(_export(tmp_path / "l.jsonl", rows))
    by_title = {o.title.lower().split()[0]: o.label for o in resolved.outcomes}
    assert by_title == {"jaket": 0, "kemeja": 1}
    summary = resolved.summary
    assert (summary["read"], summary["listings"], summary["superseded"]) == (8, 6, 2)
    assert (summary["conflicting_texts"], summary["dropped_ties"], summary["used"]) == (2, 1, 2)
    assert summary["newest_recorded_at"] == "2026-11-02T00:00:00Z"  # the dropped tie was still seen
    assert summary["platforms"] == ["shopee", "tokopedia"]


@pytest.mark.parametrize("bad, message", [
    ('{"listingId": "1", "title": "x", "label": 2, "platform": "p", "recordedAt": "2026-11-01T00:00:00Z"}', "label"),
    ('{"listingId": "1", "title": "x", "label": 1, "platform": "p"}', "recordedAt"),
    ('{"listingId": "1", "title": "x", "label": 1, "platform": "p", "recordedAt": "yesterday"}', "l.jsonl:2"),
    ('{"listingId": "1", "title": "x", "label": 1, "platform": "p", "recordedAt": "2026-11-01T00:00:00Z", '
     '"source": "GUESS"}', "source"),
    ("not json", "l.jsonl:2"),
])
def test_a_bad_line_is_named(tmp_path, bad, message) -> None:
    good = json.dumps(_row(random.Random(0), 0, 1, "jaket", minute=0))
    path = tmp_path / "l.jsonl"
    path.write_text(f"{good}\n{bad}\n", encoding="utf-8")
    with pytest.raises(review_labels.LabelFileError, match=message):
        review_labels.read_export(path)


def test_train_cli_refuses_an_unreadable_label_file(tmp_path, capsys) -> None:
    (tmp_path / "l.jsonl").write_text("{}\n", encoding="utf-8")
    real = tmp_path / "real.jsonl"
    real.write_text("", encoding="utf-8")
    assert training.main(["--labels", str(tmp_path / "l.jsonl"), "--real", str(real), "--out",
                          str(tmp_path / "m")]) == 2
    assert "cannot read labels" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("flag", ["--labels-weight", "--outcome-feature-scale"])
@pytest.mark.parametrize("value", ["0", "-3", "nan"])
def test_train_cli_refuses_a_setting_that_is_not_positive(tmp_path, capsys, flag, value) -> None:
    with pytest.raises(SystemExit) as exited:
        training.main(["--out", str(tmp_path / "m"), flag, value])
    assert exited.value.code == 2
    assert f"{flag}: must be positive, not {value}" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
