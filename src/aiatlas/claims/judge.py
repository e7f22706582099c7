"""Compare a claim with the data it asserts about (through the callables aiatlas.api gives) and give a verdict."""
from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiatlas.claims import gazetteer, precision
from aiatlas.claims import vintage as vintages
from aiatlas.claims.model import Claim, Evidence, Quantity, Verdict
from aiatlas.claims.numbers import EN_SCALES
from aiatlas.claims.patterns import Pattern
from aiatlas.claims.precision import UNITS_JA, Slack, human
from aiatlas.errors import AiatlasError, NotBuiltError
from aiatlas.sources import registry

EVIDENCE_ROWS = 5  # explain rows quoted in a report; the CLI command shows them all


@dataclass(frozen=True)
class API:
    """The aiatlas.api functions the checker calls, handed in by aiatlas.api.checker() (bound to
    a home and engine), so the checker never imports the API it is called from."""

    compute: Callable[..., Any]
    explain: Callable[..., Any]
    list_indicators: Callable[[], list[dict[str, Any]]]
    facts: Callable[..., list[dict[str, Any]]]
    build: Callable[..., Any]  # builds a vintage the first time a claim needs it
    classify_chip: Callable[..., dict[str, Any]] | None = None  # export status of a named chip
    export_rule_sets: Callable[[], list[dict[str, Any]]] | None = None
    hardware: Callable[[], list[dict[str, Any]]] | None = None  # the accelerator table
    # whether an indicator is registered, without loading the registry when it can be told
    is_indicator: Callable[[str], bool] | None = None
    # licence requirements imposed on named chips by notice, as dated events
    export_notices: Callable[[], list[dict[str, Any]]] | None = None


class Data:
    """The checker's view of aiatlas: compute, explain, list_indicators and facts.

    Values are memoised once per warehouse build by the handle behind aiatlas.api, so a server
    checking many texts computes each indicator once, and a rebuild is never answered from an
    older build. This class only times the calls (benchmarks report it).
    """

    def __init__(self, api: API, home=None, as_of: str = ""):
        self.api, self.home = api, home
        self.as_of = as_of  # the vintage's as-of date when this is an older vintage
        self._ids: dict[str, dict] | None = None
        self._older: list[Data] | None = None
        self._rows: dict[tuple, tuple[list, dict]] = {}  # see _index
        self._results: dict[tuple, Any] = {}
        # facts, chips, the hardware table and evidence, once per check
        self._facts: dict[tuple, Any] = {}
        self.api_seconds = 0.0  # time spent inside aiatlas.api (benchmarks report it)

    def older(self) -> list[Data]:
        """Data of the older vintages this home holds (archived exports), oldest first."""
        if self._older is None:
            try:
                dates = vintages.held(self.home, build=self.api.build)
            except (AiatlasError, OSError):  # an unbuildable archive: check against today only
                dates = []
            self._older = [Data(self.api, self.home, d.isoformat()) for d in dates]
        return self._older

    def at(self, date: str) -> Data:
        """The data vintage of `date` (--as-of): built on first use from the snapshots it held."""
        day = dt.date.fromisoformat(str(date))
        vintages.ensure(self.home, day, self.api.build)
        return Data(self.api, self.home, day.isoformat())

    def _timed(self, make):
        t0 = time.perf_counter()
        try:
            return make()
        finally:
            self.api_seconds += time.perf_counter() - t0

    def chip(self, name: str, **kw) -> dict[str, Any]:
        """A named chip classified under a rule set or on a date (aiatlas.api.classify_chip),
        once per chip and arguments per check."""
        return self.once(("chip", name, tuple(sorted(kw.items()))),
                         lambda: self._timed(lambda: self.api.classify_chip(name, home=self.home, **kw)))

    def once(self, key: tuple, make):
        """make() the first time a key is asked for in this check, then the same object."""
        if key not in self._facts:
            self._facts[key] = make()
        return self._facts[key]

    def hardware(self) -> list[dict[str, Any]]:
        """The accelerator table (Epoch's ml_hardware with the chips supplement), read once per
        check."""
        return self.once(("hardware",), lambda: self._timed(self.api.hardware) if self.api.hardware
                         else [])

    def rule_sets(self) -> list[dict[str, Any]]:
        """The export-control rule sets with their effective dates."""
        return self.once(("rule sets",), lambda: self.api.export_rule_sets()
                         if self.api.export_rule_sets else [])

    def notices(self) -> list[dict[str, Any]]:
        """The chip notices (dated licence requirements on named chips)."""
        return self.once(("notices",), lambda: [
            {**n, "words": {w for c in n.get("chips", ()) for w in re.findall(r"[a-z0-9]+", c.lower())
                            if re.search(r"\d", w)}}  # 'NVIDIA HGX H20' is named by 'H20'
            for n in (self.api.export_notices() if self.api.export_notices else [])])

    def indicators(self) -> dict[str, dict]:
        """Metadata of every indicator by id (parameters, grain, unit, title)."""
        if self._ids is None:
            self._ids = {i["id"]: i for i in self.api.list_indicators()}
        return self._ids

    def has_indicator(self, id: str) -> bool:
        """Whether this aiatlas registers the indicator."""
        if self.api.is_indicator is not None:
            return self.once(("is indicator", id), lambda: self.api.is_indicator(id))
        return id in self.indicators()

    def compute(self, id: str, params: dict[str, Any]):
        """The indicator's result for these parameters, on this vintage."""
        return self._timed(lambda: self.api.compute(id, as_of=self.as_of or None, **params))

    def rows(self, id: str, params: dict[str, Any], where: dict[str, Any]):
        """The computed result and its rows matching `where` (rows indexed once per check)."""
        key = (id, tuple(sorted(params.items())))
        if key not in self._results:  # one api call per indicator and parameters per check
            self._results[key] = self.compute(id, params)
        result = self._results[key]
        return result, self._index("compute", id, params, where, result.to_pylist)

    def explain(self, id: str, params: dict[str, Any], where: dict[str, Any]) -> tuple[list, int]:
        """The explain rows behind one value: all rows are fetched once, then filtered here."""
        hits = self._index("explain", id, params, where, lambda: self._timed(lambda: self.api.explain(
            id, as_of=self.as_of or None, **params).to_pylist()))
        return hits[:EVIDENCE_ROWS], len(hits)

    def _index(self, what: str, id: str, params: dict[str, Any], where: dict[str, Any], fetch):
        """Rows grouped by the `where` columns, built once per (indicator, parameters, columns):
        checking N claims costs one pass over the rows, not N (linear time on long articles).
        The warehouse handle memoises the query itself; this only keeps the grouping."""
        key = (what, id, tuple(sorted(params.items())))
        if key not in self._rows:
            self._rows[key] = (fetch(), {})
        rows, groups = self._rows[key]
        cols = tuple(sorted(k for k in where if not rows or k in rows[0]))
        if cols not in groups:
            groups[cols] = {}
            for r in rows:
                groups[cols].setdefault(tuple(str(r.get(k)) for k in cols), []).append(r)
        return groups[cols].get(tuple(str(where[k]) for k in cols), [])

    def facts(self, **query) -> list[dict[str, Any]] | None:
        """Curated facts matching the query (publisher, url, published, as_printed)."""
        key = tuple(sorted(query.items()))
        if key not in self._facts:  # one api call per query per check
            self._facts[key] = self._timed(lambda: self.api.facts(**query))
        return self._facts[key]


