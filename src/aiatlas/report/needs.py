"""Every request a report makes of the latest build, declared so that `aiatlas build` stores the
SQL template of each one's shape (`compiled.precompile(also=...)`): the report then runs every
query from its template, and Ibis builds and compiles none (one compile is 35 ms to 2 s; the
report made some 17 of them, 4 s of its 10).

A request is (indicator, parameters, where): where None asks for the values, a dict for the
rows behind them (`explain`), narrowed by equality on its columns ({}: all of them). Only the
shape matters (which parameters, flags and choices, the kind of each value), so one benchmark
stands for all. tests/test_report_needs.py builds a whole report after storing these and
fails on any query that Ibis had to compile: a request added to the report without being
declared here is caught there.
"""
from __future__ import annotations

from typing import Any

from aiatlas.curated.published import publications
from aiatlas.indicators import registry
from aiatlas.report import chinachips, findings, headlines, rules, uschina

Request = tuple[str, dict[str, Any], dict[str, Any] | None]


def requests() -> list[Request]:
    """The report's requests: each indicator's chart and rows, the sections' charts and rows,
    the headlines, the findings and the published figures recomputed (reconcile.py)."""
    out: list[Request] = []
    for ind in registry.load_all().values():
        params = rules.report_params(ind.id)
        out.append((ind.id, params, None))
        if ind.rows is not None:
            out.append((ind.id, params, {}))
    for ind, params in uschina.CHARTS:  # each chart's source line reads its rows' files
        out += [(ind, params, None), (ind, params, {})]
    out.append((chinachips.INDICATOR, dict(chinachips.PARAMS), None))
    out += [(d["indicator"], d.get("params") or {}, None) for d in headlines.declared()]
    out += [(d["indicator"], findings.params_of(d), None) for d in findings.declared()]
    for pub in publications():
        for fig in pub.figures:
            c = fig.compute
            out.append((c.indicator, dict(c.params), None))
            out += [(c.indicator, c.params | a.params, None) for a in fig.alternatives]
            if fig.breakdown is not None:  # the rows of the figure's cell, split by the publisher
                out.append((c.indicator, dict(c.params), dict(c.where)))
    return out
