"""Every registered indicator, on the mirror: its declared columns exist and its grain is unique."""
from __future__ import annotations

import collections
import datetime as dt

import pytest
from conftest import openalex_indicators
from test_spark_parity import assert_same_rows

from aiatlas import api, fastpath, query, sqltemplate
from aiatlas.errors import DataError, UsageError
from aiatlas.indicators import registry


def _indicators() -> list[str]:
    """Every indicator the mirror can feed (OpenAlex works are ingested separately)."""
    return sorted({i["id"] for i in api.list_indicators()} - openalex_indicators())


@pytest.mark.parametrize("id", _indicators())
def test_declared_columns_exist_and_the_grain_identifies_one_row(built_home, id):
    meta = next(i for i in api.list_indicators() if i["id"] == id)
    result = api.compute(id, home=built_home)
    columns = result.to_arrow().column_names
    missing = [c for c in meta["grain"] + meta["value_columns"] if c not in columns]
    assert not missing, f"{id}: declared columns {missing} not in its output {columns}"
    keys = collections.Counter(tuple(row[c] for c in meta["grain"]) for row in result.to_pylist())
    repeated = {k: n for k, n in keys.items() if n > 1}
    assert not repeated, f"{id}: grain {meta['grain']} repeats in {len(repeated)} keys, e.g. {next(iter(repeated))}"
    assert result.to_arrow().num_rows > 0, f"{id}: no rows on the mirror with default parameters"
    assert api.has_data(id, home=built_home)  # told from the snapshot list without a query


def test_indicators_whose_data_is_not_in_the_build_are_told_without_a_query(built_home):
    absent = {i["id"] for i in api.list_indicators() if not api.has_data(i["id"], home=built_home)}
    assert absent and absent <= openalex_indicators()  # the works are never in the mirror
    for id in absent:
        with pytest.raises(DataError):  # their compute fails too, saying the data is missing
            api.compute(id, home=built_home)


def _variants(ind: registry.Indicator) -> list[dict]:
    """Each other parameter's every choice (booleans both ways), one at a time."""
    out = [{}]
    for p in ind.params:
        if p.name in ("since", "until"):
            continue
        values = p.choices or ((True,) if p.type is bool else ())
        out += [{p.name: v} for v in values if v != p.default]
    return out


@pytest.mark.parametrize("id", sorted(i.id for i in registry.load_all().values() if i.years))
def test_a_year_range_cut_from_every_year_is_the_engines_answer(built_home, id):
    """`years` declares that since/until only narrow the rows; query.compute then cuts a range
    from the values for every year. On the real data, for every other parameter's values, the
    cut equals what the engine answers for the range itself."""
    ind = registry.get(id)
    w = api.warehouse(home=built_home)
    for other in _variants(ind):
        for since, until in ((2020, 2020), (2015, None), (None, 2012), (2019, 2023), (1800, 1900)):
            bound = ind.bind({**other, "since": since, "until": until})
            try:
                cut = api.compute(id, home=built_home, **other, since=since, until=until)
            except UsageError:  # a combination the indicator refuses (per with share_of)
                continue
            got, want = cut.to_arrow(), query._computed(w, "duckdb", ind, bound)
            case = (other, since, until)
            assert got.schema == want.schema, case
            rows, expected = got.to_pylist(), want.to_pylist()
            keys = [[r[g] for g in ind.grain] for r in expected]
            assert [[r[g] for g in ind.grain] for r in rows] == keys, case  # in the same order
            # floats to 1e-12: DuckDB's own sum of doubles varies in its last bit between two
            # runs of one query (the threads' order)
            assert_same_rows(rows, expected, rel=1e-12)


REUSE_VINTAGE = "2025-04-30"  # the April 2025 export: other rows, the same tables' columns


@pytest.fixture(scope="module")
def vintage(built_home):
    """A vintage built beside the mirror build, whose stored templates it may reuse."""
    api.build(home=built_home, as_of=REUSE_VINTAGE)
    return api.warehouse(home=built_home, as_of=REUSE_VINTAGE)


@pytest.mark.parametrize("rows", [False, True], ids=["values", "rows"])
def test_a_template_reused_on_other_rows_is_ibis_answer_on_them(built_home, vintage, rows):
    """A template of the build's store serves another build of the same code and table columns
    (sqltemplate.reused) without being checked again on its rows: on a real vintage, the default
    request of every indicator (its values, or explain's rows) through the reused template is
    what Ibis answers on the vintage, in the same order."""
    day = dt.date.today().isoformat()
    served = 0
    for id in _indicators():
        ind = registry.get(id)
        if rows and ind.rows is None:
            continue
        q, bound = sqltemplate.Query(ind, rows=rows), ind.bind({})
        template = sqltemplate.reused(vintage, id, q.label + fastpath.shape_key(q.decls(), bound), day)
        if template is None:  # a table read with other columns in the vintage: derived there
            continue
        served += 1
        got = template.run(vintage, bound)
        with vintage.query() as tables:
            want = q.expr(tables, bound).to_pyarrow()
        assert got.schema == want.schema, id
        if rows:  # explain's rows have no declared order (ties)
            assert sorted(map(repr, got.to_pylist())) == sorted(map(repr, want.to_pylist())), id
        else:
            got_rows, want_rows = got.to_pylist(), want.to_pylist()
            assert [[r[g] for g in ind.grain] for r in got_rows] == [
                [r[g] for g in ind.grain] for r in want_rows], id
            assert_same_rows(got_rows, want_rows, rel=1e-12)
    assert served >= 20, served  # (all 32 on this mirror: no table read changes its columns)
