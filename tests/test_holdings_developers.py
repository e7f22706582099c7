"""AI compute held (by owner, by country) and AI developers on GitHub, on hand-made rows."""
from __future__ import annotations

import datetime as dt

import ibis
import pytest
from chips_helpers import write_warehouse

from aiatlas import api
from aiatlas.claims.check import check_text
from aiatlas.indicators import registry
from aiatlas.warehouse.connect import Tables


def holding(owner, designer, end, h100e, country, series="cumulative", band=0.2):
    return {"file": f"{designer}.csv", "series": series, "name": f"{owner} {designer} {end}",
            "designer": designer, "owner": owner, "owner_country": country,
            "end_date": dt.date.fromisoformat(end), "h100e": h100e, "h100e_p5": h100e * (1 - band),
            "h100e_p95": h100e * (1 + band), "units": h100e * 2, "units_p5": h100e,
            "units_p95": h100e * 3}


OWNERS = [
    holding("Meta", "Nvidia", "2025-03-31", 100, "USA"), holding("Meta", "Nvidia", "2025-06-30", 150, "USA"),
    holding("Meta", "Nvidia", "2025-09-30", 200, "USA"),  # past AMD's last quarter: not summed
    holding("Meta", "AMD", "2025-03-31", 10, "USA"), holding("Meta", "AMD", "2025-06-30", 20, "USA"),
    holding("Oracle", "Nvidia", "2025-06-30", 30, "USA"),
    holding("China", "Nvidia", "2025-06-30", 40, "CHN"),
    holding("Other", "Nvidia", "2025-06-30", 500, None),
    holding("Meta", "Nvidia", "2025-06-30", 999, "USA", series="quarter"),  # another series: never summed
]


def tables(tmp_path, **rows) -> Tables:
    write_warehouse(tmp_path, rows)
    return Tables(ibis.duckdb.connect(str(tmp_path / "warehouse.duckdb")))


def compute(id, t, rows=False, **params):
    ind = registry.get(id)
    return (ind.rows if rows else ind.func)(t, **ind.bind(params)).to_pyarrow().to_pylist()


def test_owner_totals_sum_designers_up_to_their_common_quarter(tmp_path):
    t = tables(tmp_path, ai_chip_owners=OWNERS)
    got = {(r["owner"], r["date"]): r for r in compute("ai_compute_by_owner", t)}
    assert set(got) == {("Meta", dt.date(2025, 3, 31)), ("Meta", dt.date(2025, 6, 30)),
                        ("Oracle", dt.date(2025, 6, 30)), ("China", dt.date(2025, 6, 30)),
                        ("Other", dt.date(2025, 6, 30))}
    june = got[("Meta", dt.date(2025, 6, 30))]
    assert (june["value"], june["series"]) == (170, 2)
    assert (june["value_p5"], june["value_p95"]) == pytest.approx((136, 204))
    units = {(r["owner"], r["date"]): r["value"] for r in compute("ai_compute_by_owner", t, measure="units")}
    assert units[("Meta", dt.date(2025, 6, 30))] == 340


def test_country_totals_leave_other_out_and_explain_adds_up(tmp_path):
    t = tables(tmp_path, ai_chip_owners=OWNERS)
    got = {(r["country"], r["date"]): r["value"] for r in compute("ai_compute_by_country", t)}
    # USA: Oracle's Nvidia series ends 2025-06-30 with Meta's AMD, so both quarters stay
    assert got == {("USA", dt.date(2025, 3, 31)): 110, ("USA", dt.date(2025, 6, 30)): 200,
                   ("CHN", dt.date(2025, 6, 30)): 40}
    rows = compute("ai_compute_by_country", t, rows=True)
    for (country, date), value in got.items():
        assert sum(r["h100e"] for r in rows if (r["country"], r["date"]) == (country, date)) == value


def pushers(economy, country, topic, n, year=2024, quarter=1):
    return {"economy": economy, "country": country, "is_country": country is not None,
            "topic": topic, "pushers": n, "year": year, "quarter": quarter}


