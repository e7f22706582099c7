"""Vintages: `build --as-of DATE` reads each source's newest snapshot with data as of DATE."""
from __future__ import annotations

import collections
import csv
import datetime as dt
import json

import pytest
from snapshots import make_snapshot

from aiatlas import api
from aiatlas.config import settings
from aiatlas.errors import NotBuiltError, UsageError
from aiatlas.sources import registry
from aiatlas.warehouse import provenance, vintages

ARCHIVE = "epoch/archive/notable_ai_models_2025-04-18.csv"
VINTAGE = "2025-04-30"
# Epoch's long country names in the 2024 rows of the April 2025 export, spelled out here so the
# count below does not go through the project's own country code.
ISO3 = {"United States of America": "USA", "China": "CHN", "Saudi Arabia": "SAU",
        "France": "FRA", "Korea (Republic of)": "KOR", "Israel": "ISR", "Canada": "CAN",
        "United Kingdom of Great Britain and Northern Ireland": "GBR"}


def _dated(home, source, stamp, as_of):
    """A snapshot whose one file carries a publisher as-of date (None: unknown)."""
    folder = make_snapshot(home, source, {"x.csv": b"a\n1\n"}, stamp=stamp)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][0]["as_of"] = as_of
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_the_newest_snapshot_as_of_a_date_wins_across_a_source_and_its_archives(tmp_path):
    _dated(tmp_path, "s", "20260101T000000000000Z", "2025-12-01")
    _dated(tmp_path, "s_archive", "20260102T000000000000Z", "2025-04-18")
    _dated(tmp_path, "s", "20240301T000000000000Z", None)  # unknown as-of: its fetch date counts
    snaps = tmp_path / "snapshots"
    def pick(day):
        return provenance.as_of(snaps, ("s", "s_archive"), dt.date.fromisoformat(day))
    assert pick("2025-04-30").source == "s_archive"
    assert pick("2025-12-01").id == "s/20260101T000000000000Z"
    assert pick("2024-06-01").as_of == dt.date(2024, 3, 1)
    assert pick("2024-01-01") is None
    assert provenance.latest(snaps, "s").id == "s/20260101T000000000000Z"  # plain builds unchanged


def test_archives_are_fetched_but_built_only_as_their_parent():
    assert registry.get("epoch_notable_models_2025_04").archive_of == "epoch_notable_models"
    assert "epoch_notable_models_2025_04" in {s.id for s in registry.default_sources()}
    assert "epoch_notable_models_2025_04" not in {s.id for s in registry.built_sources()}
    assert registry.snapshot_sources("epoch_notable_models") == (
        "epoch_notable_models", "epoch_notable_models_2025_04")


def test_archives_are_fetched_by_default_only_from_a_mirror(tmp_path, monkeypatch):
    from aiatlas.sources import fetch

    fetched = []
    monkeypatch.setattr(fetch, "fetch_source", lambda src, *a, **k: fetched.append(src.id))
    fetch.fetch_sources(None, settings(home=tmp_path, mirror=str(tmp_path)))
    assert "epoch_notable_models_2025_04" in fetched
    fetched.clear()
    monkeypatch.delenv("AIATLAS_MIRROR", raising=False)
    fetch.fetch_sources(None, settings(home=tmp_path))
    assert "epoch_notable_models_2025_04" not in fetched and "epoch_notable_models" in fetched


def test_a_bad_date_is_a_usage_error_and_an_unbuilt_vintage_says_how_to_build_it(tmp_path):
    with pytest.raises(UsageError, match="not a date"):
        settings(home=tmp_path, as_of="30/04/2025")
    with pytest.raises(NotBuiltError) as e:
        api.compute("notable_models_by_country", home=tmp_path, as_of="2025-04-30")
    assert "build --as-of 2025-04-30" in e.value.hint


@pytest.fixture(scope="module")
def vintage_home(tmp_path_factory, mirror):
    home = tmp_path_factory.mktemp("vintages")
    api.fetch(mirror=str(mirror), home=home)
    api.build(home=home)
    api.build(home=home, as_of=VINTAGE)
    return home


