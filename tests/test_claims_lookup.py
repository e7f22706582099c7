"""The checker's import path (aiatlas.lookup): stored SQL templates answer it with DuckDB alone,
the same as the engine, and `aiatlas check` in a new process loads neither Ibis nor pandas."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from aiatlas import api, lookup
from aiatlas.cli import main as cli_main

ID = "notable_models_by_country"
ENGINE = ("ibis", "sqlglot", "pandas")


@pytest.fixture
def home(tiny_home, tmp_path):
    """A private copy of the tiny home (stored templates must not leak between tests)."""
    copy = tmp_path / "home"
    shutil.copytree(tiny_home, copy, ignore=shutil.ignore_patterns("cache"))
    return copy


def test_a_stored_shape_answers_as_the_engine_does_and_a_miss_stores_it(home):
    assert not (home / "cache").exists()
    first = lookup.explain(ID, home=home)  # no template yet: the engine answers, then stores it
    assert any((home / "cache" / "templates").rglob(f"{ID}.json"))
    for what in ("compute", "explain"):
        engine = getattr(api, what)(ID, home=home)
        api.warehouse(home=home).forget()  # the memo is shared: make the template path run
        stored = lookup._stored(ID, {}, home, None, None, rows=what == "explain")
        assert stored is not None, what
        assert stored.table.to_pylist() == engine.table.to_pylist()
        assert stored.table.schema == engine.table.schema
        assert stored.meta == engine.meta and stored.provenance == engine.provenance
    assert lookup.explain(ID, home=home).table.num_rows == first.table.num_rows


@pytest.mark.slow  # a new `aiatlas check` process
def test_aiatlas_check_in_a_new_process_loads_no_engine(home, tmp_path, aiatlas_cli):
    article = tmp_path / "article.txt"
    article.write_text("In 2024, US labs released 2 notable AI models.\n", encoding="utf-8")
    args = [sys.executable, "-X", "importtime", "-m", "aiatlas", "check", str(article),
            "--home", str(home), "-f", "json"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    first = aiatlas_cli(*args[5:])  # here, where the engine is loaded: it stores the shape
    assert first.returncode == 0, first.stderr
    again = subprocess.run(args, capture_output=True, text=True, check=True, env=env)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in again.stderr.splitlines()
                if line.startswith("import time:")}
    assert "duckdb" in imported and not imported & set(ENGINE)

    def verdicts(out: str) -> list:
        return [(c["claim"]["text"], c["verdict"]["verdict"], c["verdict"]["actual"])
                for s in json.loads(out)["sentences"] for c in s["claims"]]

    assert verdicts(again.stdout) == verdicts(first.stdout) and verdicts(first.stdout)


def test_aiatlas_check_alone_keeps_the_cli_errors(home, tmp_path, aiatlas_cli):
    missing = tmp_path / "nothing.txt"
    env = {"COLUMNS": "1000"}
    done = aiatlas_cli("check", missing, "--home", home, env=env)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    said = done.stderr.strip().splitlines()
    assert said[0].startswith("error:") and said[0].endswith("nothing.txt: no such file")
    assert said[1].startswith("hint:") and len(said) == 2
    alone = aiatlas_cli("check", "--help", env=env)  # `aiatlas check` on its own path
    full = aiatlas_cli("check", "--help", env=env, entry=cli_main)  # through the whole CLI
    assert alone.stdout == full.stdout and "aiatlas check [OPTIONS]" in alone.stdout
