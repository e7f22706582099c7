"""Check a text's numeric claims (or a structured claims file) against the data: the Report."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiatlas import safe_yaml
from aiatlas.claims import extract as extractor
from aiatlas.claims import patterns as pattern_table
from aiatlas.claims.judge import Data, compare, judge
from aiatlas.claims.numbers import MAX_ABS, finite
from aiatlas.claims.model import (
    KINDS,
    QUALIFIERS,
    CheckedClaim,
    Claim,
    Entity,
    Quantity,
    Report,
    SentenceReport,
    Verdict,
)
from aiatlas.claims.patterns import Pattern, Tolerance
from aiatlas.errors import DataError


def check_claim(claim: Claim, table: list[Pattern], data: Data, previous: Claim | None = None
                ) -> Verdict:
    """Bind a claim to the most specific pattern its own clause fits and judge it.

    A figure whose clause names no measure but continues a comparison with the previous figure
    of the same kind ('57 models ... against 31 for China') takes that figure's words. Two
    different measures fitting equally well are competing readings: unverifiable.
    """
    scored = _fitting(claim, table)
    if not scored and previous is not None and _parallel(claim, previous):
        claim.keywords = f"{claim.keywords} {previous.keywords}"
        scored = _fitting(claim, table)
    if not scored:
        return Verdict("unverifiable", "no indicator or curated fact measures this",
                       reason_key="no_measure")
    best = scored[0][0]
    rivals = {_measure(p) for n, p in scored if n == best}
    if len(rivals) > 1:
        return Verdict("unverifiable", "the sentence fits several measures: " +
                       ", ".join(sorted(rivals)), reason_key="competing")
    reasons = []
    for _, p in scored:
        asserts, why = p.bind(claim)
        if asserts is None:
            reasons.append(why)
            continue
        claim.asserts, claim.pattern = asserts, p.id
        return judge(claim, p, asserts, data)
    return Verdict("unverifiable", reasons[0])


def _fitting(claim: Claim, table: list[Pattern]) -> list[tuple[int, Pattern]]:
    scored = [(p.fits(claim), p) for p in table]
    return sorted([(n, p) for n, p in scored if n], key=lambda x: -x[0])


def _measure(p: Pattern) -> str:
    """What a pattern measures, to tell competing readings from two spellings of one."""
    if p.fact is not None:
        return f"{p.fact.get('topic')}/{p.fact.get('measure')}"
    return f"{p.indicator}:{p.value_column}:{sorted(p.params.items())}:{p.where.get('sector', '')}"


def _parallel(claim: Claim, previous: Claim) -> bool:
    """The claim continues the previous figure's comparison: same kind, and same unit or none."""
    a, b = claim.quantity, previous.quantity
    return a.kind == b.kind and (a.unit == b.unit or not a.unit) and (
        claim.continues or previous.pattern is not None)


def check_text(text: str, lang: str = "auto", *, home=None, backend: str | None = None,
               source: str = "<text>", patterns: list[Pattern] | None = None,
               data: Data | None = None, as_of: str | None = None) -> Report:
    """Every sentence with a number, its claims with verdicts, and the numbers skipped and why.

    `as_of` (YYYY-MM-DD) checks against the data vintage of that date (built on first use).
    """
    t0 = time.perf_counter()
    table = patterns if patterns is not None else pattern_table.load()
    data = data or Data(home=home, backend=backend)
    if as_of:
        data = data.at(as_of)
    report = Report(source=source, lang=lang)
    for i, sc in enumerate(extractor.extract(text, lang)):
        if not sc.has_number:
            continue
        sr = SentenceReport(index=i, text=sc.text, start=sc.start, end=sc.end, lang=sc.lang,
                            skipped=sc.skipped)
        previous = None
        for claim in sc.claims:
            sr.claims.append(CheckedClaim(claim, check_claim(claim, table, data, previous)))
            previous = claim
        if not sc.claims:
            sr.note = "no claim: " + ("; ".join(sorted({s.reason for s in sc.skipped}))
                                      or "no number with a unit or subject")
        report.sentences.append(sr)
    report.seconds = time.perf_counter() - t0
    return report


