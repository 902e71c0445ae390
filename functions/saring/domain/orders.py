"""Takedown orders (MR5, Permenkominfo 5/2020): orders, their targets, acknowledgement, compliance.

Pure: no I/O. An order names its legal basis, reason and issuing agency (as EU DSA art. 9 asks)
and one to `MAX_TARGETS` exact locators on known platforms. Its deadline is the issue time plus
24 h (STANDARD) or 4 h (URGENT), both from `Settings`. A platform acknowledges each target once:
PENDING -> REMOVED | NOT_FOUND | DISPUTED (DISPUTED needs a note). A late acknowledgement is
accepted and recorded as late. The issuing agency resolves a dispute (UPHELD: PENDING again, with
a new deadline; WITHDRAWN: closed) and may withdraw the whole order: its pending and disputed
targets become WITHDRAWN and none of its targets applies to verdicts any more. The warning ladder
of unmet targets is `saring.domain.notices`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import statistics
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from urllib.parse import quote, urlsplit

from saring.domain.errors import BadUserInputError, ConflictError
from saring.domain.notices import ComplianceNotice, NoticeLevel, count_by_level
from saring.settings import Settings

MAX_TARGETS = 500
MAX_REFERENCE_CHARS = 200
MAX_LEGAL_BASIS_CHARS = 1_000
MAX_REASON_CHARS = 5_000
MAX_NOTE_CHARS = 2_000
MAX_ID_CHARS = 256
MAX_URL_INPUT_CHARS = 4_096
# Normalised URLs become part of a DynamoDB partition key (2,048 bytes at most, with a prefix).
MAX_URL_CHARS = 1_800


class Urgency(StrEnum):
    STANDARD = "STANDARD"
    URGENT = "URGENT"


class TargetKind(StrEnum):
    LISTING = "LISTING"  # value: the platform's listing id
    SHOP = "SHOP"  # value: the seller id
    ACCOUNT = "ACCOUNT"  # value: the seller id
    URL = "URL"  # value: the normalised URL


class TargetState(StrEnum):
    PENDING = "PENDING"
    REMOVED = "REMOVED"
    NOT_FOUND = "NOT_FOUND"
    DISPUTED = "DISPUTED"
    WITHDRAWN = "WITHDRAWN"  # by the issuing agency: the order withdrawn, or a dispute granted


class DisputeResolution(StrEnum):
    UPHELD = "UPHELD"  # the target stands: PENDING again, with a new deadline
    WITHDRAWN = "WITHDRAWN"  # the agency agrees with the platform: the target is closed


# Targets in these states keep matching listings in verdicts: a removed listing that reappears
# is taken down again. NOT_FOUND, DISPUTED and WITHDRAWN end the match, and so does the
# withdrawal of the target's order (`applies`).
ACTIVE_STATES = frozenset({TargetState.PENDING, TargetState.REMOVED})
# What the platform answered: the states that count as its resolution of a target.
ACKNOWLEDGED_STATES = frozenset({TargetState.REMOVED, TargetState.NOT_FOUND, TargetState.DISPUTED})


@dataclass(frozen=True, slots=True, kw_only=True)
class TakedownTarget:
    id: str
    order_id: str
    platform: str
    kind: TargetKind
    value: str
    seller_id: str | None
    state: TargetState
    note: str | None
    resolved_at: datetime | None
    late: bool
    # Copied from the order so a target stands on its own (listing, compliance, push events).
    reference: str
    issued_at: datetime
    deadline: datetime
    notices: tuple[ComplianceNotice, ...] = ()
    order_withdrawn: bool = False  # its order was withdrawn: it applies to nothing any more
    # The issuing agency's last answer to a dispute of this target, and its note.
    resolution: DisputeResolution | None = None
    resolution_note: str | None = None

    @property
    def listing_id(self) -> str | None:
        return self.value if self.kind is TargetKind.LISTING else None

    @property
    def applies(self) -> bool:
        """Whether the target matches listings in verdicts (ACTIVE_ORDER)."""
        return self.state in ACTIVE_STATES and not self.order_withdrawn


class OrderStatus(StrEnum):
    """ISSUING: its targets are being written (an interrupted issue stays so until a retry or the
    sweep completes it). ISSUED: every target is written and visible to its platform.
    WITHDRAWN: the issuing agency withdrew it; none of its targets applies any more."""

    ISSUING = "ISSUING"
    ISSUED = "ISSUED"
    WITHDRAWN = "WITHDRAWN"


@dataclass(frozen=True, slots=True, kw_only=True)
class TakedownOrder:
    id: str
    reference: str
    legal_basis: str
    reason: str
    agency: str
    urgency: Urgency
    issued_at: datetime
    deadline: datetime
    targets: tuple[TakedownTarget, ...]
    # ISSUING: interrupted while its targets were written; `targets` holds those written so far
    # and platforms see none of them until the order is ISSUED.
    status: OrderStatus = OrderStatus.ISSUED
    target_count: int | None = None  # the order's targets, written or not; None: len(targets)
    withdrawn_at: datetime | None = None
    withdraw_reason: str | None = None

    @property
    def total_targets(self) -> int:
        return len(self.targets) if self.target_count is None else self.target_count


@dataclass(frozen=True, slots=True)
class TargetRequest:
    """A target as a regulator names it, before validation."""

    platform: str
    kind: TargetKind | str
    value: str
    seller_id: str | None = None


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """An order as a regulator writes it, before validation."""

    reference: str
    legal_basis: str
    reason: str
    urgency: Urgency | str
    targets: Sequence[TargetRequest]


# --- Validation ---------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise BadUserInputError(f"{field} must be text", field=field)
    text = value.strip()
    if not text:
        raise BadUserInputError(f"{field} must not be empty", field=field)
    if len(text) > limit:
        raise BadUserInputError(f"{field} is longer than {limit} characters", field=field)
    return text


def _identifier(value: object, field: str, limit: int = MAX_ID_CHARS) -> str:
    text = _text(value, field, limit)
    if _CONTROL.search(text):
        raise BadUserInputError(f"{field} contains control characters", field=field)
    return text


def _enum(enum: type[Enum], value: object, field: str):  # type: ignore[no-untyped-def]
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise BadUserInputError(f"{field} must be one of {allowed}", field=field) from None


def deadline_for(issued_at: datetime, urgency: Urgency, settings: Settings) -> datetime:
    delay = settings.urgent_deadline if urgency is Urgency.URGENT else settings.standard_deadline
    return issued_at + delay


def max_deadline_delay(settings: Settings) -> timedelta:
    return max(settings.standard_deadline, settings.urgent_deadline)


def validate_target(request: TargetRequest, settings: Settings, index: int) -> TargetRequest:
    """The target with its kind parsed and its value normalised; raises BadUserInputError."""
    where = f"targets[{index}]"
    platform = _identifier(request.platform, f"{where}.platform")
    if platform not in settings.known_platforms:
        raise BadUserInputError(
            f"{where}.platform {platform!r} is not a known platform", field=f"{where}.platform"
        )
    kind = _enum(TargetKind, request.kind, f"{where}.kind")
    seller_id = (
        None
        if request.seller_id is None
        or (isinstance(request.seller_id, str) and not request.seller_id.strip())
        else _identifier(request.seller_id, f"{where}.sellerId")
    )
    if kind is TargetKind.URL:
        value = normalise_url(request.value)
    else:
        value = _identifier(request.value, f"{where}.value")
    if kind in (TargetKind.SHOP, TargetKind.ACCOUNT):
        if seller_id is not None and seller_id != value:
            raise BadUserInputError(
                f"{where}: a {kind.value} target's value is its seller id; sellerId differs",
                field=f"{where}.sellerId",
            )
        seller_id = value
    return TargetRequest(platform=platform, kind=kind, value=value, seller_id=seller_id)


def validate_order(request: OrderRequest, settings: Settings) -> OrderRequest:
    """The order with every field checked and normalised; raises BadUserInputError."""
    reference = _identifier(request.reference, "reference", MAX_REFERENCE_CHARS)
    legal_basis = _text(request.legal_basis, "legalBasis", MAX_LEGAL_BASIS_CHARS)
    reason = _text(request.reason, "reason", MAX_REASON_CHARS)
    urgency = _enum(Urgency, request.urgency, "urgency")
    targets = list(request.targets)
    if not targets:
        raise BadUserInputError("an order needs at least one target", field="targets")
    if len(targets) > MAX_TARGETS:
        raise BadUserInputError(f"an order names at most {MAX_TARGETS} targets", field="targets")
    validated = [validate_target(target, settings, i) for i, target in enumerate(targets)]
    seen: set[tuple[str, TargetKind, str]] = set()
    for i, target in enumerate(validated):
        identity = (target.platform, TargetKind(target.kind), target.value)
        if identity in seen:
            raise BadUserInputError(
                f"targets[{i}] repeats an earlier target", field=f"targets[{i}]"
            )
        seen.add(identity)
    return OrderRequest(
        reference=reference,
        legal_basis=legal_basis,
        reason=reason,
        urgency=urgency,
        targets=tuple(validated),
    )


def content_hash(request: OrderRequest) -> str:
    """What makes two issues of one (agency, reference) the same order: of a validated request."""
    document = {
        "reference": request.reference,
        "legal_basis": request.legal_basis,
        "reason": request.reason,
        "urgency": Urgency(request.urgency).value,
        "targets": [
            [t.platform, TargetKind(t.kind).value, t.value, t.seller_id] for t in request.targets
        ],
    }
    encoded = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def target_id(order_id: str, index: int) -> str:
    """Target ids are derived from the order id and position, so a retried issue rewrites the
    same ids instead of inventing new ones."""
    return f"{order_id}-{index:03d}"


_TARGET_ID = re.compile(r"^([0-9a-f]{32})-(\d{3})$")


def parse_target_id(value: str) -> tuple[str, int] | None:
    """(order id, index) of a target id this module made, or None for anything else."""
    match = _TARGET_ID.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    return match.group(1), int(match.group(2))


def new_order(
    request: OrderRequest, *, order_id: str, agency: str, issued_at: datetime, settings: Settings
) -> TakedownOrder:
    """An order from a validated request; every target starts PENDING."""
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    urgency = Urgency(request.urgency)
    deadline = deadline_for(issued_at, urgency, settings)
    targets = tuple(
        TakedownTarget(
            id=target_id(order_id, i),
            order_id=order_id,
            platform=t.platform,
            kind=TargetKind(t.kind),
            value=t.value,
            seller_id=t.seller_id,
            state=TargetState.PENDING,
            note=None,
            resolved_at=None,
            late=False,
            reference=request.reference,
            issued_at=issued_at,
            deadline=deadline,
        )
        for i, t in enumerate(request.targets)
    )
    return TakedownOrder(
        id=order_id,
        reference=request.reference,
        legal_basis=request.legal_basis,
        reason=request.reason,
        agency=agency,
        urgency=urgency,
        issued_at=issued_at,
        deadline=deadline,
        targets=targets,
    )


def for_platform(order: TakedownOrder, platform: str) -> TakedownOrder | None:
    """The order as a platform sees it: only its own targets; None when it names none of them."""
    own = tuple(t for t in order.targets if t.platform == platform)
    return replace(order, targets=own) if own else None


# --- Deadlines and acknowledgement --------------------------------------------------------------


def overdue(target: TakedownTarget, now: datetime) -> bool:
    return target.state is TargetState.PENDING and now > target.deadline


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise BadUserInputError("note must be text", field="note")
    text = note.strip()
    if len(text) > MAX_NOTE_CHARS:
        raise BadUserInputError(f"note is longer than {MAX_NOTE_CHARS} characters", field="note")
    return text or None


def check_reason(reason: object, field: str = "reason") -> str:
    """A withdrawal's reason or a resolution's note: required text."""
    return _text(reason, field, MAX_NOTE_CHARS)


def check_acknowledgement(
    state: TargetState | str, note: str | None
) -> tuple[TargetState, str | None]:
    """The acknowledgement's state and note, checked; raises BadUserInputError."""
    parsed = _enum(TargetState, state, "state")
    if parsed not in ACKNOWLEDGED_STATES:
        raise BadUserInputError(
            "a target is acknowledged as REMOVED, NOT_FOUND or DISPUTED", field="state"
        )
    text = _note(note)
    if parsed is TargetState.DISPUTED and text is None:
        raise BadUserInputError("a DISPUTED acknowledgement needs a note", field="note")
    return parsed, text


