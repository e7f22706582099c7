"""A figure the sentence calls a limit or threshold ('under the 600 GB/s limit of the October 2022
rule'): a parameter of an export-control rule, judged against that rule set's thresholds when the
sentence identifies the rule, never as the figure of the chip it names."""
from __future__ import annotations

import re
from typing import Any

from aiatlas.claims import chipstatus, gazetteer
from aiatlas.claims.model import Claim, Verdict
from aiatlas.claims.precision import human

_PREFIX = {"G": 1.0, "T": 1000.0}  # to GB/s, the rules' unit
_TPP = re.compile(r"\bTPP\b|total processing performance|総合処理性能", re.I)
_PD = re.compile(r"performance density|性能密度", re.I)


def figure(claim: Claim) -> tuple[str | None, float]:
    """(the rules' figure name, the claimed value in its unit), or None when no rule figure fits."""
    q = claim.quantity
    m = re.fullmatch(r"([GT])B(?:/s)?", q.unit or "")
    if m and q.kind == "number":
        return "io_bandwidth_gbs", q.value * _PREFIX[m.group(1)]
    sent = claim.sentence
    if q.kind in ("number", "count") and not q.unit and _PD.search(sent):
        return "pd", q.value
    if q.kind in ("number", "count") and not q.unit and _TPP.search(sent):
        return "tpp", q.value
    return None, 0.0


def _thresholds(rs: dict[str, Any], name: str) -> list[float]:
    """Every value the rule set compares this figure with, in its statuses' conditions."""
    out: set[float] = set()

    def walk(x):
        if isinstance(x, (list, tuple)) and len(x) == 3 and x[0] == name and isinstance(x[2], (int, float)):
            out.add(float(x[2]))
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
        elif isinstance(x, dict):
            for y in x.values():
                walk(y)
    walk(rs.get("statuses"))
    return sorted(out)


def judge(claim: Claim, data) -> Verdict:
    """Supported when the rule set the sentence names has this threshold; contradicted when it
    has others for the figure; unverifiable when the rule is not identified or sets none."""
    norm, _ = gazetteer.in_sentence(claim.sentence)
    name, value = figure(claim)
    common = {"reason_key": "threshold", "tolerance": "exact threshold", "tolerance_ja": "基準値の完全一致"}
    if name is None:
        v = Verdict("unverifiable", "a threshold or limit of a rule, not the figure of what the "
                    "sentence names; no rule figure of this kind is recorded", **common)
        v.reason_ja = "規則の上限・基準値で、文中の対象の数値ではありません（この種類の基準値は記録がありません）"
        return v
    day, phrase = chipstatus._when(norm)
    rs = chipstatus._rule_set(norm, day, phrase, data.rule_sets())
    if rs is None:
        v = Verdict("unverifiable", "a threshold or limit of a rule the sentence does not identify "
                    "(name it by its month: 'the October 2022 rule'), not the figure of what it "
                    "names", **common)
        v.reason_ja = ("規則の上限・基準値ですが、どの規則か特定できません（「2022年10月の規制」のように"
                       "月で示してください）。文中の対象の数値ではありません")
        return v
    values = _thresholds(rs, name)
    unit = " GB/s" if name == "io_bandwidth_gbs" else ""
    shown = ", ".join(f"{human(x)}{unit}" for x in values) or "none"
    label = {"io_bandwidth_gbs": "I/O bandwidth", "tpp": "TPP", "pd": "performance density"}[name]
    label_ja = {"io_bandwidth_gbs": "入出力帯域幅", "tpp": "総合処理性能", "pd": "性能密度"}[name]
    titles = {"en": f"export-control threshold: {label}", "ja": f"輸出規制の基準値: {label_ja}"}
    if any(abs(x - value) <= 1e-9 * max(1.0, abs(x)) for x in values):
        v = Verdict("supported", f"{rs['id']} sets the {label} threshold at {human(value)}{unit}",
                    actual=value, titles=titles, **common)
        v.reason_ja = f"{chipstatus._rule_ja(rs)}の{label_ja}の基準値は{human(value)}{unit}です"
        return v
    if not values:
        v = Verdict("unverifiable", f"{rs['id']} sets no {label} threshold", titles=titles, **common)
        v.reason_ja = f"{chipstatus._rule_ja(rs)}には{label_ja}の基準値がありません"
        return v
    v = Verdict("contradicted", f"{rs['id']} sets the {label} threshold(s) at {shown}, not "
                f"{human(value)}{unit}", titles=titles, **common)
    v.reason_ja = f"{chipstatus._rule_ja(rs)}の{label_ja}の基準値は{shown}で、{human(value)}{unit}ではありません"
    return v
