"""Settings from the environment and what each J-Quants plan allows."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
DEFAULT_API_BASE = "https://api.jquants.com/v2"
DEFAULT_DUCKDB = "data/gogooku3.duckdb"

PLAN_ORDER = ("free", "light", "standard", "premium")
#: requests per minute per plan (fact sheet §2.6); /fins/summary has its own limit
PLAN_RATE_LIMITS = {"free": 5, "light": 60, "standard": 120, "premium": 500}
FINS_SUMMARY_RATE_LIMIT = 60
#: years of history per plan (fact sheet §2.8); free is a delayed 2-year window
PLAN_HISTORY_YEARS = {"free": 2, "light": 5, "standard": 10, "premium": 20}
FREE_DELAY = timedelta(weeks=12)


class ConfigError(ValueError):
    """A setting is missing or invalid; the message says how to fix it."""


def today_jst() -> date:
    return datetime.now(JST).date()


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


@dataclass(frozen=True)
class PlanWindow:
    start: date
    end: date


def plan_window(plan: str, today: date) -> PlanWindow:
    """The dates a plan may request (inclusive)."""
    if plan == "free":
        end = today - FREE_DELAY
        return PlanWindow(_years_before(end, 2), end)
    return PlanWindow(_years_before(today, PLAN_HISTORY_YEARS[plan]), today)


def plan_allows(plan: str, min_plan: str) -> bool:
    return PLAN_ORDER.index(plan) >= PLAN_ORDER.index(min_plan)


def check_api_base(url: str) -> str:
    """JQUANTS_API_BASE must be an http(s) URL of an API v2 root (its path ends in /v2)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"JQUANTS_API_BASE={url!r} is not an http(s) URL; use {DEFAULT_API_BASE} "
            "(or http://127.0.0.1:8765/v2 for `gogooku3 fake-api`)"
        )
    if not parts.path.rstrip("/").endswith("/v2"):
        raise ConfigError(
            f"JQUANTS_API_BASE={url!r} does not end in /v2, the API v2 root; "
            f"use {DEFAULT_API_BASE} (or http://127.0.0.1:8765/v2 for `gogooku3 fake-api`)"
        )
    return url


@dataclass(frozen=True)
class Settings:
    api_key: str | None
    api_base: str = DEFAULT_API_BASE
    plan: str = "light"
    rate_limit: int | None = None  # requests/minute override; 0 = unlimited
    duckdb_path: Path = field(default_factory=lambda: Path(DEFAULT_DUCKDB))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        plan = env.get("JQUANTS_PLAN", "light").strip().lower() or "light"
        if plan not in PLAN_ORDER:
            raise ConfigError(f"JQUANTS_PLAN={plan!r} is not a J-Quants plan; use one of {', '.join(PLAN_ORDER)}")
        raw_limit = env.get("JQUANTS_RATE_LIMIT", "").strip()
        rate_limit = None
        if raw_limit:
            try:
                rate_limit = int(raw_limit)
            except ValueError:
                raise ConfigError(
                    f"JQUANTS_RATE_LIMIT={raw_limit!r} must be an integer (requests/minute, 0 = no limit)"
                ) from None
            if rate_limit < 0:
                raise ConfigError("JQUANTS_RATE_LIMIT must be >= 0 (0 = no limit)")
        return cls(
            api_key=env.get("JQUANTS_API_KEY") or None,
            api_base=check_api_base((env.get("JQUANTS_API_BASE") or DEFAULT_API_BASE).strip().rstrip("/")),
            plan=plan,
            rate_limit=rate_limit,
            duckdb_path=Path(env.get("GOGOOKU3_DUCKDB") or DEFAULT_DUCKDB),
        )

    def requests_per_minute(self, path: str) -> int | None:
        """The client-side limit for one endpoint; None means unlimited."""
        if self.rate_limit is not None:
            return self.rate_limit or None
        if path == "/fins/summary":
            return min(FINS_SUMMARY_RATE_LIMIT, PLAN_RATE_LIMITS[self.plan])
        return PLAN_RATE_LIMITS[self.plan]
