"""Parameters are checked against their declared bounds: 422 over HTTP, exit 2 in the CLI."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aiatlas.errors import UsageError
from aiatlas.export_controls.classify import specs_from_figures
from aiatlas.indicators import registry
from aiatlas.web.app import create_app

HUGE = "9" * 25  # beyond int64


@pytest.fixture(scope="module")
def client(tiny_home):
    return TestClient(create_app(home=tiny_home), raise_server_exceptions=False)


def _int_params():
    """(indicator, parameter) for every declared int parameter of every indicator."""
    return [(ind.id, p.name) for ind in registry.load_all().values() for p in ind.params if p.type is int]


def test_every_int_parameter_refuses_numbers_beyond_64_bits():
    pairs = _int_params()
    assert pairs
    for id_, name in pairs:
        param = next(p for p in registry.get(id_).params if p.name == name)
        for value in (HUGE, "-" + HUGE):
            with pytest.raises(UsageError, match=f"parameter {name}=.* is out of range"):
                param.coerce(value)


@pytest.mark.parametrize("query", [f"since={HUGE}", f"until=-{HUGE}", "since=0", "until=10000"])
@pytest.mark.parametrize("suffix", ["", ".csv", "/explain", "/explain.csv"])
def test_out_of_range_years_are_422_with_one_line(client, query, suffix):
    r = client.get(f"/api/indicators/notable_models_by_country{suffix}?{query}")
    assert r.status_code == 422
    assert "is out of range (expected 1 to 9999)" in r.json()["detail"]


def test_a_huge_limit_is_422(client):
    r = client.get(f"/api/indicators/top_organizations?limit={HUGE}")
    assert r.status_code == 422 and "out of range" in r.json()["detail"]


@pytest.mark.parametrize("figure", ["1e400", "nan", "-inf", "-1", "9" * 400])
def test_chip_figures_must_be_finite_and_plausible(client, figure):
    r = client.get(f"/api/chips/classify?int8_tops={figure}")
    assert r.status_code == 422 and "chip figure int8_tops=" in r.json()["detail"]
    with pytest.raises(UsageError):
        specs_from_figures(int8_tops=float(figure))


def test_cli_out_of_range_is_exit_2_and_one_line(tiny_home, aiatlas_cli):
    res = aiatlas_cli("show", "notable_models_by_country", "-p", f"since={HUGE}", "--home", tiny_home)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) <= 3
    assert "is out of range" in res.stderr
