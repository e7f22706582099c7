"""Numbers in a sentence and what surrounds them: scale, unit, currency, qualifier, range, rank."""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from aiatlas.claims.model import Quantity


@dataclass
class Number:
    """A number token in normalised sentence text, with its value (Japanese scales applied)."""

    start: int
    end: int
    value: float
    surface: str
    scale: str = ""


# No claim states a figure this large (the largest are training compute, ~1e27 FLOP); a longer
# digit run is junk (or an attack: a 200,000-digit number parses as float infinity, which JSON
# cannot carry).
MAX_ABS = 1e30


def finite(value: float) -> float:
    """The value when it is a finite number below MAX_ABS in size, else ValueError."""
    if not math.isfinite(value) or abs(value) >= MAX_ABS:
        raise ValueError(f"{value!r} is out of range")
    return value


def _bounded(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and abs(value) < MAX_ABS


# -- spotting ---------------------------------------------------------------------------------

_EN_NUMBER = re.compile(
    r"(?<![\w.])(?<![A-Za-z]-)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(?=$|[^\w]|bn\b|mn\b|tn\b|[mbkx]\b|st\b|nd\b|rd\b|th\b|%"
    r"|(?:nm|mm2?|[kM]?W|[GT]B|[GTPE]?FLOPS?|[GTP]OPS|GHz)(?![A-Za-z]))", re.IGNORECASE)
_JA_SCALE = {"万": 1e4, "億": 1e8, "兆": 1e12, "千": 1e3}


_PREPOSITIONS = {"from", "of", "in", "for", "by", "at", "to", "on", "with", "against", "than",
                 "per", "since", "and", "or"}
_WORD_NUMBERS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]) if i >= 2}  # 'one' is mostly a pronoun
_WORD_NUMBERS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                  "ninety": 90, "a dozen": 12, "a hundred": 100}
_EN_WORD = re.compile(r"\b(" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")\b(?!-)",
                      re.IGNORECASE)
_JA_WORDS = {"半分": 50.0, "半数": 50.0}  # 'half': a share, read as 50%
# English fractions and multiples in words, as a share (percent) or a multiple, each with the
# digit its precision stands for (half = 5 tenths, as 半分 = 5割): 'half as many as', 'a third
# of', 'two-thirds of', 'twice as many'. Only before a comparison or 'of': 'the first half of
# 2024' is a time, 'a quarter' alone may be one too.
_EN_RATIO_WORDS = {"half": ("percent", 50.0, "5"), "a third": ("percent", 100 / 3, "3"),
                   "one third": ("percent", 100 / 3, "3"), "two thirds": ("percent", 200 / 3, "7"),
                   "a quarter": ("percent", 25.0, "3"), "three quarters": ("percent", 75.0, "8"),
                   "twice": ("multiple", 2.0, "2")}
_EN_RATIO = re.compile(r"(?<!first )(?<!second )(?<!other )(?<!latter )(?<!-)\b(half|(?:a|one)[- ]third|"
                       r"two[- ]thirds|a quarter|three[- ]quarters|twice)\b(?=\s+(?:as|of)\b)"
                       r"|\b(twice)\b(?=\s+(?:that|the|more|its|their)\b)", re.IGNORECASE)


def _ratio_word(surface: str) -> tuple[str, float, str] | None:
    return _EN_RATIO_WORDS.get(surface.lower().replace("-", " "))


def has_word_number(text: str) -> bool:
    """Whether a sentence without digits still states a number: a number, rank or ratio word, 半分."""
    return bool(_EN_WORD.search(text) or RANK_WORD.search(text) or _EN_RATIO.search(text)
                or any(w in text for w in _JA_WORDS))


# scientific notation: '3.8e25', '3.8E+25', '3.8 × 10^25', '3.8x10^25', '10^25' (NFKC reads the
# superscripts of 10²⁵ as '1025', which no rule can tell from a number: not read)
_SCIENTIFIC = re.compile(r"(?<![A-Za-z0-9_.])(?:(\d+(?:\.\d+)?)\s?(?:[eE]([+-]?\d{1,2})|(?:×|x|\*)\s?10\^\s?([+-]?\d{1,2}))"
                         r"|10\^\s?([+-]?\d{1,2}))(?![a-z0-9_.])")


def _scientific(text: str) -> list[Number]:
    out = []
    for m in _SCIENTIFIC.finditer(text):
        mantissa, exp = (m.group(1) or "1"), m.group(2) or m.group(3) or m.group(4)
        value = float(mantissa) * 10 ** int(exp)
        if _bounded(value):
            out.append(Number(m.start(), m.end(), value, m.group()))
    return out


