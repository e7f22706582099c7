"""SQL templates per parameter shape: the same answer as Ibis for every value, or no template."""
from __future__ import annotations

import datetime as dt
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import ibis
import ibis.expr.datatypes as idt
import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from aiatlas import api, config, fastpath, query, sqltemplate
from aiatlas.errors import UsageError
from aiatlas.indicators import params as P
from aiatlas.indicators import registry
from aiatlas.indicators.registry import Indicator, Param
from aiatlas.sources.registry import SOURCES

SINCE = Param("since", int, None, "first year", minimum=1, maximum=9999)


def local(func, *params: Param) -> Indicator:
    """A test-local indicator over the models table (never in the global registry)."""
    return Indicator(id=f"test_{func.__name__}", title="t", unit="models", chapter="research",
                     description="t", sources=("models",), grain=("year",), params=params,
                     func=func)


def counted(m):
    return m.group_by("year").aggregate(value=m.count()).order_by("year")


def by_year(t, since=None):
    m = t.models
    return counted(m.filter(m.year >= since))


def branches(t, since=None):
    m = t.models
    return counted(m.filter(m.year >= since) if since > 2020 else m.filter(m.year < since))


def computes(t, since=None):
    m = t.models
    return counted(m.filter(m.year >= since - 1))


def in_interval(t, since=None):
    # Ibis writes the number inside a string token (INTERVAL '2024' DAY): not a literal a
    # template can fill, though no Python code of ours looks at it
    m = t.models
    return counted(m.filter(m.publication_date + ibis.interval(days=since) >= m.publication_date))


def reads_clock(t, since=None):
    m = t.models
    return counted(m.filter(m.year >= since, m.year <= config.today().year))


def nested(t, since=None):
    # Ibis writes a subquery per step: a column added, a filter, a list unnested, an aggregate
    m = t.models.mutate(weight=ibis.literal(1.0))
    m = m.filter(m.year >= since)
    m = m.mutate(country=m.countries.unnest())
    return m.group_by(["country", "year"]).aggregate(value=m.weight.sum()).order_by(
        ["year", "country"])


def unnest_unread(t, since=None):
    # no outer query reads the unnested column, yet it makes the rows that are counted
    m = t.models.filter(t.models.year >= since)
    return counted(m.mutate(country=m.countries.unnest()))


def ibis_result(w, ind, bound):
    with w.query() as tables:
        return ind.func(tables, **bound).to_pyarrow()


def ibis_sql(w, ind, bound):
    with w.query() as tables:
        return str(tables.con.compile(ind.func(tables, **bound)))


def test_a_value_used_only_as_a_literal_gives_a_template_equal_to_ibis(tiny_home):
    w, ind = api.warehouse(home=tiny_home), local(by_year, SINCE)
    template, why = sqltemplate.explain_derivation(w, ind, ind.bind({"since": 2020}))
    assert why == "ok" and template.slots == (("since", "int16"),)
    for year in (2019, 2020, 2021, 2022, 9999):
        bound = ind.bind({"since": year})
        got, want = template.run(w, bound), ibis_result(w, ind, bound)
        assert got.equals(want) and got.schema == want.schema


def test_a_template_is_ibis_sql_flattened_with_the_same_result(tiny_home):
    w, ind = api.warehouse(home=tiny_home), local(nested, SINCE)
    template, why = sqltemplate.explain_derivation(w, ind, ind.bind({"since": 2020}))
    flat, plain = template.sql({"since": 2020}), ibis_sql(w, ind, {"since": 2020})
    assert why == "ok" and flat.count("SELECT") < plain.count("SELECT")
    for year in (2019, 2020, 2021, 2022):
        bound = ind.bind({"since": year})
        got, want = template.run(w, bound), ibis_result(w, ind, bound)
        assert got.equals(want) and got.schema == want.schema


