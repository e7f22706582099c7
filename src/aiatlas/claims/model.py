"""What a numeric claim is, and what the checker says about it: Quantity, Claim, Verdict, Report."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# kinds of quantity the extractor recognises; the matcher's patterns select on them
KINDS = ("count", "percent", "points", "money", "multiple", "rank", "duration", "date", "number",
         "status")  # status: a chip's export-control status (1 = licence required)
# how a qualifier bends the comparison: "over 40" is met by 45, "nearly 40" by 38
QUALIFIERS = ("exact", "approx", "nearly", "over", "under", "at_least", "at_most")
# revised: true on the data vintage the publisher could use, not on today's data
VERDICTS = ("supported", "contradicted", "revised", "unverifiable")


@dataclass
class Quantity:
    """A number as asserted: value in base units (scale applied), with unit, currency and qualifier."""

    value: float
    kind: str = "number"
    unit: str = ""  # normalised unit: '%', 'points', 'models', 'units', 'months', 'EUR' ...
    scale: str = ""  # the scale word as written: '億', 'billion', 'bn', '万'
    currency: str = ""  # ISO 4217 for money
    qualifier: str = "exact"
    qualifier_text: str = ""  # the word that set it: 'nearly', '以上', '約'
    high: float | None = None  # upper bound of a range (value is the lower bound)
    rank: bool = False
    date: str | None = None  # ISO date (or --MM-DD when the year is unknown) for kind 'date'
    digits: str = ""  # the number as written ('46,106', '39.2', '475' of 475億): its precision
    # the sentence denies the figure itself ('did not release 30 models'): what it is not, which
    # the data cannot confirm. A denied bound is read as its opposite instead ('not more than 2'
    # is at most 2, '30件を下回らなかった' at least 30) and is not marked
    negated: bool = False

    @property
    def is_range(self) -> bool:
        return self.high is not None


@dataclass
class Entity:
    """A gazetteer hit: a country, organization, model or benchmark named in the text."""

    id: str
    type: str  # country | organization | model | benchmark
    text: str
    start: int
    end: int
    country: str | None = None  # for organizations: their ISO3 country
    developer: str | None = None  # for models: the organization id that makes them


@dataclass
class Claim:
    """One numeric claim found in a sentence (or given in a claims file)."""

    text: str  # the span as written in the original text
    start: int  # offsets into the original text
    end: int
    sentence: str
    lang: str
    quantity: Quantity
    subjects: list[Entity] = field(default_factory=list)
    year: int | None = None
    keywords: str = ""  # the words patterns read: the number's clause and the sentence's topic
    clause: str = ""  # the number's own clause (normalised)
    year_note: str = ""  # why the year is uncertain or how a relative year was read
    from_article: int | None = None  # a year relative to the article's date: 'last year' -1
    subject_note: str = ""  # why no subject was bound
    reference: Entity | None = None  # what a ratio is measured against ('as many as the US')
    subset: str = ""  # a count within a set the sentence defines: 'Five of the twelve largest'
    threshold: bool = False  # the figure is called a limit or threshold: a rule's parameter
    base: str = ""  # what a share is of, when the clause says: models, organizations, people
    continues: bool = False  # the clause continues a comparison ('against 31 for China')
    period: str = ""  # 'YYYY-MM' when the sentence states the month of the claim's year
    quarter: int | None = None  # 1-4 when the sentence states the quarter of the claim's year
    # a figure per person ('0.5 models per million people', '人口100万人あたり'): capita,
    # million, or other (another denominator); '' for a total
    per: str = ""
    since: int | None = None  # the start of a trend or total the sentence gives ('since 2020')
    # a share or rate stated as its change, not its level: 'fell 10%', 'rose by 5 points',
    # '10ポイント低下した' ('up' or 'down'; '' for a level: 'rose to 40%', '40%に上昇')
    change: str = ""
    part_of_year: str = ""  # 'first half', '上半期', '1～6月': the figure is of part of its year
    from_year: int | None = None  # the year a change in points is counted from (2023 of '2023 to 2024')
    # what it asserts as, once matched: {'indicator': id, 'params': {}, 'where': {}} or {'fact': {...}}
    asserts: dict[str, Any] | None = None
    pattern: str | None = None

    def subject(self, type: str) -> Entity | None:
        """The bound subject of that type (countries include a state's or firm's country)."""
        hits = [e for e in self.subjects if e.type == type or (type == "country" and e.country)]
        before = [e for e in hits if e.end <= self.start]
        if before:
            return max(before, key=lambda e: e.end)
        after = [e for e in hits if e.start >= self.start]  # a name inside the span counts as after
        return min(after, key=lambda e: e.start) if after else None


@dataclass
class Evidence:
    """What a verdict rests on: explain rows of an indicator or a curated fact's citation."""

    kind: str  # 'indicator' or 'fact'
    ref: str  # indicator id or fact id
    params: dict[str, Any] = field(default_factory=dict)
    where: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # a few explain rows
    row_count: int = 0
    citation: dict[str, Any] | None = None  # publisher, title, url, published, as printed
    snapshots: list[str] = field(default_factory=list)
    command: str = ""  # the CLI line that shows the same evidence


