"""Verify what is loaded: damaged, truncated or manifest-less snapshots never reach the warehouse."""
from __future__ import annotations

import os
import sys

import pytest
from conftest import FIXTURES
from snapshots import make_snapshot, query

from aiatlas import api
from aiatlas.errors import DataError
from aiatlas.indicators import registry

DATA = FIXTURES / "data"
CSV = "notable_ai_models.csv"


@pytest.fixture
def mirror(tmp_path):
    """A one-file mirror of the notable-models source, so `fetch` runs offline."""
    root = tmp_path / "mirror"
    (root / "epoch").mkdir(parents=True)
    (root / "epoch" / CSV).write_bytes((DATA / "notable_2024.csv").read_bytes())
    return root


@pytest.fixture
def home(tmp_path, mirror):
    """A home fetched from the tiny mirror and built once."""
    home = tmp_path / "home"
    api.fetch(["epoch_notable_models"], mirror=str(mirror), home=home)
    api.build(home=home)
    return home


def snapshot_file(home):
    (folder,) = (home / "snapshots" / "epoch_notable_models").iterdir()
    return folder / CSV


def models(home):
    return query(home, "SELECT build_id FROM _build") + query(home, "SELECT name FROM models ORDER BY 1")


def relabel(path):
    """Same size, different bytes: the edit a checksum exists to catch."""
    data = path.read_bytes()
    path.write_bytes(data.replace(b"PaLM", b"MLaP"))
    assert path.read_bytes() != data


def test_a_relabelled_snapshot_file_is_refused_naming_the_file(home):
    before = models(home)
    make_snapshot(home, "epoch_ml_hardware", {"ml_hardware.csv": DATA / "ml_hardware.csv"})
    relabel(snapshot_file(home))
    with pytest.raises(DataError, match=rf"{CSV}: sha256 .* the manifest says") as e:
        api.build(home=home)
    assert "aiatlas fetch epoch_notable_models" in e.value.hint
    assert models(home) == before


