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
FIGURES = ("tpp", "pd", "io_bandwidth_gbs", "datacenter", "memory_bandwidth_density")


def with_figures(t: ibis.Table) -> ibis.Table:
    """`t` plus the columns of FIGURES (NULL when unknown), TPP computed once and reused.

    Written as two projections so the SQL computes the ten-way GREATEST once; inlining it into
    PD and every threshold made a 75 kB query that DuckDB took ~150 ms to plan.
    """
    parts = [ibis.ifelse(t[col] > 0, t[col] * bits / 1e12, ibis.null().cast("float64"))
             for col, bits, _ in PRECISIONS]
    t = t.mutate(tpp=ibis.greatest(*parts),
                 io_bandwidth_gbs=t.intranode_bandwidth_bytes_s / 1e9,
                 # data-center marketing comes from the chip supplement (NULL: unknown);
                 # no row records memory bandwidth density (a property of memory stacks)
                 datacenter=t.datacenter,
                 memory_bandwidth_density=ibis.null().cast("float64"))
    die = ibis.ifelse(t.die_size_mm2 > 0, t.die_size_mm2, ibis.null().cast("float64"))
    return t.mutate(pd=t.tpp / die)


def _all(values):
    return functools.reduce(operator.and_, values)


def _any(values):
    return functools.reduce(operator.or_, values)


def _cond(t, cond):
    name, op, value = cond
    return _OPS[op](t[name], ibis.literal(value))


def status_expr(t: ibis.Table, rs: RuleSet, kind: str = "accelerator") -> ibis.Value:
    """The status of each row of `with_figures(t)`: a status name, 'not controlled' or 'indeterminate'.

    One CASE read top to bottom: a definite exemption wins; then, in the rule set's order, a
    status whose test is unknown makes the row indeterminate, a status that holds is the answer
    unless an exemption is still possible, and one that fails passes on to the next. Each test
    appears twice at most, so the SQL grows linearly with the rule set.
    """
    statuses = [(s.status, _any([_all([_cond(t, c) for c in clause]) for clause in s.any_of]))
                for s in rs.statuses if s.applies_to == kind]
    exemptions = [_all([_cond(t, c) for c in e.all_of])
                  for e in rs.exemptions if e.applies_to == kind]
    exempt = _any([e.fill_null(False) for e in exemptions]) if exemptions else None
    no_exemption = (_all([(~e).fill_null(False) for e in exemptions]) if exemptions
                    else ibis.literal(True))
    cases = [(exempt, NOT_CONTROLLED)] if exempt is not None else []
    for name, value in statuses:
        cases.append((value.isnull(), INDETERMINATE))
        cases.append((value, ibis.ifelse(no_exemption, name, INDETERMINATE)))
    if not cases:
        return ibis.literal(NOT_CONTROLLED)
    return ibis.cases(*cases, else_=NOT_CONTROLLED)
