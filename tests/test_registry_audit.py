"""Every registered indicator, on the mirror: its declared columns exist and its grain is unique."""
from __future__ import annotations

import collections

import pytest
from conftest import openalex_indicators

from aiatlas import api
from aiatlas.errors import DataError


def _indicators() -> list[str]:
    """Every indicator the mirror can feed (OpenAlex works are ingested separately)."""
    return sorted({i["id"] for i in api.list_indicators()} - openalex_indicators())


@pytest.mark.parametrize("id", _indicators())
def test_declared_columns_exist_and_the_grain_identifies_one_row(built_home, id):
    meta = next(i for i in api.list_indicators() if i["id"] == id)
    result = api.compute(id, home=built_home)
    columns = result.to_arrow().column_names
    missing = [c for c in meta["grain"] + meta["value_columns"] if c not in columns]
    assert not missing, f"{id}: declared columns {missing} not in its output {columns}"
    keys = collections.Counter(tuple(row[c] for c in meta["grain"]) for row in result.to_pylist())
    repeated = {k: n for k, n in keys.items() if n > 1}
    assert not repeated, f"{id}: grain {meta['grain']} repeats in {len(repeated)} keys, e.g. {next(iter(repeated))}"
    assert result.to_arrow().num_rows > 0, f"{id}: no rows on the mirror with default parameters"
    assert api.has_data(id, home=built_home)  # told from the snapshot list without a query


def test_indicators_whose_data_is_not_in_the_build_are_told_without_a_query(built_home):
    absent = {i["id"] for i in api.list_indicators() if not api.has_data(i["id"], home=built_home)}
    assert absent and absent <= openalex_indicators()  # the works are never in the mirror
    for id in absent:
        with pytest.raises(DataError):  # their compute fails too, saying the data is missing
            api.compute(id, home=built_home)