def acknowledged(
    target: TakedownTarget, state: TargetState, note: str | None, at: datetime
) -> tuple[TakedownTarget, bool]:
    """(the target after the acknowledgement, whether it changed).

    PENDING: resolved now, late when after the deadline. Already resolved the same way (state and
    note): unchanged, so a retry is harmless. Already resolved another way: ConflictError.
    `state` and `note` must come from `check_acknowledgement`.
    """
    if target.state is TargetState.PENDING:
        return (
            replace(target, state=state, note=note, resolved_at=at, late=at > target.deadline),
            True,
        )
    if target.state is state and target.note == note:
        return target, False
    if target.state is TargetState.WITHDRAWN or target.order_withdrawn:
        raise ConflictError(
            f"target {target.id} was withdrawn by the issuing agency", field="targetId"
        )
    raise ConflictError(
        f"target {target.id} was already acknowledged as {target.state.value}", field="targetId"
    )


def dispute_resolved(
    target: TakedownTarget,
    resolution: DisputeResolution,
    note: str,
    at: datetime,
    reopen_for: timedelta,
) -> tuple[TakedownTarget, bool]:
    """(the target after the agency's answer to its dispute, whether it changed).

    DISPUTED and UPHELD: PENDING again, deadline `at + reopen_for` (the order's own deadline
    delay: 24 h STANDARD, 4 h URGENT), the platform's note kept, no longer resolved or late.
    DISPUTED and WITHDRAWN: WITHDRAWN, resolved at `at`. The same answer again (state, resolution
    and note as stored): unchanged, so a retry is harmless. Anything else: ConflictError, since
    only a disputed target can be resolved.
    """
    if target.order_withdrawn:
        raise ConflictError(f"the order of target {target.id} was withdrawn", field="targetId")
    if target.state is TargetState.DISPUTED:
        if resolution is DisputeResolution.UPHELD:
            changed = replace(
                target,
                state=TargetState.PENDING,
                resolved_at=None,
                late=False,
                deadline=at + reopen_for,
            )
        else:
            changed = replace(target, state=TargetState.WITHDRAWN, resolved_at=at)
        return replace(changed, resolution=resolution, resolution_note=note), True
    expected = (
        TargetState.PENDING if resolution is DisputeResolution.UPHELD else TargetState.WITHDRAWN
    )
    if (
        target.state is expected
        and target.resolution is resolution
        and target.resolution_note == note
    ):
        return target, False
    raise ConflictError(
        f"target {target.id} is {target.state.value}; only a DISPUTED target can be resolved",
        field="targetId",
    )