def judge(claim: Claim, pattern: Pattern, asserts: dict[str, Any], data: Data) -> Verdict:
    """The verdict for a claim already bound to a pattern; data errors become 'unverifiable'."""
    v = _judge(claim, pattern, asserts, data)
    v.titles = v.titles or dict(pattern.title) or {"en": pattern.describe}
    v.measure = v.measure or pattern.describe
    v.unit = claim.quantity.unit
    if v.year is None:
        v.year = claim.year
    return v


def _judge(claim: Claim, pattern: Pattern, asserts: dict[str, Any], data: Data) -> Verdict:
    try:
        if "fact" in asserts and asserts.get("subjects"):
            return _judge_event(claim, pattern, asserts, data)
        if "fact" in asserts:
            return _judge_fact(claim, pattern, dict(asserts["fact"]), data)
        v = _judge_indicator(claim, pattern, asserts, data)
        printed = vintages.printed(claim.sentence, asserts, claim.year, claim.period,
                                   percent=claim.quantity.unit == "%")
        if printed is not None and v.actual is not None:
            return _against_printed(claim, pattern, asserts, data, printed, v)
        if v.verdict == "contradicted":
            v = _against_vintages(claim, pattern, asserts, data, v)
        if v.verdict == "contradicted":
            v = _against_uncited(claim, pattern, asserts, v)
        if v.verdict == "contradicted" and pattern.listed:
            v = _against_listed(claim, pattern, asserts, data, v)
        return v
    except NotBuiltError as e:  # no warehouse: said once before the report (aiatlas check)
        if type(e) is not NotBuiltError:  # a stale one (an older aiatlas built it): say which
            return Verdict("unverifiable", f"{e}" + (f" ({e.hint})" if e.hint else ""),
                           reason_key="data_error", **_room(claim.quantity, pattern.tolerance))
        return Verdict("unverifiable", "no warehouse built", reason_key="data_error",
                       **_room(claim.quantity, pattern.tolerance))
    except AiatlasError as e:  # e.g. a vintage that cannot be built: say so, not fail the report
        unknown = re.match(r"parameter (\w+)=(\S+) matches no", str(e))
        if unknown:  # a name the sentence gave (a benchmark) that the data does not hold
            return Verdict("unverifiable", f"the data holds no {unknown.group(1)} {unknown.group(2)} "
                           f"for {asserts.get('indicator')}", reason_key="no_such_name",
                           **_room(claim.quantity, pattern.tolerance))
        return Verdict("unverifiable", f"{e}" + (f" ({e.hint})" if e.hint else ""), reason_key="data_error",
                       **_room(claim.quantity, pattern.tolerance))


def _against_printed(claim: Claim, pattern: Pattern, a: dict[str, Any], data: Data,
                     p: vintages.Printed, today: Verdict) -> Verdict:
    """A figure of a sentence that cites its source ('according to the AI Index 2025'): judged
    on the vintage that source used, which is the figure it printed for the same measure,
    subject and year (curated/published/).

    True today: supported as usual (the printed figure named when it differs). True on the
    source's figure only: revised, saying on whose data of which date it was true and what
    today's data gives. True on an older vintage held here: revised by that vintage. None of
    them: contradicted, naming both the printed figure and today's value.
    """
    then = compare(claim.quantity, p.value, pattern.tolerance, [])
    if today.verdict == "supported":
        if then.verdict != "supported":
            today.reason += (f"; {p.publication}, which the sentence cites, printed {p.as_printed} "
                             f"on {p.whose}")
        return today
    if then.verdict == "supported":
        return _revised_on(claim, p, today, then, named=True)
    older = _against_vintages(claim, pattern, a, data, today, cited=False)
    if older.verdict == "revised":
        return older
    v, now_ja = today, f"{human(today.actual)}{'%' if claim.quantity.unit == '%' else ''}"
    v.reason += (f"; {p.publication}, which the sentence cites, printed {p.as_printed} on "
                 f"{p.whose}: neither agrees")
    v.reason_ja = (f"最新のデータ（{today.as_of or '最新のビルド'}時点）では{now_ja}、記事が引用する"
                   f"{p.cited_as}の掲載値も{p.as_printed}（{p.whose_ja}）で、どちらとも合いません")
    v.evidence = [_printed_evidence(p), *v.evidence]
    return v


