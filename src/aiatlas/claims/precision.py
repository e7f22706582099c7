"""How far the data may be from a claimed figure, read from how the figure is written.

A figure carries its own precision. A whole number that counts things ("60 models", "46,106台")
was counted, so it is exact. A measured figure ("39%", "6 months", "6倍", "3.35 TB/s") is rounded
at its last written digit, so it stands for half a unit of that digit either way. A figure with a
scale word ("475億", "€109 billion", "1.2 million") is rounded at its last digit before the scale
word (at most 5% of the figure: "1兆円" is as often an exact announced sum as a rounded one). A
hedge ("about", "roughly", "約", "程度") says the writer rounded: 5% of the figure, or twice the
measure's slack. The measure's declared slack (patterns.yaml `tolerance`: how far two honest
figures of that measure differ, e.g. a survey printed in whole percent) applies when it is larger.
Every allowance is stated in words, in English and Japanese.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from aiatlas.claims.model import Quantity

HEDGE_SHARE = 0.05  # a hedged figure ('about 60') stands for 5% either way
SCALE_CAP = 0.05  # rounding at a scale word never allows more than 5% of the figure
MEASURED = ("percent", "points", "money", "multiple", "duration", "number")
UNITS_JA = {"models": "件", "cases": "件", "units": "台", "robots": "台", "chips": "製品",
            "items": "件", "%": "ポイント", "points": "ポイント", "months": "か月", "years": "年",
            "weeks": "週", "days": "日", "organizations": "社", "people": "人", "countries": "か国",
            "EUR": "ユーロ", "USD": "ドル", "CNY": "元", "JPY": "円", "KRW": "ウォン", "GBP": "ポンド",
            "incidents": "件", "transistors": "個", "x": "倍", "states": "州", "papers": "本",
            "benchmarks": "件", "clusters": "か所", "parameters": "個"}
_DIGITS = re.compile(r"\d[\d,]*(?:\.(\d+))?")


@dataclass(frozen=True)
class Slack:
    """A measure's declared slack (patterns.yaml `tolerance`): the larger of rel and abs."""

    rel: float = 0.0
    abs: float = 0.0

    def of(self, claimed: float) -> float:
        return max(self.abs, self.rel * abs(claimed))


@dataclass(frozen=True)
class Allowance:
    """How far the data may be from the claim (claim units), and why, per language."""

    amount: float
    en: str
    ja: str


def _digits(x: float) -> str:
    """Four significant digits, never in e-notation: 5.657, 18,898 (not 1.89e+04)."""
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 1000 else f"{x:,.4g}"


def human(x: float) -> str:
    """A number as a reader writes it: 276,288; 5.657; 109 billion; 3.8e25 (FLOP)."""
    if abs(x) >= 1e15:
        return f"{x:.3g}".replace("e+", "e")
    for div, word in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
        if abs(x) >= div:
            return f"{_digits(x / div)}{word}"
    return _digits(x)


def human_ja(x: float) -> str:
    """A number as a Japanese reader writes it: 276,288; 800億; 10兆; 5.657; 3.8e25."""
    if abs(x) >= 1e16:
        return f"{x:.3g}".replace("e+", "e")
    for div, word in ((1e12, "兆"), (1e8, "億")):
        if abs(x) >= div:
            return f"{_digits(x / div)}{word}"
    return _digits(x)


def unit_words(unit: str, lang: str) -> str:
    """How an allowance's unit reads: ' percentage points', ' models'; 'ポイント', '件'."""
    if lang == "ja":
        return UNITS_JA.get(unit, unit)
    if unit == "%":
        return " percentage points"
    return f" {unit}" if unit else ""


# a compound Japanese number (29万5000, 1億2000万): as precise as its last group
_MYRIAD_TAIL = re.compile(r"[万億兆]([\d,.]+)([万億兆]?)$")
_MYRIAD = {"": 1.0, "万": 1e4, "億": 1e8, "兆": 1e12}


