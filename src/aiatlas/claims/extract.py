"""Find the numeric claims of a text (English and Japanese), and say why other numbers are skipped."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from aiatlas.claims import bind as binder
from aiatlas.claims import gazetteer, numbers
from aiatlas.claims import text as textmod
from aiatlas.claims.model import Claim, Entity, Quantity, Skipped
from aiatlas.errors import UsageError

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
_MON = r"(January|February|March|April|May|June|July|August|September|October|November|December|" \
       r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
DATES = [  # (regex, groups order) -> full dates are claims of kind 'date'
    (re.compile(r"(?:(\d{4})\s?年\s?)?(\d{1,2})\s?月\s?(\d{1,2})\s?日"), ("y", "m", "d")),
    (re.compile(_MON + r"\s(\d{1,2})(?:st|nd|rd|th)?(?:,?\s(\d{4}))?(?!\d)"), ("M", "d", "y")),
    (re.compile(r"(?<!\d)(\d{1,2})\s" + _MON + r"(?:,?\s(\d{4}))?(?!\d)"), ("d", "M", "y")),
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), ("y", "m", "d")),
]
MONTH_YEAR = [re.compile(r"(\d{4})\s?年\s?(\d{1,2})\s?月(?!\s?\d{1,2}\s?日)"),
              re.compile(_MON + r",?\s(\d{4})")]
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
# a quarter of a year: 'Q3 2025', '2025 Q3', 'the third quarter of 2025', '2025年第3四半期'
QUARTERS = [re.compile(r"\bQ([1-4])\s?(?:of\s)?((?:19|20)\d{2})\b"),
            re.compile(r"\b((?:19|20)\d{2})\s?-?Q([1-4])\b"),
            re.compile(r"\b(first|second|third|fourth) quarter of ((?:19|20)\d{2})\b", re.IGNORECASE),
            re.compile(r"((?:19|20)\d{2})\s?年\s?(?:の\s?)?第\s?([1-4])\s?四半期")]
_YEAR_AFTER = re.compile(r"\s?(?:年度?|'s\b|s\b)?")
_REFERENCE = re.compile(r"(?<![A-Za-z])(?:Section|Article|Figure|Fig\.|Table|Chapter|page|p\.|Part|Rule|"
                        r"Item|Step|Phase|Q|Round|Version|v)\s?$", re.IGNORECASE)
_ORDINAL_LABEL = re.compile(r"^\s?(?:条|章|節|項|回|期|世代|弾|号|次)")
# a figure called a limit or threshold is a rule's parameter: 'under the 600 GB/s limit', 'the
# 2,400 threshold', 'a threshold of 4,800', '600GB/sの上限', '基準の4800'
_THRESHOLD_AFTER = re.compile(r"^(?:/s|/秒|ps)?\s?(?:-|‐)?(?:limit|threshold|cap|ceiling|cut-?off|bar)s?\b|"
                              r"^(?:/s|/秒|ps)?\s?(?:の|という|が)?(?:上限|基準|しきい値|閾値|規制値)", re.IGNORECASE)
_THRESHOLD_BEFORE = re.compile(r"\b(?:limit|threshold|cap|ceiling|cut-?off)s?\s(?:of|at|is|was|set\sat)\s"
                               r"(?:about\s|around\s)?$|(?:上限|基準|しきい値|閾値|規制値)(?:値)?"
                               r"(?:の|は|である|を|が)?\s?(?:約)?$", re.IGNORECASE)
_TOP_N = re.compile(r"(?:\btop|上位|トップ|ベスト)\s?$", re.IGNORECASE)
# what the digits of a figure that is no claim end or start with (_not_a_claim)
_GLUED = re.compile(r"[A-Za-z][-.]?$")
_CURRENCY_CODE = re.compile(r"(?:US|RMB|CNY|USD|EUR)\s?\$?$")
_REFERENCE_JA = re.compile(r"(?:図|表|付録|資料|ページ)\s?$")
_PHASE = re.compile(r"^\s?期(?!間|連続|ぶり)")
_NAME_END = re.compile(r"[\u4e00-\u9fffA-Za-z]\s?$")
_PER_BEFORE = re.compile(r"\bper\s$", re.IGNORECASE)
_LIST_START = re.compile(r"^\s*[(（]?$")
# dates that are not quantities: 'six years ago', '6年前', a month alone (2月), year ranges 2024-25
_YEARS_BACK = re.compile(r"^\s?(?:年前|years?\s(?:ago|earlier|before))", re.IGNORECASE)
_YEARS_ON = re.compile(r"^\s?(?:年後|years?\s(?:later|on\b|after(?!\s(?:the|its|their|a|an)\b)))",
                       re.IGNORECASE)
_MONTH_ALONE = re.compile(r"^\s?月(?!\s?\d)")
_SPAN_OF_TIME = re.compile(r"\b(?:over|within|during|for|in)\s(?:the\s(?:next|coming|past)\s)?$",
                           re.IGNORECASE)
_PART_YEAR = re.compile(r"\b(?:mid|early|late)-((?:19|20)\d{2})\b", re.IGNORECASE)
# a model or product identifier not in the gazetteer: a name word and its number, 'RTX 4090',
# 'Mate 60 Pro', 'iPhone 15 Pro', 'Snapdragon 8 Gen 3', 'Ascend 910C' (see _product_names)
_PRODUCT = re.compile(
    r"(?<![A-Za-z0-9_$€£¥.-])(?P<head>[A-Z]{2,6}|[A-Z][a-z]{2,}|[a-z]{1,2}[A-Z][A-Za-z]+)"
    r"\s(?P<num>\d+(?:\.\d+)?)(?P<glued>[A-Za-z]{1,3})?(?![A-Za-z0-9,%]|\.\d)"
    r"(?P<tail>(?:\s(?:[A-Z][a-z]+|[A-Z]{2,4})(?![A-Za-z0-9])(?:\s\d+[A-Za-z]{0,3}(?![A-Za-z0-9,%]))?)*)")
# words that open a figure, not a name: 'About 40 Chinese firms', 'In 2024 China'
_NOT_NAMES = {
    "about", "around", "some", "over", "under", "nearly", "almost", "only", "just", "roughly",
    "approximately", "exactly", "in", "on", "at", "by", "for", "from", "of", "to", "with", "since",
    "until", "after", "before", "during", "between", "among", "all", "the", "and", "but", "or",
    "top", "than", "per", "each", "every", "these", "those", "its", "their", "our", "more", "less",
    "fewer", "another", "up", "down", "least", "most", "year", "years", "fiscal", "figure", "table",
    "chapter", "section", "article", "page", "part", "item", "step", "phase", "version", "round",
    "rule", "level", "tier", "grade", "class", "group", "stage", "day", "week", "month", "then",
    "while", "whereas", "against", "versus", "vs", "unlike", "both", "also", "even", "still",
    "there", "here", "now", "when", "where", "what", "which", "who", "this", "that", "was", "were",
    "is", "are", "had", "has", "have", "without", "into", "onto", "through", "across",
    *_MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    # currencies and periods written before a figure
    "us", "usd", "eur", "jpy", "cny", "rmb", "gbp", "krw", "inr", "fy", "cy", "q", "h"}
# letters glued to a figure that make it a measure, not a name: 7nm, 80GB, 700W, 10bn, 5x
_UNIT_GLUE = re.compile(r"(?:nm|mm|[kMGT]?W|[KMGTP]B|bn|mn|tn|[mbkx]|st|nd|rd|th|s|GHz|pp|bp)",
                        re.IGNORECASE)
_SIZE_GLUE = re.compile(r"[BMT]")  # a model's parameter count glued to its name: Llama 405B
_YEAR_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s?(?:-|~|to|から)\s?(\d{2}|(?:19|20)\d{2})(?!\d)(\s?年度?)?")


@dataclass
class SentenceClaims:
    """What extraction found in one sentence: claims, skipped numbers, entities, years."""

    start: int  # offsets into the original text
    end: int
    text: str
    lang: str
    claims: list[Claim] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    has_number: bool = False


def extract(text: str, lang: str = "auto") -> list[SentenceClaims]:
    """Split into sentences and extract the numeric claims of each (lang: auto, en, ja)."""
    if lang not in ("auto", "en", "ja", "zh"):
        raise UsageError(f"unknown language {lang!r} (expected auto, en or ja)")
    norm = textmod.normalise(text)
    entities = gazetteer.default().find(norm.text)
    starts = [x.start for x in entities]
    out = []
    for s, e in textmod.sentences(norm.text):
        sent_lang = textmod.language(norm.text[s:e]) if lang == "auto" else lang
        lo, hi = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
        ents = [x for x in entities[lo:hi] if x.end <= e]  # entities are sorted by start
        out.append(_sentence(norm, s, e, sent_lang, ents))
    return out


def _sentence(norm: textmod.Normalised, s: int, e: int, lang: str, found_ents: list[Entity]):
    """Claims of the sentence norm.text[s:e]; entities come in document (normalised) offsets."""
    sent = norm.text[s:e]
    o_start, o_end = norm.span(s, e)
    result = SentenceClaims(o_start, o_end, norm.original[o_start:o_end], lang)
    if not re.search(r"\d", sent) and not numbers.has_word_number(sent):
        return result
    result.has_number = True

    def orig(a: int, b: int) -> tuple[str, int, int]:
        oa, ob = norm.span(s + a, s + b)
        return norm.original[oa:ob], oa, ob

    # subjects in original-text offsets, like the claims they are compared with
    subjects = [Entity(x.id, x.type, *orig(x.start - s, x.end - s), country=x.country)
                for x in found_ents]
    ents = [Entity(x.id, x.type, x.text, x.start - s, x.end - s, x.country, x.developer)
            for x in found_ents]

    def skip(a: int, b: int, reason: str):
        t, oa, ob = orig(a, b)
        result.skipped.append(Skipped(t, oa, ob, reason))

    taken: list[tuple[int, int]] = []  # spans already explained (dates, years, names)
    years: list[tuple[int, int]] = []  # (position, year) for the claims' time
    year_spans: list[tuple[int, int]] = []
    months: list[str] = []  # 'YYYY-MM' stated as month and year: the period of a claim
    found: list[tuple[Quantity, int, int]] = []
    subset: dict[tuple[int, int], str] = {}  # a count within a set the sentence defines
    thresholds: set[tuple[int, int]] = set()  # figures called a limit or threshold
    for m in _PART_YEAR.finditer(sent):  # 'mid-2024': the year counts, the number is no claim
        years.append((m.start(1), int(m.group(1))))
    spans: list[tuple[int, int]] = []  # ranges of years: '2023 to 2024', '2024-25'
    for m in _YEAR_RANGE.finditer(sent):
        hi = m.group(2)
        if len(hi) == 2 and not (m.group(3) or "-" in m.group() or "~" in m.group()):
            continue
        taken.append((m.start(), m.end()))
        skip(m.start(), m.end(), "a range of years: the time of a claim, not a claim")
        low = int(m.group(1))
        spans.append((low, int(hi) if len(hi) == 4 else low // 100 * 100 + int(hi)))
    for rx, order in DATES:
        for m in rx.finditer(sent):
            if _overlaps(m.start(), m.end(), taken):
                continue
            parts = dict(zip(order, m.groups()))
            month = int(parts["m"]) if "m" in parts else _MONTHS.get(_month_key(parts["M"]))
            day, year = int(parts["d"]), int(parts["y"]) if parts.get("y") else None
            if not month or not 1 <= month <= 12 or not 1 <= day <= 31:
                continue
            iso = f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
            q = Quantity(value=float((year or 0) * 10000 + month * 100 + day), kind="date", date=iso)
            found.append((q, m.start(), m.end()))
            taken.append((m.start(), m.end()))
            if year:
                years.append((m.start(), year))
    for rx in MONTH_YEAR:
        for m in rx.finditer(sent):
            if not _overlaps(m.start(), m.end(), taken):
                taken.append((m.start(), m.end()))
                year = int(m.group(1) if m.group(1).isdigit() else m.group(2))
                month = int(m.group(2)) if m.group(1).isdigit() else _MONTHS[_month_key(m.group(1))]
                years.append((m.start(), year))
                months.append(f"{year:04d}-{month:02d}")
                skip(m.start(), m.end(), "month and year: the time of a claim, not a claim")
    quarters: list[tuple[int, int]] = []  # (year, quarter) stated: the period of a claim
    quarter_spans: list[tuple[int, int, int, int]] = []  # (start, end, year, quarter) of each
    for rx in QUARTERS:
        for m in rx.finditer(sent):
            if _overlaps(m.start(), m.end(), taken):
                continue
            a, b = m.group(1), m.group(2)
            year, quarter = (int(b), _QUARTER_WORDS.get(a.lower()) or int(a)) if len(a) != 4 \
                else (int(a), int(b))
            taken.append((m.start(), m.end()))
            years.append((m.start(), year))
            quarters.append((year, quarter))
            quarter_spans.append((m.start(), m.end(), year, quarter))
            skip(m.start(), m.end(), "a quarter and year: the time of a claim, not a claim")
    for m in _FRACTION_JA.finditer(sent) if lang in ("ja", "zh") else _FRACTION_EN.finditer(sent):
        if _overlaps(m.start(), m.end(), taken):
            continue
        whole, part = _KANJI.get(m.group("n"), m.group("n")), _KANJI.get(m.group("m"), m.group("m"))
        whole, part = _WORD_NUMBER.get(str(whole).lower(), whole), _WORD_NUMBER.get(str(part).lower(), part)
        if not (str(whole).isdigit() and str(part).isdigit()) or not 0 < int(part) <= int(whole):
            continue
        said = m.group("q") or ""
        q = Quantity(value=round(100 * int(part) / int(whole), 2), kind="percent", unit="%",
                     qualifier="approx" if said else "exact", qualifier_text=said.strip())
        found.append((q, m.start(), m.end()))  # '約6分の1', 'one in three': a share, in percent
        taken.append((m.start(), m.end()))
    for ent in ents:
        if ent.type in ("model", "benchmark", "publication") and re.search(r"\d", ent.text):
            taken.append((ent.start, ent.end))
            skip(ent.start, ent.end, f"part of a name ({ent.type})")
    for a, b in _product_names(sent, ents):
        if not _overlaps(a, b, taken):
            taken.append((a, b))
            skip(a, b, "part of a name (product)")
    nums = numbers.spot_ja(sent) if lang in ("ja", "zh") else numbers.spot_en(sent)
    members, sets = _subsets(nums, sent, lang)
    changes = _changes(nums, sent, lang)  # id(start) -> end: 'rose from 10 to 40'
    change_spans: dict[int, tuple[int, int]] = {}  # id(number) -> its claim's span
    i = 0
    while i < len(nums):
        n = nums[i]
        i += 1
        if _overlaps(n.start, n.end, taken):
            continue
        if id(n) in sets:
            skip(n.start, n.end, "defines a set (N of the M largest), not a claim")
            continue
        before, after = sent[:n.start], sent[n.end:]
        why = _not_a_claim(n, before, after, norm, s)
        if why == "year":
            years.append((n.start, int(n.value)))
            m = _YEAR_AFTER.match(after)
            year_spans.append((n.start, n.end + (m.end() if m else 0)))
            skip(n.start, n.end + (m.end() if m else 0), "a year alone: the time of a claim, not a claim")
            continue
        if why:
            skip(n.start, n.end, why)
            continue
        if i < len(nums) and id(n) not in changes and _is_range(n, nums[i], sent):
            hi = nums[i]
            q, a, b = numbers.read(hi, sent, lang)
            low_q, a, _ = numbers.read(n, sent[:n.end], lang)
            factor = (q.value / hi.value) if hi.value else 1.0
            low = n.value * (factor if not n.scale and not low_q.scale else 1.0)
            q.value, q.high = low, q.value
            q.qualifier = low_q.qualifier if low_q.qualifier != "exact" else q.qualifier
            q.qualifier_text = low_q.qualifier_text or q.qualifier_text
            q.currency = q.currency or low_q.currency
            found.append((q, a, b))
            i += 1
            continue
        q, a, b = numbers.read(n, sent, lang)
        if id(n) in members:  # 'Five of the twelve largest clusters': five clusters
            whole, _, _ = numbers.read(members[id(n)], sent, lang)
            if whole.kind == "count" and q.kind in ("number", "count"):
                q.kind, q.unit = "count", whole.unit
            subset[(a, b)] = _set_words(sent, n, members[id(n)], lang)
            found.append((q, a, b))
            continue
        if _THRESHOLD_AFTER.match(sent[b:]) or textmod.search_end(_THRESHOLD_BEFORE, sent[:a]):
            thresholds.add((a, b))  # a rule's parameter: judged against the rule (threshold.py)
            found.append((q, a, b))
            continue
        if q.kind == "duration" and textmod.search_end(_SPAN_OF_TIME, sent[:n.start]):
            skip(a, b, "a span of time a plan runs over, not a claim")
            continue
        if q.kind == "number" and not n.surface[:1].isdigit() and lang == "en":
            skip(a, b, "a number word without a unit or noun")
            continue
        found.append((q, a, b))
        change_spans[id(n)] = (a, b)
    for m in numbers.RANK_WORD.finditer(sent):
        q = Quantity(value=float(numbers.rank_word_value(m)), kind="rank", rank=True)
        found.append((q, m.start(), m.end()))
    found.sort(key=lambda f: f[1])
    unnamed = sent  # names blanked: 'United States' counts no states
    for x in ents:
        unnamed = unnamed[:x.start] + " " * (x.end - x.start) + unnamed[x.end:]
    _inherit_units(found, unnamed, lang)
    subj_ents = [x for x in ents if x.type in ("country", "state", "organization")] or \
        _developers(ents)
    _inherit_change_units(found, changes, change_spans)
    bindings = binder.bind(sent, lang, [(a, b) for _, a, b in found], subj_ents, years, year_spans,
                           dates={(a, b) for q, a, b in found if q.kind == "date"},
                           changes={change_spans[k]: change_spans[id(v)] for k, v in changes.items()
                                    if k in change_spans and id(v) in change_spans})
    by_pos = {(x.start, x.end): y for x, y in zip(ents, subjects)}
    part = _PART_OF_YEAR.search(sent)
    part_of_year = part.group().strip() if part else ""
    for x in subj_ents:  # a model standing for its developer: the developer, at the model's place
        if x.type == "organization" and (x.start, x.end) in by_pos and by_pos[(x.start, x.end)].type == "model":
            y = by_pos[(x.start, x.end)]
            by_pos[(x.start, x.end)] = Entity(x.id, x.type, y.text, y.start, y.end, x.country)
    for (q, a, b), bnd in zip(found, bindings):
        t, oa, ob = orig(a, b)
        bound = [by_pos[(bnd.subject.start, bnd.subject.end)]] if bnd.subject else []
        # the benchmarks the sentence names ride along after the bound subject: a pattern whose
        # subject is a benchmark takes the one nearest the figure (Claim.subject)
        bound += [by_pos[(x.start, x.end)] for x in ents if x.type == "benchmark"]
        result.claims.append(Claim(text=t, start=oa, end=ob, sentence=result.text, lang=lang,
                                   quantity=q, subjects=bound, year=bnd.year,
                                   keywords=bnd.context, clause=sent[bnd.clause[0]:bnd.clause[1]],
                                   year_note=bnd.year_note, from_article=bnd.from_article,
                                   subject_note=bnd.subject_note,
                                   reference=by_pos[(bnd.reference.start, bnd.reference.end)]
                                   if bnd.reference else None, subset=subset.get((a, b), ""), threshold=(a, b) in thresholds,
                                   base=bnd.base, continues=bnd.continues,
                                   period=_month_of(months, bnd.year),
                                   quarter=next((qq for y, qq in quarters if y == bnd.year), None)
                                   if len(set(quarters)) == 1 else None,
                                   per=per_person(bnd.context), since=bnd.since,
                                   change=change_of(q, sent[:a], sent[b:], lang, sent[a:b])))
        claim = result.claims[-1]
        claim.part_of_year = part_of_year
        own_q = _own_quarter(sent, a, b, quarter_spans, lang)
        if own_q is not None and len(set(quarters)) > 1:
            # 'the share fell from 38% in Q1 2024 to 30% in Q3 2025', '2024年第1四半期の約38%
            # から2025年第3四半期には約30%へ': the quarter stated right with the figure is its time
            claim.year, claim.quarter, claim.year_note = own_q[0], own_q[1], ""
        if claim.change and q.kind in ("points", "count"):  # 'fell 10 points from 2023 to 2024'
            stated = sorted({y for _, y in years}) or (list(spans[0]) if len(spans) == 1 else [])
            if len(stated) == 2:
                claim.from_year, claim.year = stated
            elif claim.year is not None and not claim.year_note and \
                    (q.kind == "points" or _PREVIOUS_YEAR.search(sent)):
                # 'in 2024 the share fell 10 points': since 2023; a count's difference is from the
                # year before only when the sentence says so ('4 more than the year before': not
                # '4 more than France')
                claim.from_year = claim.year - 1
    return result


# what a Japanese sentence counts when its figures carry no counter ('注目モデル数は60対35')
_JA_NOUNS = [(r"モデル", "models"), (r"ロボット", "units"), (r"企業|会社", "organizations"),
             (r"チップ|アクセラレータ|半導体", "chips")]


_PREVIOUS_YEAR = re.compile(r"前年|前の年|\b(?:the\s)?(?:previous|prior|preceding)\syear\b|\ba\syear\s(?:earlier|before)\b|"
                            r"\bthe\syear\sbefore\b|\byear[- ]on[- ]year\b", re.IGNORECASE)


# a figure per person: 'per capita', 'per million people', 'per 1,000 residents', '一人当たり',
# '人口100万人あたり' (the words patterns read: the figure's clause and the sentence's topic)
_PER_PERSON = re.compile(
    r"\bper\s(?:(?P<en>(?:[\d,.]+\s)?(?:million|thousand|billion)|[\d,]+)\s)?(?:people|persons|person|"
    r"inhabitants|residents|citizens|head|capita)\b|(?:人口|国民)\s?(?:(?P<ja>[\d,.]+\s?万?|百万|千)\s?人)?\s?"
    r"(?:あたり|当たり|比)|(?:一|1)\s?人\s?(?:あたり|当たり)", re.IGNORECASE)
_PER_DENOMINATOR = re.compile(r"^\s?(?:(?:million|thousand|billion)\s)?(?:people|persons|inhabitants|residents|"
                              r"citizens)\b|^\s?人\s?(?:あたり|当たり)", re.IGNORECASE)
_PER_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "万": 1e4, "百万": 1e6, "千": 1e3}


# a percentage or points figure that states a change: 'rose 10%', 'fell by 5 points', 'was up
# 72%', '10ポイント低下した', '約27%増えた' ('rose to 40%' and '40%に上昇' state levels)
_CHANGE_UP_EN = r"rose|risen|rises|grew|grown|grows|increased|increases|jumped|climbed|gained|surged|soared|(?:was|were|is|are|been)\sup|up(?=\sby)"
_CHANGE_DOWN_EN = r"fell|fallen|falls|dropped|drops|declined|declines|decreased|decreases|slipped|shrank|shrunk|lost|plunged|(?:was|were|is|are|been)\sdown|down(?=\sby)"
_CHANGE_BY_EN = re.compile(rf"\b(?:(?P<up>{_CHANGE_UP_EN})|(?P<down>{_CHANGE_DOWN_EN}))\s(?:by\s)?"
                        r"(?:about\s|around\s|roughly\s|some\s|nearly\s|almost\s|more\sthan\s|over\s|just\s)?$",
                        re.IGNORECASE)
_CHANGE_BY_JA = re.compile(r"^(?:\s?(?:ポイント|パーセント|%|割))?\s?(?:も|ほど|程度|近く|超)?\s?"
                              r"(?:(?P<up>増|上昇|伸び|伸ば|拡大|上が|改善|アップ)|(?P<down>減|低下|下落|縮小|下が|落ち|悪化|ダウン))")


# a count stated as a difference: '4件多かった', '前年より4件増えた', '8 more than a year earlier',
# 'rose by 4', '3 fewer models' (not a level: '35件に増えた', 'rose to 35')
_COUNT_DIFF_JA = re.compile(r"^\s?(?:も|ほど|程度|近く)?\s?(?:(?P<up>多(?:い|く|かった)|増)|(?P<down>少な(?:い|く|かった)|減))")
_COUNT_DIFF_EN = re.compile(r"^(?:\d[\d.,]*|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                            r"fifteen|twenty|thirty|forty|fifty)?\s(?:(?P<up>more|additional|extra)|"
                            r"(?P<down>fewer|less))\b", re.IGNORECASE)  # not 'no more than 1


def change_of(q, before: str, after: str, lang: str, span: str = "") -> str:
    """'up' or 'down' when a percentage or points figure, or a count, states a change, else ''."""
    if q.kind == "count":
        m = _COUNT_DIFF_JA.match(after) if lang in ("ja", "zh") else \
            _COUNT_DIFF_EN.match(span) or _COUNT_DIFF_EN.match(after) or _CHANGE_BY_EN.search(before)
        return "" if m is None else "up" if m.group("up") else "down"
    if q.kind not in ("percent", "points"):
        return ""
    m = _CHANGE_BY_JA.match(after) if lang in ("ja", "zh") else _CHANGE_BY_EN.search(before)
    if m is None:
        return ""
    return "up" if m.group("up") else "down"


# part of a year: a half, the first months, the year so far ('In the first half of 2025, China
# released 20 notable models' is no count of 2025; quarters and months are read as such)
_PART_OF_YEAR = re.compile(
    r"\b(?:first|second|1st|2nd)\s+half\b|\bH[12]\s?(?:of\s)?(?:19|20)\d{2}\b|\b(?:19|20)\d{2}\s?H[12]\b|"
    r"\bfirst\s+(?:two|three|four|five|six|seven|eight|nine|ten|eleven|\d{1,2})\s+months\b|"
    r"\byear[- ]to[- ]date\b|\bso\s+far\s+(?:this|in)\b|\b(?:january|february|march|april|may|june|july|"
    r"august|september|october|november)\s+(?:to|through|-)\s+(?:january|february|march|april|may|june|"
    r"july|august|september|october|november)\b|上半期|下半期|上期|下期|[1１一]\s?[～~〜\-ー]\s?\d{1,2}\s?月|"
    r"年初から|\d{1,2}月末まで|\d{1,2}月までの", re.IGNORECASE)


def per_person(words: str) -> str:
    """'capita', 'million' or 'other' when the words state a figure per person, else ''."""
    m = _PER_PERSON.search(words)
    if m is None:
        return ""
    n = (m.group("en") or m.group("ja") or "").replace(",", "").replace(" ", "").lower()
    word = re.fullmatch(r"([\d.]*)(thousand|million|billion|万|百万|千)?", n)
    if word is None:
        return "other"
    try:
        people = float(word.group(1) or 1) * _PER_SCALE.get(word.group(2) or "", 1.0)
    except ValueError:
        return "other"
    # the data gives figures per person and per million people; per another number of people
    # ('per 10 million residents', '人口10万人あたり') is that many times the figure per person
    return "capita" if people == 1 else "million" if people == 1e6 else \
        f"{people:.0f}" if people.is_integer() and people > 1 else "other"


def _own_quarter(sent: str, a: int, b: int, spans: list[tuple[int, int, int, int]], lang: str
                 ) -> tuple[int, int] | None:
    """(year, quarter) stated right with the figure: '38% in Q1 2024', '2024年第1四半期の約38%'."""
    for start, end, year, quarter in spans:
        if lang in ("ja", "zh"):
            if end <= a and re.fullmatch(r"\s?(?:の|は|に|には|で|では|が)?\s?(?:約|およそ|ほぼ)?\s?", sent[end:a]):
                return year, quarter
        elif start >= b and re.fullmatch(r"\s(?:in|during|for)\s(?:the\s)?", sent[b:start], re.IGNORECASE):
            return year, quarter
    return None


def _month_of(months: list[str], year: int | None) -> str:
    """The month a claim is of: the one month the sentence states for the claim's year ('In May
    2023, 370 points; in December 2025, 49 points': 2023-05 and 2025-12), else none."""
    own = {p for p in months if year and p.startswith(str(year))}
    return own.pop() if len(own) == 1 else ""


