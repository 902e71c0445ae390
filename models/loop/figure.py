"""Draws docs/learning-loop.png: the loop, with the figures of the last `make loop-demo`
(.local/loop/summary.json).

    .venv/bin/python models/loop/figure.py [SUMMARY_JSON] [OUT_PNG]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]

STEPS = [  # (x, y, text) around the loop, clockwise from the top left
    (0.14, 0.78, "platform sends listings\n`verdicts`: ALLOW / REVIEW /\nTAKEDOWN + auditSample"),
    (0.50, 0.78, "reviewers judge REVIEW\nverdicts and audit samples\n`reportReviewOutcome`"),
    (0.86, 0.78, "label table\n`saring labels export`"),
    (0.86, 0.26, "retrain a candidate\n`train.py --labels`"),
    (0.50, 0.26, "`saring model gate`\nfrozen set, behaviour, real\ntitles, newer labels"),
    (0.14, 0.26, "promote to live\n(or run in shadow first)"),
]


def draw(summary: dict, out: Path) -> None:
    fig, ax = plt.subplots(figsize=(7.2, 2.9))
    fig.subplots_adjust(0, 0, 1, 1)
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(0.1, 0.94)
    ax.axis("off")
    for x, y, text in STEPS:
        ax.add_patch(FancyBboxPatch((x - 0.13, y - 0.11), 0.26, 0.22, boxstyle="round,pad=0.01",
                                    fc="#eef3fb", ec="#4a6fa5", lw=1))
        ax.text(x, y, text.replace("`", ""), ha="center", va="center", fontsize=7.2)
    route = [*range(len(STEPS)), 0]
    for a, b in zip(route, route[1:], strict=False):
        (x0, y0, _), (x1, y1, _) = STEPS[a], STEPS[b]
        if y0 == y1:
            start, end = (x0 + 0.135 * (1 if x1 > x0 else -1), y0), (x1 - 0.135 * (1 if x1 > x0 else -1), y1)
        else:
            start, end = (x0, y0 - 0.115 * (1 if y1 < y0 else -1)), (x1, y1 + 0.115 * (1 if y1 < y0 else -1))
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color="#4a6fa5"))
    recall = summary["new_family_recall"]
    f1 = summary["frozen_set_flagged_f1"]
    outcomes = summary["outcomes"]["outcomes"]
    ax.text(0.5, 0.53,
            f"loop demo, {outcomes} reported outcomes: new evasion family recall "
            f"{recall['before']:.2f} -> {recall['after']:.2f}\nfrozen-set flagged-F1 {f1['before']:.3f} -> "
            f"{f1['after']:.3f}" + ("" if summary["promoted"] else " (gate failed: not promoted)"),
            ha="center", va="center", fontsize=8, weight="bold", color="#203a60")
    fig.savefig(out, dpi=100, metadata={"Software": None})
    plt.close(fig)


def main(argv: list[str]) -> int:
    summary_path = Path(argv[0]) if argv else REPO_ROOT / ".local" / "loop" / "summary.json"
    out = Path(argv[1]) if len(argv) > 1 else REPO_ROOT / "docs" / "learning-loop.png"
    draw(json.loads(summary_path.read_text(encoding="utf-8")), out)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
