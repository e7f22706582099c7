"""The warehouse handle: one per build file, its memo, and its pool of read-only connections."""
from __future__ import annotations

import threading

import duckdb
import publish_support as ps
import pyarrow as pa
import pytest

from aiatlas import api, sqltemplate
from aiatlas.config import settings
from aiatlas.errors import DataError, NotBuiltError
from aiatlas.warehouse import connect as wh


@pytest.fixture()
def home(tmp_path):
    ps.write_warehouse(tmp_path, build_id="build-1")
    return tmp_path


def test_the_handle_says_which_build_and_as_of_it_serves(home):
    w = wh.connect(settings(home=home))
    assert (w.build_id, w.vintage, w.data_as_of) == ("build-1", "latest", "2026-01-01")
    assert "models" in w.tables and [s["file"] for s in w.snapshots] == ["notable_ai_models.csv"]
    assert wh.connect(settings(home=home)) is w  # the same file: the same handle
    assert api.build_info(home=home)["build_id"] == "build-1"


def test_a_swapped_file_gets_a_new_handle_and_the_old_one_keeps_its_build(home):
    old = wh.connect(settings(home=home))
    before = old.sql("SELECT count(*) AS n FROM models")
    old.memo(("answer",), lambda: "from build-1")
    ps.write_warehouse(home, ps.fixture_rows()[:2], build_id="build-2")
    new = wh.connect(settings(home=home))
    assert new is not old and new.build_id == "build-2"
    assert new.peek(("answer",)) is None  # nothing memoised on build-1 is served for build-2
    assert old.sql("SELECT count(*) AS n FROM models") == before  # still the old inode
    assert new.sql("SELECT count(*) AS n FROM models") == [{"n": 2}]


