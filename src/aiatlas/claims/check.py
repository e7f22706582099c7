"""Check a text's numeric claims (or a structured claims file) against the data: the Report."""
from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

from aiatlas.claims import chipspec, chipstatus, claimsfile, ratio, threshold
from aiatlas.claims import extract as extractor
from aiatlas.claims import patterns as pattern_table
from aiatlas.claims.bind import COMPARISON
from aiatlas.claims.judge import Data, compare, judge
from aiatlas.claims.model import (
    CheckedClaim,
    Claim,
    Report,
    SentenceReport,
    Verdict,
)
from aiatlas.claims.patterns import Pattern
from aiatlas.errors import UsageError


def check_claim(claim: Claim, table: list[Pattern], data: Data, previous: Claim | None = None
                ) -> Verdict:
    """Bind a claim to the most specific pattern its own clause fits and judge it.

    A figure whose clause names no measure but continues a comparison with the previous figure
    of the same kind ('57 models ... against 31 for China') takes that figure's words. Two
    different measures fitting equally well are competing readings: unverifiable.
    """
    if claim.threshold:  # 'under the 600 GB/s limit': the rule's figure, not the chip's
        return threshold.judge(claim, data)
    if claim.quantity.negated:  # 'did not release 30 models': what the figure is not
        return Verdict("unverifiable", "the sentence denies the figure (says what it is not), which "
                       "the data cannot confirm", reason_key="negated",
                       subject=(claim.subjects[0].id if claim.subjects else ""), year=claim.year)
    own = [p for n, p in _fitting(claim, table)] if claim.subset else []
    if claim.subset and not (own and own[0].subset):
        # 'five of the twelve largest clusters': no data counts such a set; a count within a set
        # is never judged against the set's total (the measure must count the subset itself)
        return Verdict("unverifiable", f"a count within a set the sentence defines ('{claim.subset}'): "
                       "no data counts the members of that set", reason_key="subset",
                       subject=(claim.subjects[0].id if claim.subjects else ""), year=claim.year)
    chip = chipspec.chip_of(claim)
    if chip is not None:  # a figure of a named chip: its specification, when the unit says so
        column, factor, words = chipspec.measure(claim)
        if column != "":
            return chipspec.judge(claim, chip, column, factor, words, data)
    scored = _fitting(claim, table)
    if not scored and previous is not None and _parallel(claim, previous):
        claim.keywords = f"{claim.keywords} {previous.keywords}"
        scored = _fitting(claim, table)
    if not scored and claim.change:  # 'the share fell 10%': not a 10% share
        return Verdict("unverifiable", f"the figure states a change ({'a rise' if claim.change == 'up' else 'a fall'}), "
                       "not a level, and no measure of that change fits", reason_key="change")
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
    key = ("no_quarter" if "no quarter" in reasons[0] else
           "per_other" if "per another number of people" in reasons[0] else
           "part_of_year" if "part of a year" in reasons[0] else
           "region_rank" if "rank within a region" in reasons[0] else
           "state_not_country" if "about a state" in reasons[0] else
           "no_subject" if "names" in reasons[0] or "subjects" in reasons[0] else "no_year")
    v = Verdict("unverifiable", reasons[0], reason_key=key, year=claim.year,
                subject=(claim.subjects[0].id if claim.subjects else ""))
    if key == "no_subject" and claim.quantity.kind == "money" and not claim.subjects:
        v.reason = (f"{reasons[0]}: the sentence does not say whose money this is ('the "
                    "government' does not say which), and the currency alone does not tell")
        v.reason_ja = ("文中に国や組織の名前がなく、誰の金額か特定できません（「政府」だけでは"
                       "どの国か分からず、通貨だけでは決めません）")
    return v


def _fitting(claim: Claim, table: list[Pattern]) -> list[tuple[int, Pattern]]:
    scored = [(p.fits(claim), p) for p in _of_kind(table, claim.quantity.kind)]
    return sorted([(n, p) for n, p in scored if n], key=lambda x: -x[0])


