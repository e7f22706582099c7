"""Bind each number to its own clause: the subject, year and base ('% of firms') its clause states.

A sentence is cut into clauses at commas, semicolons and comparison words (vs, against, compared
with, while; 、 対 に対し と比べ 一方). A number takes the subject named in its own clause; a
parenthesised number takes the name right before the parenthesis; a pair named together
('US vs China', 米中) is handed out in order to numbers whose clauses name no one. Years are read
the same way, with relative years (the previous year, 前年) resolved against the sentence's
explicit year and unresolvable ones (last year, 昨年, N years ago) left unknown, with the reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from aiatlas.claims.model import Entity
from aiatlas.claims.text import search_end

_EN_CUT = re.compile(r";|:\s|,\s|\(|\)|\s(?=(?:against|compared (?:with|to)|versus|vs\.?|while|whereas|"
                     r"but|unlike|up from|down from)\s)", re.IGNORECASE)
_JA_CUT = re.compile(r"[、;:()]|,(?!\d{3}(?!\d))|(?<=[件台%社つ人\d製品])対|に対し(?:て)?|と比べ(?:て|ると)?|"
                     r"と比較して|一方(?:で)?|のに対し|を上回|を下回|から(?=[増減上下伸])")
# a comparison word at the start of a clause: the clause continues the previous one's measure
_CONTINUES = re.compile(r"^\s*(?:against|compared (?:with|to)|versus|vs\.?|while|whereas|unlike|up from|"
                        r"down from|from|than|and|対|に対し|と比べ|一方|、)?", re.IGNORECASE)
# relative years that need the sentence's own explicit year as anchor
_REL_ANCHORED = [
    (re.compile(r"\b(?:the\s)?(?:previous|prior|preceding)\syear\b|\ba\syear\s(?:earlier|before)\b|"
                r"\bthe\syear\sbefore\b|前年(?:度)?(?!同期|比)|その前の年", re.IGNORECASE), 1),
    (re.compile(r"\b(two|three|four|five|\d)\syears\s(?:earlier|before)\b|(\d)年前の", re.IGNORECASE), None),
    # 'two years later', '2年後の': N years after the sentence's year
    (re.compile(r"\b(two|three|four|five|\d)\syears\s(?:later|after|on)\b|(\d)年後(?:の|に|には)",
                re.IGNORECASE), "later"),
    # forward: 'a year later', 'the following year', '翌年' (one year after the sentence's year)
    (re.compile(r"\bthe\s(?:following|next)\syear\b|\bthe\syear\safter\b|\ba\syear\s(?:later|on)\b|"
                r"翌年(?:度)?|その翌年", re.IGNORECASE), -1),
]
# a relative year right after a figure, in a clause that also states another figure's year:
# '23 in 2023 and 31 the following year'
_REL_AFTER = re.compile(r"^\s?(?:[a-z]+\s){0,2}?(?:(?:in\s)?the\s(?P<fwd>following|next)\syear|"
                        r"a\syear\s(?P<fwd2>later|on)|(?:in\s)?the\s(?:previous|prior|preceding)\syear|"
                        r"a\syear\s(?:earlier|before))\b", re.IGNORECASE)
# relative to the (unknown) date of the article
_REL_NOW = re.compile(r"\blast\syear\b|\bthis\syear\b|\bnext\syear\b|\b(?:\w+|\d+)\syears?\sago\b|"
                      r"昨年(?:度)?|去年|今年(?:度)?|本年|来年|\d+年前(?!の\d)", re.IGNORECASE)
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}
_FISCAL = re.compile(r"(?:fiscal(?:\syear)?\s|FY\s?)(\d{4})|(\d{4})\s?年度", re.IGNORECASE)
_DEADLINE_AFTER = re.compile(r"^\s?(?:年度|年)?\s?(までに|まで|以降|から)")
_DEADLINE_BEFORE = re.compile(r"(?:\b(by)|\buntil|\bthrough|\bsince|\bbefore)\s(?:fiscal\s|FY\s?)?$",
                              re.IGNORECASE)
_BASES = [  # the noun a share is 'of': a share of firms is not a share of models
    ("models", r"models?|releases|systems|モデル"),
    ("organizations", (r"organi[sz]ations|firms|companies|businesses|enterprises|employers|企業|組織|"
                      r"会社|事業者|社")),
    ("people", r"people|respondents|adults|citizens|americans|workers|consumers|人|回答者|国民"),
]
# a clause that states the same subject's earlier value: 'down from 86 in 2023', '前年の23件から'
_SAME_SUBJECT = re.compile(r"^\s*(?:up from|down from|rising from|falling from)\b|前年|昨年|から(?:増|減|上|下|伸)",
                           re.IGNORECASE)
# a relative year named as the base of a change or comparison ('up 72% from a year earlier',
# 'than the previous year'), not as the time of the figure
_BASE_JA = re.compile(r"([^\s、。]{1,12})(?:の|は|が|で)(?:約|およそ|ほぼ)?\s?$")  # '組織の78%'
_BASE_OF_CHANGE = re.compile(r"\b(?:from|than|over|versus|vs\.?|compared\s(?:with|to)|on)\s", re.IGNORECASE)
_BASE_BEFORE = re.compile(r"\b(?:from|than|over|versus|vs\.?|compared\s(?:with|to)|on)\s$", re.IGNORECASE)
RESPECTIVELY = re.compile(r"\brespectively\b|それぞれ", re.IGNORECASE)
_GROUP_SEP = re.compile(r"^\s*(?:,|and|&|vs\.?|versus|と|・|、|対)?\s*$", re.IGNORECASE)
# 'X overtook Y with 13': the figure is the overtaker's, not the nearer name's
_OVERTOOK = re.compile(r"\b(?:overt(?:ook|akes?)|surpass(?:ed|es)?|outpac(?:ed|es)|outstripp?(?:ed|s)?|"
                       r"beat|beats|led|leads|outnumber(?:ed|s)?)\b", re.IGNORECASE)
# a figure followed by its place: '57 in the US', '31 from China', '12 by Google'
_IN_SUBJECT = re.compile(r"^\s?(?:%|percent)?(?:\s[a-z-]+){0,3}?\s(?:in|for|from|by|at)\s(?:the\s)?$")
# a share 'of' a people names its subject right after the figure: '83% of Chinese'
_OF_SUBJECT = re.compile(r"^\s?(?:%|percent|per\scent)?\sof\s(?:the\s|all\s)?$", re.IGNORECASE)
# a ratio measured against the subject named next: '54% as many as the US', '3 times that of China'
_AS_MANY = re.compile(r"^\s?(?:%|percent|per\scent|x|times)?\s(?:as\s(?:many|much|large|big|high)\s"
                      r"(?:[a-z-]+\s){0,4}?as|(?:more|larger|bigger|higher)\sthan|that\sof)\s"
                      r"(?:the\s|that\sof\s(?:the\s)?)?$", re.IGNORECASE)
# 'six times China's compute', '1.7 times China's tally': the possessive names what it is measured against
_TIMES_OF = re.compile(r"^\s?(?:(?:x|times)\s)?(?:the\s)?$", re.IGNORECASE)
# a sentence that compares figures ('60 vs 35', '60 against 35 for China', '60対35')
COMPARISON = re.compile(r"\bvs\.?\s|\bversus\b|\bagainst\b|\bcompared (?:with|to)\b|対|に対し|と比べ|"
                        r"と比較|一方", re.IGNORECASE)


@dataclass
class Binding:
    """What a number's clause binds it to."""

    clause: tuple[int, int]  # sentence offsets of the number's clause
    subject: Entity | None = None
    subject_note: str = ""  # why no subject was bound, when none was
    reference: Entity | None = None  # what a ratio compares with: '54% as many as the US'
    year: int | None = None
    year_note: str = ""  # 'relative: last year', 'fiscal year 2025' ...
    from_article: int | None = None  # years from the article's date: 'last year' -1, 今年 0
    base: str = ""  # what a share is of: models, organizations, people ('' unknown)
    context: str = ""  # the words patterns may read: own clause + topic clauses (+ parallel)
    continues: bool = False  # the clause continues a previous one ('against 31 for China')
    since: int | None = None  # the start the sentence gives a trend or total: 'since 2020', '2020年以降'
    notes: list[str] = field(default_factory=list)


