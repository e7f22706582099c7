"""The cold-start fast path of `aiatlas show`: same bytes as the normal path, never stale."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from aiatlas import __main__ as entry
from aiatlas import api, codefiles, compiled, fastpath, sqltemplate
from aiatlas.commands import _output
from aiatlas.indicators import registry
from aiatlas.sources.registry import sources_for_tables

ID = "notable_models_by_country"


def run(capsys, monkeypatch, *args) -> tuple[bool, str, str]:
    """Run `aiatlas ARGS` through the entry point; (whether the fast path answered, out, err)."""
    monkeypatch.setattr(sys, "argv", ["aiatlas", *args])
    monkeypatch.setattr(_output.console, "width", 400)
    answered = []
    real = fastpath.try_show
    monkeypatch.setattr(entry, "try_show", lambda argv: answered.append(real(argv)) or answered[-1])
    try:
        entry.main()
    except SystemExit as e:  # the full CLI (Typer) exits; the fast path returns
        assert e.code == 0
    out = capsys.readouterr()
    return answered[0], out.out, out.err


@pytest.fixture
def home(tiny_home, tmp_path):
    """A private copy of the tiny home (entries and rebuilds must not leak between tests)."""
    copy = tmp_path / "home"
    shutil.copytree(tiny_home, copy, ignore=shutil.ignore_patterns("cache"))
    return copy


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_second_run_takes_the_fast_path_with_identical_output(home, capsys, monkeypatch, fmt):
    args = ["show", ID, "--home", str(home), "-p", "since=2020", "-p", "until=2020", "-f", fmt]
    fast, slow_out, slow_err = run(capsys, monkeypatch, *args)
    assert not fast and list((home / "cache").rglob("*.json"))
    fast, fast_out, fast_err = run(capsys, monkeypatch, *args)
    assert fast
    assert (fast_out, fast_err) == (slow_out, slow_err) and "USA" in fast_out


def test_parameters_in_another_order_hit_only_when_they_mean_the_same(home, capsys, monkeypatch):
    base = ["show", ID, "--home", str(home), "-f", "csv"]
    run(capsys, monkeypatch, *base, "-p", "since=2020", "-p", "until=2020")
    fast, _, _ = run(capsys, monkeypatch, *base, "-p", "until=2020", "-p", "since=2020")
    assert fast
    # a key given twice means its last value, as in the CLI: the shape's template answers that
    fast, out, _ = run(capsys, monkeypatch, *base, "-p", "since=2021", "-p", "since=2020",
                       "-p", "until=2021")
    assert fast and out == normal(capsys, monkeypatch, *base, "-p", "since=2020", "-p", "until=2021")
    assert ",2020," in out and ",2021," in out


def normal(capsys, monkeypatch, *args) -> str:
    """What the full CLI prints for `aiatlas ARGS`, the fast path turned off."""
    monkeypatch.setattr(sys, "argv", ["aiatlas", *args])
    monkeypatch.setattr(_output.console, "width", 400)
    monkeypatch.setattr(entry, "try_show", lambda argv: False)
    with pytest.raises(SystemExit) as stop:
        entry.main()
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_a_rebuild_is_never_answered_from_the_old_entry(home, capsys, monkeypatch):
    args = ["show", ID, "--home", str(home), "-p", "since=2020", "-p", "until=2020", "-f", "csv"]
    _, before, _ = run(capsys, monkeypatch, *args)
    # a rebuild from a changed snapshot: a new file with a new build id renamed over the old
    new = home / "new.duckdb"
    shutil.copy(home / "warehouse.duckdb", new)
    con = duckdb.connect(str(new))
    con.execute("DELETE FROM models WHERE list_contains(countries, 'USA')")
    con.execute("UPDATE _build SET build_id = 'rebuilt'")
    con.close()
    os.replace(new, home / "warehouse.duckdb")
    fast, after, _ = run(capsys, monkeypatch, *args)
    assert not fast and "USA" in before and "USA" not in after and after.startswith("country,")
    assert run(capsys, monkeypatch, *args)[0]  # the new build's entry, from now on


@pytest.mark.parametrize("extra", [["-f", "parquet", "-o", "x.parquet"], ["--backend", "pyspark"],
                                   ["--as-of", "2025-01-01"], ["-p", "since"]])
def test_other_requests_are_not_for_the_fast_path(extra):
    assert fastpath.parse_show(["show", ID, *extra]) is None


def test_a_miss_or_a_broken_entry_falls_back(home, capsys, monkeypatch):
    args = ["show", ID, "--home", str(home), "-f", "csv"]
    assert not fastpath.try_show(args)  # nothing stored yet
    run(capsys, monkeypatch, *args)
    for entry_file in (home / "cache").rglob("*.json"):
        entry_file.write_text('{"sql": "SELECT * FROM no_such_table"}')
    fast, out, _ = run(capsys, monkeypatch, *args)
    assert not fast and out.startswith("country")


def test_build_stores_the_default_requests(home, capsys, monkeypatch):
    # the build's step over one indicator (each one's shapes take seconds to derive; every
    # indicator's templates are derived and compared with Ibis in test_sqltemplate.py)
    ind = registry.get(ID)
    monkeypatch.setattr(registry, "load_all", lambda: {ID: ind})
    told = []  # what `aiatlas build` shows on its progress bar
    assert compiled.precompile(home=home, progress=lambda *a: told.append(a)) == 1
    assert told == [(f"SQL templates: {ID}", 0, 1)]
    fast, out, _ = run(capsys, monkeypatch, "show", ID, "--home", str(home), "-f", "csv")
    assert fast and out.startswith("country,")


@pytest.mark.slow  # two indicators' shapes derived, as a build does
def test_build_skips_indicators_none_of_whose_sources_it_read(home, monkeypatch):
    """A home fetched in part (its build records the snapshots it read): an indicator none of
    whose sources is among them answers nothing, so the build derives none of its shapes (a
    partial home's build took 33 s CPU for them, 3 s without); the others are stored as before."""
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    con.execute("INSERT INTO _snapshots (source, file, snapshot_id) VALUES "
                "('epoch_notable_models', 'notable_ai_models.csv', 'epoch_notable_models/1')")
    con.close()
    read, unread = registry.get(ID), registry.get("chips_controlled")
    assert "epoch_notable_models" in sources_for_tables(read.sources)
    assert "epoch_notable_models" not in sources_for_tables(unread.sources)
    # two indicators, not all: each one's shapes take seconds to derive
    monkeypatch.setattr(registry, "load_all", lambda: {ID: read, unread.id: unread})
    assert compiled.precompile(home=home) == 1
    assert {p.stem for p in (home / "cache" / "templates").rglob("*.json")} == {ID}


@pytest.mark.slow  # a new `aiatlas show` process
def test_a_new_process_answers_values_never_asked_from_the_build_templates(home, capsys,
                                                                             monkeypatch):
    # the shape's template, as `aiatlas build` stores it (compiled.precompile: every indicator)
    run(capsys, monkeypatch, "show", ID, "--home", str(home), "-p", "since=2020", "-p", "until=2020")
    args = ["show", ID, "--home", str(home), "-p", "since=2021", "-p", "until=2021", "-f", "csv"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "aiatlas", *args],
                          capture_output=True, text=True, check=True, env=env)
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    # nor Arrow (and numpy) nor Rich: the rows are fetched as Python values, the CSV written
    assert "duckdb" in imported and not {m for m in imported if m.split(".")[0] in
                                         ("ibis", "sqlglot", "pandas", "typer", "pyarrow",
                                          "numpy", "rich")}
    assert done.stdout == normal(capsys, monkeypatch, *args) and ",2021," in done.stdout


