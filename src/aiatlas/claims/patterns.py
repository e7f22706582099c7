"""The declared claim patterns (patterns.yaml): which indicator or fact checks which kind of claim."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from aiatlas import safe_yaml
from aiatlas.claims import gazetteer
from aiatlas.claims.model import KINDS, Claim
from aiatlas.claims.precision import Slack
from aiatlas.errors import DataError

_FIELDS = {"id", "describe", "kinds", "units", "keywords", "subject", "needs_year", "indicator",
           "params", "where", "value_column", "scale", "rank_by", "fact", "tolerance", "base",
           "period", "title", "pair", "definition", "events", "excludes", "lower_bound",
           "subset", "hints", "interval", "per", "topic", "total", "change", "difference", "zero",
           "listed"}
_SUBJECTS = ("country", "state", "organization", "benchmark", None)
# a figure said of every year or of a year at a time, not summed over the years since a start
_EACH_YEAR = re.compile(r"\b(?:any|every|each|a\s+single|per|a)\s+(?:given\s+)?year\b|\bannually\b|"
                        r"\byearly\b|毎年|年間|年平均|どの年|1年あたり|年に")
_PLACEHOLDER = re.compile(r"\{(country|state|organization|benchmark|year|quarter|precision|per|since)\}")
# the number format a hardware figure is stated at: 'FP16', 'tensor BF16', '半精度', 'INT8'
_PRECISIONS = [(re.compile(r"(?<![a-z0-9])(?:fp|bf)16(?![0-9])|半精度", re.IGNORECASE), "fp16"),
               (re.compile(r"(?<![a-z0-9])fp32(?![0-9])|単精度", re.IGNORECASE), "fp32"),
               (re.compile(r"(?<![a-z0-9])int8(?![0-9])", re.IGNORECASE), "int8")]


# a rank within a region ('second in Europe', '欧州で2位'): the data ranks every country
_REGION_SCOPE = re.compile(
    r"\b(?:in|among|within|across)\s(?:the\s)?(?:europe|european\s(?:countries|nations)|eu|asia|asian\s"
    r"(?:countries|nations)|africa|latin\samerica|middle\seast|g7|oecd)\b|(?:欧州|ヨーロッパ|アジア|EU|中東|"
    r"アフリカ|中南米|G7|OECD)(?:域内|諸国)?(?:で|の中で|内で)", re.IGNORECASE)


def precision_of(sentence: str) -> str | None:
    """The one number format a sentence names (None: none, or several)."""
    named = {p for rx, p in _PRECISIONS if rx.search(sentence)}
    return named.pop() if len(named) == 1 else None


@dataclass(frozen=True)
class Pattern:
    """One row of the pattern table: claim shape -> indicator or fact, parameters, tolerance."""

    id: str
    describe: str
    kinds: tuple[str, ...]
    keywords: tuple[re.Pattern, ...]
    tolerance: Slack  # the measure's declared slack; the claim's writing adds its own (precision.py)
    units: tuple[str, ...] = ()
    subject: str | None = None
    needs_year: bool = False
    indicator: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    where: dict[str, Any] = field(default_factory=dict)
    value_column: str = "value"
    scale: float = 1.0
    rank_by: str | None = None
    fact: dict[str, Any] | None = None
    base: tuple[str, ...] = ()  # what a share is of (models, organizations, people)
    period: str | None = None  # a date column: rows of the claim's year (or month) form a range
    title: dict[str, str] = field(default_factory=dict)  # what is measured, per language
    # a gap between two named countries (USA, CHN): the sentence must name both, in any order
    pair: tuple[str, ...] = ()
    definition: str = ""  # how the value is computed, said in every reason ('(a - b) / b')
    # a dated event (a policy event): its actor is any subject the sentence names, not only the
    # one nearest the figure ('the US restricted exports to China on October 7, 2022'); the
    # judge binds the event of the claimed date among them (judge._judge_event)
    events: bool = False
    # words that make the figure another measure though the keywords fit: 'trained on 2,048
    # H800 GPUs' counts chips used, not accelerator designs released
    excludes: tuple[re.Pattern, ...] = ()
    # a boolean column true on rows whose value is only a lower bound (a lag not yet closed:
    # 'at least 8 months'); the judge then supports only claims the bound proves
    lower_bound: str | None = None
    # counts the members of a subset a sentence may define ('of the 60 notable models, 11 had
    # open weights'): such a count is judged here, never against the set's total
    subset: bool = False
    # words that add to the score once a keyword matched, never alone: 'share' or '占め' tell a
    # share of developers from their growth, but do not make a share of models one of developers
    hints: tuple[re.Pattern, ...] = ()
    # the indicator's own confidence interval around the value (low and high columns): a figure
    # inside it is supported, one outside it by more than its rounding contradicted
    interval: tuple[str, ...] = ()
    # the same measure over the counts as the source lists them, where the value column is like
    # for like (GitHub's topics crossing its threshold): a figure only it gives is unverifiable,
    # saying both, never contradicted
    listed: str | None = None
    # the measure is per person ('{per}' fills the indicator's per parameter): only a figure
    # stated per person fits it, and a figure stated per person fits no other measure
    per: bool = False
    # regexes, one of which the sentence must match anywhere: what the sentence is about though
    # the figure's own clause may not say it ('中国のAIクラスターは223基で、計算能力はH100換算で
    # 23万個分': the compute is the clusters')
    topic: tuple[re.Pattern, ...] = ()
    # a running total since the year the sentence starts it from ('since 2020, 384 models'):
    # the yearly rows from then on are summed (judge._judge_total); only such a claim fits
    total: bool = False
    # the measure is itself a change (year-on-year growth): a figure stated as a change ('grew
    # 72%') fits it; one fits no measure of a level ('the share fell 10%' is not a 10% share)
    change: bool = False
    # the change in points of a level between two years ('fell 10 points from 2023 to 2024'):
    # the value of the claim's year minus that of its from_year (judge._judge_difference)
    difference: bool = False
    # records counted in one export: a subject with no record in a year the data covers counted
    # none ('Japan released 3 notable models in 2024': the data holds none, 0)
    zero: bool = False

    def fits(self, claim: Claim) -> int:
        """How specifically the claim's own words fit (0: not at all): kind, unit, base, keywords.

        The score is the number of characters the keywords match, so 'safety benchmarks' beats
        'models' and the most specific pattern wins.
        """
        q = claim.quantity
        if q.kind not in self.kinds or (self.units and q.unit not in self.units):
            return 0
        running = claim.since is not None and claim.year is None and q.kind in ("count", "number")
        if running and _EACH_YEAR.search(claim.keywords):
            return 0  # 'not more than two in any year since 2022': a yearly figure, no total
        if self.total != running and (self.total or self.needs_year):
            return 0  # 'since 2020, 350 models' is no year's count, and a year's count no total
        if claim.change and not self.change:
            return 0
        if bool(claim.per) != self.per:
            return 0  # '0.5 models per million people' is not a count of models, nor the reverse
        if self.base and claim.base and claim.base not in self.base:
            return 0  # a share of organizations is not a share of models
        if self.pair:
            named = {e.id for e in gazetteer.in_sentence(claim.sentence)[1]
                     if e.type == "country"}  # every country the sentence names, not the bound one
            if not set(self.pair) <= named:
                return 0  # 'the US-China gap' needs both sides named
        elif self.subject is None:
            own = claim.subject("country")
            if own is not None and (own.country or own.id) not in ("WLD", None):
                return 0  # a world figure does not check a claim about one country
        if not self._any_keyword.search(claim.keywords) or \
                any(x.search(claim.keywords) for x in self.excludes):
            return 0
        hits = [m for k in self.keywords for m in [k.search(claim.keywords)] if m]
        if not hits:
            return 0
        if self.topic and not any(x.search(gazetteer.in_sentence(claim.sentence)[0])
                                  for x in self.topic):
            return 0
        hits += [m for k in self.hints for m in [k.search(claim.keywords)] if m]
        return sum(len(m.group()) for m in hits)

    @functools.cached_property
    def _any_keyword(self) -> re.Pattern:
        """The keywords as one regex, searched once: most patterns of a claim's kind share no
        keyword with its words, and then none of the keywords need be searched one by one."""
        return re.compile("|".join(f"(?:{k.pattern})" for k in self.keywords), re.IGNORECASE)

    def bind(self, claim: Claim) -> tuple[dict[str, Any] | None, str]:
        """What the claim asserts in this pattern's terms, or None and what is missing."""
        values: dict[str, Any] = {"year": claim.year, "quarter": claim.quarter,
                                  "precision": precision_of(claim.sentence), "per": claim.per,
                                  "since": claim.since}
        people = float(claim.per) if claim.per.isdigit() else None
        if self.per and claim.per not in ("capita", "million") and people is None:
            return None, ("the figure is per another number of people than one or a million; the "
                          "data gives figures per person and per million people")
        if people is not None:  # 'per 10 million residents': ten million times the figure per person
            values["per"] = "capita"
        if self.events:
            return self._bind_event(claim)
        if self.subject:
            ent = claim.subject(self.subject)
            if ent is None:
                return None, claim.subject_note or f"the figure's clause names no {self.subject}"
            if self.subject == "country" and ent.type == "state" and self.indicator:
                # a state's figure is not its country's: the indicator counts countries
                return None, f"the figure is about a state ({ent.id}); the data counts countries"
            if self.subject == "country" and ent.type == "organization":
                # a firm's figure is not its country's: 'Alibaba released 6 notable models'
                return None, (f"the figure is about an organization ({ent.id}), not its country "
                              f"({ent.country}); the data counts countries")
            values[self.subject] = ent.country if self.subject == "country" else ent.id
        if self.subject != "country" and any(v == "{country}" for v in (*self.where.values(),
                                                                          *self.params.values())):
            ent = claim.subject("country")  # 'the best US score on GPQA Diamond': the benchmark's subject
            if ent is None or ent.type != "country":
                return None, (f"the figure is about an organization ({ent.id}), not its country"
                              if ent is not None else "the figure's clause names no country")
            values["country"] = ent.id
        if claim.year is None and claim.year_note:  # 'last year': the year is not known
            return None, claim.year_note
        if self.needs_year and claim.year is None and not self.total:
            return None, claim.year_note or "the sentence states no year for this figure"
        scope = _REGION_SCOPE.search(claim.sentence) if self.rank_by else None
        if scope:
            return None, (f"a rank within a region ('{scope.group().strip()}'); the data ranks every "
                          "country")
        part = claim.part_of_year or (f"Q{claim.quarter}" if claim.quarter else "") or claim.period
        if part and self.needs_year and self.indicator and not self.period and \
                "{quarter}" not in self.where.values():
            return None, (f"the figure is of part of a year ({part}); the data counts whole years")
        if self.difference and claim.from_year is None:
            return None, "a change whose starting year the sentence does not give"
        if self.needs_year and claim.year_note.startswith("fiscal"):
            return None, f"{claim.year_note}: the data counts calendar years"
        if claim.quarter is None and "{quarter}" in self.where.values():
            return None, "the sentence states no quarter for this figure; the data counts quarters"

        def fill(d: dict[str, Any] | None) -> dict[str, Any]:
            out = {}
            for k, v in (d or {}).items():
                if isinstance(v, str) and _PLACEHOLDER.fullmatch(v):
                    v = values.get(v[1:-1])
                    if v is None:
                        continue
                elif isinstance(v, str):
                    v = _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), v)
                out[k] = v
            return out

        if self.fact is not None:
            query = fill(self.fact)
            if claim.year is not None:
                query["year"] = claim.year
            return {"fact": query}, ""
        return {"indicator": self.indicator, "params": fill(self.params), "where": fill(self.where),
                "value_column": self.value_column,
                "scale": self.scale * (people if people is not None and self.per and not self.rank_by else 1),
                "period": self.period,
                "rank_by": self.rank_by, "subject": values.get(self.subject or ""), "total": self.total,
                "difference": self.difference,
                "lower_bound": self.lower_bound, "interval": self.interval}, ""


    def _bind_event(self, claim: Claim) -> tuple[dict[str, Any] | None, str]:
        """A dated event's fact query, with every subject the sentence names as the candidate
        actors, in the order named (the first is the grammatical subject in either language)."""
        named: list[str] = []
        for e in gazetteer.in_sentence(claim.sentence)[1]:
            if e.type not in ("country", "state", "organization"):
                continue
            for i in (e.id, e.country):  # a state's or firm's own id first, then its country
                if i and i != "WLD" and i not in named:
                    named.append(i)
        if not named:
            return None, claim.subject_note or "the sentence names no country or state acting"
        if claim.year is None and claim.year_note:
            return None, claim.year_note
        query = {k: v for k, v in (self.fact or {}).items() if k != "subject"}
        if claim.year is not None:
            query["year"] = claim.year
        return {"fact": query, "subjects": named}, ""


