"""`saring model gate`: real models (the shipped one and a seconds-long training run), the real
frozen set, behavioural checks and, where ../shared/data is present, real titles. The shipped
model against itself fails "does better" and only that; a weakly trained candidate fails on
behaviour (and real titles); each gate's rule decides on its own figures; the time split reads
the candidate's horizon. A candidate that passes for real: `make loop-demo`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("onnx")

REPO_ROOT = Path(__file__).resolve().parents[2]
MODELS = REPO_ROOT / "models"
sys.path.insert(0, str(MODELS))
import checklist  # noqa: E402
import corpus  # noqa: E402
import gate  # noqa: E402
import train as training  # noqa: E402
from listing_model import FeatureConfig  # noqa: E402
from saring.cli import main as saring  # noqa: E402

SHIPPED = MODELS / "listing-classifier"


def _export_rows(rows: list[dict], day_time: str = "10:00:00") -> str:
    return "".join(json.dumps({
        "listingId": r["listingId"], "sellerId": r["sellerId"], "title": r["title"],
        "description": r["description"], "priceIdr": r["priceIdr"], "category": r["category"], "url": None,
        "label": r["truth"], "platform": "shopee", "recordedAt": f"2026-11-{1 + r['day']:02d}T{day_time}Z",
        "modelVersion": None, "source": "REVIEW"}) + "\n" for r in rows)


@pytest.fixture(scope="module")
def labels_file(tmp_path_factory) -> Path:
    """Review outcomes of the loop stream's first ten days (known violations, legal listings)."""
    rows = [json.loads(line) for line in (MODELS / "loop" / "stream.jsonl").read_text().splitlines()]
    path = tmp_path_factory.mktemp("labels") / "labels.jsonl"
    path.write_text(_export_rows([r for r in rows if r["day"] < 10]), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def weak_dir(tmp_path_factory) -> Path:
    tc = training.TrainConfig(n_synthetic_train=2500, n_synthetic_validation=800)
    train, validation = training.training_sets(tc, with_real=False)
    fitted = training.fit(train, validation, tc, FeatureConfig(), log=lambda *_: None)
    out = tmp_path_factory.mktemp("weak")
    training.export(fitted, out, data_hash=corpus.corpus_hash(train), tc=tc)
    return out


def _gate(capsys, *args: str) -> tuple[int, dict, str]:
    code = saring(["model", "gate", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_the_shipped_model_against_itself_fails_only_does_better(capsys, labels_file) -> None:
    code, report, err = _gate(capsys, str(SHIPPED), "--labels", str(labels_file))
    assert code == 1 and report["failed"] == ["newer_labels_flagged_f1"]
    assert "gates failed: newer_labels_flagged_f1" in err
    gates = report["gates"]
    assert gates["frozen_set_flagged_f1"]["pass"] and gates["frozen_set_flagged_f1"]["delta"] == 0
    assert gates["frozen_set_flagged_f1"]["baseline"] >= 0.85
    assert gates["behavioural"]["pass"] and gates["behavioural"]["failed_cases"]["delta"] == 0
    assert gates["behavioural"]["baseline"] == len(gates["behavioural"]["failing_tests"]["baseline"]) >= 1
    assert gates["real_titles_flagged"]["pass"]
    assert "skipped" in gates["real_titles_flagged"] or gates["real_titles_flagged"]["n"] > 1000
    newer = gates["newer_labels_flagged_f1"]
    # the shipped model has no horizon: every outcome is newer
    assert newer["after"] is None and newer["n"] == newer["read"] > 100 and newer["delta"] == 0
    assert report["baseline"]["version"] == report["candidate"]["version"]


@pytest.fixture(scope="module")
def figures(weak_dir, labels_file):
    newer, about = gate.newer_outcomes(labels_file, SHIPPED)
    real_path = corpus.real_titles_path()
    real = [s for s in corpus.real_titles("holdout", real_path) if s.weight > 0] if real_path.exists() else None
    real_about = {"n": len(real)} if real is not None else {"skipped": "no shared data"}
    return (gate.figures(SHIPPED, real=real, newer=newer), gate.figures(weak_dir, real=real, newer=newer),
            about, real_about)


def test_a_weakly_trained_candidate_fails_against_the_shipped_model(figures) -> None:
    shipped, weak, newer, real = figures
    report = gate.decide(shipped, weak, newer=newer, real=real)
    assert not report["passed"]
    # A seconds-long run on 2,500 synthetic listings scores about as well on the frozen set, but
    # breaks behaviour the full training holds (and, where the real titles are at hand, flags
    # more of them): the gate reads more than one number.
    assert "behavioural" in report["failed"]
    assert report["gates"]["behavioural"]["newly_failing_tests"]
    if "skipped" not in report["gates"]["real_titles_flagged"]:
        assert "real_titles_flagged" in report["failed"]
    for name in gate.GATES:
        row = report["gates"][name]
        assert row.get("skipped") or {"baseline", "candidate", "delta"} <= set(row)


def _figures(f1: float = 0.9, failed: dict | None = None, real: int | None = 6, labels_f1: float | None = 0.8):
    # a shipped model, roughly: shop text moves 0.9% of bands (meets its target), an explicit
    # phrase leaves 0.3% ALLOW (passes its guard of 0.5%, not its target)
    checks = {check: (1000, 0) for _, check, _ in checklist.TESTS}
    checks.update({"INV boilerplate": (1000, 9), "DIR explicit phrase raises": (1000, 3), **(failed or {})})
    return gate.Figures(version="v", horizon=None, thresholds={}, frozen={"f1": f1, "precision": f1, "recall": f1},
                        checks=checks, real_flagged=real,
                        labels=None if labels_f1 is None else {"f1": labels_f1, "precision": 1, "recall": 1})


NEWER = {"n": 50}
REAL = {"n": 6000}


@pytest.mark.parametrize("candidate, failed", [
    (_figures(f1=0.89, labels_f1=0.81), []),  # a loss of exactly 0.01 is allowed
    (_figures(f1=0.8899, labels_f1=0.81), ["frozen_set_flagged_f1"]),
    # more failed cases, every test still within its bound
    (_figures(failed={"INV boilerplate": (1000, 10), "DIR explicit phrase raises": (1000, 5)}, labels_f1=0.9), []),
    (_figures(failed={"INV boilerplate": (1000, 11)}, labels_f1=0.9), ["behavioural"]),
    (_figures(failed={"DIR explicit phrase raises": (1000, 6)}, labels_f1=0.9), ["behavioural"]),
    # one test fixed (an explicit phrase always raises), another broken: not "no more"
    (_figures(failed={"DIR explicit phrase raises": (1000, 0), "DIR compliance text never raises": (1000, 1)},
              labels_f1=0.9), ["behavioural"]),
    (_figures(real=7, labels_f1=0.9), ["real_titles_flagged"]),
    (_figures(labels_f1=0.8), ["newer_labels_flagged_f1"]),  # equal is not better
    (_figures(f1=0.5, real=9, labels_f1=0.7), ["frozen_set_flagged_f1", "real_titles_flagged",
                                              "newer_labels_flagged_f1"]),
])
def test_each_gate_decides_on_its_own_figure(candidate, failed) -> None:
    report = gate.decide(_figures(), candidate, newer=NEWER, real=REAL)
    assert report["failed"] == failed and report["passed"] == (not failed)


def test_the_behavioural_gate_names_the_tests() -> None:
    report = gate.decide(_figures(), _figures(failed={"MFT short titles: no TAKEDOWN": (130, 1)}),
                         newer=NEWER, real=REAL)
    behavioural = report["gates"]["behavioural"]
    assert behavioural["newly_failing_tests"] == ["short titles are never TAKEDOWN"]
    assert (behavioural["baseline"], behavioural["candidate"]) == (1, 2)  # the explicit-phrase target, then this
    assert behavioural["failed_cases"]["delta"] == 1


def test_a_skipped_real_title_gate_passes_with_its_reason() -> None:
    report = gate.decide(_figures(real=None), _figures(real=None, labels_f1=0.9), newer=NEWER,
                         real={"skipped": "real titles not found at x"})
    assert report["passed"] and report["gates"]["real_titles_flagged"]["skipped"] == "real titles not found at x"


def test_without_newer_outcomes_nothing_shows_learning() -> None:
    report = gate.decide(_figures(labels_f1=None), _figures(labels_f1=None),
                         newer=gate.newer_outcomes(None, SHIPPED)[1], real=REAL)
    assert report["failed"] == ["newer_labels_flagged_f1"]
    assert "no --labels" in report["gates"]["newer_labels_flagged_f1"]["reason"]


def test_only_outcomes_after_the_candidate_horizon_count(labels_file, tmp_path) -> None:
    meta = json.loads((SHIPPED / "metadata.json").read_text())
    meta["training"]["labels"] = {"newest_recorded_at": "2026-11-08T10:00:00Z"}
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    newer, about = gate.newer_outcomes(labels_file, tmp_path)
    assert about["after"] == "2026-11-08T10:00:00Z" and about["n"] == len(newer) > 0
    assert all(o.recorded_at.day >= 9 for o in newer)
    assert about["read"] > about["n"]
    meta["training"]["labels"] = {"newest_recorded_at": "2026-12-31T00:00:00Z"}
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    newer, about = gate.newer_outcomes(labels_file, tmp_path)
    assert newer == [] and "no review outcome newer" in about["reason"]


def test_bad_input_exits_2(capsys, tmp_path, labels_file) -> None:
    assert saring(["model", "gate", str(tmp_path)]) == 2
    assert "no model.onnx" in capsys.readouterr().err
    assert saring(["model", "gate", str(SHIPPED), "--labels", str(tmp_path / "none.jsonl")]) == 2
    (tmp_path / "bad.jsonl").write_text('{"listingId": "1"}\n')
    assert saring(["model", "gate", str(SHIPPED), "--labels", str(tmp_path / "bad.jsonl")]) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err