def clauses(sent: str, lang: str) -> list[tuple[int, int]]:
    """Clause spans of a sentence (normalised text)."""
    cut = _JA_CUT if lang in ("ja", "zh") else _EN_CUT
    spans, start = [], 0
    for m in cut.finditer(sent):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.start() if m.group().strip() and not re.fullmatch(r"[、,;:()]|:\s|,\s|\(|\)",
                                                                    m.group()) else m.end()
    if start < len(sent):
        spans.append((start, len(sent)))
    return spans or [(0, len(sent))]


def _clause_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for a, b in spans:
        if a <= pos < b:
            return a, b
    return spans[-1]


def groups(ents: list[Entity], sent: str) -> list[list[Entity]]:
    """Runs of two or more subjects named together ('US vs China', 'the US and China', 米中)."""
    out, run = [], []
    for e in ents:
        if run and _GROUP_SEP.match(sent[run[-1].end:e.start]) and e.id != run[-1].id:
            run.append(e)
            continue
        if len(run) >= 2:
            out.append(run)
        run = [e]
    if len(run) >= 2:
        out.append(run)
    return out


def bind(sent: str, lang: str, numbers: list[tuple[int, int]], ents: list[Entity],
         years: list[tuple[int, int]], year_spans: list[tuple[int, int]],
         dates: set[tuple[int, int]] | None = None,
         changes: dict[tuple[int, int], tuple[int, int]] | None = None) -> list[Binding]:
    """A Binding for each number span (start, end) of the sentence, in order.

    `ents` are the sentence's subject entities (countries, states, organizations) in sentence
    offsets; `years` are (position, year) of explicit years, `year_spans` their spans; `dates`
    the number spans that are dates. A date reads the words of every clause without a date
    ('Five states banned the app; Texas was first, on January 31': the ban), as a date is
    the time of what the other clauses say, whatever they count. `changes` maps the span of a
    change's starting value to its end's ('rose from 10 to 40', '10件から40件に増えた'): the
    start is of an earlier year (see _change_year).
    """
    spans = clauses(sent, lang)
    dates = dates or set()
    date_clauses = {_clause_of(spans, a) for a, b in numbers if (a, b) in dates}
    date_topic = " ".join(sent[a:b] for a, b in spans if (a, b) not in date_clauses)
    subjects = [e for e in ents if e.type in ("country", "state", "organization")]
    world = [e for e in subjects if e.id == "WLD"]
    if any(e.id != "WLD" for e in subjects):  # '世界2位', 'the world's': the world is the frame
        subjects = [e for e in subjects if e.id != "WLD"]
    else:
        world = []
    number_clauses = {_clause_of(spans, a) for a, _ in numbers}
    topic = " ".join(sent[a:b] for a, b in spans if (a, b) not in number_clauses)
    first = numbers[0][0] if numbers else 0
    pair = next((g for g in groups(subjects, sent) if g[0].start < first), None) or \
        _than_pair(subjects, sent, first)
    starts = {y for p, y in years if search_end(_SINCE_BEFORE, sent[:p]) or
              _SINCE_AFTER.match(sent[next((b for a, b in year_spans if a == p), p + 4):])}
    since = starts.pop() if len(starts) == 1 else None
    # the years that can be a claim's time (not a plan's deadline): the same for every figure
    usable = [(p, y) for p, y in years if not _deadline(sent, p, year_spans)]
    out: list[Binding] = []
    owned: set[tuple[int, int]] = set()  # names a figure took from right after it ('57 in the US')
    unnamed = 0
    # 'the US, Britain and China produced 68, 13 and 12 models respectively': the subjects named
    # together are handed out in order to the figures after them, when there are as many of each
    resp = RESPECTIVELY.search(sent)
    listed = next((g for g in groups(subjects, sent) if g[0].start < first), None) if resp else None
    after_list = [n for n in numbers if listed and n[0] >= listed[-1].end and n not in dates]
    if listed and resp.group() != "それぞれ":  # '57 and 31 models, respectively, while France made 4'
        after_list = [n for n in after_list if n[1] <= resp.start()]
    elif listed:  # 'それぞれ68件、13件、12件': the run of figures right after それぞれ
        run = [n for n in after_list if n[0] >= resp.end()]
        after_list = run[:1] + [n for i, n in enumerate(run[1:], 1)
                                if all(re.fullmatch(r"\s?[、,と・]\s?", sent[run[k - 1][1]:run[k][0]])
                                       for k in range(1, i + 1))]
    for a, b in numbers:
        ca, cb = _clause_of(spans, a)
        own = sent[ca:cb]
        bnd = Binding((ca, cb), continues=bool(_CONTINUES.match(own).group().strip()) or
                      (lang in ("ja", "zh") and ca > 0))
        if listed and (a, b) in after_list:
            if len(after_list) == len(listed):
                bnd.subject = listed[after_list.index((a, b))]
            else:
                bnd.subject_note = (f"'respectively' pairs {len(listed)} subjects named together with "
                                    f"{len(after_list)} figures: which figure is whose is not said")
            _bind_year(bnd, sent, (a, b), (ca, cb), usable)
            bnd.since = since
            bnd.base = _base(sent, own, a, b, lang)
            bnd.context = (own + " " + topic).lower()
            out.append(bnd)
            continue
        inside = [e for e in subjects if ca <= e.start and e.end <= cb]
        ahead = [e for e in inside if (_is_ahead(sent, lang, e) or
                                       _OUTRANKED.search(sent[max(0, e.start - 40):e.start])) and
                 not _OWNS.match(sent[e.end:a] if e.end <= a else "-")]
        if ahead and len(inside) > len(ahead):  # '中国は米国に次いで2番目に多い35件': China's 35
            inside = [e for e in inside if e not in ahead]
        paren = re.search(r"\(\s*[^()]*$", sent[:a])
        if paren and not inside:
            before = [e for e in subjects if e.end <= paren.start() and
                      not sent[e.end:paren.start()].strip()]
            inside = before[-1:]
        of = next((e for e in subjects if e.start >= b and _OF_SUBJECT.match(sent[b:e.start])), None)
        ref = _reference(sent, lang, (a, b), (ca, cb), subjects)
        owner = _world_owner(sent, lang, (a, b), (ca, cb), world, subjects)
        if owner is not None:  # 'the world's 542,000', '世界全体の54万2000台': the world's own
            bnd.subject = owner
        elif ref is not None:  # a ratio's figure is the other subject's: '31, 54% as many as the US'
            bnd.reference = ref
            others = {e.country or e.id: e for e in subjects
                      if (e.country or e.id) != (ref.country or ref.id)}
            prior = out[-1].subject if out and out[-1].subject is not None and \
                (out[-1].subject.country or out[-1].subject.id) != (ref.country or ref.id) else None
            bnd.subject = prior or (next(iter(others.values())) if len(others) == 1 else None)
            if bnd.subject is None:
                bnd.subject_note = "a ratio whose other subject the sentence does not name"
        elif of is not None and lang not in ("ja", "zh"):  # '83% of Chinese', '39% of Americans'
            bnd.subject = of
        elif pair and (not inside or {e.id for e in inside} >= {e.id for e in pair}):
            if unnamed < len(pair):
                bnd.subject = pair[unnamed]
            else:
                bnd.subject_note = "more figures than the subjects named together"
            unnamed += 1
        elif inside and _RANKISH.search(sent[a:b + 1]) and ahead and all(e in ahead for e in inside):
            # 'the second-largest after the United States', '米国に次ぐ2位': the one ahead is
            # what the rank is counted from, not whose rank it is
            rest = {e.country or e.id: e for e in subjects if e not in ahead and
                    (e.country or e.id) not in {x.country or x.id for x in ahead}}
            if len(rest) == 1:
                bnd.subject = next(iter(rest.values()))
            else:
                bnd.subject_note = "a rank behind a subject the sentence names, of no single other subject"
        elif inside:
            before = [e for e in inside if e.end <= a]
            bnd.subject = before[-1] if before else min(inside, key=lambda e: e.start)
            at = next((e for e in inside if e.start >= b and lang not in ("ja", "zh") and
                       _IN_SUBJECT.match(sent[b:e.start])), None)
            if at is not None and (not before or (before[-1].start, before[-1].end) in owned):
                bnd.subject = at  # '57 in the US and 31 in China': each its own place
                owned.add((at.start, at.end))
            if len(before) >= 2 and _OVERTOOK.search(sent[before[-2].end:before[-1].start]):
                bnd.subject = before[-2]  # 'the UK overtook China with 13': the UK's figure
        elif out and _SAME_SUBJECT.search(own) and out[-1].subject is not None:
            bnd.subject = out[-1].subject
        elif (lead := _leading_clause(sent, spans, (ca, cb), subjects, number_clauses)) is not None:
            bnd.subject = lead
        else:
            distinct = {e.country or e.id for e in subjects}
            if len(distinct) == 1:
                bnd.subject = subjects[0]
            elif distinct:
                bnd.subject_note = "the sentence names several subjects and the figure's clause none"
        if changes and (a, b) in changes:
            _change_year(bnd, sent, lang, (a, b), changes[(a, b)], usable)
        elif not (changes and (a, b) in changes.values() and _end_year(bnd, sent, lang, (a, b),
                                                                          usable)):
            _bind_year(bnd, sent, (a, b), (ca, cb), usable)
        bnd.since = since
        bnd.base = _base(sent, own, a, b, lang)
        bnd.context = (own + " " + (date_topic if (a, b) in dates else topic)).lower()
        out.append(bnd)
    _complement(out, subjects, sent)
    return out