def test_templates_name_the_code_they_depend_on():
    """An indicator's templates depend on its module, what that imports at any depth, this
    machinery and every data file of the package (a CSV can be literals in its SQL); not on
    unrelated modules, so a change there keeps them."""
    files = set(codefiles.of(registry.get(ID).func, registry.get(ID).rows, "aiatlas.sqltemplate"))
    assert {"indicators/research.py", "indicators/registry.py", "indicators/views.py",
            "entities/models.py", "sqltemplate.py", "warehouse/connect.py",
            "entities/organization_parents.csv", "indicators/__init__.py"} <= files
    assert not files & {"indicators/hardware.py", "web/app.py", "report/build.py", "cli.py"}
    lag = set(codefiles.of(registry.get("lag_months_compared").func, "aiatlas.sqltemplate"))
    assert {"indicators/frontier_lag.py", "indicators/lag.py"} <= lag  # the wrapped functions'


def test_templates_of_changed_code_are_not_read(home, capsys, monkeypatch):
    args = ["show", ID, "--home", str(home), "-f", "csv"]
    run(capsys, monkeypatch, *args, "-p", "since=2020", "-p", "until=2020")  # stores the shape
    [path] = list((home / "cache" / "templates").rglob(f"{ID}.json"))
    ind, day = registry.get(ID), dt.date.today().isoformat()
    shape = fastpath.shape_key(sqltemplate.decls(ind), ind.bind({"since": 2021, "until": 2021}))
    w = api.warehouse(home=home)
    assert sqltemplate.stored(w, ID, shape, day) is not None
    assert run(capsys, monkeypatch, *args, "-p", "since=2021", "-p", "until=2021")[0]
    body = json.loads(path.read_text(encoding="utf-8"))
    body["code"]["sha256"] = "0" * 64  # as if research.py had changed since it was stored
    path.write_text(json.dumps(body), encoding="utf-8")
    assert sqltemplate.stored(w, ID, shape, day) is None
    fast, out, _ = run(capsys, monkeypatch, *args, "-p", "since=2022", "-p", "until=2022")
    assert not fast and out == normal(capsys, monkeypatch, *args, "-p", "since=2022", "-p", "until=2022")
    # the normal path stored the shape again, for the code of now (the stale file replaced)
    assert fastpath.current(json.loads(path.read_text(encoding="utf-8")))
    assert run(capsys, monkeypatch, *args, "-p", "since=2023", "-p", "until=2023")[0]