def test_a_shape_is_flattened_once_with_its_slots_as_placeholders(tiny_home, monkeypatch):
    """Flattening is most of a derivation: the shape's SQL is flattened once, a placeholder
    where each value goes, not each made-up value set's SQL (the template is the same: the
    stored templates of a build were compared, before and after)."""
    texts = []
    real = sqltemplate.flattened
    monkeypatch.setattr(sqltemplate, "flattened", lambda sql, tables: texts.append(sql) or real(sql, tables))
    w, ind = api.warehouse(home=tiny_home), local(nested, SINCE)
    template, why = sqltemplate.explain_derivation(w, ind, ind.bind({"since": 2020}))
    assert why == "ok" and len(texts) == 1 and "$zqslot0" in texts[0]
    assert 0 in template.parts and template.sql({"since": 2020}).count("SELECT") < texts[0].count("SELECT")


def test_flattening_keeps_an_unnest_no_outer_query_reads(tiny_home, monkeypatch):
    """sqlglot drops a column no outer query reads even when it is an UNNEST, which makes the
    rows: flattening must keep it (or leave Ibis's SQL), checked here without the derivation's
    own check of the flattened SQL's result."""
    monkeypatch.setattr(sqltemplate, "_same_result", lambda *args: 1)
    w, ind = api.warehouse(home=tiny_home), local(unnest_unread, SINCE)
    template, why = sqltemplate.explain_derivation(w, ind, ind.bind({"since": 2020}))
    assert why == "ok"
    for year in (2019, 2020, 2021):
        bound = ind.bind({"since": year})
        assert template.run(w, bound).equals(ibis_result(w, ind, bound)), year


def test_a_flattened_sql_with_another_result_is_not_the_template(tiny_home, monkeypatch):
    """The flattened SQL must give Ibis's SQL's result for the request's values, else the
    template is Ibis's SQL (a flattening here that turns >= into >: 2020's models dropped)."""
    monkeypatch.setattr(sqltemplate, "flattened", lambda sql, tables: sql.replace(">=", ">"))
    w, ind = api.warehouse(home=tiny_home), local(by_year, SINCE)
    bound = ind.bind({"since": 2020})
    template, why = sqltemplate.explain_derivation(w, ind, bound)
    assert why == "ok" and template.sql(bound) == ibis_sql(w, ind, bound)
    assert template.run(w, bound).equals(ibis_result(w, ind, bound))


@pytest.mark.parametrize("func", [branches, computes])
def test_python_code_looking_at_a_value_is_refused(tiny_home, func):
    w, ind = api.warehouse(home=tiny_home), local(func, SINCE)
    template, why = sqltemplate.explain_derivation(w, ind, ind.bind({"since": 2021}))
    assert template is None and "looks at a value" in why and __name__ in why


def test_sql_that_differs_beyond_the_literals_is_refused(tiny_home):
    w, ind = api.warehouse(home=tiny_home), local(in_interval, SINCE)
    template, why = sqltemplate.explain_derivation(w, ind, ind.bind({"since": 2021}))
    assert template is None and why == "the SQL differs between values beyond their literals"


def test_a_query_that_read_the_clock_holds_for_the_day_only(tiny_home):
    w, ind = api.warehouse(home=tiny_home), local(reads_clock, SINCE)
    template, why = sqltemplate.explain_derivation(w, ind, ind.bind({"since": 2020}))
    assert why == "ok" and template.day == dt.date.today().isoformat()
    plain, _ = sqltemplate.explain_derivation(w, local(by_year, SINCE), {"since": 2020})
    assert plain.day is None


def test_values_no_template_takes_have_no_shape():
    decls = [p.describe() | {"structural": False} for p in (
        SINCE, Param("x", float, None, "f"), Param("s", str, None, "s"))]
    assert fastpath.shape_key(decls, {"since": -1, "x": None, "s": None}) is None
    assert fastpath.shape_key(decls, {"since": 1, "x": 0.5, "s": None}) is None
    assert fastpath.shape_key(decls, {"since": 1, "x": None, "s": "O'Brien"}) is None
    assert fastpath.shape_key(decls, {"since": 1, "x": None, "s": "USA"}) is not None


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_int_class_is_the_type_ibis_gives_the_literal(value):
    assert fastpath.int_class(value) == str(idt.infer(value))


_COMPILER = ibis.duckdb.connect()


@given(st.one_of(
    st.tuples(st.just("int"), st.integers(min_value=0, max_value=2**63 - 1)),
    st.tuples(st.just("date"), st.dates()),
    st.tuples(st.just("text"), st.from_regex(fastpath.SAFE_TEXT, fullmatch=True))))
