"""Key findings: templated sentences (en, ja) whose numbers are read from indicator rows."""
from __future__ import annotations

import csv
import io
import re
import string
from pathlib import Path
from typing import Any

import yaml

from aiatlas import api
from aiatlas.report import headlines, rules
from aiatlas.safe_yaml import SafeLoader  # libyaml's parser: the package's own files
from aiatlas.sources import registry

FINDINGS_FILE = Path(__file__).parent / "findings.yaml"
SUBJECT_COLUMNS = ("country", "subject")


def declared() -> list[dict[str, Any]]:
    """The finding declarations, in display order."""
    with open(FINDINGS_FILE, encoding="utf-8") as f:
        return yaml.load(f, Loader=SafeLoader) or []


def _name(subject: Any, lang: str) -> str:
    """A country as written mid-sentence in the reader's language ("the United States")."""
    if not subject:
        return ""
    name = rules.country_name(subject, lang)
    return "the " + name if lang == "en" and subject in rules.THE_NAMES else name


def sentence(decl: dict[str, Any], row: dict[str, Any], lang: str) -> str:
    """The finding's sentence in one language, its numbers taken from the row (and from the
    row it is compared with, as other_<column>, other_name and ratio_pct)."""
    subject = next((row[c] for c in SUBJECT_COLUMNS if row.get(c)), None)
    fields = dict(row, name=_name(subject, lang), pct=(row.get("value") or 0) * 100)
    other = row.get("_versus")
    if other:
        fields |= {f"other_{k}": v for k, v in other.items()}
        fields["other_name"] = _name(next((other[c] for c in SUBJECT_COLUMNS if other.get(c)), None), lang)
        if row.get("value") is not None and other.get("value"):
            fields["ratio_pct"] = row["value"] / other["value"] * 100
    ties = row.get("_ties") or []
    fields["tied"] = (decl["tied"][lang].format(values=(" and " if lang == "en" else "、").join(
        map(str, ties))) if ties else "")
    fields["note"] = " ".join(n[lang] for n in decl.get("notes") or [] if _applies(n, row))
    fields = {k: _Number(v, lang) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
              for k, v in fields.items()}
    text = decl[lang].format(**fields)
    return text[:1].upper() + text[1:]


def _applies(note: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether a finding's note holds for its row: `equal: [a, b]` (the two columns are equal,
    e.g. a lag at the top of its range, which a reader would take for a bug unless told why)."""
    a, b = note["equal"]
    return row.get(a) is not None and row.get(a) == row.get(b)


class _Number:
    """A number in a sentence: formatted as asked, except that `approx` rounds it to
    headlines.APPROX_DIGITS significant digits as a reader says it ("about" is the sentence's: 1.39
    million, 231,000; ja 139万) and, in Japanese, a thousands-grouped one (`{value:,.0f}`) of
    10^4 or more is written in 万/億 (headlines.japanese)."""

    def __init__(self, value: int | float, lang: str):
        self.value, self.lang = value, lang

    def __format__(self, spec: str) -> str:
        if spec == "approx":
            return headlines.approx(self.value, self.lang)
        if self.lang == "ja" and "," in spec and (ja := headlines.japanese(round(self.value))):
            return ja
        return format(self.value, spec)


def pick(decl: dict[str, Any], rows: list[dict[str, Any]], today=None) -> dict[str, Any] | None:
    """The one row a finding states (None when the data holds no such row).

    `above: {column: x}` keeps rows whose column exceeds x (a sentence saying "higher" or
    "above" is never filled from a row where the order is reversed); `versus: {column: value}`
    pairs the row with the row of the same `latest` period matching those values (its value
    must be above 0), kept under "_versus". `latest: [year, quarter]` keeps the rows of the
    latest pair; `earliest: column` the rows at the column's minimum (the first of its kind);
    `since_earliest: column` pairs the row with the row at the column's minimum (a change since
    the first: other_<column>), at least `min_span_days` before it (a change over a month of a
    new rating scale is no trend: the latest row far enough from its first is stated). `span:
    column` adds first_<column> and last_<column>, the column's range over every row (the years a
    trend fitted to every row covers)."""
    all_rows = rows
    for col, pattern in (decl.get("match") or {}).items():
        rows = [r for r in rows if r.get(col) is not None and re.search(pattern, str(r[col]))]
    for col, floor in (decl.get("above") or {}).items():
        rows = [r for r in rows if r.get(col) is not None and r[col] > floor]
    # a row missing a number the sentence states cannot state it (no "None", no 0% guessed)
    rows = [r for r in rows if all(r.get(f) is not None for f in _fields(decl))]
    if decl.get("versus"):
        rows = [r | {"_versus": o} for r in rows if (o := _versus(decl, r, all_rows))]
    if decl.get("since_earliest"):  # the change since the first row: it is the `other` one
        col = decl["since_earliest"]
        rows = [r | {"_versus": first} for r in rows
                if (first := _first_on_basis(r, col, all_rows)) is not None and r is not first
                and ("min_span_days" not in decl or (rules.day(r[col]) - rules.day(first[col])).days >= decl["min_span_days"])]
    rows = [r for r in rows if all(r.get(c) == v for c, v in (decl.get("where") or {}).items())]
    decl = {k: v for k, v in decl.items() if k != "where"}
    if isinstance(decl.get("latest"), list):  # latest: [year, quarter]: the latest quarter
        cols = decl.pop("latest")
        rows = [r for r in rows if all(r.get(c) is not None for c in cols)]
        last = max((tuple(r[c] for c in cols) for r in rows), default=None)
        rows = [r for r in rows if tuple(r[c] for c in cols) == last]
    if decl.get("earliest"):  # the first of its kind: rows at the column's minimum
        col = decl["earliest"]
        present = [r[col] for r in rows if r.get(col) is not None]
        rows = [r for r in rows if present and r.get(col) == min(present)]
    chosen = headlines.select(decl, rows, today)
    if not chosen:
        return None
    if decl.get("span"):  # what a fit over every row covers: first_<column> and last_<column>
        col = decl["span"]
        have = [r[col] for r in all_rows if r.get(col) is not None]
        chosen = [chosen[0] | {f"first_{col}": min(have), f"last_{col}": max(have)}] if have else []
        if not chosen:
            return None
    if decl.get("top") and decl.get("tied"):  # "their most": other rows at the same maximum
        ranked = headlines.select(decl | {"limit": None}, rows, today)
        top, by = decl["top"], decl["tied"]["column"]
        ties = [r[by] for r in ranked[1:] if r[top] == chosen[0][top]]
        return chosen[0] | {"_ties": ties} if ties else chosen[0]
    return chosen[0]


def _first_on_basis(row: dict[str, Any], col: str, rows: list[dict[str, Any]]) -> dict | None:
    """The row at the column's minimum among those on the row's basis (the same value of each
    rules.SEGMENT_COLUMNS column, e.g. one Arena rating scale): a change is told on one basis."""
    same = [r for r in rows if r.get(col) is not None
            and all(r.get(c) == row.get(c) for c in rules.SEGMENT_COLUMNS)]
    return min(same, key=lambda r: r[col], default=None)


def _versus(decl: dict[str, Any], row: dict[str, Any], rows: list[dict[str, Any]]) -> dict | None:
    """The row a finding compares its row with: the same period, the `versus` values."""
    period = decl.get("latest")
    for r in rows:
        if all(r.get(c) == v for c, v in decl["versus"].items()) and (
                period is None or r.get(period) == row.get(period)) and (r.get("value") or 0) > 0:
            return r
    return None


def _fields(decl: dict[str, Any]) -> set[str]:
    """Row columns the finding's sentences read (pct is read from value)."""
    names = {f.split(".")[0].split("[")[0] for lang in ("en", "ja") if lang in decl
             for _, f, _, _ in string.Formatter().parse(decl[lang]) if f}
    spanned = {f"{end}_{decl['span']}" for end in ("first", "last")} if decl.get("span") else set()
    own = {n for n in names - {"name", "pct", "ratio_pct", "other_name", "tied", "note", "data_as_of"} - spanned
           if not n.startswith("other_")}
    return own | ({"value"} if names & {"pct", "ratio_pct"} else set())