PLAIN_SQL = """SELECT * FROM (VALUES
  ('a', 1::BIGINT, 7::INTEGER, 2.5::DOUBLE, 1.5::FLOAT, 12.3::DECIMAL(38,1), 1::BIGINT,
   DATE '2024-02-29', true, ['x', NULL]),
  (NULL, NULL, NULL, 'nan'::DOUBLE, NULL, -0.7::DECIMAL(38,1), 9007199254740992::BIGINT,
   NULL, NULL, NULL)) t(s, i, j, d, f, m, k, day, b, l)"""


def test_rows_without_arrow_are_what_arrow_gives():
    """`plain_rows` makes DuckDB's Python values what Arrow's cast to the stored schema gives
    (BIGINT, DECIMAL and FLOAT to double included), and leaves to Arrow what it cannot."""
    pa = pytest.importorskip("pyarrow")
    con = duckdb.connect()
    schema = pa.schema([("s", pa.string()), ("i", pa.int64()), ("j", pa.int32()),
                        ("d", pa.float64()), ("f", pa.float64()), ("m", pa.float64()),
                        ("k", pa.float64()), ("day", pa.date32()), ("b", pa.bool_()),
                        ("l", pa.list_(pa.string()))])
    got = fastpath.plain_rows(con.sql(PLAIN_SQL), fastpath.columns_text(schema))
    want = con.sql(PLAIN_SQL).to_arrow_table().cast(schema)
    assert got.column_names == want.column_names
    assert str(got.to_pylist()) == str(want.to_pylist())  # (str: NaN equals itself)
    # beyond what it converts exactly: Arrow reads it
    too_big = "SELECT 9007199254740993::BIGINT AS k"
    assert fastpath.plain_rows(con.sql(too_big), [["k", "double"]]) is None
    assert fastpath.plain_rows(con.sql("SELECT 2147483648::BIGINT AS k"), [["k", "int32"]]) is None
    assert fastpath.plain_rows(con.sql("SELECT now() AS t"), [["t", "timestamp[us, tz=UTC]"]]) is None
    assert fastpath.plain_rows(con.sql("SELECT 1 AS a"), [["b", "int64"]]) is None
    assert fastpath.columns_text(pa.schema([pa.field("x", pa.int64(), nullable=False)])) is None


def test_decimals_become_the_doubles_arrow_casts_them_to():
    """Arrow's decimal -> double is not the nearest double (it multiplies by 10**-scale):
    `plain_rows` must give its doubles, at every scale it converts."""
    pa = pytest.importorskip("pyarrow")
    import random
    from decimal import Decimal

    rng = random.Random(5)
    for scale in range(19):
        unscaled = [rng.randint(-2**53 + 1, 2**53 - 1) for _ in range(300)] + [
            rng.randint(-10**5, 10**5) for _ in range(300)]
        values = [Decimal(u).scaleb(-scale) for u in unscaled]
        arrow = pa.array(values, pa.decimal128(38, scale)).cast(pa.float64()).to_pylist()
        convert = fastpath._converter(f"DECIMAL(38,{scale})", "double")
        assert [convert(v) for v in values] == arrow, scale


def test_in_memory_tables_are_created_as_arrow_registers_them():
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"c": ["USA", None, "O'Hare \"x\""], "n": [1, 2, None],
                      "d": pa.array([dt.date(2020, 1, 2), None, dt.date(1999, 12, 31)]),
                      "z": [0.5, -1.0, None], "b": [True, False, None]})
    data = json.loads(json.dumps(fastpath.rows_text(table), default=str))  # as stored
    con = duckdb.connect()
    fastpath.register(con, "m e", data)
    con.register("arrow", table)
    assert con.sql('SELECT * FROM "m e"').fetchall() == con.sql("SELECT * FROM arrow").fetchall()
    assert con.sql('SELECT * FROM "m e"').types == con.sql("SELECT * FROM arrow").types
    assert fastpath.rows_text(pa.table({"z": [float("nan")]})) is None  # no JSON number
    assert fastpath.rows_text(pa.table({"t": pa.array([1], pa.timestamp("us"))})) is None


