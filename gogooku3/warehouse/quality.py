"""Read the data-quality report (dbt model quality.dq_daily_report) for `gogooku3 quality`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

REPORT = "quality.dq_daily_report"


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    severity: str  # 'error' | 'warn'
    description: str
    days: int  # days in the window on which the check ran
    days_flagged: int
    n_checked: int
    n_flagged: int
    examples: list[str]
    detail: str | None  # the latest flagged item in words

    @property
    def status(self) -> str:
        if self.days == 0:
            return "not run"
        if self.n_flagged == 0:
            return "pass"
        return "fail" if self.severity == "error" else "warn"


@dataclass(frozen=True)
class QualityReport:
    start: date
    end: date
    checks: list[CheckResult]

    def failing(self, severities: tuple[str, ...] = ("error",)) -> list[CheckResult]:
        return [c for c in self.checks if c.n_flagged > 0 and c.severity in severities]


def read_report(db_path: Path, *, on: date | None = None, days: int = 1) -> QualityReport:
    """The report over the `days` loaded trading days ending `on` (default: the latest)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if not db_path.exists():
        raise FileNotFoundError(
            f"{db_path} does not exist: run `gogooku3 demo` or `gogooku3 ingest` and `dbt build` first"
        )
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.IOException as exc:
        raise RuntimeError(
            f"cannot open {db_path} ({exc}); is a dbt build writing it? "
            "Wait for it to end, or read the published snapshot (`gogooku3 publish`)."
        ) from None
    with con:
        try:
            loaded = [r[0] for r in con.execute(f"select distinct date from {REPORT} order by date").fetchall()]
        except duckdb.CatalogException:
            raise LookupError(f"{db_path} has no {REPORT}: run `dbt build --profiles-dir .` first") from None
        if not loaded:
            raise LookupError(f"{REPORT} is empty: no bars are loaded")
        end = on or loaded[-1]
        window = [d for d in loaded if d <= end][-days:]
        if not window or (on is not None and on not in loaded):
            raise LookupError(f"{on} is not a loaded trading day (loaded: {loaded[0]} … {loaded[-1]})")
        rows = con.execute(
            f"""
            select
                c.check_name, c.severity, c.description,
                count(r.date), count(r.date) filter (where r.n_flagged > 0),
                coalesce(sum(r.n_checked), 0), coalesce(sum(r.n_flagged), 0),
                coalesce(list_distinct(flatten(list(r.examples order by r.date desc))), []),
                arg_max(r.detail, r.date) filter (where r.n_flagged > 0)
            from quality.dq_checks c
            left join {REPORT} r on r.check_name = c.check_name and r.date between ? and ?
            group by all
            order by c.severity, c.check_name
            """,
            [window[0], window[-1]],
        ).fetchall()
    checks = [
        CheckResult(name, sev, desc, n_days, n_days_flagged, int(n_checked), int(n_flagged), examples, detail)
        for name, sev, desc, n_days, n_days_flagged, n_checked, n_flagged, examples, detail in rows
    ]
    return QualityReport(window[0], window[-1], checks)
