"""Key findings: templated sentences (en, ja) whose numbers are read from indicator rows."""
from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import yaml

from aiatlas import api
from aiatlas.report import headlines, rules

FINDINGS_FILE = Path(__file__).parent / "findings.yaml"
SUBJECT_COLUMNS = ("country", "subject")


def declared() -> list[dict[str, Any]]:
    """The finding declarations, in display order."""
    with open(FINDINGS_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f) or []


def sentence(decl: dict[str, Any], row: dict[str, Any], lang: str) -> str:
    """The finding's sentence in one language, its numbers taken from the row."""
    subject = next((row[c] for c in SUBJECT_COLUMNS if row.get(c)), None)
    fields = dict(row, name=rules.country_name(subject, lang) if subject else "",
                  pct=(row.get("value") or 0) * 100)
    if lang == "en" and subject in rules.THE_NAMES:  # "the United States", mid-sentence
        fields["name"] = "the " + fields["name"]
    text = decl[lang].format(**fields)
    return text[:1].upper() + text[1:]


def pick(decl: dict[str, Any], rows: list[dict[str, Any]], today=None) -> dict[str, Any] | None:
    """The one row a finding states (None when the data holds no such row)."""
    for col, pattern in (decl.get("match") or {}).items():
        rows = [r for r in rows if r.get(col) is not None and re.search(pattern, str(r[col]))]
    # a row missing a number the sentence states cannot state it (no "None", no 0% guessed)
    rows = [r for r in rows if all(r.get(f) is not None for f in _fields(decl))]
    chosen = headlines.select(decl, rows, today)
    return chosen[0] if chosen else None


def _fields(decl: dict[str, Any]) -> set[str]:
    """Row columns the finding's sentences read (pct is read from value)."""
    names = {f.split(".")[0].split("[")[0] for lang in ("en", "ja") if lang in decl
             for _, f, _, _ in string.Formatter().parse(decl[lang]) if f}
    return (names - {"name", "pct"}) | ({"value"} if "pct" in names else set())


def evaluate(lang: str, *, home=None, results: dict[str, Any] | None = None,
             today=None) -> list[dict[str, Any]]:
    """Every finding the data supports, as {key, chapter, indicator, text, row}; a finding whose
    indicator fails or has no matching row is left out (the chapter shows the others)."""
    results = {} if results is None else results
    out = []
    for decl in declared():
        ind = decl["indicator"]
        if ind not in results:
            try:
                results[ind] = api.compute(ind, home=home, **rules.report_params(ind)).to_pylist()
            except Exception:  # noqa: BLE001  no data for it in this build: no finding from it
                results[ind] = []
        row = pick(decl, results[ind], today)
        if row is None:
            continue
        out.append({"key": decl["key"], "chapter": decl["chapter"], "indicator": ind,
                    "front": bool(decl.get("front")), "text": sentence(decl, row, lang),
                    "row": row})
    return out