@settings(max_examples=examples(200), deadline=None)
def test_a_literal_is_written_as_ibis_compiles_it(case):
    kind, value = case
    sql = str(_COMPILER.compile(ibis.literal(value).name("v")))
    kind = fastpath.int_class(value) if kind == "int" else kind
    assert sql == f'SELECT {fastpath.literal(kind, value)} AS "v"'


# --- every indicator on the mirror build ----------------------------------------------------

COUNTRIES = ("USA", "CHN", "GBR", "FRA", "JPN", "KOR", "DEU", "CAN")


def _value(rng: random.Random, w, p: Param, other=None):
    """A random valid value of a parameter (since/until: a range; data-naming: one the build holds)."""
    if p.choices is not None:
        return rng.choice(p.choices)
    if p.type is bool:
        return rng.random() < 0.5
    if p.values_from is not None:
        return rng.choice(query.distinct(w, p.values_from))
    if p.type is dt.date:
        return dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 3000))
    if p.type is str:
        return rng.choice(COUNTRIES)
    if p.structural:
        return p.default
    low, high = p.minimum or 1, min(p.maximum or 60, 2030)
    return rng.randint(max(low, 1990) if p.name in ("since", "until") else low, high)


# The lag indicators' one Ibis query is large (lag.py's machinery, ~40 joins and 20-85 KB of SQL
# per measure): building and compiling it costs 0.5-3 s, against ~35 ms for most, and every value
# set below compiles it one to four times (the suite's slowest test, 148 s under load, was 21
# compiles of lag_months_compared's). Their given-parameter shape gets one random value set, not
# three: each shape is still derived and checked against Ibis with values it was not derived
# from; more draws would only give other countries (or benchmark), literals of the same SQL.
COSTLY = {"lag_months_compared", "benchmark_lag_months", "capability_lag_months",
          "arena_lag_months"}


def _requests(rng: random.Random, w, ind: Indicator) -> list[list[dict]]:
    """Per shape, several random value sets (one for a COSTLY indicator): the defaults, then
    every parameter given (its choices drawn once for the shape)."""
    shapes = [[{}]]
    fixed = {p.name: _value(rng, w, p) for p in ind.params
             if p.choices is not None or p.type is bool or p.structural}
    if fixed.get("per") and fixed.get("share_of"):
        fixed["share_of"] = None  # views are one at a time
    sets = []
    for _ in range(1 if ind.id in COSTLY else 3):
        raw = dict(fixed)
        for p in ind.params:
            if p.name not in raw:
                raw[p.name] = _value(rng, w, p)
        if raw.get("since") is not None and raw.get("until") is not None:
            raw["since"], raw["until"] = sorted((raw["since"], raw["until"]))
        sets.append(raw)
    return shapes + [sets]


# the mirror holds no OpenAlex works snapshot: its view's indicators cannot run on built_home
INGESTED = {t for s in SOURCES if s.ingest for t in s.tables}
TEMPLATED = sorted(i.id for i in registry.load_all().values() if not INGESTED & set(i.sources))


_DERIVED: dict = {}


def derivation(w, q: sqltemplate.Query, bound: dict):
    """The template a server answers the request's shape with: the one `aiatlas build` stored
    for it when flattened and checked on some rows (built_home's build stored every indicator's
    common shapes, derived by the same code), else `sqltemplate.explain_derivation` of the
    shape, once per shape in this module. A stored template left unflattened is derived again,
    so that a flattening that changed a result is still seen (`flat_checks`), not served as
    Ibis's SQL unnoticed, unless its SQL is too long to have been flattened at all. A
    derivation compiles the shape with made-up values drawn from a seed that is the shape's
    key, never from the request's values, so another value set of the same shape is given the
    same template (a lag shape costs seconds per compile); each value set is still run through
    the template and compared with Ibis's own result."""
    shape = fastpath.shape_key(q.decls(), bound)
    key = (str(w.home), w.build_id, q.ind.id, q.label, shape)
    if key not in _DERIVED:
        built = shape is not None and sqltemplate.stored(w, q.ind.id, q.label + shape,
                                                         dt.date.today().isoformat())
        _DERIVED[key] = ((built, "ok") if built and (built.checked or _never_flattened(built))
                         else sqltemplate.explain_derivation(w, q, bound))
    return _DERIVED[key]


