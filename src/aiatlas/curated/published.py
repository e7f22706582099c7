"""Figures published by others (curated/published/*.yaml), validated, for `aiatlas reconcile`."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from aiatlas.errors import DataError
from aiatlas.safe_yaml import SafeLoader  # libyaml's parser: the package's own files

FOLDER = Path(__file__).parent / "published"


class Alternative(BaseModel):
    """Another rule to recompute with: its name in words, and the parameters (or the day of
    the cell) that apply it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str
    rule_ja: str | None = None  # the rule in Japanese, for the Japanese report (else the English)
    params: dict[str, Any] = {}
    last_on_or_before: dict[str, dt.date] = {}


class Recompute(BaseModel):
    """How aiatlas recomputes a figure: indicator, parameters, which cell, which column."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    indicator: str
    params: dict[str, Any] = {}
    where: dict[str, Any] = {}
    last_on_or_before: dict[str, dt.date] = {}  # {column: day}: the latest row up to that day
    column: str


class Breakdown(BaseModel):
    """The publisher's own split of a count (e.g. per organization, from another of its charts):
    where a later export holds more rows, it names the rows beyond the publisher's count."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    by: str  # the explain column to split by (a list column counts a row once per entry)
    published: dict[str, int]  # the publisher's count per value; a value not listed had none
    printed_in: str  # where the publisher printed the split, e.g. "Figure 1.3.6"
    printed_in_ja: str | None = None


class Figure(BaseModel):
    """One published figure, as printed, with where we read it and how to recompute it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    figure: str
    value: float
    unit: str
    as_printed: str
    read_in: str
    compute: Recompute
    figure_ja: str | None = None  # the figure in Japanese, for the Japanese report
    tolerance: float
    alternatives: list[Alternative] = []
    breakdown: Breakdown | None = None
    # whose data the figure counts when it is not the publication's `data_source` ('LMArena'),
    # '' when not recorded; the publication's `data_as_of` then does not date it
    data_source: str | None = None


class Publication(BaseModel):
    """A publication and the figures of it that aiatlas reconciles."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    publisher: str
    title: str
    url: str
    published: dt.date
    vintage: dt.date
    # the date of the publisher's own data snapshot, when it states one (rows added to the
    # source after it explain a later export's higher counts)
    data_as_of: dt.date | None = None
    data_source: str | None = None  # whose data the figures count ('Epoch AI'), for the reader
    reported_by: dict[str, str]
    figures: list[Figure]


def _load(path: Path) -> Publication:
    shown = f"curated/published/{path.name}"
    try:
        pub = Publication.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader))
    except yaml.YAMLError as e:
        raise DataError(f"{shown}: not valid YAML ({e})") from None
    except ValidationError as e:
        err = e.errors()[0]
        raise DataError(f"{shown}: {'.'.join(map(str, err['loc']))}: {err['msg']}",
                        hint="see the schema in src/aiatlas/curated/published.py") from None
    for f in pub.figures:
        if f.read_in not in pub.reported_by:
            raise DataError(f"{shown}: figure {f.id!r}: read_in {f.read_in!r} is not in "
                            f"reported_by (expected one of: {', '.join(pub.reported_by)})")
        if f.breakdown and sum(f.breakdown.published.values()) != f.value:
            raise DataError(f"{shown}: figure {f.id!r}: breakdown.published sums to "
                            f"{sum(f.breakdown.published.values())}, not the figure's {f.value:g} "
                            "(a split must account for the whole figure)")
    return pub


@lru_cache(maxsize=1)
def by_file() -> dict[str, Publication]:
    """Every curated publication by its file name without .yaml ('ai_index_2025'), in order."""
    return {p.stem: _load(p) for p in sorted(FOLDER.glob("*.yaml"))}


def publications() -> tuple[Publication, ...]:
    """Every curated publication, in file-name order."""
    return tuple(by_file().values())
