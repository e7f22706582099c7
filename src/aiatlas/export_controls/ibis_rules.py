"""A rule set compiled to an Ibis expression over the `hardware` table (same logic as classify).

SQL's NULL logic is the three-valued logic classify.py uses: a comparison with an unknown figure
is NULL, `NULL AND FALSE` is FALSE, `NULL OR TRUE` is TRUE. A status is definite only when every
earlier status is definitely false, it is definitely true and every exemption definitely fails.
"""
from __future__ import annotations

import functools
import operator

import ibis

from aiatlas.export_controls.classify import INDETERMINATE, NOT_CONTROLLED, PRECISIONS
from aiatlas.export_controls.rules import RuleSet

_OPS = {">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le,
        "==": operator.eq}


def figures(t: ibis.Table) -> dict[str, ibis.Value]:
    """TPP, PD and I/O bandwidth of each hardware row as Ibis expressions (NULL when unknown)."""
    parts = [ibis.ifelse(t[col] > 0, t[col] * bits / 1e12, ibis.null().cast("float64"))
             for col, bits, _ in PRECISIONS]
    tpp = ibis.greatest(*parts)
    die = ibis.ifelse(t.die_size_mm2 > 0, t.die_size_mm2, ibis.null().cast("float64"))
    unknown_bool = ibis.null().cast("boolean")  # Epoch does not record data-center marketing
    return {"tpp": tpp, "pd": tpp / die, "io_bandwidth_gbs": t.intranode_bandwidth_bytes_s / 1e9,
            "datacenter": unknown_bool, "memory_bandwidth_density": ibis.null().cast("float64")}


def _all(values):
    return functools.reduce(operator.and_, values)


def _any(values):
    return functools.reduce(operator.or_, values)


def _cond(figs, cond):
    name, op, value = cond
    return _OPS[op](figs[name], ibis.literal(value))


def status_expr(t: ibis.Table, rs: RuleSet, kind: str = "accelerator") -> ibis.Value:
    """The status of each row under a rule set: a status name, 'not controlled' or 'indeterminate'."""
    figs = figures(t)
    statuses = [(s.status, _any([_all([_cond(figs, c) for c in clause]) for clause in s.any_of]))
                for s in rs.statuses if s.applies_to == kind]
    exemptions = [_all([_cond(figs, c) for c in e.all_of])
                  for e in rs.exemptions if e.applies_to == kind]

    def surely(v):
        return v.fill_null(False)

    def surely_not(v):
        return (~v).fill_null(False)

    exempt = _any([surely(e) for e in exemptions]) if exemptions else ibis.literal(False)
    no_exemption = _all([surely_not(e) for e in exemptions]) if exemptions else ibis.literal(True)
    all_false = _all([surely_not(v) for _, v in statuses]) if statuses else ibis.literal(True)
    cases = [(all_false | exempt, NOT_CONTROLLED)]
    for i, (name, value) in enumerate(statuses):
        earlier = [surely_not(v) for _, v in statuses[:i]]
        cases.append((_all(earlier + [surely(value), no_exemption]), name))
    return ibis.cases(*cases, else_=INDETERMINATE)