def load(path: str | Path | None = None) -> list[Pattern]:
    """Read and validate a pattern table; the packaged patterns.yaml by default."""
    if path is None:
        return list(_default())
    p = Path(path)
    return _parse(safe_yaml.load(p.read_text(encoding="utf-8"), str(p)), str(p))


@functools.lru_cache(maxsize=1)
def _default() -> tuple[Pattern, ...]:
    text = resources.files("aiatlas.claims").joinpath("patterns.yaml").read_text(encoding="utf-8")
    return tuple(_parse(yaml.safe_load(text), "patterns.yaml"))


def _parse(data: Any, origin: str) -> list[Pattern]:
    if not isinstance(data, list):
        raise DataError(f"{origin}: expected a list of patterns")
    out, seen = [], set()
    for i, raw in enumerate(data, 1):
        where = f"{origin}: pattern {i}"
        if not isinstance(raw, dict) or "id" not in raw:
            raise DataError(f"{where}: expected a mapping with an id")
        where = f"{origin}: pattern {raw['id']}"
        unknown = set(raw) - _FIELDS
        if unknown:
            raise DataError(f"{where}: unknown field {', '.join(sorted(unknown))}",
                            hint="fields: " + ", ".join(sorted(_FIELDS)))
        if raw["id"] in seen:
            raise DataError(f"{where}: id used twice")
        seen.add(raw["id"])
        kinds = tuple(raw.get("kinds") or ())
        bad = [k for k in kinds if k not in KINDS]
        if not kinds or bad:
            raise DataError(f"{where}: kinds {bad or '(empty)'} (expected some of {', '.join(KINDS)})")
        if ("indicator" in raw) == ("fact" in raw):
            raise DataError(f"{where}: give exactly one of indicator or fact")
        if raw.get("subject") not in _SUBJECTS:
            raise DataError(f"{where}: subject {raw['subject']!r} (expected country, organization "
                            "or benchmark)")
        try:
            keywords = tuple(re.compile(k, re.IGNORECASE) for k in raw.get("keywords") or ())
        except re.error as e:
            raise DataError(f"{where}: keywords: bad regex ({e})") from None
        if not keywords:
            raise DataError(f"{where}: keywords must list at least one regex")
        try:
            excludes = tuple(re.compile(k, re.IGNORECASE) for k in raw.get("excludes") or ())
            hints = tuple(re.compile(k, re.IGNORECASE) for k in raw.get("hints") or ())
            topic = tuple(re.compile(k, re.IGNORECASE) for k in raw.get("topic") or ())
        except re.error as e:
            raise DataError(f"{where}: excludes, hints or topic: bad regex ({e})") from None
        tol = raw.get("tolerance") or {}
        if not isinstance(tol, dict) or set(tol) - {"rel", "abs"}:
            raise DataError(f"{where}: tolerance must be a mapping of rel and/or abs")
        out.append(Pattern(
            id=str(raw["id"]), describe=str(raw.get("describe", "")), kinds=kinds,
            keywords=keywords, excludes=excludes, tolerance=Slack(float(tol.get("rel", 0)), float(tol.get("abs", 0))),
            units=tuple(raw.get("units") or ()), subject=raw.get("subject"),
            needs_year=bool(raw.get("needs_year")), indicator=raw.get("indicator"),
            params=dict(raw.get("params") or {}), where=dict(raw.get("where") or {}),
            value_column=str(raw.get("value_column", "value")), scale=float(raw.get("scale", 1)),
            rank_by=raw.get("rank_by"), fact=raw.get("fact"), base=tuple(raw.get("base") or ()),
            period=raw.get("period"), title=dict(raw.get("title") or {}),
            pair=tuple(raw.get("pair") or ()), definition=str(raw.get("definition", "")),
            events=bool(raw.get("events")), lower_bound=raw.get("lower_bound"),
            subset=bool(raw.get("subset")), hints=hints,
            interval=tuple(raw.get("interval") or ()), per=bool(raw.get("per")),
            topic=topic, total=bool(raw.get("total")), change=bool(raw.get("change")),
            difference=bool(raw.get("difference")), zero=bool(raw.get("zero")),
            listed=raw.get("listed")))
    return out