def withdrawn_target(target: TakedownTarget, at: datetime) -> TakedownTarget:
    """The target once its order is withdrawn: PENDING and DISPUTED ones become WITHDRAWN
    (resolved at `at`); REMOVED and NOT_FOUND keep what the platform answered. All of them stop
    applying to verdicts."""
    if target.state in (TargetState.PENDING, TargetState.DISPUTED):
        return replace(target, state=TargetState.WITHDRAWN, resolved_at=at, order_withdrawn=True)
    return replace(target, order_withdrawn=True)


# --- Compliance ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    """How a platform answered the targets it received.

    on_time_rate: of the targets the platform has resolved (REMOVED, NOT_FOUND or DISPUTED), the
    share resolved at or before the deadline; None when none is resolved. Pending targets are not
    in it: those past their deadline are counted in `overdue`. Neither are WITHDRAWN ones (the
    agency closed them, not the platform), counted in `withdrawn`.
    notices_st1/2/3: the warning-ladder notices these targets earned, per level.
    Hours to removal: from the order's issue to the REMOVED acknowledgement, over REMOVED targets;
    the median, and the 90th percentile by linear interpolation between closest ranks (the
    "linear" method of numpy.percentile); None when nothing was removed.
    """

    received: int
    removed: int
    not_found: int
    disputed: int
    pending: int
    overdue: int
    withdrawn: int
    notices_st1: int
    notices_st2: int
    notices_st3: int
    on_time_rate: float | None
    median_hours_to_removal: float | None
    p90_hours_to_removal: float | None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def compliance_report(targets: Iterable[TakedownTarget], now: datetime) -> ComplianceReport:
    targets = list(targets)
    counts = {state: 0 for state in TargetState}
    for target in targets:
        counts[target.state] += 1
    resolved = [t for t in targets if t.state in ACKNOWLEDGED_STATES and t.resolved_at]
    on_time = sum(1 for t in resolved if t.resolved_at <= t.deadline)  # type: ignore[operator]
    hours = [
        (t.resolved_at - t.issued_at).total_seconds() / 3600  # type: ignore[operator]
        for t in resolved
        if t.state is TargetState.REMOVED
    ]
    notices = count_by_level(targets)
    return ComplianceReport(
        received=len(targets),
        removed=counts[TargetState.REMOVED],
        not_found=counts[TargetState.NOT_FOUND],
        disputed=counts[TargetState.DISPUTED],
        pending=counts[TargetState.PENDING],
        overdue=sum(1 for t in targets if overdue(t, now)),
        withdrawn=counts[TargetState.WITHDRAWN],
        notices_st1=notices[NoticeLevel.ST1],
        notices_st2=notices[NoticeLevel.ST2],
        notices_st3=notices[NoticeLevel.ST3],
        on_time_rate=(on_time / len(resolved)) if resolved else None,
        median_hours_to_removal=statistics.median(hours) if hours else None,
        p90_hours_to_removal=percentile(hours, 0.9),
    )


# --- URL normalisation --------------------------------------------------------------------------

# Query parameters that track a click and never identify a listing. Lowercased; `utm_*` too.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "ttclid",
        "twclid",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "spm",
        "scm",
        "sp_atk",
        "xptdk",
        "trkid",
        "clicktrackinfo",
        "srsltid",
        "_branch_match_id",
        "si",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HEX = "0123456789ABCDEFabcdef"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "/:@!$&'()*+,;="  # plus unreserved, which quote() never escapes
_QUERY_SAFE = "/:@!$'()*+,;=?"  # no "&": it separates parameters
_QUERY_KEY_SAFE = "/:@!$'()*+,;?"  # no "=" either: it ends the key
_HOST = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$")


def _normalise_component(text: str, safe: str) -> str:
    """Percent-escapes as RFC 3986 6.2.2 says: escapes in upper case, escaped unreserved
    characters decoded, anything not allowed escaped (UTF-8); a stray "%" becomes "%25"."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%":
            pair = text[i + 1 : i + 3]
            if len(pair) == 2 and pair[0] in _HEX and pair[1] in _HEX:
                decoded = chr(int(pair, 16))
                out.append(decoded if decoded in _UNRESERVED else "%" + pair.upper())
                i += 3
                continue
            out.append("%25")
        else:
            out.append(quote(char, safe=safe))
        i += 1
    return "".join(out)