def test_memo_computes_once_even_when_asked_concurrently(home):
    w = wh.connect(settings(home=home))
    calls, gate = [], threading.Event()

    def make():
        calls.append(1)
        gate.wait(5)
        return "value"

    threads = [threading.Thread(target=w.memo, args=(("k",), make)) for _ in range(4)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert calls == [1] and w.memo(("k",), make) == "value"
    assert w.memo(("stale",), lambda: "x", keep=False) == "x" and w.peek(("stale",)) is None


def test_pooled_connections_serve_queries_at_the_same_time(home):
    """Two threads each hold a connection at once (a single shared one would block or fail)."""
    w = wh.connect(settings(home=home))
    both = threading.Barrier(2, timeout=5)
    results, errors = [], []

    def query():
        try:
            with w.connection() as con:
                both.wait()  # neither releases its connection before the other has one
                results.append(con.table("models").count().to_pyarrow().as_py())
        except Exception as e:  # noqa: BLE001 - any failure is what this test forbids
            errors.append(e)

    threads = [threading.Thread(target=query) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [len(ps.fixture_rows())] * 2


def test_a_prepared_statement_answers_as_its_sql_with_the_values_written_in(home):
    """Each value set gives what the SQL with those literals gives; the statement is prepared
    once on a connection (a sequential caller keeps getting the same one), however often run."""
    w = wh.connect(settings(home=home))
    names = pa.table({"code": ["USA", "CHN"], "label": ["United States", "China"]})
    statement = ('SELECT year, count(*) AS n, any_value(label) AS label FROM models, names '
                 'WHERE year >= $1 AND year <= $2 AND list_contains(countries, $3) '
                 'AND code = $3 AND publication_date >= $4 GROUP BY year ORDER BY year')
    for args in (["2015", "2024", "'USA'", "MAKE_DATE(2010, 1, 1)"],
                 ["2020", "2022", "'CHN'", "MAKE_DATE(2021, 1, 1)"], ["1", "0", "'USA'", "NULL"]):
        written = statement
        for n in (4, 3, 2, 1):
            written = written.replace(f"${n}", args[n - 1])
        got = w.prepared(statement, args, {"names": names})
        assert got.equals(w.arrow(written, {"names": names})), args
    assert len(w.prepared(statement, ["2015", "2024", "'USA'", "MAKE_DATE(2010, 1, 1)"],
                          {"names": names})) > 0
    assert w.sql("SELECT count(*) AS n FROM duckdb_prepared_statements()") == [{"n": 1}]


def test_a_statement_the_engine_cannot_prepare_runs_with_the_values_written_in(home):
    """A parameter where the engine takes none (a type's width) makes `prepared` None, and a
    template with it answers from its SQL with the literals written in."""
    w = wh.connect(settings(home=home))
    assert w.prepared("SELECT CAST(year AS DECIMAL($1, 0)) AS y FROM models", ["9"]) is None
    template = sqltemplate.Template(
        parts=("SELECT CAST(min(year) AS DECIMAL(", 0, ", 0)) AS y FROM models",),
        slots=(("width", "int8"),), schema=pa.schema([("y", pa.decimal128(9, 0))]),
        memtables={}, day=None)
    assert template.run(w, {"width": 9}).to_pylist() == [
        {"y": min(r["year"] for r in ps.fixture_rows())}]


def test_one_statement_arrow_equals_the_clients_public_path(home):
    """`_arrow` runs a statement once straight to Arrow (the client's own runner); it gives
    exactly what `con.sql(...).to_arrow_table()` gives: names, types and values, for a SELECT
    over a registered table and for an EXECUTE, nulls, lists, dates and decimals included."""
    assert wh._client_seam is not None  # the installed client has it: misses take that path
    w = wh.connect(settings(home=home))
    names = pa.table({"code": ["USA", "CHN"], "label": ["United States", None]})
    query = ("SELECT year, countries, publication_date, CAST(year AS DECIMAL(9, 2)) AS d, "
             "label, NULL AS nothing FROM models LEFT JOIN names ON list_contains(countries, code) "
             "ORDER BY model_id, label")
    with w._pooled() as slot:
        wh._register(slot, {"names": names})
        con = slot[0]
        con.execute(f"PREPARE p_arrow AS {query.replace('ORDER BY', 'WHERE year >= $1 ORDER BY')}")
        for sql in (query, "EXECUTE p_arrow(2020)", "EXECUTE p_arrow(3000)"):
            got, public = wh._arrow(con, sql), con.sql(sql).to_arrow_table()
            assert got.schema == public.schema and got.equals(public), sql
        assert wh._arrow(con, query).num_rows > len(ps.fixture_rows()) - 1
        assert wh._arrow(con, "EXECUTE p_arrow(3000)").num_rows == 0


def test_the_engine_runs_on_the_threads_the_settings_give(tmp_path, monkeypatch):
    """AIATLAS_DUCKDB_THREADS (what `serve` sets for its workers) is the handle's DuckDB
    thread count; unset, DuckDB's own default."""
    default = duckdb.connect().sql("SELECT current_setting('threads') AS t").fetchall()[0][0]
    ps.write_warehouse(tmp_path / "a", build_id="build-1")
    ps.write_warehouse(tmp_path / "b", build_id="build-1")
    monkeypatch.delenv("AIATLAS_DUCKDB_THREADS", raising=False)
    w = wh.connect(settings(home=tmp_path / "a"))
    assert w.sql("SELECT current_setting('threads') AS t") == [{"t": default}]
    monkeypatch.setenv("AIATLAS_DUCKDB_THREADS", "1")
    w = wh.connect(settings(home=tmp_path / "b"))
    assert w.sql("SELECT current_setting('threads') AS t") == [{"t": 1}]


def test_warming_opens_the_connection_the_first_query_then_uses(home):
    w = wh.connect(settings(home=home))
    w.warm()
    assert w._opened == 1
    with w.query() as tables:  # the warmed connection and its Ibis backend, not a new one
        assert tables.models.count().to_pyarrow().as_py() == len(ps.fixture_rows())
    assert w._opened == 1


def test_a_table_missing_from_an_older_build_says_to_rebuild(home):
    w = wh.connect(settings(home=home))
    with w.connection() as con, pytest.raises(DataError, match="no table 'no_such_table'") as e:
        _ = wh.Tables(con, w.tables).no_such_table
    assert "aiatlas build" in e.value.hint


def test_no_warehouse_is_not_built(tmp_path):
    with pytest.raises(NotBuiltError):
        wh.connect(settings(home=tmp_path))


def test_engine_threads_hold_for_the_block_and_reset_after_it(home):
    w = wh.connect(settings(home=home))

    def threads():
        return w.sql("SELECT current_setting('threads') AS n")[0]["n"]

    default = threads()
    with w.engine_threads(1):
        assert threads() == 1  # on every pooled connection: the setting is the database's
    assert threads() == default
    with pytest.raises(RuntimeError), w.engine_threads(1):
        raise RuntimeError("a failed build")
    assert threads() == default