def _never_flattened(template) -> bool:
    """True when the derivation could not have tried to flatten the template: its SQL without
    the slots' literals is already over FLATTEN_MAX, so Ibis's SQL with any values was too
    (`_flat_parts` gives up before flattening): nothing was checked, nothing hidden."""
    text = sum(len(p) for p in template.parts if isinstance(p, str))
    return text > sqltemplate.FLATTEN_MAX


@pytest.fixture
def flat_checks(monkeypatch) -> list[bool]:
    """The outcome of each check of a flattened SQL against Ibis's SQL on the request's values
    while the test runs (False: flattening changed a result, and Ibis's SQL was kept)."""
    seen: list[bool] = []
    check = sqltemplate._same_result

    def recorded(*args):
        rows = check(*args)  # the rows compared, or None when they differed
        seen.append(rows is not None)
        return rows

    monkeypatch.setattr(sqltemplate, "_same_result", recorded)
    return seen


@pytest.mark.parametrize("id", TEMPLATED)
def test_every_indicator_templated_equals_ibis(built_home, id, flat_checks):
    """For every indicator the mirror's warehouse can answer, the default shape has a template, and every value set of each shape gives
    through its template exactly the Ibis result: values, column names and Arrow types. Its
    SQL flattened (where sqlglot can) gave Ibis's SQL's result wherever it was checked."""
    w, ind = api.warehouse(home=built_home), registry.get(id)
    rng = random.Random(id)
    for n, shape in enumerate(_requests(rng, w, ind)):
        template, why = derivation(w, sqltemplate.Query(ind), ind.bind(shape[0]))
        if n == 0:
            assert template is not None, why
        if template is None:
            continue
        for raw in shape:
            bound = ind.bind(raw)
            assert fastpath.shape_key(sqltemplate.decls(ind), bound) == fastpath.shape_key(
                sqltemplate.decls(ind), ind.bind(shape[0]))
            got, want = template.run(w, bound), ibis_result(w, ind, bound)
            assert got.schema == want.schema, raw
            assert got.equals(want), raw
    assert all(flat_checks), flat_checks


EXPLAINED = [id for id in TEMPLATED if registry.get(id).rows is not None]


def same_rows(got, want) -> bool:
    """Equal schemas and the same rows in any order (explain's rows have no declared order:
    two runs of one query may list ties differently)."""
    return got.schema == want.schema and sorted(map(repr, got.to_pylist())) == sorted(
        map(repr, want.to_pylist()))


def ibis_rows(w, ind, bound, where):
    with w.query() as tables:
        return sqltemplate.narrowed(tables, ind, bound, where).to_pyarrow()