def _inherit_units(found: list[tuple[Quantity, int, int]], sent: str = "", lang: str = "en"
                   ) -> None:
    """A bare whole number takes the unit of the counted figure it is compared with.

    '40 models in the US, while China produced 15': the unit before it. In a comparison
    sentence also the unit after it ('Compared with 12 in 2022, China had 23 notable models'),
    or, when no figure has a unit, the one thing the sentence counts ('notable models in 2025:
    60 vs 35', '注目モデル数は60対35').
    """
    bare = {id(q) for q, _, _ in found
            if q.kind == "number" and not q.unit and float(q.value).is_integer()}
    if not bare:
        return
    last = None
    for q, _, _ in found:
        if q.kind == "count" and q.unit:
            last = q
        elif id(q) in bare and last is not None:
            q.kind, q.unit = "count", last.unit
    # 'produced 68, 13 and 12 notable models respectively': the list shares the last figure's noun
    compared = bool(binder.COMPARISON.search(sent) or binder.RESPECTIVELY.search(sent))
    following = None
    for q, _, _ in reversed(found):
        if q.kind == "count" and q.unit:
            following = q
        elif q.kind == "number" and id(q) in bare and following is not None and compared:
            q.kind, q.unit = "count", following.unit
    left = [q for q, _, _ in found if id(q) in bare and q.kind == "number"]
    if left and not any(q.kind == "count" for q, _, _ in found):
        counted = _counted_nouns(sent, lang, named_only=not compared)
        if len(counted) == 1:
            unit = counted.pop()
            for q in left:
                q.kind, q.unit = "count", unit


