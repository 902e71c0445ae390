"""Settings, read from the environment when asked for (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

from saring.domain.errors import BadUserInputError

DEFAULT_PLATFORMS = ("shopee", "tokopedia", "bukalapak", "lazada", "blibli", "tiktokshop")


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadUserInputError(f"setting {name} must be a whole number, got {raw!r}") from None


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _positive(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise BadUserInputError(f"setting {name} must be at least 1, got {value}")
    return value


def _rate(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise BadUserInputError(f"setting {name} must be a number from 0 to 1, got {raw!r}")
    return value


def _platforms(raw: str | None) -> tuple[str, ...]:
    platforms = tuple(p.strip() for p in (raw or "").split(",") if p.strip())
    return platforms or DEFAULT_PLATFORMS


@dataclass(frozen=True)
class Settings:
    table_name: str = "saring"
    model_dir: str | None = None
    known_platforms: tuple[str, ...] = DEFAULT_PLATFORMS
    max_batch: int = 100
    max_title_chars: int = 500
    max_description_chars: int = 10_000
    max_body_bytes: int = 1024 * 1024
    # A body still arriving after this is refused (408): a slow client must not hold a worker.
    body_timeout_seconds: float = 10.0
    max_json_depth: int = 32  # the deepest documented request body nests 5 levels
    max_query_depth: int = 8  # the deepest documented operation needs 5
    max_query_tokens: int = 2_000
    max_aliases: int = 30
    max_query_cost: int = 10_000  # see saring.api.cost
    introspection: bool = True
    key_cache_seconds: int = 60
    links_per_hour: int = 1_000  # identity links per platform per UTC hour
    strike_expiry: timedelta = timedelta(days=365)
    warned_at: int = 1
    restricted_at: int = 2
    blocked_at: int = 3
    standard_deadline: timedelta = timedelta(hours=24)
    urgent_deadline: timedelta = timedelta(hours=4)
    # The warning ladder (saring.domain.notices): ST2 this long after ST1, ST3 after ST2.
    notice_st2_after: timedelta = timedelta(hours=24)
    notice_st3_after: timedelta = timedelta(hours=24)
    appeal_overdue: timedelta = timedelta(days=14)  # an appeal still OPEN after this is overdue
    identity_secret: str | None = field(default=None, repr=False)
    identity_secret_parameter: str | None = None
    # Learning loop (docs/learning-loop.md): review outcomes and the audit sample.
    label_table: str | None = None  # None: "<table_name>-labels"
    label_retention: timedelta = timedelta(days=730)
    audit_sample_rate: float = 0.01
    shadow_model_dir: str | None = None
    # Drift (saring.domain.drift): the platforms the drift job judges, and the fewest verdicts
    # a day (and a week) needs to be judged at all.
    drift_platforms: tuple[str, ...] = DEFAULT_PLATFORMS
    drift_minimum_verdicts: int = 1000

    @property
    def label_table_name(self) -> str:
        return self.label_table or f"{self.table_name}-labels"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        platforms = env.get("SARING_PLATFORMS")
        return cls(
            table_name=env.get("SARING_TABLE", cls.table_name),
            model_dir=env.get("SARING_MODEL_DIR") or None,
            known_platforms=_platforms(platforms),
            max_batch=_int(env, "SARING_MAX_BATCH", cls.max_batch),
            introspection=_bool(env, "SARING_INTROSPECTION", cls.introspection),
            key_cache_seconds=_int(env, "SARING_KEY_CACHE_SECONDS", cls.key_cache_seconds),
            links_per_hour=_int(env, "SARING_LINKS_PER_HOUR", cls.links_per_hour),
            strike_expiry=timedelta(days=_int(env, "SARING_STRIKE_EXPIRY_DAYS", 365)),
            warned_at=_int(env, "SARING_WARNED_AT", cls.warned_at),
            restricted_at=_int(env, "SARING_RESTRICTED_AT", cls.restricted_at),
            blocked_at=_int(env, "SARING_BLOCKED_AT", cls.blocked_at),
            standard_deadline=timedelta(hours=_int(env, "SARING_STANDARD_DEADLINE_HOURS", 24)),
            urgent_deadline=timedelta(hours=_int(env, "SARING_URGENT_DEADLINE_HOURS", 4)),
            notice_st2_after=timedelta(hours=_int(env, "SARING_NOTICE_ST2_AFTER_HOURS", 24)),
            notice_st3_after=timedelta(hours=_int(env, "SARING_NOTICE_ST3_AFTER_HOURS", 24)),
            appeal_overdue=timedelta(days=_int(env, "SARING_APPEAL_OVERDUE_DAYS", 14)),
            identity_secret=env.get("SARING_IDENTITY_SECRET") or None,
            identity_secret_parameter=env.get("SARING_IDENTITY_SECRET_PARAMETER") or None,
            label_table=env.get("SARING_LABEL_TABLE") or None,
            label_retention=timedelta(days=_positive(env, "SARING_LABEL_RETENTION_DAYS", 730)),
            audit_sample_rate=_rate(env, "SARING_AUDIT_SAMPLE_RATE", cls.audit_sample_rate),
            shadow_model_dir=env.get("SARING_SHADOW_MODEL_DIR") or None,
            drift_platforms=_platforms(env.get("SARING_DRIFT_PLATFORMS")),
            drift_minimum_verdicts=_positive(
                env, "SARING_DRIFT_MINIMUM_VERDICTS", cls.drift_minimum_verdicts
            ),
        )