def params_of(decl: dict[str, Any]) -> dict[str, Any]:
    """The parameters a finding's indicator is computed with: its own, else the report's."""
    return decl.get("params") or rules.report_params(decl["indicator"])


def evaluate(lang: str, *, home=None, results: dict[tuple, Any] | None = None,
             today=None, as_of=None) -> list[dict[str, Any]]:
    """Every finding the data supports, as {key, chapter, indicator, params, text, row}; a
    finding whose indicator fails or has no matching row is left out (the chapter shows the
    others). `results` maps (indicator, parameters) to rows already computed; it is filled
    with the ones computed here."""
    results = {} if results is None else results
    out = []
    for decl in declared():
        ind, params = decl["indicator"], params_of(decl)
        key = result_key(ind, params)
        if key not in results:
            try:
                results[key] = api.compute(ind, home=home, as_of=as_of, **params).to_pylist()
            except Exception:  # noqa: BLE001  no data for it in this build: no finding from it
                results[key] = []
        row = pick(decl, results[key], today)
        if row is None:
            continue
        if decl.get("data_as_of"):  # the date the data runs to, for a finding with no date column
            row = row | {"data_as_of": _data_as_of(ind, params, home, as_of)}
            if row["data_as_of"] is None:
                continue
        out.append({"key": decl["key"], "chapter": decl["chapter"], "indicator": ind,
                    "params": params, "section": decl.get("section"),
                    "front": bool(decl.get("front")), "text": sentence(decl, row, lang),
                    "row": {k: v for k, v in row.items() if not k.startswith("_")}})
    return out


def _data_as_of(indicator: str, params: dict[str, Any], home, as_of):
    """The as-of date of the data an indicator's result reads (None when it cannot be told)."""
    try:
        return registry.data_as_of(api.compute(indicator, home=home, as_of=as_of, **params).provenance)
    except Exception:  # noqa: BLE001  no data: the finding is left out like any other
        return None


def result_key(indicator: str, params: dict[str, Any]) -> tuple:
    """The key of one computed result: the indicator and its parameters."""
    return (indicator, tuple(sorted((k, str(v)) for k, v in params.items())))


def own_rows(finding: dict[str, Any], rows: list[dict[str, Any]]) -> str | None:
    """The rows behind a finding that states one record (a dated policy event: its row has an
    `id`), as CSV: the reader's "rows" link opens that record, not the whole table. None when
    the finding's row is no single record."""
    rid = (finding.get("row") or {}).get("id")
    mine = [r for r in rows if rid is not None and r.get("id") == rid]
    if not mine:
        return None
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(mine[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(mine)
    return buf.getvalue()
