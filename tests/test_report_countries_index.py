"""The report's country pages are keyed by known ISO3 codes only."""
from __future__ import annotations

from aiatlas import composite_index
from aiatlas.report import countries


def test_index_leaves_out_values_that_are_not_country_codes(monkeypatch):
    rows = [{"country": c, "rank": i} for i, c in
            enumerate(["USA", "WLD", "chn", "CHN</script>", "../x", None, "ZZZ"], 1)]
    monkeypatch.setattr(composite_index, "composite", lambda home=None: {"countries": rows})
    assert [r["country"] for r in countries.index()] == ["USA", "chn"]