def _rebuilt(home, *statements: str) -> None:
    """A rebuild: the warehouse changed by these statements, under a new build id."""
    new = home / "new.duckdb"
    shutil.copy(home / "warehouse.duckdb", new)
    con = duckdb.connect(str(new))
    for sql in (*statements, "UPDATE _build SET build_id = 'rebuilt'"):
        con.execute(sql)
    con.close()
    os.replace(new, home / "warehouse.duckdb")


def _precompiled(home, monkeypatch) -> int:
    """The build's template step over ID; how many shapes it derived."""
    derived = []
    real = sqltemplate._derived
    monkeypatch.setattr(sqltemplate, "_derived", lambda *a: derived.append(a) or real(*a))
    ind = registry.get(ID)
    monkeypatch.setattr(registry, "load_all", lambda: {ID: ind})
    assert compiled.precompile(home=home) == 1
    return len(derived)


def test_a_rebuild_of_unchanged_code_reuses_the_templates_and_answers_from_its_own_rows(
        home, monkeypatch):
    assert _precompiled(home, monkeypatch) > 0
    _rebuilt(home, "DELETE FROM models WHERE list_contains(countries, 'USA')")
    assert _precompiled(home, monkeypatch) == 0  # every shape from the first build's store
    ind, day = registry.get(ID), dt.date.today().isoformat()
    shape = fastpath.shape_key(sqltemplate.decls(ind), ind.bind({"since": 2020, "until": 2020}))
    w = api.warehouse(home=home)
    assert w.build_id == "rebuilt" and sqltemplate.stored(w, ID, shape, day) is not None
    for params in ({}, {"since": 2020, "until": 2020}):
        got = api.compute(ID, home=home, **params)
        with w.query() as tables:  # Ibis on the rebuilt rows
            want = ind.func(tables, **ind.bind(params)).to_pyarrow()
        assert got.table.equals(want.cast(got.table.schema)) and "USA" not in got.to_csv()


@pytest.mark.parametrize("change", ["columns", "libraries", "unchecked"])
def test_a_rebuild_derives_again_when_a_table_read_or_a_library_changed(home, monkeypatch, change):
    assert _precompiled(home, monkeypatch) > 0
    if change == "columns":  # a column more in the table the SQL reads
        _rebuilt(home, "ALTER TABLE models ADD COLUMN note VARCHAR")
    elif change == "unchecked":  # flattened SQL whose check against Ibis's compared no rows
        [path] = list((home / "cache" / "templates").rglob(f"{ID}.json"))
        body = json.loads(path.read_text(encoding="utf-8"))
        body["shapes"] = {k: {**v, "checked": 0} for k, v in body["shapes"].items()}
        path.write_text(json.dumps(body), encoding="utf-8")
        _rebuilt(home)
    else:
        _rebuilt(home)
        monkeypatch.setattr(sqltemplate, "LIBRARIES", {**sqltemplate.LIBRARIES, "ibis": "0.0"})
    w, ind = api.warehouse(home=home), registry.get(ID)
    shape = fastpath.shape_key(sqltemplate.decls(ind), ind.bind({}))
    assert w.build_id == "rebuilt" and sqltemplate.stored(w, ID, shape, dt.date.today().isoformat()) is None
    assert sqltemplate.reused(w, ID, shape, dt.date.today().isoformat()) is None  # derived again


def test_the_build_keeps_the_templates_of_only_the_builds_it_may_reuse(home, monkeypatch):
    """Every build left its templates in the home for ever (a few MB each): the build's step
    keeps its own folder and the REUSE_BUILDS others written to last."""
    root = home / "cache" / "templates"
    old = [root / f"old{i}" for i in range(sqltemplate.REUSE_BUILDS + 2)]
    for i, folder in enumerate(old):
        folder.mkdir(parents=True)
        (folder / f"{ID}.json").write_text("{}", encoding="utf-8")
        os.utime(folder, (1_000_000 + i, 1_000_000 + i))  # old0 the least recently written
    _precompiled(home, monkeypatch)
    own = fastpath.templates_dir(home, api.warehouse(home=home).build_id)
    assert {p.name for p in root.iterdir()} == {own.name, *(f.name for f in old[2:])}