def _against_listed(claim: Claim, pattern: Pattern, a: dict[str, Any], data: Data,
                    today: Verdict) -> Verdict:
    """A change the like-for-like value contradicts but the counts as listed give ('grew 140%':
    the listed sum did, though part of it is topics newly listed at the source's threshold):
    unverifiable, with both, since the data cannot tell how much of it is growth."""
    listed = _judge_indicator(claim, pattern, {**a, "value_column": pattern.listed}, data)
    if listed.verdict != "supported":
        return today
    pct = "%" if claim.quantity.unit == "%" else ""
    v = Verdict("unverifiable", f"the counts as listed changed by {human(listed.actual)}{pct}, as "
                f"the sentence says, but the topics listed changed too (the source lists a topic "
                f"only above its privacy threshold); like for like, over the topics listed in both "
                f"periods, the change is {human(today.actual)}{pct}", reason_key="coverage",
                tolerance=today.tolerance, tolerance_ja=today.tolerance_ja, actual=today.actual,
                evidence=today.evidence, as_of=today.as_of, measure=today.measure,
                subject=today.subject, year=today.year)
    v.reason_ja = (f"掲載された数の合計では{human(listed.actual)}{pct}の変化で記事と一致しますが、掲載される"
                   f"トピックも変わっています（出典はプライバシー上の基準を超えたトピックだけを掲載）。"
                   f"両期間に掲載されたトピックだけで比べると{human(today.actual)}{pct}です")
    return v


def _against_uncited(claim: Claim, pattern: Pattern, a: dict[str, Any], today: Verdict) -> Verdict:
    """A figure today's data and every held vintage contradict, in a sentence that names no
    source, which is what a curated publication printed for the same measure, subject and year
    ('China made 15 notable models in 2024': the AI Index 2025's count): revised on that
    publication's data, saying the sentence does not name it; otherwise contradicted as it was."""
    for p in vintages.uncited(a, claim.year, claim.period, percent=claim.quantity.unit == "%"):
        then = compare(claim.quantity, p.value, pattern.tolerance, [])
        if then.verdict == "supported":
            return _revised_on(claim, p, today, then, named=False)
    return today


def _printed_evidence(p: vintages.Printed) -> Evidence:
    return Evidence("fact", p.figure.id, citation={
        "publisher": p.source.publisher, "title": p.source.title, "url": p.source.url,
        "published": str(p.source.published), "as_printed": p.as_printed,
        "note": f"{p.figure.figure}; {p.whose}"})


def _revised_on(claim: Claim, p: vintages.Printed, today: Verdict, then: Verdict,
                named: bool) -> Verdict:
    """Revised: the claim is the figure `p` printed, true on its data, not on today's."""
    pct = "%" if claim.quantity.unit == "%" else ""
    unit = "" if claim.quantity.unit in ("", "%") else f" {claim.quantity.unit}"
    now, now_ja = human(today.actual), f"{human(today.actual)}{pct}"
    gap = today.actual - p.value
    since = (f": today's count has {human(abs(gap))} {'more' if gap > 0 else 'fewer'}"
             if not pct and float(gap).is_integer() and gap else ": the source revised its figures"
             if p.data_source else ": whether its data were revised or are other data is not recorded")
    who = (f"{p.publication} printed {p.as_printed} from {p.whose}" if named else
           f"it is the figure {p.publication} printed ({p.as_printed}, from {p.whose}), though "
           "the sentence does not name its source")
    v = Verdict("revised", f"{who}; today's data gives {now}{pct}{unit} (as of "
                f"{today.as_of or 'the latest build'}){since}",
                reason_key="revised_cited" if named else "revised_printed", tolerance=then.tolerance,
                tolerance_ja=then.tolerance_ja, actual=p.value, gap=then.gap,
                gap_relative=then.gap_relative, evidence=[_printed_evidence(p), *today.evidence],
                as_of=p.data_as_of.isoformat() if p.data_as_of else "", latest=today.actual,
                measure=today.measure, subject=today.subject, year=today.year)
    who_ja = (f"{p.cited_as}が{p.whose_ja}から掲載した数値です（{p.as_printed}）" if named
              else f"文中に出典の記載はありませんが、{p.publication}が{p.whose_ja}から"
                   f"掲載した数値（{p.as_printed}）と同じです")
    v.reason_ja = (f"{who_ja}。最新のデータ（{today.as_of or '最新のビルド'}時点）では{now_ja}で、" +
                   ("その後データが改訂・追加されました" if p.data_source else
                    "同書のデータが改訂されたのか、別のデータなのかは記録がありません"))
    return v


def _against_vintages(claim: Claim, pattern: Pattern, a: dict[str, Any], data: Data,
                      today: Verdict, cited: bool = True) -> Verdict:
    """A figure today's data contradicts: revised if an older held vintage agrees with it.

    A sentence that cites a publication whose own data is not held (AI Index 2025) and whose
    printed figure for the claim is not curated cannot be contradicted by later data:
    unverifiable, with the values of each vintage (`cited=False`: the printed figure was
    already compared).
    """
    seen = []
    for old in data.older():
        if data.as_of and old.as_of >= data.as_of:
            continue
        v = _judge_indicator(claim, pattern, a, old)
        if v.verdict == "supported":
            v.verdict, v.reason_key = "revised", "revised"
            v.reason = (f"true on the data as of {v.as_of} ({human(v.actual)}); the newer data "
                        f"(as of {today.as_of or 'the latest build'}) gives {human(today.actual)}: "
                        "the source revised its figures since")
            v.evidence = v.evidence + today.evidence
            v.latest = today.actual
            return v
        if v.actual is not None:
            seen.append(f"{human(v.actual)} on the data as of {v.as_of}")
    cite = vintages.cited(claim.sentence, claim.year) if cited else None
    if cite:
        return Verdict("unverifiable", f"the sentence cites {cite[0]}, whose exact data is not held; "
                       + "; ".join(seen + [(f"{human(today.actual)} on the newer data (as of "
                                           f"{today.as_of or 'the latest build'})")]),
                       tolerance=today.tolerance, tolerance_ja=today.tolerance_ja, actual=today.actual, evidence=today.evidence,
                       reason_key="vintage_not_held", as_of=today.as_of,
                       measure=today.measure, subject=today.subject, year=today.year)
    return today


