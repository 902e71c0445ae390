"""Core of ``saring classify``: JSON lines of listings in, one verdict line per input out.

Input lines: ``{"id": ..., "title": ..., "description"?: ..., "price"?: ..., "category"?: ...}``;
``listingId``, ``sellerId`` and ``priceIdr`` (GraphQL's names) are read as ``id``, ``seller_id``
and ``price`` (``saring.domain.scan.LISTING_FIELD_SPELLINGS``).
Output lines, in input order: ``{"id", "score", "decision", "reasons", "model_version"}``, or
``{"line": N, "error": "..."}`` for a line that is not valid JSON or lacks a string ``id`` /
``title``, or whose title is blank (N is 1-based). The exit status is 2 if any line was rejected, else 0. Input is
streamed in chunks, so memory stays constant however long the file is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import IO

from saring.domain.listings import Listing
from saring.domain.scan import listing_field
from saring.domain.verdicts import Decision, decision_for_score, model_reasons
from saring.ports import Classifier

CHUNK_SIZE = 512
EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _reason(reason) -> dict:
    out = {"code": reason.code, "message": reason.message}
    if reason.evidence is not None:
        out.update(evidence=reason.evidence, contribution=reason.contribution)
    return out


def _parse(line: str) -> tuple[Listing | str, object]:
    """``(Listing, id as given)``, or ``(reason the line is rejected, None)``."""
    return _parse_row(line)


def _parse_row(line: str):
    try:
        row = json.loads(line)
    except ValueError as exc:
        return f"invalid JSON: {exc.msg}", None
    if not isinstance(row, dict):
        return "expected a JSON object", None
    try:
        listing_id, price, seller = (listing_field(row, name) for name in ("id", "price", "seller_id"))
    except ValueError as exc:
        return str(exc), None
    title = row.get("title")
    if isinstance(listing_id, bool) or not isinstance(listing_id, (str, int)):
        return "missing or invalid 'id' or 'listingId' (string or integer)", None
    if not isinstance(title, str):
        return "missing or invalid 'title' (string)", None
    if not title.strip():
        # the API and `saring scan` refuse it too: a listing with no title cannot be judged
        return "'title' must not be empty", None
    description = row.get("description")
    if description is not None and not isinstance(description, str):
        return "invalid 'description' (string)", None
    if price is not None and (isinstance(price, bool) or not isinstance(price, (int, float)) or not math.isfinite(price)):
        return "invalid 'price' or 'priceIdr' (number)", None
    category = row.get("category")
    if category is not None and not isinstance(category, str):
        return "invalid 'category' (string)", None
    return Listing(
        listing_id=str(listing_id),
        seller_id=str(seller) if isinstance(seller, (str, int)) and not isinstance(seller, bool) else "",
        title=title,
        description=description,
        price_idr=int(price) if price is not None else None,
        category=category,
        url=row.get("url") if isinstance(row.get("url"), str) else None,
    ), listing_id


def _verdicts(chunk: list[tuple[int, Listing | str, object]], classifier: Classifier) -> Iterable[dict]:
    listings = [item for _, item, _ in chunk if isinstance(item, Listing)]
    scores = classifier.score(listings) if listings else []
    review, takedown = classifier.thresholds.review, classifier.thresholds.takedown
    decisions = [decision_for_score(score, review, takedown) for score in scores]
    flagged = [listing for listing, d in zip(listings, decisions, strict=True) if d is not Decision.ALLOW]
    evidence = iter(classifier.explain_many(flagged) if flagged else [])
    scored = iter(zip(scores, decisions, strict=True))
    for line_no, item, raw_id in chunk:
        if not isinstance(item, Listing):
            yield {"line": line_no, "error": item}
            continue
        score, decision = next(scored)
        reasons = model_reasons(score, decision, next(evidence) if decision is not Decision.ALLOW else [])
        yield {"id": raw_id, "score": round(score, 6), "decision": decision.value,
               "reasons": [_reason(r) for r in reasons],
               "model_version": classifier.version}


def run_classify(input_stream: IO[str], output_stream: IO[str], classifier: Classifier,
                 progress_stream: IO[str] | None = None) -> int:
    """Classify JSON lines from ``input_stream``; returns the exit status (0, or 2 on bad lines)."""
    show_progress = progress_stream is not None and getattr(progress_stream, "isatty", lambda: False)()
    bad = 0
    done = 0
    chunk: list[tuple[int, Listing | str, object]] = []

    def flush() -> None:
        nonlocal bad, done
        for result in _verdicts(chunk, classifier):
            if "error" in result:
                bad += 1
            output_stream.write(json.dumps(result, ensure_ascii=False) + "\n")
        done += len(chunk)
        chunk.clear()
        if show_progress:
            progress_stream.write(f"\rclassified {done} lines ({bad} rejected)")
            progress_stream.flush()

    for line_no, line in enumerate(input_stream, start=1):
        if not line.strip():
            chunk.append((line_no, "empty line", None))
        else:
            item, raw_id = _parse(line)
            chunk.append((line_no, item, raw_id))
        if len(chunk) >= CHUNK_SIZE:
            flush()
    if chunk:
        flush()
    output_stream.flush()
    if show_progress:
        progress_stream.write("\n")
        progress_stream.flush()
    return EXIT_BAD_INPUT if bad else EXIT_OK