def spot_en(text: str) -> list[Number]:
    """Numbers in English text by regex (digits, and number words from 'two' to 'ninety'); a digit
    glued to letters (H100, 5G) is not one."""
    ratios = [Number(m.start(), m.end(), _ratio_word(m.group())[1], m.group())
              for m in _EN_RATIO.finditer(text)] + _scientific(text)
    out = ratios + [Number(m.start(), m.end(), float(_WORD_NUMBERS[m.group().lower()]), m.group())
                    for m in _EN_WORD.finditer(text)
                    if not any(r.start <= m.start() < r.end for r in ratios)]  # 'two' of 'two thirds'
    for m in _EN_NUMBER.finditer(text):
        if any(r.start <= m.start() < r.end for r in ratios):
            continue  # the mantissa or exponent of '3.8e25'

        if len(m.group(1)) > 40:
            continue  # junk, and float() of a huge digit run costs time
        value = float((m.group(1) + (m.group(2) or "")).replace(",", ""))
        if _bounded(value):
            out.append(Number(m.start(), m.end(), value, m.group()))
    return sorted(out, key=lambda n: n.start)


@functools.lru_cache(maxsize=1)
def _sudachi():
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(SplitMode.C)


_FIGURE_JA = re.compile(r"[\d一二三四五六七八九十百]")  # a numeral token that is a figure has one
_NUMERAL_POS: dict[int, bool] = {}  # Sudachi part-of-speech id -> whether it is a numeral (数詞)


def _is_numeral(m) -> bool:
    """Whether a Sudachi token is a numeral (数詞), by its part-of-speech id, read once per id."""
    hit = _NUMERAL_POS.get(m.part_of_speech_id())
    if hit is None:
        hit = _NUMERAL_POS[m.part_of_speech_id()] = m.part_of_speech()[1] == "数詞"
    return hit


def spot_ja(text: str) -> list[Number]:
    """Numbers in Japanese text via SudachiPy: 30万, 1,000億, 三十万 come out as one token each;
    scientific notation ('3.3e24', '3.3×10^24') by the English rule."""
    out = _scientific(text)
    half = any(w in text for w in _JA_WORDS)
    for m in _sudachi().tokenize(text):
        if not half and not _is_numeral(m):
            continue  # what the rest skips anyway, told by an int: most of a sentence's tokens
        if any(s.start <= m.begin() < s.end for s in out):
            continue
        if m.surface() in _JA_WORDS:
            out.append(Number(m.begin(), m.end(), _JA_WORDS[m.surface()], m.surface()))
            continue
        if not _is_numeral(m):
            continue
        surface = m.surface()
        if not _FIGURE_JA.search(surface):
            continue  # 数 in 数十, 何 in 何万: not a figure
        value = _ja_value(surface, m.normalized_form())
        if not _bounded(value):
            continue
        scale = "".join(ch for ch in surface if ch in _JA_SCALE)
        out.append(Number(m.begin(), m.end(), value, surface, scale))
    return out


def _ja_value(surface: str, normalised: str) -> float | None:
    """Sudachi's normalised form is the plain number; fall back to our own parse of 1,000億 forms."""
    try:
        if normalised and not normalised.startswith("0"):
            return float(normalised)
    except ValueError:
        pass
    m = re.fullmatch(r"([\d,]+(?:\.\d+)?)([万億兆千]*)", surface)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    for ch in m.group(2):
        value *= _JA_SCALE[ch]
    return value


# -- reading the context ----------------------------------------------------------------------

CURRENCY_SIGNS = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "RMB": "CNY",
                  "CNY": "CNY", "USD": "USD", "EUR": "EUR", "JPY": "JPY", "元": "CNY"}
CURRENCY_WORDS = (
    (r"(?:US |U\.S\. )?dollars?|USD", "USD"), (r"euros?|EUR", "EUR"), (r"yuan|renminbi|RMB|CNY", "CNY"),
    (r"yen|JPY", "JPY"), (r"won|KRW", "KRW"), (r"pounds?(?: sterling)?|GBP", "GBP"),
    (r"米ドル|ドル", "USD"), (r"ユーロ", "EUR"), (r"人民元|元", "CNY"), (r"円", "JPY"),
    (r"ウォン", "KRW"), (r"ポンド", "GBP"))
EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "k": 1e3, "m": 1e6,
             "mn": 1e6, "b": 1e9, "bn": 1e9, "tn": 1e12}
