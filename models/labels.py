"""Review outcomes as training labels: the JSON lines `saring labels export` writes.

Each line is one outcome a platform reported (`reportReviewOutcome`): the listing as the reviewer
judged it, ``label`` (1 violation, 0 not), ``platform``, ``recordedAt``, ``modelVersion`` and
``source`` (``REVIEW`` or ``AUDIT_SAMPLE``). They are whole-listing labels: nobody says which line
of the description made the listing a violation, so they train through the same path as the
hand-written listings (``corpus.labelled_samples``: ``Sample.signals = None``, and the
multiple-instance second pass of ``train.best_units``).

``RULE`` is how duplicates and conflicts are resolved; metadata.json and the model card state it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import corpus
from saring.classifier.features import model_input

EXPORT_KEYS = ("listingId", "sellerId", "title", "description", "priceIdr", "category", "url", "label",
               "platform", "recordedAt", "modelVersion", "source")
SOURCES = ("REVIEW", "AUDIT_SAMPLE")
RULE = ("one outcome per (platform, listingId): the latest recordedAt wins (on equal times, the later line of "
        "the export); then one label per listing text as the model reads it (normalised title and description): "
        "listings with the same text take the majority of their labels, and a tie drops the text")


class LabelFileError(ValueError):
    """A line of the export that cannot be a review outcome."""


@dataclass(frozen=True)
class Outcome:
    platform: str
    listing_id: str
    title: str
    description: str
    label: int
    recorded_at: datetime
    source: str
    model_version: str | None
    line: int  # 1-based line in the export: the tie-break of equal times


def parse_time(value: str) -> datetime:
    """An ISO 8601 time; a time without zone is UTC. Always returned in UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def read_export(path: Path) -> list[Outcome]:
    out = []
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
                missing = [key for key in ("listingId", "title", "label", "platform", "recordedAt") if key not in row]
                if missing:
                    raise LabelFileError(f"missing {', '.join(missing)}")
                if row["label"] not in (0, 1) or isinstance(row["label"], bool):
                    raise LabelFileError(f"label must be 0 or 1, not {row['label']!r}")
                source = row.get("source") or "REVIEW"
                if source not in SOURCES:
                    raise LabelFileError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
                out.append(Outcome(str(row["platform"]), str(row["listingId"]), str(row["title"] or ""),
                                   str(row.get("description") or ""), int(row["label"]),
                                   parse_time(str(row["recordedAt"])), source, row.get("modelVersion"), number))
            except (ValueError, TypeError) as error:  # JSONDecodeError and bad times are ValueErrors
                raise LabelFileError(f"{path}:{number}: {error}") from error
    return out


def _text_key(outcome: Outcome) -> tuple[str, ...]:
    return model_input(outcome.title, outcome.description).texts


@dataclass
class Resolved:
    outcomes: list[Outcome]  # one per distinct listing text, carrying the resolved label
    summary: dict


def resolve(outcomes: Sequence[Outcome]) -> Resolved:
    """Applies ``RULE``. The horizon is the newest ``recordedAt`` read, dropped outcomes included:
    a model trained on this file has seen every outcome up to then."""
    latest: dict[tuple[str, str], Outcome] = {}
    for outcome in outcomes:
        key = (outcome.platform, outcome.listing_id)
        held = latest.get(key)
        if held is None or (outcome.recorded_at, outcome.line) >= (held.recorded_at, held.line):
            latest[key] = outcome
    by_text: dict[tuple[str, ...], list[Outcome]] = defaultdict(list)
    for outcome in latest.values():
        by_text[_text_key(outcome)].append(outcome)
    kept, conflicting, ties = [], 0, 0
    for group in by_text.values():
        votes = Counter(o.label for o in group)
        if len(votes) > 1:
            conflicting += 1
            if votes[0] == votes[1]:
                ties += 1
                continue
        label = votes.most_common(1)[0][0]
        # the newest listing with the winning label stands for the text
        kept.append(max((o for o in group if o.label == label), key=lambda o: (o.recorded_at, o.line)))
    kept.sort(key=lambda o: (o.recorded_at, o.line))
    times = [o.recorded_at for o in outcomes]
    summary = {
        "rule": RULE,
        "read": len(outcomes),
        "listings": len(latest),
        "superseded": len(outcomes) - len(latest),
        "conflicting_texts": conflicting,
        "dropped_ties": ties,
        "used": len(kept),
        "positives": sum(o.label for o in kept),
        "negatives": sum(1 - o.label for o in kept),
        "by_source": dict(sorted(Counter(o.source for o in kept).items())),
        "platforms": sorted({o.platform for o in outcomes}),
        "oldest_recorded_at": iso(min(times)) if times else None,
        "newest_recorded_at": iso(max(times)) if times else None,
    }
    return Resolved(kept, summary)


def load(path: Path) -> Resolved:
    resolved = resolve(read_export(path))
    resolved.summary["file_sha256"] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return resolved


SAMPLE_SOURCE = "review"  # corpus.Sample.source of a review outcome


def samples(outcomes: Iterable[Outcome], weight: float) -> list[corpus.Sample]:
    """Training samples labelled as whole listings (see the module docstring)."""
    return corpus.labelled_samples(
        ({"id": f"{o.platform}:{o.listing_id}", "title": o.title, "description": o.description, "label": o.label}
         for o in outcomes), source=SAMPLE_SOURCE, weight=weight)


def newer_than(outcomes: Iterable[Outcome], horizon: datetime | None) -> list[Outcome]:
    """The outcomes recorded after ``horizon`` (all of them when there is none)."""
    return [o for o in outcomes if horizon is None or o.recorded_at > horizon]


def horizon_of(metadata: dict) -> datetime | None:
    """A model's training horizon: the newest review outcome it was trained on (None: none)."""
    newest = ((metadata.get("training") or {}).get("labels") or {}).get("newest_recorded_at")
    return parse_time(newest) if newest else None