def written(q: Quantity) -> tuple[str, int, float]:
    """(the digits as written, decimals written, claim units per unit of the written digits):
    '475' 0 1e8 for 475億; '3' 0 10 for 3割; '39.2' 1 1 for 39.2%."""
    text = q.digits or (f"{q.value:.10g}" if abs(q.value) < 1e15 else "")
    tail = _MYRIAD_TAIL.search(text)
    if tail:
        m = _DIGITS.search(tail.group(1))
        if m:
            return m.group(), len(m.group(1) or ""), _MYRIAD[tail.group(2)]
    m = _DIGITS.search(text)
    if not m:
        return "", 0, 1.0
    mantissa = float(m.group().replace(",", ""))
    factor = q.value / mantissa if mantissa else 1.0
    return m.group(), len(m.group(1) or ""), factor


def rounding(q: Quantity) -> tuple[float, str, str]:
    """The half-unit a figure's writing implies (claim units), and why, per language."""
    digits, decimals, factor = written(q)
    tail = _MYRIAD_TAIL.search(q.digits or "")
    shown = q.digits if tail else digits or human(q.value)
    scale = "" if tail and not tail.group(2) else q.scale  # 29万5000: to the unit
    said_en, said_ja = (shown, shown) if tail else (f"{shown} {q.scale}", f"{shown}{q.scale}")
    if not digits or (q.kind not in MEASURED and decimals == 0 and not scale
                      and abs(factor - 1) < 1e-9):
        return 0.0, f"{shown} is a whole count, read as exact", f"{shown}は数え上げた整数で、厳密な値として扱います"
    half = 0.5 * 10 ** -decimals * factor
    if scale:
        capped = min(half, SCALE_CAP * abs(q.value))
        return capped, (f"{said_en} is rounded at its last digit"
                        + (" (at most 5%)" if capped < half else "")), \
            f"{said_ja}は最後の桁で丸めた値" + ("（最大5%）" if capped < half else "")
    return half, f"{shown} is rounded at its last digit", f"{shown}は最後の桁で丸めた値"


def allowance(q: Quantity, slack: Slack) -> Allowance:
    """The tolerance for this figure: its own rounding, a hedge, or the measure's slack."""
    if q.kind == "date":  # a date is a day, never the integer it is stored as
        return Allowance(0.0, "same day", "同じ日付")
    own, why_en, why_ja = rounding(q)
    declared = slack.of(q.value)
    unit_en, unit_ja = unit_words(q.unit, "en"), unit_words(q.unit, "ja")
    if q.qualifier == "approx":
        hedge = HEDGE_SHARE * abs(q.value)
        amount = max(2 * declared, own, hedge)
        said = q.qualifier_text or "about"
        if amount == hedge:
            why_en, why_ja = f"'{said}': {HEDGE_SHARE:.0%} of the figure", f"「{said}」: 数値の5%"
        elif amount == 2 * declared:
            why_en, why_ja = f"'{said}': twice the measure's slack", f"「{said}」: 指標の許容幅の2倍"
    elif declared > own:
        amount = declared
        why_en = f"the measure's slack, wider than the ±{human(own)} the figure's writing allows: {why_en}"
        why_ja = f"指標の許容幅。数値の書き方だけなら±{human_ja(own)}: {why_ja}"
    else:
        amount = own
    if amount == 0:
        return Allowance(0.0, f"exact ({why_en})", f"厳密一致（{why_ja}）")
    return Allowance(amount, f"±{human(amount)}{unit_en} ({why_en})",
                     f"±{human_ja(amount)}{unit_ja}（{why_ja}）")


def stated(amount: float, unit: str, en: str, ja: str) -> Allowance:
    """An allowance a caller sets itself (a claims file's tolerance, a ratio's roughness)."""
    return Allowance(amount, f"±{human(amount)}{unit_words(unit, 'en')} ({en})",
                     f"±{human_ja(amount)}{unit_words(unit, 'ja')}（{ja}）")