# what may stand between 'the world' and its own figure: 'the world's 542,000', 'the world
# installed 542,000', 'worldwide, about 542,000', '世界全体の54万2000台', '世界では54万台'
_WORLD_GAP_EN = re.compile(r"^(?:'s|’s)?\s*(?:total\s+(?:of\s+)?)?(?:[a-z]+ed\s+|had\s+|saw\s+|"
                           r"spent\s+|reached\s+|grew\s+to\s+)?(?:a\s+total\s+of\s+)?(?:about\s+|around\s+|"
                           r"nearly\s+|over\s+|more\s+than\s+|some\s+|roughly\s+)?(?:us\$|\$|€|£|¥)?$",
                           re.IGNORECASE)
_WORLD_GAP_JA = re.compile(r"^(?:全体)?(?:の|で|は|では|が)(?:合計|総数|全体)?(?:は|で|が)?(?:約|およそ)?$")
# the figure owned by the subject before it: "the US's 57", '米国の60件'
_OWNS = re.compile(r"^(?:'s|’s|の)\s?(?:約|about\s)?$")
_RANKISH = re.compile(r"位|番目|\b(?:first|second|third|fourth|fifth|largest|biggest|top|ranked)\b|"
                      r"\d(?:st|nd|rd|th)\b", re.IGNORECASE)