def _host(hostname: str) -> str:
    if ":" in hostname:  # an IPv6 literal (urlsplit took the brackets off)
        try:
            return f"[{ipaddress.IPv6Address(hostname).compressed}]"
        except ValueError:
            raise BadUserInputError("url has an invalid IPv6 host", field="value") from None
    host = hostname.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):
        raise BadUserInputError("url has an invalid host", field="value") from None
    if not host or not _HOST.fullmatch(host):
        raise BadUserInputError("url has an invalid host", field="value")
    return host


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMETERS


def normalise_url(url: str) -> str:
    """One spelling per listing URL: http(s) only, with a host; scheme and host lowercased (and
    IDNA-encoded), default port, user info and fragment dropped, empty path as "/", percent-escapes
    normalised, tracking parameters (utm_*, fbclid, gclid, spm, ...) dropped, the remaining
    parameters sorted, a backslash read as a slash. Idempotent; raises nothing but
    BadUserInputError. Targets are matched by `url_match_key`, which goes further."""
    if not isinstance(url, str):
        raise BadUserInputError("url must be text", field="value")
    text = url.strip()
    if not text:
        raise BadUserInputError("url must not be empty", field="value")
    if len(text) > MAX_URL_INPUT_CHARS:
        raise BadUserInputError("url is too long", field="value")
    # A backslash is a slash, as browsers read http(s) URLs: "https://shop.example\\@evil.com/"
    # is a path on shop.example, never user info before the host evil.com.
    text = text.replace("\\", "/")
    try:
        return _normalise_url(text)
    except UnicodeError:  # e.g. lone surrogates, which cannot be encoded as UTF-8
        raise BadUserInputError("url is malformed", field="value") from None