def test_a_truncated_snapshot_is_refused_with_both_sizes(home):
    before = models(home)
    path = snapshot_file(home)
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[: size // 2])
    with pytest.raises(DataError, match=rf"{CSV}: {size // 2} bytes, the manifest says {size}"):
        api.build(home=home)
    assert models(home) == before


def test_a_deleted_manifest_is_an_error_not_an_empty_source(home):
    before = models(home)
    (snapshot_file(home).parent / "manifest.json").unlink()
    with pytest.raises(DataError, match="has no manifest.json"):
        api.build(home=home)
    assert models(home) == before


@pytest.mark.parametrize("damage", ["relabel", "truncate", "delete file", "delete manifest"])
def test_fetch_replaces_a_damaged_snapshot_so_the_hint_does_not_loop(home, mirror, damage):
    path = snapshot_file(home)
    if damage == "relabel":
        relabel(path)
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "delete file":
        path.unlink()
    else:
        (path.parent / "manifest.json").unlink()
    with pytest.raises(DataError):
        api.build(home=home)
    (again,) = api.fetch(["epoch_notable_models"], mirror=str(mirror), home=home)
    assert again["reused"] is False
    result = api.build(home=home)
    assert result["skipped"] is False
    assert query(home, "SELECT name FROM models ORDER BY 1") == [("BLOOM",), ("PaLM",)]


def test_an_intact_snapshot_is_reused(home, mirror):
    (again,) = api.fetch(["epoch_notable_models"], mirror=str(mirror), home=home)
    assert again["reused"] is True


def test_verify_passes_an_intact_home_and_names_every_damaged_file(home, aiatlas_cli):
    ok = aiatlas_cli("verify", "--home", str(home))
    assert ok.returncode == 0, ok.stderr
    assert "all 2 checks passed" in ok.stdout
    relabel(snapshot_file(home))
    bad = aiatlas_cli("verify", "--home", str(home))
    assert bad.returncode == 1
    assert "2 of 2 checks found damage" in bad.stderr and "Traceback" not in bad.stderr
    checks = api.verify(home=home)
    assert [len(c["problems"]) for c in checks] == [1, 1]
    assert CSV in checks[0]["problems"][0]
    assert checks[1]["what"] == "warehouse provenance"
    assert "no longer intact" in checks[1]["problems"][0]


def test_build_with_only_some_sources_fetched_exits_zero(home, aiatlas_cli, monkeypatch):
    (home / "warehouse.duckdb").unlink()
    # the CLI's whole build, its template step (compiled.precompile) over two indicators, not
    # every one: all their shapes cost ~40 s of CPU here, and what this test is about is the
    # build's exit code with sources missing (every indicator's shapes are derived on a thin
    # home in test_fastpath, on the mirror's in conftest.built_home)
    two = {id: registry.get(id) for id in ("notable_models_by_country", "chips_controlled")}
    monkeypatch.setattr(registry, "load_all", lambda: two)
    res = aiatlas_cli("build", "--home", str(home))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr and "built" in res.stdout


HEADER_ONLY = (DATA / "notable_2024.csv").read_bytes().split(b"\n", 1)[0] + b"\n"


def test_a_header_only_export_fails_the_build_and_keeps_the_warehouse(home, aiatlas_cli):
    before = models(home)
    make_snapshot(home, "epoch_notable_models", {CSV: HEADER_ONLY}, "20991231T000000000000Z")
    with pytest.raises(DataError, match="source epoch_notable_models yielded no rows") as e:
        api.build(home=home, strict=True)
    assert "--allow-shrink" in e.value.hint
    assert models(home) == before
    res = aiatlas_cli("build", "--home", str(home))
    assert res.returncode == 1 and "yielded no rows" in res.stderr and "Traceback" not in res.stderr
    api.build(home=home, allow_shrink=True)  # the user says the loss is real
    assert query(home, "SELECT count(*) FROM models") == [(0,)]


def test_a_table_losing_more_than_the_declared_share_fails_unless_allowed(tmp_path):
    from aiatlas.warehouse.build import MAX_SHRINK

    make_snapshot(tmp_path, "epoch_notable_models", {CSV: DATA / "notable_current.csv"},
                  "20261127T100000000000Z")
    api.build(home=tmp_path)
    (big,) = query(tmp_path, "SELECT count(*) FROM models")[0]
    make_snapshot(tmp_path, "epoch_notable_models", {CSV: DATA / "notable_2024.csv"},
                  "20261127T110000000000Z")
    assert big * (1 - MAX_SHRINK) > 2  # notable_2024.csv holds two models
    with pytest.raises(DataError, match=r"table model\w* would shrink from \d+ to \d+ rows"):
        api.build(home=tmp_path)
    assert query(tmp_path, "SELECT count(*) FROM models") == [(big,)]
    api.build(home=tmp_path, allow_shrink=True)
    assert query(tmp_path, "SELECT count(*) FROM models") == [(2,)]


def test_a_deleted_source_is_a_shrink_too(home):
    make_snapshot(home, "epoch_ml_hardware", {"ml_hardware.csv": DATA / "ml_hardware.csv"})
    api.build(home=home)
    import shutil

    shutil.rmtree(home / "snapshots" / "epoch_ml_hardware")
    with pytest.raises(DataError, match=r"table hardware would shrink from \d+ to 0 rows"):
        api.build(home=home)


def test_duplicate_model_names_get_unique_ids_in_one_pass(tmp_path):
    import csv
    import io

    with open(DATA / "notable_2024.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    name = rows[0].index("System")
    clash = list(rows[1])
    clash[name] = rows[1][name] + " 2"  # slugs to the id the second duplicate would get
    buf = io.StringIO()
    csv.writer(buf).writerows([rows[0], rows[1], rows[1], clash, rows[1]])
    make_snapshot(tmp_path, "epoch_notable_models", {CSV: buf.getvalue().encode()})
    api.build(home=tmp_path)
    base = query(tmp_path, "SELECT model_id FROM models ORDER BY rowid")[0][0]
    assert [r[0] for r in query(tmp_path, "SELECT model_id FROM models ORDER BY rowid")] == [
        base, f"{base}-2", f"{base}-2-2", f"{base}-3"]


@pytest.mark.parametrize("code", ["ENOSPC", "EACCES", "EROFS"])
def test_disk_errors_during_build_are_one_line_and_keep_the_warehouse(home, monkeypatch, capsys,
                                                                      code):
    import errno

    from aiatlas import cli
    from aiatlas.warehouse import build as build_module

    before = models(home)
    make_snapshot(home, "epoch_ml_hardware", {"ml_hardware.csv": DATA / "ml_hardware.csv"},
                  "20991231T000000000000Z")

    def fail(path, *_):
        raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)), str(path))

    monkeypatch.setattr(build_module, "_write_atomically", fail)
    monkeypatch.setattr(sys, "argv", ["aiatlas", "build", "--home", str(home)])
    with pytest.raises(SystemExit) as e:
        cli.main()
    assert e.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and os.strerror(getattr(errno, code)) in err and "hint:" in err
    assert models(home) == before