# the last table's patterns by the kinds they take: a claim is scored against those of its own
# kind only (Pattern.fits gives every other 0), a quarter of the table or less
_BY_KIND: tuple[list[Pattern], int, dict[str, list[Pattern]]] = ([], 0, {})


def _of_kind(table: list[Pattern], kind: str) -> list[Pattern]:
    """The patterns of the table that take claims of the kind, in table order (ties keep it)."""
    global _BY_KIND
    known = _BY_KIND  # read once: another thread may index its own table meanwhile
    if known[0] is not table or known[1] != len(table):
        index: dict[str, list[Pattern]] = {}
        for p in table:
            for k in p.kinds:
                index.setdefault(k, []).append(p)
        known = _BY_KIND = (table, len(table), index)
    return known[2].get(kind, [])


def _measure(p: Pattern) -> str:
    """What a pattern measures, to tell competing readings from two spellings of one."""
    if p.fact is not None:
        return f"{p.fact.get('topic')}/{p.fact.get('measure')}"
    return f"{p.indicator}:{p.value_column}:{sorted(p.params.items())}:{p.where.get('sector', '')}"


def _parallel(claim: Claim, previous: Claim) -> bool:
    """The claim continues the previous figure's comparison: same kind, and same unit or none;
    or it ranks what the previous figure counts ('released 8 notable models, ranking third'); or
    it is the change in points of the percentage before it ('39%へと、10ポイント下がった')."""
    a, b = claim.quantity, previous.quantity
    if a.kind == "rank":
        return previous.pattern is not None and b.kind == "count"
    if a.kind == "points" and claim.change and b.kind == "percent":  # '... 39%へと、10ポイント下がった'
        return previous.pattern is not None
    return (a.kind == b.kind or a.kind == "number") and (a.unit == b.unit or not a.unit) and (
        claim.continues or previous.pattern is not None)


def _compared_with_next(claims: list[CheckedClaim], table: list[Pattern], data: Data) -> None:
    """'Compared with 12 in 2022, China had 23 notable models': a figure that opens a comparison
    and names no measure takes the words of the figure it is compared with, which follows it."""
    for i in reversed(range(len(claims))):  # from the end: a list's figures take the words in turn
        cc = claims[i]
        if cc.verdict.reason_key != "no_measure":
            continue
        q = cc.claim.quantity
        if not COMPARISON.search(cc.claim.sentence):  # a list: '米国は57件、中国は31件の注目モデル'
            after = claims[i + 1:i + 2]
            nxt = after[0].claim if after and after[0].claim.pattern is not None and q.unit and \
                after[0].claim.quantity.kind == q.kind == "count" and \
                after[0].claim.quantity.unit == q.unit and after[0].claim.subjects and \
                cc.claim.subjects and after[0].claim.subjects[0].id != cc.claim.subjects[0].id else None
        else:
            nxt = next((c.claim for c in claims[i + 1:] if c.claim.pattern is not None and
                        c.claim.quantity.kind == q.kind and c.claim.quantity.unit == q.unit), None)
        if nxt is not None:
            cc.claim.keywords = f"{cc.claim.keywords} {nxt.keywords}"
            cc.verdict = check_claim(cc.claim, table, data)