def _one_value(rows, ind: Indicator) -> dict[str, str]:
    """A `where` naming one value as the CLI gives it (text): a row's grain columns."""
    row = rows.slice(len(rows) // 2, 1).to_pylist()[0] if len(rows) else {}
    return {c: v.isoformat() if isinstance(v, dt.date) else str(v) for c, v in row.items()
            if c in ind.grain and isinstance(v, (int, str, dt.date)) and not isinstance(v, bool)}


@pytest.mark.parametrize("id", EXPLAINED)
def test_every_explanation_templated_equals_ibis(built_home, id):
    """For every explainable indicator, explain's default shape has a template, and every value
    set of each shape, narrowed or not by a `where` on one value, gives through its template
    exactly the Ibis result."""
    w, ind = api.warehouse(home=built_home), registry.get(id)
    rng = random.Random("rows " + id)
    for n, shape in enumerate(_requests(rng, w, ind)):
        template, why = derivation(w, sqltemplate.Query(ind, rows=True), ind.bind(shape[0]))
        if n == 0:
            assert template is not None, why
        if template is None:
            continue
        for raw in shape:
            bound = ind.bind(raw)
            got, want = template.run(w, bound), ibis_rows(w, ind, bound, {})
            assert same_rows(got, want), raw
            where = _one_value(want, ind)
            pairs, values = sqltemplate.typed_where(template.schema, where)
            narrow = sqltemplate.Query(ind, rows=True, where=pairs)
            if not where or fastpath.shape_key(narrow.decls(), {**bound, **values}) is None:
                continue
            one, why = derivation(w, narrow, {**bound, **values})
            assert one is not None, why
            got, want = one.run(w, {**bound, **values}), ibis_rows(w, ind, bound, where)
            assert len(want) and same_rows(got, want), (raw, where)


def test_explain_answers_from_the_templates_as_ibis_does(built_home):
    """api.explain of one shape with new values each time (first Ibis, then a template derived,
    then the template kept), narrowed or not, gives Ibis's rows; a where on a column the rows
    lack is the same error on both paths."""
    id = "notable_models_by_country"
    w, ind = api.warehouse(home=built_home), registry.get(id)
    w.forget()
    years = [(2019, 2023), (2020, 2024), (2021, 2022)]
    for since, until in years:
        bound = ind.bind({"since": since, "until": until})
        plain = api.explain(id, home=built_home, since=since, until=until)
        assert same_rows(plain.table, ibis_rows(w, ind, bound, {}))
    shape = fastpath.shape_key(sqltemplate.decls(ind), bound)
    assert w.peek(("template", id, "rows [] " + shape, dt.date.today().isoformat()))
    for since, until in years:
        bound = ind.bind({"since": since, "until": until})
        one = api.explain(id, where={"country": "CHN"}, home=built_home, since=since, until=until)
        assert len(one.table) and same_rows(one.table, ibis_rows(w, ind, bound, {"country": "CHN"}))
    narrow = sqltemplate.Query(ind, rows=True, where=(("country", "str"),))
    assert w.peek(("template", id, narrow.label + fastpath.shape_key(
        narrow.decls(), {**bound, "where.country": "CHN"}), dt.date.today().isoformat()))
    with pytest.raises(UsageError, match="cannot filter explain rows on 'nope'"):
        api.explain(id, where={"nope": "1"}, home=built_home, since=2021, until=2022)


def test_a_shared_in_memory_table_is_made_once_when_many_threads_ask_first():
    """Two copies of one in-memory table have two random names in the SQL: a race on the first
    call (a server's first requests) must still make exactly one."""
    made = []

    def make(n):
        time.sleep(0.05)  # wide enough for every thread to arrive while the first is making
        made.append(n)
        return object()

    get = P.one_per_process(make)
    start = threading.Barrier(8)

    def ask():
        start.wait()
        return get(3)

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: ask(), range(8)))
    assert made == [3] and len({id(g) for g in got}) == 1


def test_templates_derived_at_once_from_many_threads_are_all_found(built_home):
    """A server derives several shapes at once on its first requests: each shape of
    notable_models_by_country (which reads the shared country-name table) still gets its
    template (a race had made some refused for the build's life)."""
    w, ind = api.warehouse(home=built_home), registry.get("notable_models_by_country")
    P._country_names.cache_clear()  # as in a new server: the table not made yet
    shapes = [{"since": str(1990 + n), "until": "2020", "attribution": a, "fold_hong_kong": f}
              for n, (a, f) in enumerate((a, f) for a in P.ATTRIBUTIONS for f in ("false", "true"))]
    start = threading.Barrier(len(shapes))

    def derive(raw):
        start.wait()
        return sqltemplate.explain_derivation(w, ind, ind.bind(raw))[1]

    with ThreadPoolExecutor(len(shapes)) as pool:
        assert list(pool.map(derive, shapes)) == ["ok"] * len(shapes)


def test_rows_left_unordered_are_put_in_one_full_order_and_an_order_given_is_kept():
    import ibis
    import ibis.expr.operations as ops

    t = ibis.memtable({"country": ["USA", "CHN"], "year": [2024, 2024], "name": ["b", "a"],
                       "orgs": [["x"], ["y"]]})
    out = sqltemplate._in_full_order(t, ("country", "year"))
    assert isinstance(out.op(), ops.Sort)
    assert [k.name for k in out.op().keys] == ["country", "year", "name"]  # lists are no key
    assert out.execute()["country"].tolist() == ["CHN", "USA"]
    given = t.order_by("name")
    assert sqltemplate._in_full_order(given, ("country", "year")) is given
