"""Asking for a vintage that was never built is the caller's choice of date, not a server fault."""
from __future__ import annotations

import publish_support as ps
import pytest
from fastapi.testclient import TestClient

from aiatlas import api
from aiatlas.errors import NotBuiltError
from aiatlas.web.app import create_app


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    yield from ps.fixture_home(tmp_path_factory, "vintagehome")


def test_http_answers_404_naming_the_date_and_no_path(home):
    client = TestClient(create_app(home=home))
    r = client.get("/api/indicators/test_open_share.json", params={"as_of": "2169-05-26"})
    assert r.status_code == 404
    body = r.json()
    assert "2169-05-26" in body["detail"] and "aiatlas build --as-of 2169-05-26" in body["hint"]
    assert str(home) not in r.text and "warehouse.duckdb" not in r.text


def test_python_api_raises_the_not_built_error_with_the_date(home):
    with pytest.raises(NotBuiltError, match="no vintage of the data as of 2169-05-26"):
        api.compute("test_open_share", home=home, as_of="2169-05-26")