# 'the number of notable models', or the set a sentence opens with: 'Of 2024's notable models, 15 ...'
_NAMED_SET = re.compile(r"\b(?:numbers?|count|tally|total) of ((?:[A-Za-z-]+ ){0,2}[A-Za-z]+)|"
                        r"^\s*of\s+(?:the|(?:19|20)\d\d['’]s)\s+((?:[A-Za-z-]+ ){0,2}[A-Za-z]+)"
                        r"(?:\s(?:of|in|from|released\sin|published\sin)\s(?:19|20)\d\d)?\s?,",
                        re.IGNORECASE)


def _counted_nouns(sent: str, lang: str, named_only: bool) -> set[str]:
    """The units of the things a sentence counts: any count noun in a comparison ('notable
    models in 2025: 60 vs 35'), else only one named as a number ('the number of models',
    '注目モデル数は米国が57、中国が31')."""
    if lang in ("ja", "zh"):
        return {unit for rx, unit in _JA_NOUNS if re.search(f"(?:{rx})" + ("(?:の)?数" if named_only else ""), sent)}
    if named_only:
        found = [w for m in _NAMED_SET.finditer(sent) for w in (m.group(1) or m.group(2)).split()
                 if not numbers.NARROWED.search(m.group())]
    else:
        found = re.findall(r"[A-Za-z]+", sent)
    return {numbers.COUNT_NOUNS[w.lower()] for w in found
            if w.lower() in numbers.COUNT_NOUNS and numbers.COUNT_NOUNS[w.lower()] != "points"}


