"""A value's as-of date comes from the sources its value is read from, not from those joined
only for names (Indicator.joins, query.provenance, registry.data_as_of)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from aiatlas import query
from aiatlas.indicators import registry as indicators
from aiatlas.sources import registry

SNAPSHOTS = [{"source": "epoch_benchmarks", "as_of": "2025-11-17"},
             {"source": "epoch_notable_models", "as_of": "2026-07-19"},
             {"source": "lmarena_history", "as_of": "2025-02-27"},
             {"source": "lmarena_catalog", "as_of": "2025-12-11"}]


def test_a_source_read_only_for_names_does_not_date_an_arena_value():
    prov = query.provenance(SimpleNamespace(snapshots=SNAPSHOTS), indicators.get("arena_gap"))
    roles = {p["source"]: p.get("role") for p in prov}
    assert roles["epoch_benchmarks"] == roles["epoch_notable_models"] == "joined"
    assert roles["lmarena_catalog"] is None
    assert registry.data_as_of(prov) == dt.date(2025, 12, 11)  # the leaderboard's, not 2025-11-17


def test_the_benchmark_hub_dates_a_benchmark_value():
    prov = query.provenance(SimpleNamespace(snapshots=SNAPSHOTS), indicators.get("benchmark_gap"))
    roles = {p["source"]: p.get("role") for p in prov}
    assert roles["epoch_benchmarks"] is None and roles["lmarena_catalog"] == "joined"
    assert registry.data_as_of(prov) == dt.date(2025, 11, 17)


def test_joined_sources_alone_still_date_the_data():
    prov = [{"source": "epoch_benchmarks", "as_of": "2025-11-17", "role": "joined"}]
    assert registry.data_as_of(prov) == dt.date(2025, 11, 17)
