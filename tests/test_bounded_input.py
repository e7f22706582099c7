"""Bounded input: URLs to check stop at a size cap and a deadline; YAML bombs and huge numbers
are refused where they are parsed, so no output ever carries Infinity."""
from __future__ import annotations

import contextlib
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import serve_in_thread

from aiatlas import api, results, safe_yaml
from aiatlas.claims import numbers
from aiatlas.claims.check import check_claims_file
from aiatlas.claims.inputs import read_input
from aiatlas.curated import loader
from aiatlas.errors import DataError, FetchError

BOMB = """a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
claims: [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.fixture
def hostile_server():
    """Loopback server: /endless streams forever, /trickle sends one byte every 0.2 s."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            with contextlib.suppress(OSError):
                while True:
                    if self.path == "/endless":
                        self.wfile.write(b"In 2024 the US built 40 models. " * 2048)
                    else:
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.2)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    serve_in_thread(httpd)
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_an_endless_article_stops_at_the_size_cap(hostile_server, monkeypatch):
    monkeypatch.setenv("AIATLAS_CHECK_MAX_BYTES", str(2 << 20))
    with pytest.raises(FetchError, match=r"/endless: larger than 2097152 bytes") as e:
        read_input(hostile_server + "/endless")
    assert "AIATLAS_FETCH_MAX_BYTES" in e.value.hint or "MAX_BYTES" in e.value.hint


def test_a_trickling_article_stops_at_the_deadline(hostile_server, monkeypatch):
    monkeypatch.setenv("AIATLAS_CHECK_DEADLINE", "1")
    with pytest.raises(FetchError, match=r"/trickle: not complete within 1 s"):
        read_input(hostile_server + "/trickle", timeout=5)


def test_an_alias_bomb_claims_file_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text(BOMB)
    with pytest.raises(DataError, match=r"claims.yaml:2:8: YAML alias \*a is not allowed"):
        check_claims_file(path, data=api.checker(home=tmp_path))


def test_curated_fact_files_refuse_aliases_too(tmp_path):
    path = tmp_path / "ai_adoption.yaml"
    path.write_text("sources: {s: &s {url: x}}\nfacts:\n  - *s\n")
    with pytest.raises(DataError, match=r"ai_adoption.yaml:3:5: YAML alias \*s is not allowed"):
        loader.read_file(path)


def test_oversized_yaml_is_refused_by_size(monkeypatch):
    monkeypatch.setattr(safe_yaml, "MAX_BYTES", 100)
    with pytest.raises(DataError, match="x.yaml: 101 characters of YAML"):
        safe_yaml.load("a: " + "b" * 98, "x.yaml")


def test_a_200000_digit_number_is_no_claim_number():
    text = "In 2024 the US built " + "9" * 200_000 + " models and 1e400 more, then 40."
    assert [n.value for n in numbers.spot_en(text)] == [2024.0, 40.0]
    # figures up to numbers.MAX_ABS are claims (training compute runs to 10^26 FLOP); longer is junk
    assert [n.value for n in numbers.spot_en("1" + "0" * 30 + " and 10")] == [10.0]
    assert [n.value for n in numbers.spot_en("3.8e25 FLOP")] == [3.8e25]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e400", "9" * 31])
def test_structured_claims_refuse_values_json_cannot_carry(tmp_path, value):
    path = tmp_path / "claims.yaml"
    path.write_text(f"claims:\n  - {{indicator: x, value: {value}}}\n")
    with pytest.raises(DataError, match=r"claim 1: field 'value': value, high, year, scale and "
                                        r"tolerance must be numbers \(at most 1e\+30 in size\)"):
        check_claims_file(path, data=api.checker(home=tmp_path))


def test_json_output_has_no_nan_or_infinity_and_scripts_cannot_be_closed():
    text = results.dumps({"a": float("nan"), "b": [float("inf"), 1.5]})
    assert json.loads(text) == {"a": None, "b": [None, 1.5]}
    embedded = results.script_json({"name": "</script><script>alert(1)</script>&\u2028"})
    assert "<" not in embedded and ">" not in embedded and "&" not in embedded
    assert "\u2028" not in embedded
    assert json.loads(embedded) == {"name": "</script><script>alert(1)</script>&\u2028"}