COUNT_NOUNS = {  # English head noun -> normalised unit
    "model": "models", "models": "models", "system": "models", "systems": "models",
    "chip": "chips", "chips": "chips", "gpu": "chips", "gpus": "chips", "accelerators": "chips",
    "robot": "robots", "robots": "robots", "unit": "units", "units": "units",
    "company": "organizations", "companies": "organizations", "firms": "organizations",
    "labs": "organizations", "organizations": "organizations", "organisations": "organizations",
    "startups": "organizations", "countries": "countries", "papers": "papers",
    "people": "people", "researchers": "people", "parameters": "parameters", "states": "states",
    "points": "points", "benchmarks": "benchmarks", "clusters": "clusters", "cluster": "clusters",
    "supercomputers": "clusters", "supercomputer": "clusters",
    "incidents": "incidents", "authors": "people", "developers": "people", "developer-topic": "people", "employees": "people", "workers": "people",
    "transistors": "transistors",
    # 'H100 equivalents', '1.39 million H100-equivalents': units of compute (not the clusters or
    # chips a figure before it counted)
    "equivalents": "items", "h100-equivalents": "items", "h100e": "items",
}
JA_COUNTERS = (  # counter (regex) -> normalised unit
    (r"台", "units"), (r"件", "cases"), (r"社", "organizations"), (r"人", "people"),
    (r"(?:種類の)?(?:AI)?モデル|の(?:注目すべき|注目の?|主要な)?(?:AI)?モデル", "models"), (r"個", "items"),
    (r"本", "items"), (r"基|か所|カ所|ヶ所|箇所", "units"), (r"カ国|か国|ヶ国|ケ国", "countries"), (r"州", "states"),
    (r"枚", "chips"), (r"機", "units"), (r"校|機関", "organizations"), (r"本の論文|報", "papers"),
    (r"つ|款|个|種類|製品|機種", "items"))
PRE_QUALIFIERS = (  # first match wins: 'no more than' (at most) before 'more than' (over)
    (r"(?:about|around|approximately|roughly|some|an estimated|estimated|約|およそ|ほぼ|概ね|推定)", "approx"),
    (r"(?:nearly|almost|close to|just under|little under|near)", "nearly"),
    (r"(?:up to|at most|no more than|a maximum of|最大|最高|多くて)", "at_most"),
    (r"(?:more than|over|above|exceeding|upwards of|just over)", "over"),
    (r"(?:at least|no fewer than|no less than|a minimum of)", "at_least"),
    (r"(?:less than|fewer than|below|under)", "under"),
    (r"(?:最低|少なくとも)", "at_least"))
POST_QUALIFIERS = (
    (r"以上|or more|and above|plus\b|\+", "at_least"),
    # 'Nを上回った' is more than N; 'N上回った' (no を) is the margin itself: 'Bを3.4ポイント上回った'
    (r"を?超え(?:る|た|て)?|超|を上回(?:る|った|って|ら(?=な|ず))|余り|あまり|強", "over"),
    (r"近く|弱|足らず|に迫(?:る|った)", "nearly"), (r"程度|前後|ほど|ばかり|ぐらい|くらい", "approx"),
    (r"未満|を下回(?:る|った|って|ら(?=な|ず))", "under"), (r"以下|以内|まで(?!縮|減|下|低|上|増|伸|拡)", "at_most"))
# a denial right before a figure or its bound, in the figure's own clause: 'did not release',
# 'has not produced', 'never topped', "hasn't" (not 'not only', 'if not', 'not least')
_NEGATION_EN = re.compile(r"(?:\b(?:not|never|no\s+longer)|n't)\s+(?!only\b|least\b|just\b|quite\b)"
                          r"(?:[a-z-]+\s+){0,3}$", re.IGNORECASE)
_NEGATION_JA = re.compile(r"(?:な(?:い|かった|く)|ず|ません)")
_OPPOSITE = {"over": "at_most", "under": "at_least", "at_least": "under", "at_most": "over"}
_RANK_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
               "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_RANK_ALT = "|".join(_RANK_WORDS)
RANK_WORD = re.compile(rf"\b({_RANK_ALT})[- ](?:largest|biggest|highest|most|place|ranked|strongest|"
                       rf"best|leading|top|only\sto)\b|\b(?:ranked|ranks|ranking|came|comes|placed|in)\s"
                       rf"({_RANK_ALT})\b(?!\s(?:half|quarter|time|of))", re.IGNORECASE)


def rank_word_value(m: re.Match) -> int:
    """The rank a RANK_WORD match states: 'second-largest' -> 2, 'ranked first' -> 1."""
    return _RANK_WORDS[(m.group(1) or m.group(2)).lower()]


@functools.lru_cache(maxsize=256)
def _compiled(rx: str, anchor: str) -> re.Pattern:
    return re.compile(anchor.format(rx), re.IGNORECASE)


