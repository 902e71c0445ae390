"""Gates a candidate model before it replaces the live one: `saring model gate CANDIDATE_DIR
[--baseline DIR] [--labels FILE]` (the CLI is `saring.cli`; the checks are here, beside the
evaluation they reuse, so that no Lambda package carries them).

The candidate passes only if, against the baseline (the shipped models/listing-classifier by
default), each model at its own thresholds:

* ``frozen_set_flagged_f1``: loses at most ``MAX_F1_LOSS`` flagged-F1 on the frozen evaluation set
  (``models/evaluation``, ``evaluate.evaluation_set``);
* ``behavioural``: fails no more behavioural tests (``checklist.TESTS``: each check of
  ``checklist.run_all`` against its largest allowed failure rate, as tests/behavioural holds
  the shipped model to it), and no test the baseline passes; failed cases are reported beside;
* ``real_titles_flagged``: flags no more of the held-out real titles ``evaluate.py`` reads (skipped,
  with the reason, where ``../shared/data`` is absent, as ``evaluate.py`` does);
* ``newer_labels_flagged_f1``: does better (strictly higher flagged-F1) on the review outcomes of
  ``--labels`` recorded after the candidate's training horizon (the newest outcome it trained on,
  from its metadata.json): a time split, the honest test of learning from a stream. The outcomes
  are resolved by the training rule (``labels.RULE``). Without ``--labels``, or with no outcome
  newer than the horizon, the gate fails: nothing shows that the candidate learned.

``gate`` returns one report with every figure side by side: baseline, candidate, delta, pass.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
for _path in (str(HERE), str(HERE.parent / "functions")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import checklist  # noqa: E402
import corpus  # noqa: E402
import evaluate  # noqa: E402
import labels as review_labels  # noqa: E402
from saring.adapters.onnx_classifier import OnnxClassifier  # noqa: E402

SHIPPED_DIR = HERE / "listing-classifier"
MAX_F1_LOSS = 0.01
GATES = ("frozen_set_flagged_f1", "behavioural", "real_titles_flagged", "newer_labels_flagged_f1")


@dataclass
class Figures:
    """What one model scores on everything the gates read."""

    version: str
    horizon: str | None
    thresholds: dict
    frozen: dict  # evaluate.flagged_metrics on the frozen set
    checks: dict[str, tuple[int, int]]  # check name -> (cases, failed)
    real_flagged: int | None
    labels: dict | None = None  # flagged metrics on the newer review outcomes


def figures(model_dir: Path, *, real: Sequence[corpus.Sample] | None,
            newer: Sequence[review_labels.Outcome]) -> Figures:
    clf = OnnxClassifier(model_dir)
    frozen = evaluate.evaluation_set()
    checks = checklist.run_all(clf.score, clf.thresholds.review, clf.thresholds.takedown)
    horizon = review_labels.horizon_of(clf.metadata)
    return Figures(
        version=clf.version,
        horizon=review_labels.iso(horizon),
        thresholds={"review": clf.thresholds.review, "takedown": clf.thresholds.takedown},
        frozen=evaluate.model_metrics(clf, frozen)["flagged"],
        checks={c.name: (c.cases, len(c.failures)) for c in checks},
        real_flagged=None if real is None else int((evaluate.model_scores(clf, real) >= clf.thresholds.review).sum()),
        labels=evaluate.model_metrics(clf, newer)["flagged"] if newer else None,
    )


def _side_by_side(baseline: float, candidate: float) -> dict:
    return {"baseline": baseline, "candidate": candidate, "delta": round(candidate - baseline, 4)}


def decide(baseline: Figures, candidate: Figures, *, newer: dict, real: dict) -> dict:
    """The report: each gate's figures side by side and whether it passed. ``newer`` describes the
    newer review outcomes (``n`` and why there are none), ``real`` the real titles (``n`` or
    ``skipped``)."""
    gates: dict[str, dict] = {}

    f1 = _side_by_side(baseline.frozen["f1"], candidate.frozen["f1"])
    gates["frozen_set_flagged_f1"] = {
        **f1, "max_loss": MAX_F1_LOSS, "pass": f1["delta"] >= -MAX_F1_LOSS,
        "precision": _side_by_side(baseline.frozen["precision"], candidate.frozen["precision"]),
        "recall": _side_by_side(baseline.frozen["recall"], candidate.frozen["recall"]),
    }

    per_check = {name: {"cases": cases, **_side_by_side(baseline.checks[name][1], candidate.checks.get(name, (0, 0))[1])}
                 for name, (cases, _) in baseline.checks.items()}
    failing = {side: sorted(test for test, check, rate in checklist.TESTS
                            if model.checks[check][1] > rate * model.checks[check][0])
               for side, model in (("baseline", baseline), ("candidate", candidate))}
    newly = sorted(set(failing["candidate"]) - set(failing["baseline"]))
    gates["behavioural"] = {
        **_side_by_side(len(failing["baseline"]), len(failing["candidate"])), "tests": len(checklist.TESTS),
        "newly_failing_tests": newly, "pass": not newly, "failing_tests": failing,
        "failed_cases": _side_by_side(sum(r["baseline"] for r in per_check.values()),
                                      sum(r["candidate"] for r in per_check.values())),
        "checks": per_check}

    if baseline.real_flagged is None or candidate.real_flagged is None:
        gates["real_titles_flagged"] = {"skipped": real.get("skipped"), "pass": True}
    else:
        row = _side_by_side(baseline.real_flagged, candidate.real_flagged)
        gates["real_titles_flagged"] = {"n": real["n"], **row, "pass": row["delta"] <= 0}

    if baseline.labels is None or candidate.labels is None:
        gates["newer_labels_flagged_f1"] = {**newer, "pass": False}
    else:
        row = _side_by_side(baseline.labels["f1"], candidate.labels["f1"])
        gates["newer_labels_flagged_f1"] = {
            **newer, **row, "pass": row["delta"] > 0,
            "precision": _side_by_side(baseline.labels["precision"], candidate.labels["precision"]),
            "recall": _side_by_side(baseline.labels["recall"], candidate.labels["recall"]),
        }

    failed = [name for name in GATES if not gates[name]["pass"]]
    return {
        "passed": not failed,
        "failed": failed,
        "baseline": {"version": baseline.version, "training_horizon": baseline.horizon,
                     "thresholds": baseline.thresholds},
        "candidate": {"version": candidate.version, "training_horizon": candidate.horizon,
                      "thresholds": candidate.thresholds},
        "gates": gates,
    }


def newer_outcomes(labels_path: Path | None, candidate_dir: Path) -> tuple[list[review_labels.Outcome], dict]:
    """The review outcomes of ``labels_path`` recorded after the candidate's horizon, resolved
    by the training rule, and a description of them."""
    import json

    metadata = json.loads((candidate_dir / "metadata.json").read_text(encoding="utf-8"))
    horizon = review_labels.horizon_of(metadata)
    about: dict = {"labels": None if labels_path is None else str(labels_path),
                   "after": review_labels.iso(horizon)}
    if labels_path is None:
        return [], {**about, "n": 0, "reason": "no --labels given: nothing shows the candidate learned"}
    read = review_labels.read_export(labels_path)
    resolved = review_labels.resolve(review_labels.newer_than(read, horizon))
    about.update(read=len(read), n=len(resolved.outcomes), positives=resolved.summary["positives"])
    if not resolved.outcomes:
        about["reason"] = "no review outcome newer than the candidate's training horizon"
    return resolved.outcomes, about


def gate(candidate_dir: Path, baseline_dir: Path = SHIPPED_DIR, labels_path: Path | None = None, *,
         real_path: Path | None = None, log: Callable[[str], None] = lambda _: None) -> dict:
    newer, newer_about = newer_outcomes(labels_path, candidate_dir)
    real_path = real_path or corpus.real_titles_path()
    if real_path.exists():
        real = [s for s in corpus.real_titles("holdout", real_path) if s.weight > 0]
        real_about: dict = {"n": len(real)}
    else:
        real, real_about = None, {"skipped": f"real titles not found at {real_path} (set SARING_SHARED_DATA)"}
    log(f"scoring the baseline {baseline_dir}")
    base = figures(baseline_dir, real=real, newer=newer)
    if (Path(candidate_dir).resolve() == Path(baseline_dir).resolve()) or _same_model(candidate_dir, baseline_dir):
        cand = base  # the same model.onnx scores the same
    else:
        log(f"scoring the candidate {candidate_dir}")
        cand = figures(candidate_dir, real=real, newer=newer)
    report = decide(base, cand, newer=newer_about, real=real_about)
    report["baseline"]["dir"], report["candidate"]["dir"] = str(baseline_dir), str(candidate_dir)
    return report


def _same_model(a: Path, b: Path) -> bool:
    import json

    def identity(directory: Path) -> tuple:
        meta = json.loads((Path(directory) / "metadata.json").read_text(encoding="utf-8"))
        return meta.get("model_sha256"), json.dumps(meta.get("thresholds"), sort_keys=True), \
            json.dumps(meta.get("training", {}).get("labels"), sort_keys=True)

    return identity(a) == identity(b)