def _normalise_url(text: str) -> str:
    try:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        hostname = parts.hostname
        port = parts.port
    except ValueError:
        raise BadUserInputError("url is malformed", field="value") from None
    if scheme not in _DEFAULT_PORTS:
        raise BadUserInputError("url must start with http:// or https://", field="value")
    if not hostname:
        raise BadUserInputError("url must name a host", field="value")
    host = _host(hostname)
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _normalise_component(parts.path, _PATH_SAFE) or "/"
    parameters: list[tuple[str, str | None]] = []
    for piece in parts.query.split("&"):
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        key = _normalise_component(key, _QUERY_KEY_SAFE)
        if not key and not sep:
            continue
        if _is_tracking(key):
            continue
        parameters.append((key, _normalise_component(value, _QUERY_SAFE) if sep else None))
    parameters.sort(key=lambda kv: (kv[0], kv[1] is not None, kv[1] or ""))
    query = "&".join(key if value is None else f"{key}={value}" for key, value in parameters)
    normalised = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    if len(normalised) > MAX_URL_CHARS:
        raise BadUserInputError("url is too long", field="value")
    return normalised


# --- One match key per listing URL ---------------------------------------------------------------

# Host prefixes that serve the same pages as the bare host (desktop, mobile).
_HOST_ALIASES = ("www.", "m.", "mobile.")
# Shopee names an item by shop and item id, in two spellings: ".../Any-Name-i.SHOP.ITEM" and
# "/product/SHOP/ITEM".
_SHOPEE_NAMED = re.compile(r"/(?:[^/]*-)?i\.(\d+)\.(\d+)")
_SHOPEE_PRODUCT = re.compile(r"/product/(\d+)/(\d+)")
# A Tokopedia listing is "/<shop>/<product slug>"; these first segments are Tokopedia's own pages.
_TOKOPEDIA_LISTING = re.compile(r"/([A-Za-z0-9][A-Za-z0-9_-]*)/([A-Za-z0-9][A-Za-z0-9_.%-]*)")
_TOKOPEDIA_PAGES = frozenset(
    {"search", "discovery", "find", "p", "b", "promo", "help", "cart", "login", "register",
     "hot", "edu", "blog", "about", "careers", "catalog", "official-store", "top-ads", "play"}
)


