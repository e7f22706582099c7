"""The export-control timeline for a destination, read from the rules as data."""
from __future__ import annotations

import datetime as dt

from aiatlas.export_controls import rules, timeline


def test_china_timeline_is_dated_and_ordered():
    events = timeline.events(rules.load(), "CHN")
    by_id = {e["id"]: e for e in events}
    assert by_id["us-2022-10"]["date"] == dt.date(2022, 10, 7)
    assert by_id["us-2022-10"]["standing"] == "in force"
    assert by_id["us-2025-01-diffusion"]["standing"] == "never enforced"
    assert by_id["h20-2025-04"]["chips"] == ["NVIDIA HGX H20"]
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    assert all(e["citation"] for e in events)


def test_hong_kong_is_looked_up_as_china_and_japan_has_no_step():
    assert [e["id"] for e in timeline.events(rules.load(), "HKG")] == [
        e["id"] for e in timeline.events(rules.load(), "CHN")]
    assert timeline.events(rules.load(), "JPN") == []