def _world_owner(sent: str, lang: str, num: tuple[int, int], clause: tuple[int, int],
                 world: list[Entity], subjects: list[Entity]) -> Entity | None:
    """'China installed 295,000, more than half of the world's 542,000': a figure whose own
    phrase names the world ('the world's N', 'the world installed N', '世界全体のN') is the
    world's, though the sentence names a country too. A rank ('世界2位', 'the world's second')
    keeps the world as its frame."""
    a, b = num
    if _RANKISH.search(sent[a:b]):
        return None
    near = [e for e in world if clause[0] <= e.start and e.end <= a]
    lead = [e for e in world if e.end <= clause[0] and not re.sub(r"[\s,、]", "", sent[:e.start] +
                                                                  sent[e.end:clause[0]])]
    if lead and not near and not any(clause[0] <= e.start and e.end <= a for e in subjects):
        return lead[0]  # 'Worldwide, 542,000 robots were installed', '世界では、54万台'
    if not near or any(near[-1].end <= e.start and e.end <= a for e in subjects):
        return None
    gap = sent[near[-1].end:a]
    rx = _WORLD_GAP_JA if lang in ("ja", "zh") else _WORLD_GAP_EN
    return near[-1] if not gap.strip() or rx.fullmatch(gap.strip() + ("" if lang in ("ja", "zh") else " ")) \
        else None


