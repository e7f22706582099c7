"""The dashboard's view state in the URL (?country=USA~CHN&time=2015..2025), shared by pages and API."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pyarrow as pa

from aiatlas.errors import UsageError
from aiatlas.results import Result

VIEW_KEYS = ("country", "time")
FILTER_COLUMNS = ("country", "country_code", "region")
TIME_COLUMNS = ("year", "date", "month", "quarter")


@dataclasses.dataclass(frozen=True)
class View:
    """Which countries and which years of an indicator's rows are shown."""

    countries: tuple[str, ...] = ()
    start: int | None = None
    end: int | None = None

    def __bool__(self) -> bool:
        return bool(self.countries) or self.start is not None or self.end is not None

    def query(self) -> list[tuple[str, str]]:
        """The view as URL query pairs, in the documented form."""
        out = [("country", "~".join(self.countries))] if self.countries else []
        if self.start is not None or self.end is not None:
            out.append(("time", f"{self.start or ''}..{self.end or ''}"))
        return out


def parse(values: dict[str, list[str]]) -> View:
    """A View from query values: country=USA~CHN (or repeated, or comma-separated), time=A..B."""
    countries = tuple(dict.fromkeys(c.strip().upper() for v in values.get("country", [])
                                    for part in v.split("~") for c in part.split(",") if c.strip()))
    start = end = None
    for v in values.get("time", []):
        a, sep, b = v.partition("..")
        try:
            if sep:
                start, end = (int(a) if a else None), (int(b) if b else None)
            else:
                start = end = int(a)
        except ValueError:
            raise UsageError(f"time={v!r} is not a year range (expected e.g. 2015..2025)") from None
    return View(countries, start, end)


def _year(v: Any) -> int | None:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.year
    try:
        return int(str(v)[:4])
    except (TypeError, ValueError):
        return None


def row_year(grain: list[str], row: dict[str, Any]) -> int | None:
    """The year of a row's time column, if the indicator has one."""
    tcol = next((c for c in TIME_COLUMNS if c in grain), None)
    return _year(row.get(tcol)) if tcol else None


def keep(view: View, grain: list[str], row: dict[str, Any]) -> bool:
    """True when the row is inside the view (columns the indicator lacks do not filter)."""
    col = next((c for c in FILTER_COLUMNS if c in grain), None)
    if view.countries and col and str(row.get(col)) not in view.countries:
        return False
    year = row_year(grain, row)
    return not (year is not None and (view.start is not None and year < view.start or view.end is not None and year > view.end))


def apply(view: View, result: Result) -> Result:
    """The result narrowed to the view: exactly the rows the page shows."""
    grain = list(result.meta.get("grain") or [])
    mask = pa.array([keep(view, grain, r) for r in result.table.to_pylist()], type=pa.bool_())
    return dataclasses.replace(result, table=result.table.filter(mask),
                               meta=result.meta | {"view": dict(view.query())})
