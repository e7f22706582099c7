"""The generated reference pages match the registries (run `make docs` when this fails)."""
from __future__ import annotations

import pytest
from conftest import REPO

from aiatlas import api, reference
from aiatlas.sources.registry import SOURCES


@pytest.mark.parametrize("name", sorted(reference.GENERATED))
def test_generated_docs_are_up_to_date(name):
    on_disk = (REPO / "docs" / name).read_text(encoding="utf-8")
    assert on_disk == reference.GENERATED[name](), f"run `make docs` to regenerate docs/{name}"


def test_every_indicator_and_source_file_is_documented():
    indicators = reference.indicators_markdown()
    for ind in api.list_indicators():
        assert f"### `{ind['id']}`" in indicators
        for p in ind["parameters"]:
            assert f"| `{p['name']}` |" in indicators
    sources = reference.sources_markdown()
    for s in SOURCES:
        assert f"## `{s.id}`" in sources
        assert all(f"`{f.mirror_path}`" in sources for f in s.files)