# the subject a rank is counted behind: 'second after the US', 'behind China', '米国に次ぐ'
# the subjects a rank is counted behind, two named together included: 'behind the US and China',
# '米中に次ぐ3位', '日本と中国に次ぐ'
_AHEAD_EN = re.compile(r"(?i:\b(?:after|behind|trailing|only\sto|next\sto)\s(?:the\s)?)"
                       r"(?:[A-Z][\w.]*(?:\s[A-Z][\w.]*)?\s(?i:and|&)\s(?i:the\s)?)?$")
_AHEAD_JA = re.compile(r"^\s?(?:[・とや、]?[\u4e00-\u9fffァ-ヶー]{1,8}?)?(?:に次(?:ぐ|いで)|に続(?:く|いて)|の次)")


# a subject named as the one outranked ('ahead of South Korea ... with 35'): the figure is the
# other subject's, as it is with the one a rank comes after
_OUTRANKED = re.compile(r"\b(?:ahead\sof|in\sfront\sof|outpacing|surpassing|beating|overtaking)\s(?:the\s)?$",
                        re.IGNORECASE)


def _is_ahead(sent: str, lang: str, e: Entity) -> bool:
    """Whether the sentence names e as the one a rank comes after ('after the US', '米国に次ぐ')."""
    if lang in ("ja", "zh"):
        return bool(_AHEAD_JA.match(sent[e.end:]))
    return bool(_AHEAD_EN.search(sent[max(0, e.start - 80):e.start]))  # the words right before it