def _archive_first_country_2024(mirror) -> dict[str, int]:
    """2024 notable models per country of the first-listed organization, from the raw CSV."""
    counts: collections.Counter = collections.Counter()
    with open(mirror / ARCHIVE, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row["Publication date"].startswith("2024"):
                continue
            entries = [c.strip() for c in row["Country (from Organization)"].split(",")]
            known = [c for c in entries if c and c != "Multinational"]
            if known:
                counts[ISO3[known[0]]] += 1
    return dict(counts)


@pytest.mark.mirror
def test_april_2025_vintage_counts_2024_models_like_the_raw_archive(vintage_home, mirror):
    expected = _archive_first_country_2024(mirror)
    r = api.compute("notable_models_by_country", home=vintage_home, as_of=VINTAGE,
                    since=2024, until=2024, attribution="first")
    assert {row["country"]: row["value"] for row in r.to_pylist()} == expected
    assert r.meta["vintage"] == VINTAGE
    assert [p["source"] for p in r.provenance] == ["epoch_notable_models_2025_04"]
    assert r.provenance[0]["as_of"] == "2025-04-18"
    latest = api.compute("notable_models_by_country", home=vintage_home, since=2024, until=2024,
                         attribution="first")
    assert latest.meta["vintage"] == "latest" and latest.to_pylist() != r.to_pylist()


@pytest.mark.mirror
def test_builds_lists_the_vintage_beside_the_current_warehouse(vintage_home):
    found = api.builds(home=vintage_home)
    assert [str(b["as_of"]) for b in found] == [VINTAGE, "None"]
    vintage, current = found
    assert {s["source"]: str(s["as_of"]) for s in vintage["snapshots"]} == {
        "epoch_notable_models_2025_04": "2025-04-18", "lmarena_history": "2025-02-27"}
    assert vintage["build_id"] != current["build_id"]
    assert (vintage_home / "vintages" / VINTAGE / "warehouse.duckdb").is_file()
    # a build id prefix or the date names the vintage
    assert vintages.resolve(settings(home=vintage_home), vintage["build_id"][:8]).as_of == \
        dt.date(2025, 4, 30)
    with pytest.raises(UsageError, match="no build"):
        vintages.resolve(settings(home=vintage_home), "2020-01-01")


@pytest.mark.mirror
def test_a_vintage_of_a_day_before_any_snapshot_is_refused_and_builds_nothing(vintage_home):
    from aiatlas.errors import DataError

    with pytest.raises(DataError, match="no snapshots with data as of 2020-01-01"):
        api.build(home=vintage_home, as_of="2020-01-01")
    assert not (vintage_home / "vintages" / "2020-01-01").exists()


@pytest.mark.mirror
def test_http_api_and_cli_answer_from_the_vintage(vintage_home):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from aiatlas.cli import app
    from aiatlas.web.app import create_app

    client = TestClient(create_app(home=vintage_home))
    got = client.get("/api/indicators/notable_models_by_country",
                     params={"as_of": VINTAGE, "since": 2024, "until": 2024}).json()
    assert got["meta"]["vintage"] == VINTAGE
    assert {p["source"] for p in got["provenance"]} == {"epoch_notable_models_2025_04"}
    assert client.get("/api/indicators/notable_models_by_country",
                      params={"as_of": "2019-01-01"}).status_code == 404
    runner = CliRunner()
    shown = runner.invoke(app, ["show", "notable_models_by_country", "--home", str(vintage_home),
                                "--as-of", VINTAGE, "-f", "json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["meta"]["vintage"] == VINTAGE
    listed = runner.invoke(app, ["builds", "--home", str(vintage_home), "-f", "json"])
    assert [b["as_of"] for b in json.loads(listed.stdout)] == [VINTAGE, None]


@pytest.mark.mirror
def test_a_vintage_answer_is_keyed_by_the_vintage_build_never_the_current_one(vintage_home,
                                                                              monkeypatch):
    from fastapi.testclient import TestClient

    from aiatlas.web import service
    from aiatlas.web.app import create_app

    monkeypatch.setattr(service, "BUILD_TTL_S", 0.0)  # re-read build ids on every request
    client = TestClient(create_app(home=vintage_home))
    url, asked = "/api/indicators/notable_models_by_country", {"since": 2024, "until": 2024}

    def ask(**extra):
        res = client.get(url, params=asked | extra)
        assert res.status_code == 200
        return res.headers["ETag"], res.json()

    ids = {str(b["as_of"]): b["build_id"] for b in api.builds(home=vintage_home)}
    old_tag, old = ask(as_of=VINTAGE)
    now_tag, now = ask()
    assert old_tag.startswith(f'"{ids[VINTAGE]}-') and now_tag.startswith(f'"{ids["None"]}-')
    assert client.get("/api/build", params={"as_of": VINTAGE}).json()["build_id"] == ids[VINTAGE]
    assert old["rows"] != now["rows"] and old["meta"]["vintage"] == VINTAGE
    # each answer sits on the memo of the build that made it, under that build's id
    key = ("compute", "notable_models_by_country",
           tuple(sorted({"since": "2024", "until": "2024", "as_of": VINTAGE}.items())), "json")
    assert api.warehouse(home=vintage_home, as_of=VINTAGE).peek(("web", ids[VINTAGE], *key))
    assert api.warehouse(home=vintage_home).peek(("web", ids["None"], *key)) is None
    # a new build of the vintage gives its answers a new tag; the current build's tag stays
    (vintage_home / "vintages" / VINTAGE / "warehouse.duckdb").unlink()  # else nothing to rebuild
    api.build(home=vintage_home, as_of=VINTAGE)
    new_id = api.build_info(home=vintage_home, as_of=VINTAGE)["build_id"]
    assert new_id != ids[VINTAGE]
    assert client.get(url, params=asked | {"as_of": VINTAGE},
                      headers={"If-None-Match": old_tag}).status_code == 200
    assert ask(as_of=VINTAGE)[0].startswith(f'"{new_id}-')
    assert client.get(url, params=asked, headers={"If-None-Match": now_tag}).status_code == 304
