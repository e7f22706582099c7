"""A report after `aiatlas build` runs its queries from stored SQL templates: the build stores the
shape of every request the report makes (aiatlas.report.needs), so Ibis compiles only what no
template can serve."""
from __future__ import annotations

import shutil

import pytest

from aiatlas import compiled, query, sqltemplate
from aiatlas.config import settings
from aiatlas.indicators import registry
from aiatlas.report import needs
from aiatlas.report.build import build_reports
from aiatlas.warehouse import connect as wh


def test_every_section_chart_is_declared_with_its_rows():
    declared = {(i, tuple(sorted(p.items())), w is not None) for i, p, w in needs.requests()}
    assert ("lag_months_compared", (("follower", "CHN"), ("group", "country"), ("leader", "USA")),
            True) in declared
    assert ("top_organizations", (("by_parent", True), ("since", 2010)), True) in declared
    for ind, _, _ in needs.requests():
        registry.get(ind)  # every declared indicator is registered


@pytest.mark.slow  # stores every template (as the build does), then builds the whole report
def test_report_after_the_build_compiles_only_what_no_template_serves(built_home, tmp_path,
                                                                        monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    compiled.precompile(home=home, also=needs.requests())
    w = wh.connect(settings(home=home, backend="duckdb"))
    w.forget()  # as a new process: nothing computed, the templates read from the build's store
    ran: list = []
    calls: list = []
    by_ibis: list[tuple[sqltemplate.Query, dict]] = []
    real_run, real_computed, real_explained = query.run, query._computed, query._explained

    def run(w, backend, expr_of):
        ran.append(True)
        return real_run(w, backend, expr_of)

    # only queries of the latest build count: a home holding vintages (built by other tests on
    # the shared home) has the report compare each headline with the previous vintage's, which
    # no build stores templates for
    def computed(w_, backend, ind, bound):
        calls.append(ind.id)
        ran.clear()
        out = real_computed(w_, backend, ind, bound)
        if ran and w_.build_id == w.build_id:
            by_ibis.append((sqltemplate.Query(ind), bound))
        return out

    def explained(w_, backend, ind, bound, where):
        ran.clear()
        out = real_explained(w_, backend, ind, bound, where)
        if ran and not where and w_.build_id == w.build_id:  # (a where shape: typed by the rows' template)
            by_ibis.append((sqltemplate.Query(ind, rows=True), bound))
        return out

    monkeypatch.setattr(query, "run", run)
    monkeypatch.setattr(query, "_computed", computed)
    monkeypatch.setattr(query, "_explained", explained)
    build_reports(tmp_path / "report", langs=("en", "ja"), home=home)
    assert len(calls) > 50, "the report's queries did not pass the hooks: the check checks nothing"
    templatable = [(q.ind.id, q.label, bound) for q, bound in by_ibis
                   if sqltemplate.explain_derivation(w, q, bound)[0] is not None]
    assert not templatable, f"declare these in aiatlas.report.needs: {templatable}"