def check_text(text: str, lang: str = "auto", *, data: Data, source: str = "<text>",
               patterns: list[Pattern] | None = None, as_of: str | None = None,
               dated: str | None = None, progress=None) -> Report:
    """Every sentence with a number, its claims with verdicts, and the numbers skipped and why.

    `as_of` (YYYY-MM-DD) checks against the data vintage of that date (built on first use).
    `dated` (YYYY-MM-DD, default `as_of`) is the article's date: 'last year', 'this year', 昨年,
    今年 and 'N years ago' are read from it; without it they stay unknown, with the reason.
    `progress(done, total)` is called as sentences are checked (a progress bar on long inputs).
    """
    t0 = time.perf_counter()
    table = patterns if patterns is not None else pattern_table.load()
    if as_of:
        data = data.at(as_of)
    dated = article_date(dated or as_of)
    report = Report(source=source, lang=lang, dated=dated.isoformat() if dated else None)
    found = extractor.extract(text, lang)
    for i, sc in enumerate(found):
        if progress is not None and i % 200 == 0:
            progress(i, len(found))
        if not sc.has_number:
            continue
        sr = SentenceReport(index=i, text=sc.text, start=sc.start, end=sc.end, lang=sc.lang,
                            skipped=sc.skipped)
        last: dict[str, Claim] = {}  # the previous figure of each kind: comparisons continue it
        for claim in sc.claims:
            if dated and claim.year is None and claim.from_article is not None:
                _date_relative(claim, dated)
            kind = claim.quantity.kind
            previous = last.get(kind) or last.get("count") if kind in ("number", "rank") else \
                last.get(kind) or (last.get("percent") if kind == "points" and claim.change else None)
            sr.claims.append(CheckedClaim(claim, check_claim(claim, table, data, previous)))
            last[claim.quantity.kind] = claim
        _compared_with_next(sr.claims, table, data)
        ratio.judge_ratios(sr.claims, lambda c: check_claim(c, table, data))
        for status in chipstatus.find_all(sc.text, sc.lang, sc.start):
            sr.claims.append(CheckedClaim(status, chipstatus.judge(status, data)))
        if not sr.claims:
            sr.note = "no claim: " + ("; ".join(sorted({s.reason for s in sc.skipped}))
                                      or "no number with a unit or subject")
        report.sentences.append(sr)
    report.seconds = time.perf_counter() - t0
    return report


def _date_relative(claim: Claim, dated: date) -> None:
    """Read a year named relative to the article ('last year', 昨年) from its date. The article's
    own year (this year, 今年) was not over when it was written, and next year is a forecast:
    neither is a whole year's figure in the data, so they stay unknown, saying so."""
    words, year = claim.year_note.split(" depends")[0], dated.year + claim.from_article
    if claim.from_article < 0:
        claim.year = year
        claim.year_note = f"{words} read as {year}, from the article's date ({dated.isoformat()})"
    else:
        claim.year_note = (f"{words} is {year}, {'the year of' if year == dated.year else 'after'} "
                           f"the article's date ({dated.isoformat()}): not a whole year of data "
                           "when it was written")


def article_date(value: str | date | None) -> date | None:
    """The article's date from YYYY-MM-DD (or a date), with a clear error for anything else."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:  # 2025-02-30
            pass
    raise UsageError(f"the article's date must be YYYY-MM-DD, not {value!r}")


def check_claims_file(path: str | Path, *, data: Data) -> Report:
    """Check a structured claims file (YAML: `claims:` list), each claim naming its indicator or fact.

    The file is validated against the schema in claims/claimsfile.py first: a malformed entry is
    a DataError naming the claim and the field; an unknown pattern, indicator or parameter is a
    UsageError.
    """
    p = Path(path)
    entries = claimsfile.load(p)
    t0 = time.perf_counter()
    table = {x.id: x for x in pattern_table.load()}
    claimsfile.validate_names(p, entries, table, data.indicators(),
                              data.facts() if any(e.fact for e in entries) else None)
    report = Report(source=str(p), lang="structured")
    for i, entry in enumerate(entries, 1):
        claim, pattern, asserts = claimsfile.to_claim(entry, table)
        why = ""
        if asserts is None:  # a named pattern: the file says what it asserts, so no keywords
            asserts, why = pattern.bind(claim)
        if asserts is None:
            verdict = Verdict("unverifiable", why, reason_key="unbound")
        else:
            claim.asserts, claim.pattern = asserts, pattern.id
            verdict = judge(claim, pattern, asserts, data)
        sr = SentenceReport(index=i - 1, text=claim.text, start=0, end=len(claim.text),
                            lang=claim.lang, claims=[CheckedClaim(claim, verdict)])
        report.sentences.append(sr)
    report.seconds = time.perf_counter() - t0
    return report


__all__ = ["check_claim", "check_claims_file", "check_text", "compare"]