@functools.lru_cache(maxsize=16)
def _alternatives(table: tuple) -> str:
    """The rows' regexes as one alternation: it matches where any row's would."""
    return "|".join(f"(?:{row[0]})" for row in table)


def _pick(table: tuple, text: str, anchor: str):
    """The value of the first row whose regex matches (inside the anchor), and the match.

    Most figures have no qualifier, currency word or counter: one failed match of all the
    rows at once settles that, instead of one per row.
    """
    if not _compiled(_alternatives(table), anchor).match(text):
        return None, None
    for rx, value in table:
        m = _compiled(rx, anchor).match(text)
        if m:
            return value, m
    return None, None


def read(num: Number, text: str, lang: str) -> tuple[Quantity, int, int]:
    """The quantity a number asserts, and the span (start, end) of the whole expression."""
    q = Quantity(value=num.value, scale=num.scale,
                 digits=num.surface if re.search(r"\d", num.surface) else "")
    start, end = num.start, num.end
    before, after = text[:start], text[end:]
    if num.surface in _JA_WORDS:
        q.kind, q.unit, q.digits = "percent", "%", "5"  # half: 5割, a figure rounded to tenths
    elif word := _ratio_word(num.surface):
        q.kind, q.unit, q.digits = word[0], "%" if word[0] == "percent" else "x", word[2]
    # prefixes: currency sign, then a qualifier word before it ("over $500bn", "約1,000億")
    m = re.search(r"(US\$|\$|€|£|¥|RMB\s?|CNY\s?|USD\s?|EUR\s?)$", before)
    if m:
        q.currency, q.kind = CURRENCY_SIGNS[m.group(1).strip()], "money"
        start, before = m.start(), before[:m.start()]
    off = max(0, len(before) - 40)  # a qualifier sits right before the number: read the tail only
    qual, m = _pick(PRE_QUALIFIERS, before[off:], r"(?s).*?(?<![A-Za-z])({})\s*(?:every\s+|each\s+)?$")
    if qual:
        q.qualifier, q.qualifier_text, start = qual, m.group(1), off + m.start(1)
    if lang == "en" and _NEGATION_EN.search(text[max(0, start - 50):start]):
        # 'has not produced more than two', 'did not release fewer than 30': the denied bound
        # is its opposite; a denied figure itself ('did not release 30') is what it is not
        if q.qualifier in _OPPOSITE:
            q.qualifier, q.qualifier_text = _OPPOSITE[q.qualifier], f"not {q.qualifier_text}"
        else:
            q.negated = True
    if re.search(r"第\s*$", before):
        q.rank, start = True, before.rindex("第")
    # suffixes: English scale word, then the unit, then a trailing qualifier
    m = re.match(r"(?:\s(thousand|million|billion|trillion)\b|(bn|mn|tn|[mbk])\b)", after,
                 re.IGNORECASE)
    if m and (m.group(1) or q.currency or re.match(r"\s*(?:dollars|euros|yuan)", after[m.end():])):
        word = (m.group(1) or m.group(2)).lower()
        q.scale, q.value = word, q.value * EN_SCALES[word]
        end, after = end + m.end(), after[m.end():]
    if not _ratio_word(num.surface):  # 'half as many models': a share, not 50 models
        end = _read_unit(q, after, lang, end)
    after = text[end:]
    qual, m = _pick(POST_QUALIFIERS, after, r"\s*({})")
    if qual and re.match(r"を(?:上|下)回", m.group(1)) and \
            re.search(r"の\s?(?:約|およそ|ほぼ)?\s?$", text[:num.start]):
        # '米国の3万7587台を上回った', '前年の23件を上回った': the figure is the compared
        # subject's own (exact); the verb says the sentence's subject exceeds it
        qual = None
    if qual and q.qualifier == "exact":
        q.qualifier, q.qualifier_text, end = qual, m.group(1), end + m.end()
        if lang != "en" and qual in _OPPOSITE and _NEGATION_JA.match(text[end:]):
            # '30件を超えなかった' is at most 30, '30件を下回らなかった' at least 30
            q.qualifier, q.qualifier_text = _OPPOSITE[qual], q.qualifier_text + "ない"
    elif lang != "en" and re.match(r"\s*(?:に|へ)?\s?(?:達し|届か|満た)", after):
        neg = re.match(r"\s*(?:に|へ)?\s?(?:達しな|届かな|満たな|達せず|届かず|満たず)", after)
        if neg and q.qualifier == "exact":  # '30件に達しなかった', '30件に満たない': under 30
            q.qualifier, q.qualifier_text = "under", neg.group().strip()
    if q.rank:
        q.kind = "rank"
    return q, start, end


