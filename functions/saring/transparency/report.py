"""`saring report transparency`: report.json, report.csv and PNG charts of one platform's
period. matplotlib comes with the "report" extra (make installs it); it is imported here only,
never on a Lambda path."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from saring.domain.errors import SaringError
from saring.domain.transparency import TransparencyReport

CHARTS = ("actions_by_source.png", "removal_times.png", "notices_by_level.png", "appeals.png")


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise SaringError(
            "the transparency report draws its charts with matplotlib: pip install -e '.[report]'"
        ) from None
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def _bar(plt, path: Path, title: str, counts: dict[str, int | float], ylabel: str, empty: str | None = None):
    figure, axes = plt.subplots(figsize=(7, 4), dpi=100)
    labels, values = list(counts), list(counts.values())
    bars = axes.bar(labels, values, color="#3b6e8f")
    axes.bar_label(bars)
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.set_ylim(0, max([1, *values]) * 1.2)
    if empty is not None:
        axes.text(0.5, 0.5, empty, transform=axes.transAxes, ha="center", va="center", fontsize=14)
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)


def write_report(report: TransparencyReport, out_dir: Path) -> list[Path]:
    """The report's files in `out_dir`, which is created if needed; their paths."""
    plt = _pyplot()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "report.json", out_dir / "report.csv"]
    written[0].write_text(json.dumps(report.as_json(), indent=2, sort_keys=True) + "\n")
    with written[1].open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["section", "key", "value"])
        writer.writerows(report.rows())
    period = f"{report.platform}, {report.since.date()} to {report.until.date()}"
    charts = [out_dir / name for name in CHARTS]
    _bar(plt, charts[0], f"Enforcement actions by source ({period})", report.actions_by_source, "actions")
    _bar(
        plt,
        charts[1],
        f"Time from order to removal ({period})",
        report.removal_times.buckets,
        "targets removed",
        None if report.removal_times.count else "no removals recorded",
    )
    _bar(
        plt,
        charts[2],
        f"Warning-ladder notices by level ({period})",
        report.notices_by_level,
        "notices",
        None if report.notices_recorded else "no notices recorded",
    )
    appeals = report.appeals
    _bar(
        plt,
        charts[3],
        f"Appeals filed and their outcomes ({period})",
        {"filed": appeals.filed, "upheld": appeals.upheld, "revoked": appeals.revoked,
         "open": appeals.open, "overdue": appeals.overdue},
        "appeals",
    )
    return written + charts
