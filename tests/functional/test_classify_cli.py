"""run_classify: JSON lines in, verdict lines out in order; bad lines reported, exit status 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from saring.classifier.cli import run_classify
from saring.domain.listings import Evidence
from saring.ports import Classifier, ModelThresholds

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "listing-classifier"


class KeywordFake(Classifier):
    version = "fake-1"
    thresholds = ModelThresholds(0.5, 0.9)

    def __init__(self) -> None:
        self.batches: list[int] = []

    def score(self, listings):
        self.batches.append(len(listings))
        return [0.95 if "thrift" in x.title else 0.6 if "bekas" in x.title else 0.01 for x in listings]

    def explain_many(self, listings, limit: int = 3):
        return [[Evidence("thrift", "thr1ft", 2.0)] for _ in listings]


def _run(lines: list[str], clf: Classifier | None = None, progress=None):
    out = io.StringIO()
    code = run_classify(io.StringIO("".join(line + "\n" for line in lines)), out, clf or KeywordFake(), progress)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_scores_in_input_order_with_decisions_and_reasons() -> None:
    code, rows = _run([
        json.dumps({"id": "a", "title": "kaos baru"}),
        json.dumps({"id": "b", "title": "jaket thrift", "price": 50000, "category": "fashion"}),
        json.dumps({"id": 7, "title": "sepatu bekas", "description": "x"}),
    ])
    assert code == 0
    assert [r["id"] for r in rows] == ["a", "b", 7]
    assert [r["decision"] for r in rows] == ["ALLOW", "TAKEDOWN", "REVIEW"]
    assert rows[0]["reasons"] == [] and rows[0]["model_version"] == "fake-1"
    assert rows[1]["reasons"][0]["code"] == "MODEL_SCORE"
    assert rows[1]["reasons"][1] == {"code": "MODEL_EVIDENCE", "evidence": "thr1ft", "contribution": 2.0,
                                     "message": '"thr1ft" read as "thrift" suggests imported used clothing '
                                                "(+2.00 log-odds)"}
    assert set(rows[1]) == {"id", "score", "decision", "reasons", "model_version"}


def test_bad_lines_are_reported_in_place_and_exit_2() -> None:
    code, rows = _run([
        json.dumps({"id": "a", "title": "kaos"}),
        "{not json",
        json.dumps({"title": "no id"}),
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "title": 5}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "e", "title": "x", "price": "mahal"}),
        json.dumps({"id": "f", "title": "x", "description": 3}),
        "",
        json.dumps({"id": "g", "title": "jaket thrift"}),
    ])
    assert code == 2
    assert [r.get("line") for r in rows] == [None, 2, 3, 4, 5, 6, 7, 8, 9, None]
    assert all("error" in r for r in rows[1:9])
    assert rows[0]["id"] == "a" and rows[-1]["decision"] == "TAKEDOWN"


def test_a_blank_title_is_a_bad_line_as_the_api_refuses_it() -> None:
    code, rows = _run([json.dumps({"id": "a", "title": ""}), json.dumps({"id": "b", "title": " \t "}),
                       json.dumps({"id": "c", "title": "kaos"})])
    assert code == 2
    assert rows[:2] == [{"line": 1, "error": "'title' must not be empty"},
                        {"line": 2, "error": "'title' must not be empty"}]
    assert rows[2]["decision"] == "ALLOW"


def test_streams_in_chunks() -> None:
    fake = KeywordFake()
    code, rows = _run([json.dumps({"id": str(i), "title": "kaos"}) for i in range(1300)], fake)
    assert code == 0 and len(rows) == 1300
    assert fake.batches == [512, 512, 276]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    _run([json.dumps({"id": "1", "title": "kaos"})], progress=quiet)
    assert quiet.getvalue() == ""
    tty = _Tty()
    _run([json.dumps({"id": "1", "title": "kaos"})], progress=tty)
    assert "classified 1" in tty.getvalue()


@pytest.mark.skipif(not (SHIPPED / "model.onnx").exists(), reason="no shipped model (run make train)")
def test_with_the_shipped_model() -> None:
    from saring.adapters.onnx_classifier import OnnxClassifier

    clf = OnnxClassifier(SHIPPED)
    code, rows = _run([json.dumps({"id": "1", "title": "Jual thr1ft jaket ex jepang", "price": 80000}),
                       json.dumps({"id": "2", "title": "3Second kaos pria", "price": 99000})], clf)
    assert code == 0
    assert rows[0]["decision"] in ("REVIEW", "TAKEDOWN") and rows[1]["decision"] == "ALLOW"
    assert any("thr1ft" in r.get("evidence", "") and "thrift" in r["message"] for r in rows[0]["reasons"])
    assert rows[0]["model_version"] == clf.version
