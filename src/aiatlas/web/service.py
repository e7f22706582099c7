"""The web layer's view of the public API: serialized calls, results cached per build, ETags."""
from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from aiatlas import api
from aiatlas.report.build import to_csv

CACHE_SIZE = 512
BUILD_TTL_S = 1.0  # how long a read build id is trusted: a swapped warehouse shows within 1 s


def dumps(obj: Any) -> bytes:
    """JSON bytes for API responses (dates as ISO text, non-ASCII kept)."""
    return json.dumps(obj, default=str, ensure_ascii=False).encode("utf-8")


class Service:
    """Runs API calls one at a time in worker threads (a DuckDB connection is not safe for
    concurrent queries) and caches their serialized results per build id. A cache hit is
    answered on the event loop without a thread hop or a lock."""

    def __init__(self, home=None):
        self.home = home
        self.lock = threading.RLock()
        self.cache: OrderedDict[tuple, Any] = OrderedDict()
        self._build: tuple[str | None, float] = (None, 0.0)
        self._catalog: list[dict[str, Any]] | None = None

    async def build_id(self) -> str:
        """The current warehouse build id, re-read at most once per BUILD_TTL_S."""
        bid, at = self._build
        if bid is None or time.monotonic() - at > BUILD_TTL_S:
            bid = await run_in_threadpool(self.read_build_id)
        return bid

    def read_build_id(self) -> str:
        with self.lock:
            bid = str(api.build_info(home=self.home)["build_id"])
        self._build = (bid, time.monotonic())
        return bid

    def indicators(self) -> list[dict[str, Any]]:
        """Registered indicators' metadata (the registry does not change while serving)."""
        if self._catalog is None:
            self._catalog = api.list_indicators()
        return self._catalog

    def meta(self, id: str) -> dict[str, Any] | None:
        return next((m for m in self.indicators() if m["id"] == id), None)

    async def cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        """The cached value for key (which must include the build id), else make() in a thread."""
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        return await run_in_threadpool(self._fill, key, make)

    def _fill(self, key: tuple, make: Callable[[], Any]) -> Any:
        with self.lock:
            hit = self.cache.get(key)
            if hit is None:
                hit = make()
                self.cache[key] = hit
                while len(self.cache) > CACHE_SIZE:
                    self.cache.popitem(last=False)
            return hit

    async def compute(self, id: str, params: dict[str, str]) -> dict[str, Any]:
        """The indicator's result with its JSON and CSV bodies, computed once per build."""
        key = ("compute", await self.build_id(), id, tuple(sorted(params.items())))
        return await self.cached(key, lambda: _bodies(api.compute(id, home=self.home, **params)))

    async def explain(self, id: str, params: dict[str, str], where: dict[str, str]) -> dict[str, Any]:
        """Source rows behind the indicator's values, with JSON and CSV bodies."""
        key = ("explain", await self.build_id(), id, tuple(sorted(params.items())),
               tuple(sorted(where.items())))
        return await self.cached(key, lambda: _bodies(
            api.explain(id, where=where, home=self.home, **params)))


def _bodies(result: api.Result) -> dict[str, Any]:
    rows = result.to_pylist()
    payload = {"meta": result.meta, "provenance": result.provenance, "build_id": result.build_id,
               "rows": rows}
    return {"result": result, "rows": rows, "json": dumps(payload),
            "csv": to_csv(rows, list(result.table.column_names)).encode("utf-8")}


def etag(build_id: str, path: str, query: str) -> str:
    """A strong ETag: the build id plus a digest of what was asked."""
    digest = hashlib.sha1(f"{path}?{query}".encode()).hexdigest()[:16]
    return f'"{build_id}-{digest}"'