def _without_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: "/a/./b/../c" is "/a/c"; ".." never climbs above the root."""
    kept: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                kept.append("")
        elif segment == "..":
            if kept:
                kept.pop()
            if last:
                kept.append("")
        else:
            kept.append(segment)
    return "/" + "/".join(kept)


def url_match_key(url: str) -> str:
    """The key a URL target and a listing's URL are matched by: one per listing, however its
    URL is written. From `normalise_url`'s spelling: the scheme is dropped (http and https
    serve the same listing), so are a "www.", "m." or "mobile." host prefix, dot segments and
    a trailing slash; a backslash reads as a slash (normalise_url). Each marketplace's forms of
    one item become one: Shopee's "Name-i.SHOP.ITEM" and "/product/SHOP/ITEM" are
    "<host>/product/SHOP/ITEM"; a Tokopedia listing "/<shop>/<slug>" is lowercased and loses
    its query (display and tracking parameters, never the listing's identity). Raises only
    BadUserInputError, as normalise_url."""
    parts = urlsplit(normalise_url(url))
    host = parts.netloc
    for alias in _HOST_ALIASES:
        if host.startswith(alias) and "." in host[len(alias) :]:
            host = host[len(alias) :]
            break
    path = _without_dot_segments(parts.path)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    if host.startswith("shopee."):
        item = _SHOPEE_PRODUCT.fullmatch(path) or _SHOPEE_NAMED.fullmatch(path)
        if item:
            return f"{host}/product/{item[1]}/{item[2]}"
    if host == "tokopedia.com":
        listing = _TOKOPEDIA_LISTING.fullmatch(path)
        if listing and listing[1].lower() not in _TOKOPEDIA_PAGES:
            return f"{host}{path.lower()}"
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True, slots=True)
class ActiveOrderIndex:
    """A platform's active targets (PENDING or REMOVED) by what they name, for matching many
    listings without a read per listing: by listing id, normalised URL, or seller (SHOP and
    ACCOUNT targets). It answers as the per-listing match items do."""

    by_listing: dict[str, frozenset[str]]
    by_url: dict[str, frozenset[str]]
    by_seller: dict[str, frozenset[str]]

    @classmethod
    def of(cls, targets: Iterable[TakedownTarget]) -> ActiveOrderIndex:
        found: dict[TargetKind, dict[str, set[str]]] = {kind: {} for kind in TargetKind}
        for target in targets:
            if target.applies:
                value = (
                    url_match_key(target.value) if target.kind is TargetKind.URL else target.value
                )
                found[target.kind].setdefault(value, set()).add(target.reference)
        sellers = found[TargetKind.SHOP]
        for seller, references in found[TargetKind.ACCOUNT].items():
            sellers.setdefault(seller, set()).update(references)

        def frozen(table: dict[str, set[str]]) -> dict[str, frozenset[str]]:
            return {value: frozenset(references) for value, references in table.items()}

        return cls(
            frozen(found[TargetKind.LISTING]), frozen(found[TargetKind.URL]), frozen(sellers)
        )

    def references(self, listing_id: str, seller_id: str, url: str | None) -> tuple[str, ...]:
        # Nearly every listing of a catalog matches nothing: answer those without allocating.
        by_listing = self.by_listing.get(listing_id)
        by_seller = self.by_seller.get(seller_id)
        by_url = None
        if url and self.by_url:
            with suppress(BadUserInputError):  # a malformed URL cannot match a URL target
                by_url = self.by_url.get(url_match_key(url))
        if not (by_listing or by_seller or by_url):
            return ()
        return tuple(
            sorted(
                (by_listing or frozenset()) | (by_seller or frozenset()) | (by_url or frozenset())
            )
        )