# fractions are shares: '約6分の1' (about a sixth), '3分の2', 'one in three', '1 in 5'
_FRACTION_JA = re.compile(r"(?P<q>約|およそ|ほぼ)?\s?(?P<n>\d{1,3}|[一二三四五六七八九十])\s?分の\s?"
                          r"(?P<m>\d{1,3}|[一二三四五六七八九十])(?!\d)")
_FRACTION_EN = re.compile(r"(?P<q>\b(?:about|roughly|around|nearly|almost|some)\s)?\b(?P<m>one|two|three|\d{1,2})"
                          r"\s(?:in|out\sof)\s(?P<n>two|three|four|five|six|seven|eight|nine|ten|\d{1,3})\b"
                          r"(?!\s(?:19|20)\d{2})", re.IGNORECASE)
_KANJI = dict(zip("一二三四五六七八九十", map(str, range(1, 11))))
_WORD_NUMBER = {w: str(i) for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"])}
_CHANGE_EN = re.compile(
    r"\b(?:ris(?:e|es|en|ing)|rose|gr[eo]w(?:s|n|ing)?|increas(?:e|ed|es|ing)|f[ae]ll(?:s|en|ing)?|"
    r"drop(?:s|ped|ping)?|declin(?:e|ed|es|ing)|climb(?:s|ed|ing)?|jump(?:s|ed|ing)?|went|go(?:es|ing)?|"
    r"shr[aiu]nk(?:s|ing)?|surg(?:e|ed|es|ing)|slipp?(?:s|ed|ing)?|mov(?:e|ed|es|ing)|expand(?:s|ed|ing)?|"
    r"soar(?:s|ed|ing)?|plung(?:e|ed|es|ing)|narrow(?:s|ed|ing)?|widen(?:s|ed|ing)?|"
    r"doubled|tripled|up|down)\b[^.;]{0,40}?\bfrom\s"
    r"(?:about\s|around\s|roughly\s|some\s|nearly\s)?(?:US\$|\$|€|£|¥)?$", re.IGNORECASE)
# '31件へと増えた', '31件へと2倍以上に増えた' (a multiple of the change between them)
_CHANGE_JA = re.compile(r"^\s?(?:に|へ)(?:と)?\s?(?:(?:約|およそ)?[\d.]+\s?倍(?:以上|近く|超|強|弱)?に\s?)?"
                        r"(?:増|減|拡大|縮小|伸|上昇|低下|倍|急|回復|拡|膨ら|落ち|下が|上が)")


def _changes(nums: list[numbers.Number], sent: str, lang: str) -> dict[int, numbers.Number]:
    """A change from one value to another ('rose from 10 to 40', '10件から40件に増えた'):
    {id(start): end}. The start is a value of an earlier time, not a range's low end."""
    out = {}
    figures = [n for n in nums if not (float(n.value).is_integer() and 1900 <= n.value <= 2100
                                       and "," not in n.surface)]
    for x, y in zip(figures, figures[1:]):
        gap = sent[x.end:y.start]
        if lang in ("ja", "zh"):
            if re.fullmatch(r"[^、。]{0,14}?から\s?(?:約|およそ)?\s?(?:(?:19|20)\d{2}\s?年度?(?:の|には|に|は)?\s?)?"
                            r"(?:約|およそ)?", gap) \
                    and "から" in gap and _CHANGE_JA.match(re.sub(r"^[^\s、。にへ]{0,4}", "", sent[y.end:])):
                out[id(x)] = y
        elif _CHANGE_EN.search(sent[:x.start]) and re.fullmatch(
                r"(?:\s?%|\s(?:percent|per\scent))?(?:\s[a-z]+){0,3}?(?:\sin\s(?:[A-Z][a-z]+\s)?(?:19|20)\d{2})?,?\sto\s"
                r"(?:about\s|around\s|roughly\s|some\s|nearly\s)?(?:US\$|\$|€|£|¥)?", gap, re.IGNORECASE):
            out[id(x)] = y
    return out


def _inherit_change_units(found, changes, spans) -> None:
    """'from 23 to 31 models': the start takes the end's kind and unit when it has none."""
    by_span = {(a, b): q for q, a, b in found}
    for k, end in changes.items():
        start_span, end_span = spans.get(k), spans.get(id(end))
        if start_span in by_span and end_span in by_span:
            qa, qb = by_span[start_span], by_span[end_span]
            if qa.kind == "number" and not qa.unit and qb.kind != "number":
                qa.kind, qa.unit, qa.currency = qb.kind, qb.unit, qb.currency


_OF_THE = re.compile(r"\s+of\s+(?:the\s+|its\s+|their\s+|all\s+)?", re.IGNORECASE)
_NO_UCHI = re.compile(r"[^、。\d]{0,15}?のうち\s?(?:約|およそ)?")
# 'Of the 60 notable models US firms released, 11 had open weights': the set is stated first
# (and is a claim itself), the count within it follows after a comma
_OF_THE_LEAD = re.compile(r"(?:^|[,;:]\s|\b(?:and|but)\s)\s*of\s+(?:the|its|their|all|those)\s+$",
                          re.IGNORECASE)
_LEAD_GAP = re.compile(r"[^.;:\d]{1,120}?,\s*(?:only\s+|just\s+|some\s+)?")
# '注目モデル60件のうち、11件が': the set stated with its counter (a claim too), then a comma
_NO_UCHI_COMMA = re.compile(r"[^、。\d]{0,15}?のうち[、,]\s?(?:約|およそ)?")


def _subsets(nums: list[numbers.Number], sent: str, lang: str) -> tuple[dict, set]:
    """'Five of the twelve largest clusters', '上位10社のうち3社': the count (N) and the set it
    is counted in (M). Returns {id(N): M} and {id(M)}: M defines the set and is no claim, N is a
    count of the set's things, not of everything."""
    members, sets = {}, set()
    for x, y in zip(nums, nums[1:]):
        gap = sent[x.end:y.start]
        if re.match(r"\s?(?:%|％|percent|per\scent|パーセント|割)", sent[(y if lang in ("ja", "zh") else x).end:]):
            continue  # a share of the set ('注目モデルのうち63%') is a share, read as one
        whole = y if lang not in ("ja", "zh") else x
        if float(whole.value).is_integer() and 1900 <= whole.value <= 2100 and "," not in whole.surface:
            continue  # a year ('2023年の注目モデルのうち'), not the size of a set
        if lang in ("ja", "zh"):
            if _NO_UCHI.fullmatch(gap):
                members[id(y)], sets = x, sets | {id(x)}
            elif _NO_UCHI_COMMA.fullmatch(gap):  # the set is a figure of its own: a claim too
                members[id(y)] = x
        elif _OF_THE.fullmatch(gap) and not re.match(r"\s?%|\s?percent", sent[x.end:]):
            members[id(x)], sets = y, sets | {id(y)}
    if lang not in ("ja", "zh"):
        for i, x in enumerate(nums):
            if not _OF_THE_LEAD.search(sent[:x.start]):
                continue
            # the count is the next figure that is no year ('... released in 2025, 11 had')
            y = next((n for n in nums[i + 1:] if not (float(n.value).is_integer() and
                                                      1900 <= n.value <= 2100 and "," not in n.surface)), None)
            if y is not None and _LEAD_GAP.fullmatch(re.sub(r"\b(?:19|20)\d\d\b", "", sent[x.end:y.start])) \
                    and not re.match(r"\s?(?:%|percent|per\scent)", sent[y.end:]):
                members[id(y)] = x  # the set (x) stays a claim: '60 notable models' is a count
    return members, sets


def _set_words(sent: str, n: numbers.Number, whole: numbers.Number, lang: str) -> str:
    """The words that state the count and its set: 'Five of the twelve largest clusters'."""
    a, b = min(n.start, whole.start), max(n.end, whole.end)
    tail = re.match(r"(?:\s(?!(?:are|were|is|was|came|come|have|had|in|from|of)\b)[\w-]+){0,3}"
                    if lang not in ("ja", "zh") else r"[^がはをにで、。\s]{0,8}", sent[b:])
    return sent[a:b + (tail.end() if tail else 0)].strip()


def _developers(ents: list[Entity]) -> list[Entity]:
    """'The DeepSeek-R1 paper has 200 authors': a sentence that names models and no country,
    state or organization is about their developer (gazetteer `organization`), when the models
    name one developer. The developer stands at the model's place, with no country: a model's
    figure is not its developer's country's."""
    found = [(e, e.developer) for e in ents if e.type == "model"]
    devs = {org for _, org in found if org}
    if len(devs) != 1:
        return []
    return [Entity(org, "organization", e.text, e.start, e.end, None) for e, org in found if org]


def _product_names(sent: str, ents: list[Entity]) -> list[tuple[int, int]]:
    """Spans of model and product identifiers the gazetteer does not know, whose numbers are
    part of the name, not claims.

    A name word followed by a number is an identifier when the word is an acronym ('RTX 4090'),
    a camel-case word ('iPhone 15'), or a capitalised word whose number carries letters
    ('Ascend 910C') or is followed by another name word ('Mate 60 Pro', 'Snapdragon 8 Gen 3'),
    and the word is not a subject the sentence names ('Alibaba 6, ByteDance 3'), a benchmark
    ('MMLU 88.7'), nor a word that opens a figure ('About 40', 'In 2024'). A number glued to a
    unit (7nm, 80GB) stays a measure. A parameter count right after a known model
    ('Qwen2.5 72B') belongs to the model's name.
    """
    named = [(e.start, e.end) for e in ents if e.type != "model"]
    out = []
    for m in _PRODUCT.finditer(sent):
        head, glued, tail = m.group("head"), m.group("glued") or "", m.group("tail")
        if head.lower() in _NOT_NAMES or _overlaps(m.start(), m.end("head"), named):
            continue
        if glued and _UNIT_GLUE.fullmatch(glued) and not _SIZE_GLUE.fullmatch(glued):
            continue
        after = sent[m.end("num") + len(glued):]
        if re.match(r"\s?(?:percent|per\s?cent|%|[a-z]+\s(?:models|chips|units|people))", after,
                    re.IGNORECASE) or re.match(r"\s([a-z]+)", after) and \
                re.match(r"\s([a-z]+)", after).group(1) in numbers.COUNT_NOUNS:
            continue  # 'AI 100 models': a count of things, not a name
        acronym, camel = head.isupper(), not head[0].isupper()
        if not (acronym or camel or glued or tail.strip()):
            continue
        end = m.end()
        if tail and _overlaps(m.end("num"), end, named):  # 'Huawei 60 China': stop at the name
            end = m.end("num") + len(glued)
        out.append((m.start(), end))
    for e in ents:
        if e.type == "model":
            m = re.match(r"\s(\d+(?:\.\d+)?[BMT])(?![A-Za-z0-9,%])", sent[e.end:])
            if m:
                out.append((e.end + m.start(1), e.end + m.end()))
    return out


def _month_key(name: str) -> str:
    name = name.lower().rstrip(".")
    return next((m for m in _MONTHS if m.startswith(name[:3])), name)


def _overlaps(a: int, b: int, spans) -> bool:
    return any(a < y and b > x for x, y in spans)


def _is_range(n: numbers.Number, nxt: numbers.Number, sent: str) -> bool:
    """10-15%, 10〜15%, 10 to 15 percent, between 10 and 15, 10から15."""
    gap = sent[n.end:nxt.start]
    if re.fullmatch(r"\s*(?:-|~|to|から)\s*(?:US\$|\$|€|£|¥)?", gap, re.IGNORECASE):
        return True
    return bool(re.fullmatch(r"\s+and\s+", gap) and re.search(r"between\s+\S*$", sent[:n.start], re.IGNORECASE))


def _not_a_claim(n: numbers.Number, before: str, after: str, norm, s: int) -> str | None:
    """Why a number is not a claim (or 'year' when it is a bare year), else None."""
    if norm.is_circled(s + n.start):
        return "list numbering (enclosed numeral)"
    # each '...$' regex is tried only where a match of its length can start (textmod.search_end)
    if textmod.search_end(_GLUED, before) and not textmod.search_end(_CURRENCY_CODE, before):
        return "part of a name (letters glued to the digits)"
    if _LIST_START.match(before) and re.match(r"^\s?[.)）:]\s", after) and n.value < 100:
        return "list numbering"
    if textmod.search_end(_REFERENCE, before) or textmod.search_end(_REFERENCE_JA, before):
        return "a reference number (section, figure, version...)"
    if re.search(r"第\s?$", before) and _ORDINAL_LABEL.match(after):
        return "an ordinal label (第N条/回/世代...)"
    if _PHASE.match(after) and textmod.search_end(_NAME_END, before):
        return "an ordinal label (第N条/回/世代...)"  # '大基金3期': the fund's third phase
    if textmod.search_end(_TOP_N, before):
        return "defines a set (top N), not a claim"
    per = _PER_DENOMINATOR.match(after)
    if per and (per.group().strip().startswith("人") or textmod.search_end(_PER_BEFORE, before)):
        return "the number of people a figure is per (per 1,000 people, 人口100万人あたり), not a claim"
    if _YEARS_BACK.match(after):
        return "a time back from now (N years ago): a date, not a quantity"
    if _YEARS_ON.match(after):
        return "a time counted on from another (N years later): a date, not a quantity"
    if re.match(r"^\s?[～~〜\-]\s?\d{1,2}\s?月", after) and n.value <= 12:
        return "a range of months: the time of a claim, not a claim"  # '1～6月'
    if _MONTH_ALONE.match(after) and n.value <= 12 and not re.search(r"[か ヶカヵケ箇]$", before):
        return "a month: a date, not a quantity"
    is_int = float(n.value).is_integer() and "," not in n.surface and not n.scale
    if is_int and 1900 <= n.value <= 2100 and not re.search(r"(?:US\$|\$|€|£|¥)\s?$", before):
        unit = re.match(r"\s?(?:%|percent|ドル|ユーロ|円|元|台|件|社|人|倍|位|億|万|"
                        r"(?:[a-z]+\s){0,2}(?:models|chips|robots|units|companies|people))", after)
        if not unit:
            return "year"
    return None
