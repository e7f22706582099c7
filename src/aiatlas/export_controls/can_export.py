"""One-line export answers: may this chip go to this country on this date, under which rule, and why."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from aiatlas.export_controls import chips
from aiatlas.export_controls import classify as cl
from aiatlas.export_controls.rules import ReviewPolicy, Rules

YES = "yes"
LICENCE = "licence required"
CASE_BY_CASE = "licence required (case-by-case review)"
DENIAL = "presumption of denial"
UNKNOWN = "cannot tell"


def answer(row: Mapping[str, Any], rules: Rules, to: str, on: dt.date) -> dict[str, Any]:
    """The answer for one hardware row: yes / licence required / presumption of denial (or
    cannot tell, naming the missing figure), with the rule set, notices, policy and figures,
    and the inputs it rests on that the chip's maker has not confirmed."""
    out = _answer(row, rules, to, on)
    inputs = chips.resting_inputs(row, lambda r: _answer(r, rules, to, on)["answer"])
    out |= {"unconfirmed_inputs": inputs, "reason": cl.resting_on(out["reason"], inputs)}
    maker = rules.maker_countries.get(row.get("manufacturer") or "")
    if maker is None or maker == "USA":
        return out | {"scope": None}
    # The thresholds say what the US rules would require of this chip; whether they reach a chip
    # designed abroad at all (as a foreign direct product of US technology, or a re-export of a
    # US item) depends on how and where it was made, which the data does not record.
    if maker == to:
        return out | {"answer": UNKNOWN, "thresholds_answer": out["answer"], "scope": (
            f"not a US export: a chip of a maker based in {maker} sold in {to}; US rules reach it only "
            "as a foreign direct product of US technology, which this tool does not decide "
            f"(under the US thresholds alone: {out['answer']})")}
    return out | {"scope": (
        f"a chip of a maker based in {maker}: US rules reach it only as a foreign direct product of "
        "US technology or a re-export of a US item, which this tool does not decide; the answer "
        "is what the US thresholds would require if they apply")}


def _answer(row: Mapping[str, Any], rules: Rules, to: str, on: dt.date) -> dict[str, Any]:
    rs = rules.pick(None, on)
    specs = cl.specs_from_row(row)
    result = cl.classify(specs, rs, rules, destination=to, as_of=on)
    memory = row.get("memory_bandwidth_bytes_s")
    figures = specs.figures() | {"memory_bandwidth_gbs": None if memory is None else memory / 1e9}
    out = {"chip": row.get("name"), "to": to, "on": on.isoformat(),
           "rule_set": result.rule_set, "rule_citation": _citation(rs.citation) if rs else None,
           "status": result.status, "reason": result.reason, "notices": result.notices,
           "policy": None, "figures": {k: v for k, v in figures.items() if v is not None},
           "missing": result.deciding, "figure_sources": list(row.get("figure_sources") or [])}
    if result.licence_required is None:
        return out | {"answer": UNKNOWN}
    if not result.licence_required:
        return out | {"answer": YES}
    policy, unknown = review_policy(rules, result.status, to, on, figures)
    if unknown:
        return out | {"answer": LICENCE, "missing": out["missing"] + [
            f"{name} (unknown): decides the review policy" for name, _, _ in unknown]}
    if policy is None:
        return out | {"answer": LICENCE}
    said = {"id": policy.id, "policy": policy.policy, "confirmed": policy.confirmed,
            "citation": _citation(policy.citation), "conditions": policy.conditions,
            "unconfirmed": list(policy.unconfirmed)}
    verdict = DENIAL if policy.policy == DENIAL else CASE_BY_CASE
    return out | {"answer": verdict, "policy": said}


def review_policy(rules: Rules, status: str, to: str, on: dt.date, figures: Mapping[str, Any]
                  ) -> tuple[ReviewPolicy | None, list]:
    """The latest review policy in force on `on` for this destination and chip, and the
    conditions that could not be checked when a missing figure leaves it open."""
    for policy in sorted(rules.review_policies, key=lambda p: p.start, reverse=True):
        if policy.start > on or not rules.covers(policy.destinations, to, on):
            continue
        if policy.statuses and status not in policy.statuses:
            continue
        holds, unknown = cl.clause_holds(policy.when, figures)
        if holds is None:
            return None, unknown
        if holds:
            return policy, []
    return None, []


def _citation(c: Mapping[str, Any]) -> str:
    """A citation in one line: the Federal Register reference (or publisher), date and URL."""
    ref = c.get("federal_register") or c.get("publisher") or c.get("title")
    parts = [str(ref), str(c.get("date") or ""), str(c.get("url") or "")]
    return " ".join(p for p in parts if p and p != "None")