def test_ai_developers_sum_ai_topics_share_and_growth(tmp_path):
    rows = [pushers("US", "USA", "llm", 60), pushers("US", "USA", "pytorch", 40),
            pushers("US", "USA", "python", 1000),  # not an AI topic
            pushers("CN", "CHN", "llm", 100),  # other AI topics below threshold: absent
            pushers("EU", None, "llm", 500),  # an aggregate, not a country
            pushers("US", "USA", "llm", 50, year=2023), pushers("US", "USA", "ai", 30, year=2023)]
    t = tables(tmp_path, github_topic_pushers=rows)
    got = {(r["country"], r["year"]): r for r in compute("ai_developers_by_country", t)}
    usa, chn = got[("USA", 2024)], got[("CHN", 2024)]
    assert (usa["value"], usa["topics_reported"], chn["value"], chn["topics_reported"]) == (100, 2, 100, 1)
    assert usa["share_of_world_pct"] == chn["share_of_world_pct"] == 50.0
    # like for like: llm 50 -> 60 (+20%); 'ai' fell under the threshold and 'pytorch' rose over
    # it, so the sums (80 -> 100, +25%) compare unlike coverage. China: no topic in both years.
    assert usa["growth_yoy_pct"] == pytest.approx(20.0) and chn["growth_yoy_pct"] is None
    assert usa["growth_listed_yoy_pct"] == pytest.approx(25.0)  # the sums as listed
    assert got[("USA", 2023)]["share_of_world_pct"] == 100.0
    explain = compute("ai_developers_by_country", t, rows=True)
    assert sum(r["pushers"] for r in explain if (r["country"], r["year"]) == ("USA", 2024)) == 100


def test_holdings_by_chip_keep_each_chip_and_the_published_total(tmp_path):
    rows = [holding("China", "Nvidia", "2024-03-31", 30, "CHN", series="cumulative_by_chip") | {"chip_type": "H800"},
            holding("China", "Nvidia", "2024-03-31", 20, "CHN", series="cumulative_by_chip") | {"chip_type": "H20"},
            holding("China", "Nvidia", "2024-03-31", 50, "CHN"),
            holding("China", "AMD", "2024-03-31", 7, "CHN"),  # another designer
            holding("Meta", "Nvidia", "2024-03-31", 900, "USA"),  # another owner
            holding("China", "Nvidia", "2024-03-31", 5, "CHN", series="quarter")]  # another series
    t = tables(tmp_path, ai_chip_owners=rows)
    got = {r["chip"]: r for r in compute("chip_holdings_by_chip", t)}
    assert {c: r["value"] for c, r in got.items()} == {"H800": 30, "H20": 20, "all": 50}
    assert (got["all"]["value_p5"], got["all"]["value_p95"]) == pytest.approx((40, 60))
    units = {r["chip"]: r["value"] for r in compute("chip_holdings_by_chip", t, measure="units")}
    assert units["all"] == 100
    assert {r["chip"]: r["value"] for r in compute("chip_holdings_by_chip", t, owner="Meta")} == {"all": 900}
    explained = compute("chip_holdings_by_chip", t, rows=True)
    assert {(r["chip"], r["h100e"]) for r in explained} == {("H800", 30), ("H20", 20), ("all", 50)}


@pytest.mark.parametrize("text, verdict, says", [
    # the listed sums grew 25%, like for like 20%: the data cannot tell the 25% wrong
    ("US GitHub AI developers grew 25% year on year in the first quarter of 2024.", "unverifiable",
     "like for like, over the topics listed in both periods, the change is 20%"),
    ("US GitHub AI developers grew 20% year on year in the first quarter of 2024.", "supported", "20%"),
    ("US GitHub AI developers grew 40% year on year in the first quarter of 2024.", "contradicted", "20%"),
])
def test_a_growth_only_the_listed_sums_give_is_unverifiable_with_both(tmp_path, text, verdict, says):
    write_warehouse(tmp_path, {"github_topic_pushers": [
        pushers("US", "USA", "llm", 60), pushers("US", "USA", "pytorch", 40),
        pushers("US", "USA", "llm", 50, year=2023), pushers("US", "USA", "ai", 30, year=2023)]})
    (c,) = [c for s in check_text(text, data=api.checker(home=tmp_path)).sentences for c in s.claims]
    assert c.verdict.verdict == verdict and says in c.verdict.reason, c.verdict.reason