def _provenance(result, data: Data) -> tuple[list[str], str]:
    """The snapshots a result read (one per snapshot, not per file) and the publisher's as-of of
    their data (a vintage's data is older than its date)."""
    snaps = list(dict.fromkeys(p.get("snapshot_id", "") for p in result.provenance))
    dated = registry.data_as_of(result.provenance)
    as_of = (dated.isoformat() if dated else min((str(p.get("fetched_at") or "")[:10]
                                                 for p in result.provenance), default="")) or data.as_of
    return snaps, as_of


def _judge_indicator(claim: Claim, pattern: Pattern, a: dict[str, Any], data: Data) -> Verdict:
    q, tol = claim.quantity, pattern.tolerance
    ind = a["indicator"]
    if not data.has_indicator(ind):
        return Verdict("unverifiable", f"indicator {ind!r} is not in this build of aiatlas "
                       f"(pattern {pattern.id})", reason_key="no_indicator", **_room(q, tol))
    result, rows = data.rows(ind, a["params"], a["where"])
    # read once per result (its provenance has a row per file read), not once per claim
    snaps, as_of = data.once(("provenance", ind, tuple(sorted(a["params"].items()))),
                             lambda: _provenance(result, data))
    if a.get("period"):
        period = claim.period or str(claim.year or "")
        rows = [r for r in rows if str(r.get(a["period"]) or "").startswith(period) and period]
    if a["rank_by"]:
        return _judge_rank(claim, pattern, a, rows, snaps)
    if a.get("total"):
        return _judge_total(claim, pattern, a, rows, snaps, as_of)
    if a.get("difference"):
        return _judge_difference(claim, pattern, a, data, rows, snaps, as_of)
    shown = ", ".join(f"{k}={v}" for k, v in {**a["params"], **a["where"]}.items()) or "(all)"
    if a.get("period"):
        shown += f", {a['period']} in {claim.period or claim.year}"
    named = {"measure": pattern.describe or ind, "subject": str(a.get("subject") or ""),
                 "year": claim.year, "as_of": as_of}
    pairs = [(float(r[a["value_column"]]) * a["scale"], bool(a.get("lower_bound") and r.get(a["lower_bound"])))
             for r in rows if r.get(a["value_column"]) is not None]
    values = [v for v, _ in pairs]
    none_counted = not values and _none_counted(pattern, a, claim, data, as_of)
    if none_counted:
        values, pairs = [0.0], [(0.0, False)]
    if not values:
        return Verdict("unverifiable", f"the data ({ind}) has no value for {shown}",
                       **_room(q, tol), reason_key="no_value", **named)
    actual, open_ended = pairs[0]
    if a.get("period"):  # a claim about a year: supported when some date of it agrees
        actual, open_ended = min(pairs, key=lambda p: abs(p[0] - q.value))
    key = ("evidence", ind, repr(sorted(a["params"].items())), repr(sorted(a["where"].items())),
           a.get("period") and (claim.period or claim.year))

    def make() -> Evidence:
        ev = Evidence("indicator", ind, params=a["params"], where=a["where"], snapshots=snaps,
                      command=_command(ind, a["params"], a["where"]) +
                      (f" --as-of {data.as_of}" if data.as_of else ""))
        if result.meta.get("explainable"):
            ev.rows, ev.row_count = data.explain(ind, a["params"], a["where"])
        else:
            ev.rows, ev.row_count = rows[:EVIDENCE_ROWS], len(rows)
        return ev

    ev = data.once(key, make)  # one Evidence per value checked: a long article repeats them
    band = _band(a, rows)
    if open_ended:
        v = _at_least(q, actual, tol, [ev])
    elif band is not None and q.qualifier in ("exact", "approx") and q.high is None:
        v = _within(q, actual, band, [ev])
    else:
        v = compare(q, actual, tol, [ev])
    for k, val in named.items():
        setattr(v, k, val)
    where = f"{ind} ({shown})"
    if len(values) > 1:
        where += f", ranging {human(min(values))} to {human(max(values))}"
    v.reason += f"; {where}, data as of {as_of}"
    if none_counted:
        v.reason += f"; the data records none for {shown} (a year it covers: none counted)"
    if pattern.definition:  # a percentage says what it is a percentage of
        v.reason += f"; {pattern.definition}"
    if pattern.per and claim.per.isdigit():  # 'per 10 million residents'
        v.reason += f"; the figure per {int(claim.per):,} people = the figure per person x {int(claim.per):,}"
    return v


def _none_counted(pattern: Pattern, a: dict[str, Any], claim: Claim, data: Data, as_of: str) -> bool:
    """A count of records (pattern `zero`) with no row for the subject in a whole year the data
    covers (other subjects have rows that year, and the data is dated after it): none counted."""
    year, country = a["where"].get("year"), str(a["where"].get("country") or "")
    if not pattern.zero or year is None or not as_of[:4].isdigit() or int(year) >= int(as_of[:4]):
        return False
    if country and not gazetteer.is_country(country):
        return False  # the world, the EU, a region: counted in its countries' rows, not none
    _, others = data.rows(a["indicator"], a["params"], {"year": year})
    return bool(others)


