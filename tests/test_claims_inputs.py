"""Input safety of `aiatlas check`: encodings, binary, size, claims-file YAML; never a traceback."""
from __future__ import annotations

import contextlib

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiatlas import api
from aiatlas.claims import inputs
from aiatlas.claims.check import check_claims_file, check_text
from aiatlas.claims.inputs import decode
from aiatlas.errors import AiatlasError, DataError

ARTICLE = "2024年の注目AIモデル数は米国が57件、中国が31件だった。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "shift_jis", "cp932", "euc_jp",
                                      "iso2022_jp", "utf-16", "utf-32"])
def test_japanese_in_any_common_encoding_reads_back(encoding):
    assert decode(ARTICLE.encode(encoding), "x").lstrip("\ufeff") == ARTICLE


def test_html_meta_charset_is_honoured():
    page = (b'<html><head><meta charset="Shift_JIS"></head><body><p>' + ARTICLE.encode("shift_jis")
            + b"</p></body></html>")
    assert ARTICLE in decode(page, "page.html")


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
                                  b"\x00\x01\x02\x03" * 200, b"%PDF-1.4\n\x00\xff\xfe" * 50])
def test_binary_is_refused_in_one_line(data):
    with pytest.raises(DataError, match="not text"):
        decode(data, "blob.bin")


def test_oversized_input_is_refused_with_the_limit(monkeypatch):
    monkeypatch.setattr(inputs, "MAX_BYTES", 100)
    with pytest.raises(DataError, match=r"over the 0 MB limit|over the .* limit"):
        decode(b"a" * 101, "big.txt")


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_are_text_or_a_data_error(data):
    try:
        text = decode(data, "x")
    except DataError:
        return
    extract_only = check_text(text, data=api.checker(home="/nonexistent-aiatlas-home"))  # no warehouse: no traceback
    assert extract_only.counts()["contradicted"] == 0


@settings(max_examples=examples(100), deadline=None)
@given(st.text(max_size=120), st.sampled_from(["utf-8", "shift_jis", "euc_jp", "utf-16", "cp1252",
                                               "gb18030", "iso2022_jp"]))
def test_random_text_in_random_encodings_never_tracebacks(text, encoding):
    data = text.encode(encoding, errors="replace")
    with contextlib.suppress(DataError):
        decode(data, "x")


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
                    st.dates())
_ENTRY = st.dictionaries(st.sampled_from(["text", "value", "kind", "indicator", "where", "params",
                                          "fact", "tolerance", "year", "date", "pattern", "colour",
                                          "qualifier", "high", "scale"]),
                         st.one_of(_VALUES, st.lists(_VALUES, max_size=3),
                                   st.dictionaries(st.text(max_size=5), _VALUES, max_size=3)),
                         max_size=6)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.lists(_ENTRY, max_size=3).map(lambda x: {"claims": x}), _VALUES,
                 st.lists(_VALUES, max_size=3)))
def test_random_claims_files_are_verdicts_or_one_line_errors(tmp_path, doc):
    import yaml

    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        check_claims_file(path, data=api.checker(home=tmp_path / "no-home"))
    except AiatlasError as e:
        assert "\n" not in str(e)


def test_cli_refuses_a_binary_file_with_exit_1(tmp_path, aiatlas_cli):
    blob = tmp_path / "photo.txt"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    run = aiatlas_cli("check", blob)
    assert run.returncode == 1 and "not text" in run.stderr and "Traceback" not in run.stderr


def test_cli_unknown_indicator_in_a_claims_file_is_exit_2(tmp_path, aiatlas_cli):
    bad = tmp_path / "claims.yaml"
    bad.write_text("claims:\n  - {value: 3, indicator: no_such_indicator}\n", encoding="utf-8")
    run = aiatlas_cli("check", bad, "--home", tmp_path)
    assert run.returncode == 2 and "unknown indicator" in run.stderr, run.stderr
