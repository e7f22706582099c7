"""Ratios between two figures of one sentence: '31 models, 54% as many as the US (57)', '約6倍'."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from aiatlas.claims.judge import compare
from aiatlas.claims.model import CheckedClaim, Verdict
from aiatlas.claims.precision import Slack

_RATIO = re.compile(r"as (?:many|much|large|big) as|times (?:as|more|larger|bigger|that)|"
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
        pair = _pair(claims) or _looked_up(claims, cc, check)
        if pair is None:
            continue
        (a, va), (b, vb) = pair
        small, large = sorted((va, vb))
        if small <= 0:
            continue
        actual = small / large * 100 if q.kind == "percent" else large / small
        v = compare(q, actual, _TOLERANCE[q.kind], a.verdict.evidence + b.verdict.evidence)
        v.reason = (f"{v.reason}: the ratio of {a.verdict.subject} ({_n(va)}) and "
                    f"{b.verdict.subject} ({_n(vb)}) in the data")
        v.measure, v.titles = f"ratio of {a.verdict.measure}", {
            k: f"{t}の比" if k == "ja" else f"ratio of {t}" for k, t in a.verdict.titles.items()}
        v.year, v.as_of, v.unit = a.verdict.year, a.verdict.as_of, q.unit
        v.subject = f"{a.verdict.subject}/{b.verdict.subject}"
        cc.verdict = v


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
    if len(counted) != 1 or not other or (other[0].country or other[0].id) == counted[0].verdict.subject:
        return None
    stated = counted[0]
    probe = dataclasses.replace(stated.claim, subjects=other)
    v = check(probe)
    if _today(v) is None or not v.subject:
        return None
    return (stated, _today(stated.verdict)), (CheckedClaim(probe, v), _today(v))


def _today(v: Verdict) -> float | None:
    return v.latest if v.verdict == "revised" else v.actual


def _n(x: float) -> str:
    """A figure in the reason as a reader writes it: 231,251 and 1,394,626, never 1.395e+06."""
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 1000 else f"{x:,.4g}"
