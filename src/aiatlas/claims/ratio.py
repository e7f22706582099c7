"""Ratios between two figures of one sentence: '31 models, 54% as many as the US (57)', '約6倍'."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from aiatlas.claims.judge import compare
from aiatlas.claims.model import CheckedClaim, Quantity, Verdict
from aiatlas.claims.numbers import COUNT_NOUNS
from aiatlas.claims.precision import Slack
from aiatlas.claims.words import subject_name

_RATIO = re.compile(r"as (?:many|much|large|big) as|times (?:as|more|larger|bigger|that)|"
                    r"times (?:the )?[\w.-]+(?: [\w.-]+)?(?:'s|’s)\s|"
                    r"倍|半分|半数|に相当|の\d+(?:\.\d+)?%|の(?:約|およそ|ほぼ)?\d+割|の(?:約|およそ|ほぼ)?\s?\S{1,3}分の", re.IGNORECASE)
# a ratio is a rough figure: 3 percentage points for a share of, 10% for a multiple
_TOLERANCE = {"percent": Slack(abs=3), "multiple": Slack(rel=0.1)}


def judge_ratios(claims: list[CheckedClaim], check: Callable[..., Verdict]) -> None:
    """Give a ratio claim the ratio of the sentence's two compared figures, as the data has them.

    Applies when the claim's own clause states a ratio and the sentence compares exactly two
    subjects on one measure, both found in the data. A share ('54% as many') is the smaller
    over the larger; a multiple ('6倍') the larger over the smaller, so the order in which the
    sentence names them does not matter. When the sentence states only one figure and the
    ratio's clause names the other subject ('31件で、米国の約半分'), `check` (the checker) looks
    the other subject's value up on the same measure.
    """
    for cc in claims:
        q = cc.claim.quantity
        if q.kind not in _TOLERANCE or not _RATIO.search(cc.claim.clause):
            continue
        stated = _pair(claims)
        pair = stated or _looked_up(claims, cc, check)
        if pair is None:
            continue
        (a, va), (b, vb) = pair
        actual = _ratio(q, va, vb)
        if actual is None:
            continue
        v = compare(q, actual, _TOLERANCE[q.kind], a.verdict.evidence + b.verdict.evidence)
        v.reason = (f"{v.reason}: the ratio of {a.verdict.subject} ({_n(va)}) and "
                    f"{b.verdict.subject} ({_n(vb)}) in the data")
        then = _on_stated(stated, q) if v.verdict == "contradicted" else None
        if then is not None:  # 'nearly three times China's 15' of two figures the source revised
            v = _revised(q, then, actual, pair, v)
        v.measure, v.titles = f"ratio of {a.verdict.measure}", {
            k: f"{t}の比" if k == "ja" else f"ratio of {t}" for k, t in a.verdict.titles.items()}
        v.year, v.as_of, v.unit = a.verdict.year, a.verdict.as_of, q.unit
        v.subject = f"{a.verdict.subject}/{b.verdict.subject}"
        cc.verdict = v


def _ratio(q: Quantity, va: float, vb: float) -> float | None:
    """A share ('54% as many') is the smaller over the larger, a multiple ('6倍') the larger over
    the smaller."""
    small, large = sorted((va, vb))
    if small <= 0:
        return None
    return small / large * 100 if q.kind == "percent" else large / small


def _on_stated(stated, q: Quantity) -> tuple[float, float, float] | None:
    """The ratio of the sentence's own two figures, when at least one is a figure the data held
    before it was revised and the ratio holds on them: (ratio, first, second); else None."""
    if not stated or not any(c.verdict.verdict == "revised" for c, _ in stated):
        return None
    (a, _), (b, _) = stated
    va, vb = (c.verdict.actual if c.verdict.actual is not None else c.claim.quantity.value
              for c in (a, b))
    then = _ratio(q, va, vb)
    if then is None or compare(q, then, _TOLERANCE[q.kind], []).verdict != "supported":
        return None
    return then, va, vb


def _revised(q: Quantity, then: tuple[float, float, float], today: float, pair, v: Verdict) -> Verdict:
    """A ratio true of the figures the sentence gives, which the data has since revised: 'revised',
    not 'contradicted' (its figures are right for their vintage, and so is the ratio of them)."""
    (a, va), (b, vb) = pair
    ratio, sa, sb = then
    unit, unit_ja = ("%", "%") if q.kind == "percent" else (" x", "倍")
    return dataclasses.replace(
        v, verdict="revised", actual=ratio, latest=today, gap=None, gap_relative=None,
        reason_key="revised_ratio",
        reason=(f"true of the sentence's own figures ({a.verdict.subject} {_n(sa)}, "
                f"{b.verdict.subject} {_n(sb)}: {_n(ratio)}{unit}), which the data has revised "
                f"since; today's data gives {_n(today)}{unit} ({_n(va)} and {_n(vb)})"),
        reason_ja=(f"文中の数値（{subject_name(a.verdict.subject, 'ja')} {_n(sa)}、"
                   f"{subject_name(b.verdict.subject, 'ja')} {_n(sb)}）の比"
                   f"{_n(ratio)}{unit_ja}とは一致しますが、その数値は"
                   f"改訂され、最新のデータでは{_n(today)}{unit_ja}"
                   f"（{_n(va)}と{_n(vb)}）です"))


def _pair(claims: list[CheckedClaim]):
    """The two counted figures of one measure and two subjects, with today's data values."""
    counted = [c for c in claims if c.claim.quantity.kind == "count" and c.claim.pattern
               and _today(c.verdict) is not None and c.verdict.subject]
    measures = {c.claim.pattern for c in counted}
    subjects = {c.verdict.subject for c in counted}
    if len(measures) != 1 or len(subjects) != 2:
        return None
    first = {}
    for c in counted:
        first.setdefault(c.verdict.subject, (c, _today(c.verdict)))
    return tuple(first.values())


