"""Structured claims files (YAML `claims:` list) validated against a pydantic schema."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from aiatlas import safe_yaml
from aiatlas.claims.model import KINDS, QUALIFIERS, Claim, Entity, Quantity
from aiatlas.claims.numbers import MAX_ABS, finite
from aiatlas.claims.patterns import Pattern
from aiatlas.claims.precision import Slack
from aiatlas.errors import DataError, UsageError

Scalar = str | int | float | bool
_NUMBERS = f"value, high, year, scale and tolerance must be numbers (at most {MAX_ABS:g} in size)"


def _finite(v):
    """A number JSON can carry (no inf, nan or 1e400), else the one message for all of them."""
    if v is None:
        return v
    try:
        return finite(float(v))
    except (TypeError, ValueError, OverflowError):
        raise ValueError(_NUMBERS) from None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class ToleranceSpec(_Strict):
    """How far the data may be: the larger of rel (fraction of the claim) and abs (claim units)."""

    rel: float = 0.0
    abs: float = 0.0

    _bounded = field_validator("rel", "abs", mode="before")(lambda cls, v: _finite(v))


class FactQuery(_Strict):
    """Which curated fact: topic, subject, measure."""

    topic: str
    subject: str | None = None
    measure: str | None = None


class Entry(_Strict):
    """One claim of a claims file: the figure, and a pattern, an indicator or a fact to check it."""

    text: str | None = None
    value: float | None = None
    high: float | None = None
    unit: str = ""
    kind: Literal[KINDS] = "count"  # type: ignore[valid-type]
    qualifier: Literal[QUALIFIERS] = "exact"  # type: ignore[valid-type]
    currency: str = ""
    date: str | None = None
    year: int | None = None
    lang: Literal["en", "ja", "zh"] = "en"
    pattern: str | None = None
    country: str | None = None
    state: str | None = None
    organization: str | None = None
    benchmark: str | None = None
    indicator: str | None = None
    params: dict[str, Scalar] = {}
    where: dict[str, Scalar] = {}
    value_column: str = "value"
    scale: float = 1.0
    rank_by: str | None = None
    subject: str | None = None
    fact: FactQuery | None = None
    tolerance: ToleranceSpec | None = None

    _bounded = field_validator("value", "high", "scale", mode="before")(lambda cls, v: _finite(v))

    @field_validator("year")
    @classmethod
    def _year(cls, v):
        if v is not None and not 1 <= v <= 9999:
            raise ValueError(f"year {v} (expected 1 to 9999)")
        return v

    @field_validator("date", mode="before")
    @classmethod
    def _iso(cls, v):  # an unquoted YAML date arrives as a date
        return v.isoformat() if isinstance(v, dt.date) else v

    @field_validator("params", "where", mode="before")
    @classmethod
    def _iso_values(cls, v):  # 'where: {date: 2025-12-11}' unquoted: a date, read as its text
        if isinstance(v, dict):
            return {k: x.isoformat() if isinstance(x, dt.date) else x for k, x in v.items()}
        return v


class ClaimsFile(_Strict):
    """The whole file."""

    claims: list[Entry]


def load(path: Path) -> list[Entry]:
    """The file's entries; a DataError naming the file, the claim and the field otherwise."""
    try:
        doc = safe_yaml.load(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read as UTF-8 text ({e.__class__.__name__})") from None
    try:
        entries = ClaimsFile.model_validate(doc if isinstance(doc, dict) else {"_": doc}).claims
    except ValidationError as e:
        err = e.errors()[0]
        loc = list(err["loc"])
        while len(loc) > 1 and loc[-1] in ("str", "int", "float", "bool"):
            loc.pop()  # the member of a union pydantic tried last: not a field of the file
        where = f"claim {loc[1] + 1}" if len(loc) > 1 and loc[0] == "claims" else ""
        field = ".".join(str(x) for x in loc[2:]) if where else ".".join(map(str, loc))
        raise DataError(f"{path}: {where + ': ' if where else ''}field '{field or 'claims'}': "
                        f"{err['msg'].removeprefix('Value error, ')}", hint="see docs/claims.md, 'Structured claims file'") from None
    for i, entry in enumerate(entries, 1):
        ways = [x for x in ("pattern", "indicator", "fact") if getattr(entry, x) is not None]
        if len(ways) != 1:
            raise DataError(f"{path}: claim {i}: give exactly one of pattern, indicator or fact "
                            f"(found {', '.join(ways) or 'none'})")
        if entry.value is None and entry.kind != "date":
            raise DataError(f"{path}: claim {i}: field 'value': missing")
    return entries


def validate_names(path: Path, entries: list[Entry], patterns: dict[str, Pattern],
                   indicators: dict[str, dict], facts: list[dict] | None = None) -> None:
    """Unknown patterns, indicators, parameters and fact topics or measures are usage errors
    (exit 2), named with the claim; `facts` are every curated fact (their topics and measures)."""
    measures: dict[str, set[str]] = {}
    for f in facts or ():
        measures.setdefault(str(f.get("topic")), set()).add(str(f.get("measure")))
    for i, e in enumerate(entries, 1):
        where = f"{path}: claim {i}"
        if e.fact is not None and measures and e.fact.topic not in measures:
            raise UsageError(f"{where}: unknown fact topic {e.fact.topic!r}",
                             hint="topics: " + ", ".join(sorted(measures)))
        if e.fact is not None and measures and e.fact.measure is not None and \
                e.fact.measure not in measures[e.fact.topic]:
            raise UsageError(f"{where}: unknown measure {e.fact.measure!r} for topic {e.fact.topic}",
                             hint="measures: " + ", ".join(sorted(measures[e.fact.topic])))
        if e.pattern is not None and e.pattern not in patterns:
            raise UsageError(f"{where}: unknown pattern {e.pattern!r}",
                             hint="patterns: " + ", ".join(sorted(patterns)))
        if e.indicator is None:
            continue
        meta = indicators.get(e.indicator)
        if meta is None:
            raise UsageError(f"{where}: unknown indicator {e.indicator!r}",
                             hint="`aiatlas list` shows the indicators")
        columns = list(meta.get("value_columns") or ["value"])
        if e.value_column not in columns:
            if "value_column" in e.model_fields_set:
                raise UsageError(f"{where}: unknown value_column {e.value_column!r} for {e.indicator}",
                                 hint="value columns: " + ", ".join(columns))
            e.value_column = columns[0]  # the indicator's own value: 'gap' of arena_gap
        names = {p["name"] for p in meta.get("parameters") or []}
        bad = sorted(set(e.params) - names)
        if bad:
            raise UsageError(f"{where}: unknown parameter {', '.join(bad)} for {e.indicator}",
                             hint="parameters: " + (", ".join(sorted(names)) or "none"))


def to_claim(e: Entry, patterns: dict[str, Pattern]):
    """A Claim, the pattern that checks it, and what it asserts (None: bind the named pattern)."""
    value = e.value if e.value is not None else 0.0
    q = Quantity(value=value, kind=e.kind, unit=e.unit, high=e.high, currency=e.currency,
                 qualifier=e.qualifier, qualifier_text=e.qualifier, rank=e.kind == "rank",
                 date=e.date)
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"  # not '1.09e+11'
    text = e.text or f"{shown} {e.unit or e.currency}".strip()
    claim = Claim(text=text, start=0, end=len(text), sentence=text, lang=e.lang, quantity=q,
                  year=e.year, keywords=text.lower())
    tol = Slack(e.tolerance.rel, e.tolerance.abs) if e.tolerance else None
    if e.pattern is not None:
        pattern = patterns[e.pattern]
        pattern = dataclasses.replace(pattern, tolerance=tol) if tol else pattern
        named = {"country": e.country, "state": e.state, "organization": e.organization,
                 "benchmark": e.benchmark}
        claim.subjects = [Entity(v, k, v, -1, -1, v if k == "country" else None)
                          for k, v in named.items() if v]
        return claim, pattern, None
    pattern = Pattern(id=f"claims-file:{e.indicator or 'fact'}", describe="from the claims file",
                      kinds=(e.kind,), keywords=(), tolerance=tol or Slack(),
                      indicator=e.indicator, fact=e.fact.model_dump() if e.fact else None)
    if e.fact is not None:
        query = {k: v for k, v in e.fact.model_dump().items() if v is not None}
        if e.year is not None:
            query["year"] = e.year
        return claim, pattern, {"fact": query}
    return claim, pattern, {"indicator": e.indicator, "params": dict(e.params),
                            "where": dict(e.where), "value_column": e.value_column,
                            "scale": e.scale, "rank_by": e.rank_by, "subject": e.subject,
                            "period": None}