_UNIT_RULES = (  # regex, kind, unit: the first that matches right after the figure
    (r"\s?(?:nm|mm2?|[kMGT]?W|[GT]B|[GTPE]?FLOP(?:/s|S)?|[GTP]OPS|GHz)(?![A-Za-z])", "number",
     "measure"),
    (r"\s?(?:watts?\b|ワット)", "number", "W"),
    (r"\s?(?:ナノメートル|ナノ(?=プロセス))", "number", "nm"),
    (r"\s?(?:%|percent\b|per cent\b|パーセント)\s?(?:ポイント|points?\b|pts?\b)", "points", "points"),
    (r"\s?(?:percentage[- ]points?|pp\b|ポイント|pts?\b|points?\b)", "points", "points"),
    (r"\s?(?:%|percent\b|per cent\b|パーセント|割)", "percent", "%"),
    (r"\s?(?:times\b|x\b|-fold\b|fold\b|倍)", "multiple", "x"),
    (r"(?:位|番目|(?:st|nd|rd|th)\b)", "rank", ""),
    (r"\s?(?:か月|ヶ月|カ月|ヵ月|ケ月|箇月|months?\b)", "duration", "months"),
    (r"\s?(?:年間|年(?!度)|years?\b)", "duration", "years"),  # 2024年 was read as a year
    (r"\s?(?:週間|weeks?\b)", "duration", "weeks"),
    (r"\s?(?:日間|days?\b)", "duration", "days"),
)


def _read_unit(q: Quantity, after: str, lang: str, end: int) -> int:
    """Set kind and unit from the words after the number; return the new end offset."""
    for rx, kind, unit in _UNIT_RULES if _compiled(_alternatives(_UNIT_RULES), "{}").match(after) else ():
        m = _compiled(rx, "{}").match(after)
        if m:
            if kind == "percent" and m.group().strip() == "割":
                q.value *= 10  # 3割 = 30%
            q.kind, q.unit = kind, unit if unit != "measure" else m.group().strip()
            q.rank = kind == "rank" or q.rank
            return end + m.end()
    cur, m = _pick(CURRENCY_WORDS, after, r"\s?({})(?![A-Za-z])")
    if cur:
        q.currency, q.kind, q.unit = cur, "money", cur
        return end + m.end()
    if q.currency:
        q.kind, q.unit = "money", q.currency
        return end
    if lang != "en":
        unit, m = _pick(JA_COUNTERS, after, r"({})")
        if unit:
            q.kind, q.unit = "count", unit
            if unit in ("units", "chips") and after[m.end():m.end() + 1] == "分":
                # 'H100換算で23万台分': worth that many units, not that many machines
                q.unit = "items"
                return end + m.end() + 1
            return end + m.end()
        return end
    # English: the head noun among the next few words ("40 notable AI models"), or after 'of the'
    # when the set is named whole ('15 of 2024's notable models' counts notable models)
    part = _PARTITIVE.match(after)
    skip = part.end() if part else 0
    words = re.match(r"((?:\s+[A-Za-z][\w'-]*){1,4})", after[skip:])
    if words:
        for i, w in enumerate(re.finditer(r"\s+([A-Za-z][\w'-]*)", words.group(1))):
            key = w.group(1).lower()
            if i == 0 and key in _PREPOSITIONS:  # '19 from American firms': not a head noun
                break
            clause = re.split(r"[,;:]|\.(?!\d)", after[skip + w.end():], maxsplit=1)[0][:40]
            if part and NARROWED.search(after[skip:skip + w.start()] + " " + clause):
                break  # 'two of the largest clusters', '15 of the models in the top 20': a subset
            if key in COUNT_NOUNS:
                q.kind, q.unit = ("count", COUNT_NOUNS[key]) if COUNT_NOUNS[key] not in ("points", "items") \
                    else ("points", "points") if COUNT_NOUNS[key] == "points" else ("number", "items")
                return end + skip + w.end()
    return end


# '15 of the notable models', '15 of 2024's notable models', '15 of this year's models'
_PARTITIVE = re.compile(r"\s+of\s+(?:the|(?:19|20)\d\d['’]s|(?:this|last)\s+year['’]s)(?=\s+[A-Za-z])",
                        re.IGNORECASE)
# words that narrow the named set to a part of it the data does not count as such
NARROWED = re.compile(r"\b(?:\w+est|top|most|least|leading|best|major|main|biggest|first|last)\b|"
                       r"(?<![\d,.])(?!(?:19|20)\d\d\b)\d", re.IGNORECASE)