def _looked_up(claims: list[CheckedClaim], ratio_claim: CheckedClaim, check):
    """The one stated figure, and the value of the subject the ratio's clause names."""
    counted = [c for c in claims if c.claim.quantity.kind == "count" and c.claim.pattern
               and _today(c.verdict) is not None and c.verdict.subject]
    other = [ratio_claim.claim.reference] if ratio_claim.claim.reference else \
        [e for e in ratio_claim.claim.subjects if e.type != "benchmark"][:1]
    if not counted and other and ratio_claim.claim.reference:
        return _both_looked_up(ratio_claim, check)
    if len(counted) != 1 or not other or (other[0].country or other[0].id) == counted[0].verdict.subject:
        return None
    stated = counted[0]
    probe = dataclasses.replace(stated.claim, subjects=other)
    v = check(probe)
    if _today(v) is None or not v.subject:
        return None
    return (stated, _today(stated.verdict)), (CheckedClaim(probe, v), _today(v))


# 'roughly 3.7 times as many notable AI models as China': the noun counted between 'as many' and 'as'
_COUNTED = re.compile(r"as\s(?:many|much)\s((?:[a-z-]+\s){0,4}?)as\b", re.IGNORECASE)


def _both_looked_up(ratio_claim: CheckedClaim, check):
    """A ratio that states neither figure ('the US turned out 3.7 times as many notable AI models
    as China in 2023'): both subjects' values of the thing it counts, looked up on one measure."""
    claim = ratio_claim.claim
    subject = next((e for e in claim.subjects if e.type != "benchmark"), None)
    words = _COUNTED.search(claim.clause)
    unit = next((COUNT_NOUNS[w] for w in (words.group(1).split() if words else [])
                 if COUNT_NOUNS.get(w) not in (None, "points", "items")), None)
    if unit is None and claim.lang in ("ja", "zh") and re.search(r"(?:注目|主要な)\S{0,4}モデル", claim.sentence):
        unit = "models"  # '米国の注目AIモデル数は中国の約3.7倍'
    if subject is None or unit is None or claim.year is None:
        return None
    found = []
    for who in (subject, claim.reference):
        probe = dataclasses.replace(claim, subjects=[who], reference=None,
                                    quantity=Quantity(value=1.0, kind="count", unit=unit))
        v = check(probe)
        if _today(v) is None or not v.subject or v.verdict == "unverifiable":
            return None
        found.append((CheckedClaim(probe, v), _today(v)))
    if found[0][0].verdict.measure != found[1][0].verdict.measure or \
            found[0][0].verdict.subject == found[1][0].verdict.subject:
        return None
    return tuple(found)


def _today(v: Verdict) -> float | None:
    return v.latest if v.verdict == "revised" else v.actual


def _n(x: float) -> str:
    """A figure in the reason as a reader writes it: 231,251 and 1,394,626, never 1.395e+06."""
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 1000 else f"{x:,.4g}"