def _than_pair(subjects: list[Entity], sent: str, first: int) -> list[Entity] | None:
    """'The Netherlands was more sceptical than the US, at 36% against 50%', 'オランダは米国より
    懐疑的で、36%対50%': two subjects compared with 'than' (より) before every figure are
    handed out in the order named, as a pair named together is."""
    named = [e for e in subjects if e.end <= first]
    if len(named) != 2 or (named[0].country or named[0].id) == (named[1].country or named[1].id):
        return None
    a, b = named
    gap = sent[a.end:b.start]
    if re.search(r"\bthan\s(?:the\s)?$", gap) and len(gap) < 60 or \
            re.fullmatch(r"\s?(?:は|が|の方が)\s?", gap) and sent[b.end:b.end + 2] == "より":
        return named
    return None


def _reference(sent: str, lang: str, num: tuple[int, int], clause: tuple[int, int],
               subjects: list[Entity]) -> Entity | None:
    """The subject a ratio figure is measured against, named in its own clause: 'as many as
    the US', 'twice that of China', '米国の約半分', '日本の約6倍', '米国の約9割'."""
    a, b = num
    ca, cb = clause
    if lang in ("ja", "zh"):
        if not (re.search(r"半分|半数|割$|分の|倍$", sent[a:b]) or re.match(r"\s?(?:倍|割)", sent[b:])):
            return None
        before = [e for e in subjects if ca <= e.start and e.end <= a and
                  re.fullmatch(r"(?:の[\d,.]+[^\d\s、。]{0,3}の|の|と比べ(?:て)?|に比べ(?:て)?)?\s?"
                               r"(?:約|およそ|ほぼ)?\s?", sent[e.end:a])]  # '米国の57件の約半分' too
        return before[-1] if before else None
    after = [e for e in subjects if b <= e.start and e.end <= cb and (_AS_MANY.match(sent[b:e.start]) or
             _TIMES_OF.match(sent[b:e.start]) and re.search(r"(?:times|x)$", sent[a:b]) and
             sent[e.end:e.end + 2] in ("'s", "’s"))]
    return after[0] if after else None


def _leading_clause(sent: str, spans: list[tuple[int, int]], clause: tuple[int, int],
                    subjects: list[Entity], number_clauses: set) -> Entity | None:
    """'Texas was first, on January 31, 2025': a figure's clause that names no one continues the
    clause right before it, when that clause states no figure, names exactly one subject and
    joins it with a comma only (not across a semicolon or a comparison word)."""
    i = spans.index(clause) if clause in spans else -1
    if i <= 0:
        return None
    pa, pb = spans[i - 1]
    if (pa, pb) in number_clauses or not re.fullmatch(r",\s?", sent[pb:clause[0]]):
        return None
    named = {(e.country or e.id, e.id): e for e in subjects if pa <= e.start and e.end <= pb}
    return next(iter(named.values())) if len(named) == 1 else None


def _complement(out: list[Binding], subjects: list[Entity], sent: str) -> None:
    """'In 2025 the US led, 60 against 35 for China': a sentence comparing the figures of two
    subjects, where every figure but one is bound to the same one of them, gives the unbound
    figure the other subject."""
    distinct = {}
    for e in subjects:
        distinct.setdefault(e.country or e.id, e)
    unbound = [b for b in out if b.subject is None]
    bound = {b.subject.country or b.subject.id for b in out if b.subject is not None}
    if len(distinct) != 2 or len(unbound) != 1 or len(bound) != 1 or not COMPARISON.search(sent):
        return
    other = next(e for k, e in distinct.items() if k not in bound)
    unbound[0].subject, unbound[0].subject_note = other, ""


