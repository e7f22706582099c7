"""Sources without noise: one line per publisher, licences that are licences, every file once."""
from __future__ import annotations

import pytest

from aiatlas.report import sources, uschina


def note(publisher, title, file, licence="CC BY 4.0", date="2025-11-17"):
    return {"publisher": publisher, "title": title, "source": title, "file": file,
            "licence": licence, "snapshot_date": date, "sha256": "abc"}


def test_one_line_per_publisher_with_file_count_and_latest_date():
    notes = [note("Epoch AI", "Benchmarking Hub", f"b{i}.csv") for i in range(41)]
    notes += [note("Epoch AI", "Notable AI Models", "n.csv", date="2026-07-19"),
              note("LMArena", "Arena catalog", "a.json", licence="No licence file; attribution required")]
    lines = sources.lines(notes)
    assert [s["publisher"] for s in lines] == ["Epoch AI", "LMArena"]
    epoch, arena = lines
    assert epoch["datasets"] == ["Benchmarking Hub", "Notable AI Models"] and epoch["files"] == 42
    assert epoch["as_of"] == "2026-07-19" and epoch["licences"] == ["CC BY 4.0"]
    assert arena["unstated"] and arena["licences"] == []  # "No licence file" is not a licence
    assert len(sources.appendix(notes + notes)) == 43


def test_wide_rows_become_one_line_per_country_in_fixed_colours():
    rows = [{"date": "2025-01-01", "a_value": 1300.0, "b_value": 1250.0},
            {"date": "2025-06-01", "a_value": 1350.0, "b_value": 1340.0}]
    meta = {"id": "arena_by_country", "grain": ["country", "date"], "value_columns": ["value"],
            "unit": "Arena rating points", "chapter": "performance", "zero": False}
    import datetime as dt

    spec = uschina.wide_spec(rows, {"a_value": "USA", "b_value": "CHN"}, meta, title="T", unit="u",
                             lang="ja", today=dt.date(2026, 12, 1))
    line = spec["layer"][0]
    assert line["encoding"]["y"]["scale"] == {"zero": False}
    # stale data flagged, against the date it is read on (a report's or a dashboard page's)
    assert "データは2025年6月1日までで、2026年12月1日の 18 か月前に終わっている。" in spec["title"]["subtitle"]
    names = {r["series"] for r in spec["data"]["values"]}  # (the layers take the chart's data)
    assert names == {"米国", "中国"}


def test_curated_facts_drawn_as_latest_year_bars_per_country():
    from aiatlas.report import factviews

    rows = [{"topic": "robot_installations", "measure": "industrial_robot_installations", "subject": s,
             "period": p, "value": v, "confirmed": c}
            for s, p, v, c in (("CHN", "2023", 276288.0, True), ("CHN", "2024", 295000.0, True),
                               ("CHN", "2024-07", 1.0, True), ("WLD", "2024", 542000.0, True),
                               ("JPN", "2023", 46106.0, True), ("USA", "2024", 9.0, False))]
    got = factviews.latest_by_country(rows, "robot_installations", "industrial_robot_installations")
    assert sorted((r["country"], r["period"], r["value"]) for r in got) == [
        ("CHN", "2024", 295000.0), ("JPN", "2023", 46106.0)]  # no aggregates, no unconfirmed


def test_descriptions_set_named_columns_as_code_not_backticks():
    from aiatlas.report.build import prose

    assert str(prose("`excluded` counts <rows>")) == "<code>excluded</code> counts &lt;rows&gt;"
    assert str(prose(None)) == ""


def test_a_chart_lists_the_files_its_rows_were_read_from_not_the_whole_hub():
    from aiatlas.report import sources

    def note(source, file, publisher, as_of):
        return {"source": source, "file": file, "publisher": publisher, "title": source,
                "licence": "CC BY 4.0", "snapshot_date": as_of}

    hub = [note("epoch_benchmarks", f"benchmarks/{b}.csv", "Epoch AI", "2025-11-17") for b in "abcdefgh"]
    notes = hub + [note("epoch_notable_models", "notable_ai_models.csv", "Epoch AI", "2026-07-19")]
    read = sources.files_read([{"file": "b.csv"}, {"file": "b.csv"}, {"file": "c.csv"}, {"file": None}])
    assert read == {"b.csv", "c.csv"}
    lines = sources.lines(notes, read)
    assert [(s.get("file"), s.get("joined", False)) for s in lines] == [
        ("b.csv", False), ("c.csv", False), (None, True)]  # the hub's other six files were not read
    assert lines[0]["as_of"] == "2025-11-17" and lines[2]["as_of"] == "2026-07-19"
    # rows that name no file (or none of these): one line per publisher, as before
    assert [s["files"] for s in sources.lines(notes)] == [9]
    assert sources.lines(notes, {"other.csv"}) == sources.lines(notes)


@pytest.mark.slow  # computes the section's four indicators on the tiny home
def test_a_build_without_benchmark_or_arena_data_explains_no_us_china_chart(tiny_home, monkeypatch):
    """A chart's source line names the files its rows were read from, which takes explaining
    them (seconds of compiling for the lags): only for a chart that is drawn."""
    from aiatlas.report.i18n import Text

    explained = []
    monkeypatch.setattr(uschina, "files_read", lambda *a, **k: explained.append(a) or set())
    section = uschina.section(text=Text("en"), home=tiny_home, render=lambda spec: spec)
    assert section["error"] is None and section["figures"] == [] and explained == []
