"""The warehouse handle's memo is bounded in bytes: LRU eviction, oversized values not kept."""
from __future__ import annotations

import json

import publish_support as ps
import pyarrow as pa
import pytest

from aiatlas.config import MEMO_MAX_BYTES, settings
from aiatlas.errors import UsageError
from aiatlas.warehouse import connect as wh


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    """A handle whose memo may hold 100 bytes (set the way a user would: the environment)."""
    monkeypatch.setenv("AIATLAS_MEMO_MAX_BYTES", "100")
    ps.write_warehouse(tmp_path, build_id="build-1")
    return wh.connect(settings(home=tmp_path))


def test_the_budget_is_declared_and_settable():
    assert settings(home=".").memo_max_bytes == MEMO_MAX_BYTES == 64 * 1024 * 1024


def test_a_bad_budget_is_a_usage_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("AIATLAS_MEMO_MAX_BYTES", "lots")
    with pytest.raises(UsageError, match="AIATLAS_MEMO_MAX_BYTES"):
        settings(home=".")


def test_the_least_recently_used_entries_are_evicted_by_bytes(tiny):
    assert tiny.memo_max_bytes == 100
    tiny.memo(("a",), lambda: b"a" * 40)
    tiny.memo(("b",), lambda: b"b" * 40)
    assert tiny.memo_bytes() == 80
    assert tiny.peek(("a",)) == b"a" * 40  # a is now more recent than b
    tiny.memo(("c",), lambda: b"c" * 40)  # 120 bytes > 100: the least recent (b) goes
    assert tiny.peek(("b",)) is None
    assert tiny.peek(("a",)) == b"a" * 40 and tiny.peek(("c",)) == b"c" * 40
    assert tiny.memo_bytes() == 80
    tiny.memo(("d",), lambda: b"d" * 90)  # needs both a and c gone
    assert tiny.peek(("a",)) is None and tiny.peek(("c",)) is None
    assert tiny.memo_bytes() == 90


def test_a_value_bigger_than_the_budget_is_served_but_not_kept(tiny):
    tiny.memo(("small",), lambda: b"s" * 30)
    calls = []

    def big():
        calls.append(1)
        return b"B" * 101

    assert tiny.memo(("big",), big) == b"B" * 101
    assert tiny.peek(("big",)) is None and tiny.memo(("big",), big) == b"B" * 101
    assert calls == [1, 1]  # computed again each time: it never displaced what fits
    assert tiny.peek(("small",)) == b"s" * 30 and tiny.memo_bytes() == 30


def test_entries_are_sized_by_arrow_nbytes_and_their_bodies():
    table = pa.table({"v": list(range(1000))})
    assert wh.value_bytes(table) == table.nbytes == 8000
    body = {"json": b"x" * 500, "csv": b"y" * 300}
    assert wh.value_bytes(body) == 800 + len("json") + len("csv")
    assert wh.value_bytes([{"v": 1}]) == len('[{"v": 1}]')
    assert wh.value_bytes("é") == 2


def test_a_scalar_is_sized_as_its_json_text():
    """None, booleans and integers are counted without writing them as JSON, at its length."""
    values = {"n": None, "t": True, "f": False, "i": -1234, "z": 0, "big": 10**30}
    assert wh.value_bytes(values) == sum(len(k) + len(json.dumps(v)) for k, v in values.items())


def test_a_pinned_engine_handle_outlives_eviction_and_forget(tiny):
    engine = object()
    tiny.memo(("engine",), lambda: engine, pin=True)
    tiny.memo(("a",), lambda: b"a" * 60)
    tiny.memo(("b",), lambda: b"b" * 60)  # evicts a, never the pinned handle
    assert tiny.peek(("engine",)) is engine and tiny.peek(("a",)) is None
    tiny.forget()
    assert tiny.peek(("engine",)) is engine and tiny.peek(("b",)) is None
    assert tiny.memo_bytes() == 0