def _change_year(bnd: Binding, sent: str, lang: str, start: tuple[int, int], end: tuple[int, int],
                 usable: list[tuple[int, int]]) -> None:
    """The year of a change's starting value ('rose from 23 in 2023 to 31 in 2024'): a year
    stated with it (after it in English, before it in Japanese: 2023年の23件から), else the
    earlier of the sentence's two years, else unknown: 'rose from 10 to 40 in 2024' does not
    say when it was 10."""
    if lang in ("ja", "zh"):
        own = [y for p, y in usable if p < start[0] and
               re.fullmatch(r"\s?(?:年度?)?\s?の\s?(?:約|およそ)?\s?", sent[p + 4:start[0]])]
    else:
        own = [y for p, y in usable if start[1] <= p < end[0]]
    distinct = sorted({y for _, y in usable})
    if own:
        bnd.year = own[-1] if lang in ("ja", "zh") else own[0]
    elif len(distinct) == 2:
        bnd.year = distinct[0]
        bnd.year_note = f"the starting value of a change, read as of {bnd.year}"
    else:
        bnd.year_note = ("the starting value of a change ('from ... to ...'): the sentence does "
                         "not say which year it is of")


def _end_year(bnd: Binding, sent: str, lang: str, end: tuple[int, int],
              usable: list[tuple[int, int]]) -> bool:
    """The year stated with a change's end value ('to 49 points in December 2025', '2025年の49件
    に'), as _change_year reads the start's; False when none is (the clause's year then binds).
    The nearest year would be the start's own ('from 370 in May 2023 to 49 in December 2025')."""
    if lang in ("ja", "zh"):
        own = [y for p, y in usable if p < end[0] and
               re.fullmatch(r"\s?(?:年度?)?\s?の\s?(?:約|およそ)?\s?", sent[p + 4:end[0]])]
    else:
        own = [y for p, y in usable if end[1] <= p and not re.search(r"\d", sent[end[1]:p])
               and p - end[1] <= 40]
    if not own:
        return False
    bnd.year = own[-1] if lang in ("ja", "zh") else own[0]
    return True


def _bind_year(bnd: Binding, sent: str, num: tuple[int, int], clause: tuple[int, int],
               usable: list[tuple[int, int]]) -> None:
    """The claim's year: explicit in its clause, else a relative year, else the sentence's year."""
    ca, cb = clause
    own = [(p, y) for p, y in usable if ca <= p < cb]
    clause_text = sent[ca:cb]
    fiscal = _FISCAL.search(clause_text) or (_FISCAL.search(sent) if not own else None)
    after = _REL_AFTER.match(sent[num[1]:num[1] + 40])
    if after and _BASE_OF_CHANGE.search(after.group()):
        after = None  # 'grew 140% from a year earlier in Q3 2025': the base of the change, not its time
    if after and len({y for _, y in usable}) == 1:
        bnd.year = usable[0][1] + (1 if after.group("fwd") or after.group("fwd2") else -1)
        bnd.year_note = f"'{after.group().strip()}' read as {bnd.year}"
        return
    if own:
        bnd.year = min(own, key=lambda y: abs(y[0] - num[0]))[1]
    else:
        for rx, back in _REL_ANCHORED:
            m = rx.search(clause_text)
            if m and (search_end(_BASE_BEFORE, clause_text[:m.start()]) and ca + m.start() >= num[1] or
                      re.match(r"\s?(?:より|と比べ|に比べ|から(?:増|減|伸|上|下))", clause_text[m.end():])):
                continue  # 'than a year earlier', '前年より4件多い': the base compared with, not the time
            if m:
                anchor = [y for p, y in usable if not (ca <= p < cb)]
                n = back if isinstance(back, int) else \
                    _WORDS.get((m.group(1) or m.group(2) or "").lower()) or int(m.group(1) or m.group(2))
                n = -n if back == "later" else n
                if len(set(anchor)) == 1:
                    bnd.year = anchor[0] - n
                    bnd.year_note = f"'{m.group().strip()}' read as {bnd.year}"
                else:
                    bnd.year_note = f"'{m.group().strip()}' has no single year in the sentence to count from"
                return
        m = _REL_NOW.search(clause_text) or (_REL_NOW.search(sent) if not usable else None)
        if m:
            bnd.year_note = (f"'{m.group().strip()}' depends on the article's date, which the text "
                             "does not give")
            bnd.from_article = from_article(m.group())
            return
        if usable:
            bnd.year = min(usable, key=lambda y: min(abs(y[0] - num[0]), abs(y[0] - num[1])))[1]
    if fiscal and bnd.year is not None and str(bnd.year) in fiscal.group():
        bnd.year_note = f"fiscal year {bnd.year} (not a calendar year)"


