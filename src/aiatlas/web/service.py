"""The web layer's view of the public API: serialized calls, results cached per build, ETags."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from aiatlas import api
from aiatlas.report.build import to_csv

CACHE_SIZE = 512


def dumps(obj: Any) -> bytes:
    """JSON bytes for API responses (dates as ISO text, non-ASCII kept)."""
    return json.dumps(obj, default=str, ensure_ascii=False).encode("utf-8")


class Service:
    """Calls the API one at a time (a DuckDB connection is not safe for concurrent queries) and
    caches computed results per (build id, indicator, parameters), so repeated reads are cheap."""

    def __init__(self, home=None):
        self.home = home
        self.lock = threading.RLock()
        self.cache: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._catalog: list[dict[str, Any]] | None = None

    def build_id(self) -> str:
        """The current warehouse build id (changes when a rebuild is swapped in)."""
        with self.lock:
            return str(api.build_info(home=self.home)["build_id"])

    def indicators(self) -> list[dict[str, Any]]:
        """Registered indicators' metadata (the registry does not change while serving)."""
        if self._catalog is None:
            self._catalog = api.list_indicators()
        return self._catalog

    def meta(self, id: str) -> dict[str, Any] | None:
        return next((m for m in self.indicators() if m["id"] == id), None)

    def _cached(self, key: tuple, make) -> dict[str, Any]:
        with self.lock:
            hit = self.cache.get(key)
            if hit is not None:
                self.cache.move_to_end(key)
                return hit
            value = make()
            self.cache[key] = value
            while len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
            return value

    def compute(self, id: str, params: dict[str, str]) -> dict[str, Any]:
        """The indicator's result with its JSON and CSV bodies, computed once per build."""
        build = self.build_id()
        key = ("compute", build, id, tuple(sorted(params.items())))
        return self._cached(key, lambda: _bodies(api.compute(id, home=self.home, **params)))

    def explain(self, id: str, params: dict[str, str], where: dict[str, str]) -> dict[str, Any]:
        """Source rows behind the indicator's values, with JSON and CSV bodies."""
        build = self.build_id()
        key = ("explain", build, id, tuple(sorted(params.items())), tuple(sorted(where.items())))
        return self._cached(key, lambda: _bodies(
            api.explain(id, where=where, home=self.home, **params)))

    def snapshots(self) -> list[dict[str, Any]]:
        with self.lock:
            return api.snapshots(home=self.home)

    def call(self, fn, *args, **kwargs):
        """Run another API function under the lock."""
        with self.lock:
            return fn(*args, **kwargs)


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