def check_claims_file(path: str | Path, *, home=None, backend: str | None = None) -> Report:
    """Check a structured claims file (YAML: `claims:` list), each claim naming its indicator or fact.

    Entry fields: text, value, unit, kind, qualifier, high, currency, date, year, and either
    `pattern` (+ country / organization / benchmark) or `indicator` (+ params, where, value_column,
    scale, rank_by) or `fact` (topic, subject, measure); `tolerance` {rel, abs} is optional.
    """
    p = Path(path)
    doc = safe_yaml.load(p.read_text(encoding="utf-8"), str(p))
    entries = (doc or {}).get("claims") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise DataError(f"{p}: expected a mapping with a `claims:` list",
                        hint="see docs/claims.md, 'Structured claims file'")
    t0 = time.perf_counter()
    table = {x.id: x for x in pattern_table.load()}
    data = Data(home=home, backend=backend)
    report = Report(source=str(p), lang="structured")
    for i, raw in enumerate(entries, 1):
        claim, pattern, asserts = _structured(raw, f"{p}: claim {i}", table)
        if asserts is None:  # a named pattern: the file says what it asserts, so no keywords
            asserts, why = pattern.bind(claim)
        if asserts is None:
            verdict = Verdict("unverifiable", why)
        else:
            claim.asserts, claim.pattern = asserts, pattern.id
            verdict = judge(claim, pattern, asserts, data)
        sr = SentenceReport(index=i - 1, text=claim.text, start=0, end=len(claim.text),
                            lang=claim.lang, claims=[CheckedClaim(claim, verdict)])
        report.sentences.append(sr)
    report.seconds = time.perf_counter() - t0
    return report


def _structured(raw: Any, where: str, table: dict[str, Pattern]):
    """A Claim (and pattern and asserts) from one entry of a claims file."""
    if not isinstance(raw, dict):
        raise DataError(f"{where}: expected a mapping")
    kind = raw.get("kind", "count")
    qualifier = raw.get("qualifier", "exact")
    if kind not in KINDS:
        raise DataError(f"{where}: kind {kind!r} (expected one of {', '.join(KINDS)})")
    if qualifier not in QUALIFIERS:
        raise DataError(f"{where}: qualifier {qualifier!r} (expected one of {', '.join(QUALIFIERS)})")
    if "value" not in raw and kind != "date":
        raise DataError(f"{where}: missing value")
    try:
        value = finite(float(raw.get("value", 0)))
        high = finite(float(raw["high"])) if raw.get("high") is not None else None
        year = int(raw["year"]) if raw.get("year") is not None else None
        tol = raw.get("tolerance") or {}
        tolerance = Tolerance(finite(float(tol.get("rel", 0))), finite(float(tol.get("abs", 0))))
        scale = finite(float(raw.get("scale", 1)))
    except (TypeError, ValueError, AttributeError, OverflowError):
        raise DataError(f"{where}: value, high, year, scale and tolerance must be numbers "
                        f"(at most {MAX_ABS:g} in size)") from None
    if year is not None and not 1 <= year <= 9999:
        raise DataError(f"{where}: year {year} (expected 1 to 9999)")
    q = Quantity(value=value, kind=kind, unit=str(raw.get("unit", "")), high=high,
                 currency=str(raw.get("currency", "")), qualifier=qualifier,
                 qualifier_text=qualifier, rank=kind == "rank", date=raw.get("date"))
    text = str(raw.get("text") or f"{value:g} {q.unit}".strip())
    claim = Claim(text=text, start=0, end=len(text), sentence=text, lang=raw.get("lang", "en"),
                  quantity=q, year=year, keywords=text.lower())
    if "pattern" in raw:
        if raw["pattern"] not in table:
            raise DataError(f"{where}: unknown pattern {raw['pattern']!r}",
                            hint="patterns: " + ", ".join(sorted(table)))
        base = table[raw["pattern"]]
        pattern = _with(base, tolerance) if tol else base
        values = {k: raw.get(k) for k in ("country", "organization", "benchmark") if raw.get(k)}
        claim.subjects = [Entity(str(v), k, str(v), -1, -1, str(v) if k == "country" else None)
                          for k, v in values.items()]
        return claim, pattern, None
    if ("indicator" in raw) == ("fact" in raw):
        raise DataError(f"{where}: give one of pattern, indicator or fact")
    pattern = Pattern(id=f"claims-file:{raw.get('indicator') or 'fact'}", describe="from the file",
                      kinds=(kind,), keywords=(), tolerance=tolerance,
                      indicator=raw.get("indicator"), fact=raw.get("fact"))
    if "fact" in raw:
        query = dict(raw["fact"])
        if year is not None:
            query["year"] = year
        return claim, pattern, {"fact": query}
    asserts = {"indicator": raw["indicator"], "params": dict(raw.get("params") or {}),
               "where": dict(raw.get("where") or {}),
               "value_column": raw.get("value_column", "value"),
               "scale": scale, "rank_by": raw.get("rank_by"),
               "subject": raw.get("subject")}
    return claim, pattern, asserts


def _with(p: Pattern, tol: Tolerance) -> Pattern:
    from dataclasses import replace

    return replace(p, tolerance=tol)


__all__ = ["check_claim", "check_claims_file", "check_text", "compare"]