def from_article(words: str) -> int | None:
    """Years from the article's date that a relative year names: 'last year' -1, 'this year' 0,
    'two years ago' -2, 来年 +1; None for a fiscal year (昨年度), which no calendar year is."""
    w = words.lower()
    if "年度" in w:
        return None
    if re.search(r"last|昨年|去年", w):
        return -1
    if re.search(r"this|今年|本年", w):
        return 0
    if re.search(r"next|来年", w):
        return 1
    n = re.search(r"(\d+|\w+)\s?(?:years?\sago|年前)", w)
    k = n and ({"a": 1, "one": 1, **_WORDS}.get(n.group(1)) or
               (int(n.group(1)) if n.group(1).isdigit() else None))
    return -k if k else None


def _deadline(sent: str, pos: int, year_spans: list[tuple[int, int]]) -> bool:
    """'2030年度まで', 'by 2030': a year that bounds a plan is not the claim's year. The start of
    a span of years ('2022年から2024年にかけて') is a year of the claims, not a deadline."""
    end = next((b for a, b in year_spans if a == pos), pos + 4)
    if _SPAN_START.match(sent[pos + 4:]):
        return False
    after, before = _DEADLINE_AFTER.match(sent[end:]), search_end(_DEADLINE_BEFORE, sent[:pos])
    if (before and (before.group(1) or "").lower() == "by" or after and after.group(1) == "までに") and \
            _PAST.search(sent) and not _FUTURE.search(sent):
        return False  # 'By December 2024 the gap had shrunk to 0.9': the time of the claim
    return bool(after or before)


# the start of a trend or a running total: 'since 2020', '2020年以降', '2020年から' (not '2020年から2024年')
_SINCE_BEFORE = re.compile(r"\bsince\s$", re.IGNORECASE)
_SINCE_AFTER = re.compile(r"^\s?(?:年度?)?\s?(?:以降|以来|から(?!\s?(?:19|20)\d{2}))")
_SPAN_START = re.compile(r"^\s?(?:年度?)?\s?から\s?(?:19|20)\d{2}")
# a sentence that reports what happened ('had shrunk', 'was', '縮まった') against one that plans
_PAST = re.compile(r"\b(?:had|was|were|did|led|held|rose|fell|grew|stood|hit|won|saw|made|took|kept|"
                   r"shrank|overtook|spent|built|sold|bought|ran|came|became|reached)\b|\b[a-z]{3,}ed\b|"
                   r"(?:た|だった|でした|ました)[。.!！]?\s*$", re.IGNORECASE)
_FUTURE = re.compile(r"\b(?:will|shall|plans?|planned|aims?|aimed|targets?|targeted|goal|expects?|"
                     r"expected|pledged?|promised?|commit(?:s|ted)?|intends?|to\s(?:reach|invest|build|"
                     r"spend|deploy))\b|計画|目指|目標|予定|見込|方針", re.IGNORECASE)


def _base(sent: str, own: str, a: int, b: int, lang: str) -> str:
    """What a share is 'of' when the clause says so: '78% of organizations', '組織の78%'."""
    if lang in ("ja", "zh"):
        m = search_end(_BASE_JA, sent[:a])
        text = m.group(1) if m else ""
        text += sent[b:b + 16]
    else:
        m = re.match(r"\s*of\s(?:the\s|all\s|those\s|its\s)?((?:[\w-]+\s){0,3}[\w-]+)", sent[b:])
        text = m.group(1) if m else ""
    hits = [(m.start(), base) for base, rx in _BASES for m in [re.search(rx, text, re.IGNORECASE)] if m]
    return min(hits)[1] if hits else ""  # the first noun: '18% of large firms tested models'