@dataclass
class Verdict:
    """The checker's answer for one claim."""

    verdict: str  # supported | contradicted | unverifiable
    reason: str  # one line a reader can act on
    tolerance: str = ""  # the allowance in words, e.g. '±0.5 percentage points (39 is rounded ...)'
    tolerance_ja: str = ""  # the same in Japanese
    actual: float | None = None  # the data's value, in the claim's units
    gap: float | None = None  # claimed - actual (claim units)
    gap_relative: float | None = None
    evidence: list[Evidence] = field(default_factory=list)
    reason_key: str = ""  # names the reason for translation (render.py)
    reason_ja: str = ""  # the reason in Japanese, when the judge words it itself
    as_of: str = ""  # the data's as-of date (the publisher's, else the download's)
    measure: str = ""  # what the data measures, in words
    titles: dict[str, str] = field(default_factory=dict)  # the measure per language (en, ja)
    latest: float | None = None  # for 'revised': today's value (actual is the older vintage's)
    unit: str = ""  # the unit of actual, as the reader sees it ('%', 'models', 'EUR')
    subject: str = ""  # the bound subject id
    year: int | None = None


@dataclass
class CheckedClaim:
    """A claim with its verdict."""

    claim: Claim
    verdict: Verdict


@dataclass
class Skipped:
    """A number in a sentence that is not a claim, with why (year alone, list numbering, model name)."""

    text: str
    start: int
    end: int
    reason: str


@dataclass
class SentenceReport:
    """One sentence that contains a number: its checked claims and what was skipped."""

    index: int
    text: str
    start: int
    end: int
    lang: str
    claims: list[CheckedClaim] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    note: str = ""  # why nothing was checked, when no claim was found


@dataclass
class Report:
    """The checker's output for a whole text: every sentence with a number, in order."""

    source: str
    lang: str
    sentences: list[SentenceReport] = field(default_factory=list)
    seconds: float = 0.0
    dated: str | None = None  # the article's date relative years were read from (YYYY-MM-DD)

    def counts(self) -> dict[str, int]:
        """How many claims got each verdict."""
        out = dict.fromkeys(VERDICTS, 0)
        for s in self.sentences:
            for c in s.claims:
                out[c.verdict.verdict] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the machine-readable twin of every other format)."""
        return {"source": self.source, "lang": self.lang, "dated": self.dated, "counts": self.counts(),
                "seconds": round(self.seconds, 4),
                "sentences": [_sentence_dict(s) for s in self.sentences]}


def _sentence_dict(s: SentenceReport) -> dict[str, Any]:
    out = asdict(s)
    for c in out["claims"]:
        c["claim"].pop("keywords", None)
        c["claim"].pop("sentence", None)
    return out