def _band(a: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[float, float] | None:
    """The indicator's own interval around the value (pattern `interval`), in claim units."""
    cols = a.get("interval") or ()
    if len(cols) != 2 or not rows or any(rows[0].get(c) is None for c in cols):
        return None
    low, high = sorted(float(rows[0][c]) * a["scale"] for c in cols)
    return low, high


def _within(q: Quantity, actual: float, band: tuple[float, float], evidence: list[Evidence]
            ) -> Verdict:
    """An estimate the data gives with its interval (a trend's 95% interval): the claim is
    supported inside it (widened by the claim's own rounding or hedge), contradicted outside.
    The measure's declared slack does not apply: the interval is the data's own uncertainty."""
    room = precision.allowance(q, Slack())
    low, high = band
    ok = low - room.amount <= q.value <= high + room.amount
    en = f"inside the data's 95% interval {human(low)}–{human(high)}, {room.en}"
    ja = f"データの95%区間{human(low)}〜{human(high)}の内側、{room.ja}"
    v = compare(q, actual, Slack(), evidence)
    v.verdict, v.tolerance, v.tolerance_ja = ("supported" if ok else "contradicted"), en, ja
    if ok and "(claimed" in v.reason:
        v.reason = v.reason.split(" (claimed")[0]
    unit = "" if q.unit in ("", "%") else f" {q.unit}"
    v.reason += f" (95% interval {human(low)} to {human(high)}{unit})"
    return v


def _judge_total(claim: Claim, pattern: Pattern, a: dict[str, Any], rows: list[dict[str, Any]],
                 snaps: list[str], as_of: str) -> Verdict:
    """A running total since a year ('Since 2020, US labs released more than 350 notable
    models'): the sum of the yearly values from then on. When the latest year is still being
    counted (the data's as-of falls in it), the total with and without it are both readings;
    they must agree, else the claim is unverifiable with both."""
    q, col = claim.quantity, a["value_column"]
    by_year: dict[int, float] = {}
    for r in rows:
        if r.get(col) is not None and r.get("year") is not None:
            by_year[int(r["year"])] = by_year.get(int(r["year"]), 0.0) + float(r[col]) * a["scale"]
    named = {"measure": pattern.describe, "subject": str(a.get("subject") or ""), "as_of": as_of}
    if not by_year:
        return Verdict("unverifiable", f"the data ({a['indicator']}) has no value since {claim.since}",
                       reason_key="no_value", **_room(q, pattern.tolerance), **named)
    first, last = min(by_year), max(by_year)
    ev = Evidence("indicator", a["indicator"], params=a["params"], where=a["where"], snapshots=snaps,
                  rows=[{"year": y, col: v} for y, v in sorted(by_year.items())][:EVIDENCE_ROWS],
                  row_count=len(by_year), command=_command(a["indicator"], a["params"], a["where"]))
    readings = [(f"{first} to {last}", sum(by_year.values()))]
    if as_of[:4] == str(last) and last > first:  # the latest year is not over in the data
        readings.insert(0, (f"{first} to {last - 1}", readings[0][1] - by_year[last]))
    got = [(span, compare(q, value, pattern.tolerance, [ev])) for span, value in readings]
    shown = "; ".join(f"{span}: {human(v.actual)}" for span, v in got)
    if len({v.verdict for _, v in got}) > 1:
        v = Verdict("unverifiable", f"the total since {claim.since} depends on whether {last}, still "
                    f"being counted in the data as of {as_of}, is included ({shown})",
                    reason_key="total_partial_year", evidence=[ev], **named)
        v.reason_ja = (f"{claim.since}年以降の累計は、データ（{as_of}時点）で集計途中の{last}年を含めるかで"
                       f"変わります（{shown}）")
        return v
    v = got[0][1]
    for k, val in named.items():
        setattr(v, k, val)
    v.reason += (f"; the total of {a['indicator']} ({', '.join(f'{k}={x}' for k, x in a['where'].items())})"
                 f" over {shown}, data as of {as_of}")
    return v


def _judge_difference(claim: Claim, pattern: Pattern, a: dict[str, Any], data: Data,
                      rows: list[dict[str, Any]], snaps: list[str], as_of: str) -> Verdict:
    """A level's change in points between two years ('the open-weights share fell 10 points
    from 2023 to 2024'): the claim's year's value minus its from_year's. A change the other
    way is contradicted whatever its size."""
    q, col, y0 = claim.quantity, a["value_column"], claim.from_year
    _, before = data.rows(a["indicator"], a["params"], {**a["where"], "year": y0})
    named = {"measure": pattern.describe, "subject": str(a.get("subject") or ""), "as_of": as_of}
    now = [float(r[col]) * a["scale"] for r in rows if r.get(col) is not None]
    then = [float(r[col]) * a["scale"] for r in before if r.get(col) is not None]
    if not now or not then:
        return Verdict("unverifiable", f"the data ({a['indicator']}) has no value for {claim.year} or {y0}",
                       reason_key="no_value", **_room(q, pattern.tolerance), **named)
    diff = now[0] - then[0]
    ev = Evidence("indicator", a["indicator"], params=a["params"], where=a["where"], snapshots=snaps,
                  rows=[{"year": y0, col: then[0]}, {"year": claim.year, col: now[0]}], row_count=2,
                  command=_command(a["indicator"], a["params"], {k: v for k, v in a["where"].items()
                                                                   if k != "year"}))
    moved = "rose" if diff > 0 else "fell"
    unit = "points" if q.kind == "points" else "models" if q.kind == "count" else ""
    if diff * (1 if claim.change == "up" else -1) < 0:
        v = compare(q, -abs(diff), pattern.tolerance, [ev])  # the other way: never within reach
        v.verdict = "contradicted"
        v.reason = f"the data says it {moved} by {human(abs(diff))} {unit}, not {'up' if claim.change == 'up' else 'down'}"
    else:
        v = compare(q, abs(diff), pattern.tolerance, [ev])
        v.reason = v.reason.replace("the data says", f"the data says it {moved} by", 1)
    for k, val in named.items():
        setattr(v, k, val)
    v.actual, v.year = abs(diff), claim.year
    v.reason += (f"; {a['indicator']} ({', '.join(f'{k}={x}' for k, x in a['where'].items() if k != 'year')}"
                 f"{', ' if len(a['where']) > 1 else ''}{y0}: {human(then[0])}, {claim.year}: {human(now[0])}),"
                 f" data as of {as_of}")
    return v


def _judge_rank(claim, pattern, a, rows, snaps) -> Verdict:
    q, col, subject = claim.quantity, a["rank_by"], a["subject"]
    vals = [(r[col], float(r[a["value_column"]])) for r in rows if r.get(a["value_column"]) is not None]
    mine = [v for k, v in vals if str(k) == str(subject)]
    ev = Evidence("indicator", a["indicator"], params=a["params"], where=a["where"], snapshots=snaps,
                  rows=[dict(zip((col, "value"), kv)) for kv in sorted(vals, key=lambda x: -x[1])]
                  [:EVIDENCE_ROWS], row_count=len(vals),
                  command=_command("show " + a["indicator"], a["params"], {}))
    if not mine:
        return Verdict("unverifiable", f"{a['indicator']} has no value for {col}={subject} "
                       f"with {a['where']}", reason_key="no_value", tolerance="exact rank", tolerance_ja="順位の完全一致", evidence=[ev])
    rank = 1 + sum(1 for _, v in vals if v > mine[0])  # ties share the better rank
    return compare(q, float(rank), Slack(), [ev], what="rank")


def _judge_event(claim: Claim, pattern: Pattern, asserts: dict[str, Any], data: Data) -> Verdict:
    """A dated event (a policy event) whose actor may be any subject the sentence names: the
    subject holding an event of this kind on the claimed day, else the first named one holding
    one in the claimed year (judged against it: a wrong day is contradicted); no such event of
    any named subject is unverifiable, never matched to another kind of event."""
    query, named = dict(asserts["fact"]), asserts["subjects"]
    year = query.pop("year", None)
    held = {}
    for subject in named:
        facts = data.facts(**query, subject=subject) or []
        held[subject] = [f for f in facts if year is None or str(year) in _when(f)]
    q = claim.quantity
    same = [s for s in named if q.kind == "date" and q.date and
            any(_same_day(q.date, _when(f)) for f in held[s])]
    if not same and q.kind == "date" and q.date:
        other = _other_event_that_day(claim, query, named, data)
        if other is not None:  # a date of another recorded event the sentence may mean
            return other
    actor = (same or [s for s in named if held[s]] or [None])[0]
    if actor is None:
        what = str(query.get("measure", "event")).replace("_", " ")
        when = f" in {year}" if year is not None else ""
        return Verdict("unverifiable", f"no curated {what} event of {', '.join(named)}{when}",
                       reason_key="no_fact", **_room(q, pattern.tolerance))
    claim.asserts = {"fact": {**query, "subject": actor}}
    return _judge_fact(claim, pattern, {**query, "subject": actor, "year": year} if year is not None
                       else {**query, "subject": actor}, data)


def _other_event_that_day(claim: Claim, query: dict[str, Any], named: list[str], data: Data
                          ) -> Verdict | None:
    """'The US required a licence to export Nvidia's H20 to China from April 9, 2025': the
    pattern read an export rule, but the day is that of another recorded event: a notice on a
    chip the sentence names (judged against it when it is of the claimed year), or any policy
    event of the actor the sentence opens with. A date equal to one recorded event is supported
    by it, never contradicted by a different event."""
    q = claim.quantity
    words = set(re.findall(r"[a-z0-9]+", claim.sentence.lower()))
    for n in data.notices():
        day = str(n.get("date"))
        if n["words"] & words and (_same_day(q.date, day) or q.date[:4] == day[:4]):
            # the sentence names the chip of a notice of that year: the notice is the event
            cite = n.get("citation") or {}
            ev = Evidence("fact", str(n["id"]), citation={
                "publisher": str(cite.get("publisher", "")), "title": str(cite.get("title", "")),
                "url": str(cite.get("url") or ""), "published": str(cite.get("date", ""))},
                command=f"aiatlas chips classify {n['chips'][0]!r}")
            v = _compare_date(q, {"id": n["id"], "date": day}, ev)
            v.reason = f"{v.reason} (the notice {n['id']}: {n.get('what', '').strip()})"
            v.subject, v.as_of = named[0], str(cite.get("date", ""))
            return v
    # the actor the sentence opens with, not the one acted upon; an agency or firm acts for its
    # country ('The Commerce Department said on 13 May 2025 ...': the US's events)
    opener = next((e for e in gazetteer.in_sentence(claim.sentence)[1]
                   if e.type in ("country", "state", "organization")), None)
    openers = named[:1] + ([opener.country] if opener is not None and opener.id == named[0] and
                           opener.country and opener.country != opener.id else [])
    for subject in openers:
        for f in data.facts(topic=query.get("topic", "policy_events"), subject=subject) or []:
            if _same_day(q.date, _when(f)):
                ev = Evidence("fact", str(f.get("id", "")), where={"subject": subject}, citation={
                    k: str(f[k]) for k in ("publisher", "title", "url", "published", "as_printed")
                    if f.get(k) is not None}, command=f"aiatlas facts --topic {f.get('topic')} "
                    f"--subject {subject}")
                return Verdict("supported", f"the recorded date of {f.get('label') or f.get('id')} "
                               f"is {_when(f)}", tolerance="same day", tolerance_ja="同じ日付",
                               reason_key="date", evidence=[ev], subject=subject,
                               as_of=str(f.get("published") or ""))
    return None


def _judge_fact(claim: Claim, pattern: Pattern, query: dict[str, Any], data: Data) -> Verdict:
    q, tol = claim.quantity, pattern.tolerance
    year = query.pop("year", None)
    facts = data.facts(**query)
    if year is not None:
        facts = [f for f in facts if str(year) in _when(f)]
    if not facts:
        shown = ", ".join(f"{k}={v}" for k, v in query.items()) + (f", year={year}" if year else "")
        return Verdict("unverifiable", f"no curated fact for {shown}", reason_key="no_fact",
                       **_room(q, tol))
    note = ""
    if q.kind == "date" and q.date:
        same = [f for f in facts if _same_day(q.date, _when(f))]
        # none that day: the recorded one nearest the claimed date is the one it misdates
        facts = same or sorted(facts, key=lambda f: _distance(q.date, _when(f)))[:1]
    if len(facts) > 1 and q.kind != "date":
        comparable = [f for f in facts if _fact_value(q, f)[0] is not None]
        if not comparable:  # e.g. every figure is in another currency: say so
            return Verdict("unverifiable", _fact_value(q, facts[-1])[1], reason_key="fact_unusable",
                           **_room(q, tol))
        facts = comparable
        values = sorted({float(f["value"]) for f in facts if f.get("value") is not None})
        agree = [f for f in facts if f.get("value") is not None and
                 compare(q, _fact_value(q, f)[0] or 0.0, tol, []).verdict == "supported"]
        if agree and len(values) > 1:  # the figure is one of those recorded: say which
            facts = agree
            when = sorted({_when(f) for f in agree if _when(f)})
            note = (f" (one of {len(values)} figures recorded" +
                    ("" if year else f"; the claim states no year: it matches the figure of "
                     f"{' and '.join(when) or 'an undated record'}") + ")")
        elif len(values) > 1:  # every recorded figure disagrees: name them all
            shown = "; ".join(f"{human(_fact_value(q, f)[0])} ({_when(f)})"
                              for f in sorted(facts, key=_order))
            why = "no year stated" if year is None else f"{year}"
            return Verdict("contradicted", f"none of the recorded figures agrees ({why}): {shown}; "
                           f"{facts[-1].get('publisher', '')}", **_room(q, tol),
                           measure=pattern.describe, subject=str(query.get("subject", "")),
                           year=claim.year, as_of=str(facts[-1].get("published") or ""))
    facts = sorted(facts, key=_order)
    fact = facts[-1]
    ev = Evidence("fact", str(fact.get("id", "")), where=query, citation={
        k: str(fact[k]) for k in ("publisher", "title", "url", "published", "as_printed", "note")
        if fact.get(k) is not None}, command=" ".join(["aiatlas facts", *(f"--{k} {v}" for k, v in query.items()
                                                if k in ("topic", "subject", "measure"))]))
    if q.kind == "date":
        v = _compare_date(q, fact, ev)
    else:
        actual, why = _fact_value(q, fact)
        if actual is None:
            return Verdict("unverifiable", why, reason_key="fact_unusable", **_room(q, tol),
                           evidence=[ev])
        v = compare(q, actual, tol, [ev])
    v.reason += note + f"; {fact.get('publisher', '')}, {_when(fact)}".rstrip(", ")
    v.measure, v.subject, v.year = pattern.describe, str(query.get("subject", "")), claim.year
    v.as_of = str(fact.get("published") or "")
    return v


def _when(fact: dict[str, Any]) -> str:
    """The fact's date or period as text ('2025-02-09', '2024-Q1', '2023')."""
    return str(fact.get("date") or fact.get("period") or "")


def _order(fact: dict[str, Any]) -> tuple[int, int, int]:
    """Chronological key of a date or period: 2024-Q1 < 2024-07 < 2024-H2 end < 2025."""
    m = re.match(r"(\d{4})(?:-(\d{2})|-Q(\d)|-H(\d))?(?:-(\d{2}))?", _when(fact))
    if not m:
        return (0, 0, 0)
    month = int(m.group(2)) if m.group(2) else int(m.group(3)) * 3 if m.group(3) else \
        int(m.group(4)) * 6 if m.group(4) else 12
    return (int(m.group(1)), month, int(m.group(5) or 31))


def _distance(claimed: str, recorded: str) -> int:
    """Days between a claimed and a recorded date (a large number when either cannot be read)."""
    try:
        day = dt.date.fromisoformat(("2000" + claimed[1:]) if claimed.startswith("--") else claimed)
        other = dt.date.fromisoformat(recorded[:10])
        if claimed.startswith("--"):
            other = other.replace(year=2000)
        return abs((day - other).days)
    except ValueError:
        return 10**6


def _same_day(claimed: str, recorded: str) -> bool:
    """Same date; a claim without a year ('--02-10') matches on month and day."""
    if claimed.startswith("--"):
        return recorded[4:10] == claimed[1:]
    return recorded[:10] == claimed


def _fact_value(q: Quantity, fact: dict[str, Any]) -> tuple[float | None, str]:
    """The fact's value in the claim's units, or why it cannot be compared."""
    value, unit = fact.get("value"), str(fact.get("unit") or "")
    if value is None:
        return None, f"fact {fact.get('id')} records no value ({fact.get('note') or 'not confirmed'})"
    value = float(value)
    if q.kind == "money":
        cur = re.search(r"\b([A-Z]{3})\b", unit)
        if cur and q.currency and cur.group(1) != q.currency:
            return None, (f"the claim is in {q.currency}, the fact in {cur.group(1)}; "
                          "no exchange rate is applied")
        scale = re.search(r"\b(thousand|million|billion|trillion|bn|mn)\b", unit, re.IGNORECASE)
        return value * (EN_SCALES[scale.group(1).lower()] if scale else 1.0), ""
    if q.kind == "percent" and re.search(r"fraction|share|ratio", unit, re.IGNORECASE) and value <= 1:
        return value * 100, ""
    return value, ""


def _compare_date(q: Quantity, fact: dict[str, Any], ev: Evidence) -> Verdict:
    actual = str(fact.get("date") or "")
    if not actual:
        return Verdict("unverifiable", f"fact {fact.get('id')} records no day ({_when(fact)})",
                       reason_key="fact_no_day",
                       evidence=[ev])
    if _same_day(q.date, actual):
        return Verdict("supported", f"the recorded date is {actual}", tolerance="same day",
                       reason_key="date", tolerance_ja="同じ日付",
                       evidence=[ev])
    gap = None
    if not q.date.startswith("--"):
        gap = float((dt.date.fromisoformat(q.date) - dt.date.fromisoformat(actual[:10])).days)
    return Verdict("contradicted", f"the recorded date is {actual}, not {q.date}", reason_key="date",
                   tolerance="same day", tolerance_ja="同じ日付", gap=gap, evidence=[ev])


def compare(q: Quantity, actual: float, tol: Slack, evidence: list[Evidence],
            what: str = "value") -> Verdict:
    """Supported when the data's value meets the claim as qualified, within the allowance its
    writing implies (claims/precision.py); the allowance is stated in English and Japanese."""
    claimed = q.value
    if what == "rank":
        room = precision.Allowance(0.0, "exact rank", "順位の完全一致")
    else:
        room = precision.allowance(q, tol)
    allowed, en, ja = room.amount, room.en, room.ja
    said = q.qualifier_text
    if q.high is not None:
        ok = claimed - allowed <= actual <= q.high + allowed
        en, ja = (f"inside {human(claimed)}–{human(q.high)}, {en}",
                  f"{human(claimed)}〜{human(q.high)}の範囲、{ja}")
    elif q.qualifier in ("over", "at_least"):  # a bound is a bound: 295,000 is not 'over 300,000'
        over = q.qualifier == "over"  # the words say which: 'over' is strict, 'at least' not
        ok = actual > claimed if over else actual >= claimed
        en = f"{'>' if over else '≥'} {human(claimed)} ('{said}'): a bound, no rounding"
        ja = f"{human(claimed)}{'超' if over else '以上'}（「{said}」）: 下限なので丸めの幅なし"
    elif q.qualifier in ("under", "at_most"):
        under = q.qualifier == "under"
        ok = actual < claimed if under else actual <= claimed
        en = f"{'<' if under else '≤'} {human(claimed)} ('{said}'): a bound, no rounding"
        ja = f"{human(claimed)}{'未満' if under else '以下'}（「{said}」）: 上限なので丸めの幅なし"
    elif q.qualifier == "nearly":
        # 'nearly 40 models': 36 to 40; a share in % is a scale of its own, where a tenth of 90%
        # (81%) is no longer 'nearly 90%': at most 5 points under it
        under = max(2 * allowed, 0.1 * abs(claimed))
        low = claimed - (under if q.unit != "%" else min(under, max(5.0, allowed)))
        ok = low <= actual <= claimed + allowed
        en = f"between {human(low)} and {human(claimed)} ('{said}'), {en}"
        ja = f"{human(low)}から{human(claimed)}の間（「{said}」）、{ja}"
    else:
        ok = abs(actual - claimed) <= allowed
    gap = claimed - actual
    rel = gap / actual if actual else None
    unit = "" if q.unit in ("", "%") else f" {q.unit}"
    pct = "%" if q.unit == "%" else ""
    if ok:
        return Verdict("supported", f"the data says {human(actual)}{pct}{unit}", tolerance=en,
                       tolerance_ja=ja, actual=actual, gap=gap, gap_relative=rel,
                       evidence=evidence)
    sign = "+" if gap > 0 else "-"
    return Verdict("contradicted", f"the data says {human(actual)}{pct}{unit} (claimed "
                   f"{human(claimed)}{pct}{unit}, off by {sign}{human(abs(gap))})", tolerance=en,
                   tolerance_ja=ja, actual=actual, gap=gap, gap_relative=rel, evidence=evidence)


def _at_least(q: Quantity, actual: float, tol: Slack, evidence: list[Evidence]) -> Verdict:
    """A claim against a value the data knows only as a lower bound (a lag not closed yet: the
    true value is `actual` or more). 'At least N' / 'over N' is supported when the bound proves
    it; a figure above which the claim allows nothing, below the bound less its allowance, is
    contradicted; anything else (an exact figure, 'at least' more than the bound) cannot be
    told until the data closes it."""
    unit = "" if q.unit in ("", "%") else f" {q.unit}"
    unit_ja = UNITS_JA.get(q.unit, q.unit) if q.unit not in ("", "%") else ""
    said, said_ja = f"at least {human(actual)}{unit}", f"{human(actual)}{unit_ja}以上"
    gap = q.value - actual
    common = {"actual": actual, "evidence": evidence, "reason_key": "lower_bound"}
    if q.qualifier in ("over", "at_least"):
        ok = actual > q.value if q.qualifier == "over" else actual >= q.value
        room = {"tolerance": f"≥ {human(q.value)} ('{q.qualifier_text}'): a bound, no rounding",
                "tolerance_ja": f"{human(q.value)}以上（「{q.qualifier_text}」）: 下限なので丸めの幅なし"}
        if ok:
            v = Verdict("supported", f"the data says {said} (not reached yet)", gap=gap,
                        gap_relative=gap / actual if actual else None, **room, **common)
            v.reason_ja = f"データでは{said_ja}（まだ追いついていません）"
            return v
        v = Verdict("unverifiable", f"the data says {said} (not reached yet): a bound of "
                    f"{human(q.value)}{unit} cannot be told yet", **room, **common)
        v.reason_ja = f"データでは{said_ja}（まだ追いついていません）で、{human(q.value)}{unit_ja}以上かはまだ分かりません"
        return v
    room = precision.allowance(q, tol)
    top = q.high if q.high is not None else q.value
    if q.qualifier not in ("under", "at_most") and top + room.amount < actual:
        pass  # an exact figure the bound already exceeds
    elif q.qualifier in ("under", "at_most") and (top < actual or (top == actual and q.qualifier == "under")):
        pass  # 'under N' with the bound at N or more
    else:
        v = Verdict("unverifiable", f"the data says {said} (not reached yet): the final figure "
                    "is not known, only its lower bound", tolerance=room.en, tolerance_ja=room.ja,
                    **common)
        v.reason_ja = f"データでは{said_ja}（まだ追いついていません）で、最終的な値は分からず下限だけが分かります"
        return v
    v = Verdict("contradicted", f"the data says {said} (not reached yet), more than claimed "
                f"({human(top)}{unit})", tolerance=room.en, tolerance_ja=room.ja, gap=top - actual,
                gap_relative=(top - actual) / actual if actual else None, **common)
    v.reason_ja = f"データでは{said_ja}（まだ追いついていません）で、主張（{human(top)}{unit_ja}）を上回ります"
    return v


def _room(q: Quantity, tol: Slack) -> dict[str, str]:
    """The allowance of a claim that could not be compared, for the record (en and ja)."""
    room = precision.allowance(q, tol)
    return {"tolerance": room.en, "tolerance_ja": room.ja}


def _command(ind: str, params: dict[str, Any], where: dict[str, Any]) -> str:
    verb = ind if ind.startswith("show ") else f"explain {ind}"
    args = [f"-p {k}={v}" for k, v in params.items()] + [f"-w {k}={v}" for k, v in where.items()]
    return " ".join(["aiatlas", verb, *args])
