"""The web layer's view of the public API: calls in worker threads, response parts memoised per build, ETags."""
from __future__ import annotations

import asyncio
import hashlib
import time
import weakref
from collections.abc import Callable
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool

from aiatlas import api
from aiatlas.errors import UsageError
from aiatlas.report import findings, headlines
from aiatlas.results import Result
from aiatlas.results import dumps as json_text
from aiatlas.warehouse.connect import POOL_SIZE, Warehouse

CACHE_CONTROL = "public, max-age=0, must-revalidate"  # revalidate: a rebuild may land any time
BUILD_TTL_S = 1.0  # how long a read build id is trusted: a swapped warehouse shows within 1 s


class HTTPProblem(Exception):
    """An error answered as JSON with a status code and details."""

    def __init__(self, status: int, detail: str, **extra: Any):
        self.status, self.detail, self.extra = status, detail, extra


async def guard(awaitable, id: str, svc: Service | None):
    """Await an API call, turning a usage error into a 422 (listing the valid parameters)."""
    try:
        return await awaitable
    except UsageError as e:
        extra = {"valid_parameters": svc.meta(id)["parameters"]} if svc else {"indicator": id}
        raise HTTPProblem(422, str(e) + (f" ({e.hint})" if e.hint else ""), **extra) from None


def dumps(obj: Any) -> bytes:
    """JSON bytes for API responses, by the one serialiser (aiatlas.results)."""
    return json_text(obj).encode("utf-8")


class Service:
    """Runs API calls in worker threads and memoises what responses send on the warehouse
    handle (one memo per build). Misses run in parallel, at most POOL_SIZE at once (one per
    pooled connection; more would only queue in threads and contend for the GIL); the rest
    wait on the event loop. A hit is answered on the event loop without a thread hop."""

    def __init__(self, home=None):
        self.home = home
        # per vintage (None: the current warehouse): build info, the handle it was read from,
        # and when it was read
        self._info: dict[str | None, tuple[dict[str, Any], Warehouse, float]] = {}
        self._catalog: list[dict[str, Any]] | None = None
        self._meta: dict[str, dict[str, Any]] = {}  # the catalog by id
        # one limiter per event loop (a test client runs its own loop)
        self._limiters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in a worker thread, at most POOL_SIZE at once: blocking work (queries,
        serialising, rendering) never runs on the event loop, and never floods it with threads."""
        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = anyio.CapacityLimiter(POOL_SIZE)
        return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)

    async def info(self, as_of: str | None = None) -> dict[str, Any]:
        """The build info of the current warehouse (or of the vintage built for `as_of`),
        re-read at most once per BUILD_TTL_S."""
        info, _, at = self._info.get(as_of, (None, None, 0.0))
        if info is None or time.monotonic() - at > BUILD_TTL_S:
            info = await run_in_threadpool(self.read_info, as_of)
        return info

    async def build_id(self, as_of: str | None = None) -> str:
        """What cached values and ETags are keyed by: the id of the build that answers (the
        vintage's own for `as_of`); every input, ingested datasets included, is a snapshot the
        build records."""
        return _version(await self.info(as_of))

    def read_info(self, as_of: str | None = None) -> dict[str, Any]:
        return self._seen(api.warehouse(home=self.home, as_of=as_of), as_of)

    def _seen(self, w: Warehouse, as_of: str | None) -> dict[str, Any]:
        """Trust this handle's build info for the next BUILD_TTL_S."""
        info = dict(w.info)
        self._info[as_of] = (info, w, time.monotonic())
        return info

    def indicators(self) -> list[dict[str, Any]]:
        """Registered indicators' metadata (the registry does not change while serving)."""
        if self._catalog is None:
            self._meta = {m["id"]: m for m in api.list_indicators()}
            self._catalog = list(self._meta.values())
        return self._catalog

    def meta(self, id: str) -> dict[str, Any] | None:
        """One indicator's metadata (asked several times per request: a dict, not a scan)."""
        if self._catalog is None:
            self.indicators()
        return self._meta.get(id)

    async def cached(self, build: str, key: tuple, make: Callable[[], Any],
                     as_of: str | None = None) -> Any:
        """The value memoised for key under this build id, on the memo of the build that
        answers (the vintage's for `as_of`), else make() in a worker thread."""
        hit = self._handle(build, as_of).peek(("web", build, *key))
        if hit is not None:
            return hit
        return await self.run(self._fill, build, key, make, as_of)

    def _handle(self, build: str, as_of: str | None) -> Warehouse:
        """The handle of this build: the one its info was read from (no path resolved, no
        file looked at), else whatever the warehouse file is now."""
        _, w, _ = self._info.get(as_of, (None, None, 0.0))
        if w is not None and _version(w.info) == build:
            return w
        return api.warehouse(home=self.home, as_of=as_of)

    def _fill(self, build: str, key: tuple, make: Callable[[], Any], as_of: str | None,
              w: Warehouse | None = None) -> Any:
        """make()'s value memoised under key on the handle of the warehouse file there now
        (`w`: one a caller in this thread just took)."""
        w = w or api.warehouse(home=self.home, as_of=as_of)
        # A rebuild may have swapped the warehouse since `build` was read: then make() sees
        # the new file, its value must not be filed under the old build id, and the new id
        # is what the next request is answered under.
        keep = _version(w.info) == build
        if not keep:
            self._seen(w, as_of)
        return w.memo(("web", build, *key), make, keep=keep)

    async def headlines(self, build: str | None = None) -> list[dict[str, Any]]:
        """Headline numbers (declared in report/headlines.yaml), computed once per build."""
        return await self.cached(build or await self.build_id(), ("headlines",),
                                 lambda: headlines.evaluate_all(home=self.home))

    async def available(self, build: str | None = None) -> dict[str, bool]:
        """Per indicator, whether this build holds its data (api.has_data: no query run), once
        per build."""
        return await self.cached(build or await self.build_id(), ("available",),
                                 lambda: {m["id"]: api.has_data(m["id"], home=self.home)
                                          for m in self.indicators()})

    async def findings(self, lang: str, build: str | None = None) -> list[dict[str, Any]]:
        """The report's key findings in one language (report/findings.yaml), computed once per
        build: the dashboard states the same sentences as the static report."""
        return await self.cached(build or await self.build_id(), ("findings", lang),
                                 lambda: findings.evaluate(lang, home=self.home))

    async def compute(self, id: str, params: dict[str, str], build: str | None = None,
                      part: str = "result") -> Any:
        """The indicator's Result, or what a response sends of it (PARTS: "rows", "json",
        "csv"); each made once per build, when first needed."""
        as_of = vintage(params.get("as_of"))
        return await self.part(build or await self.build_id(as_of),
                               ("compute", id, tuple(sorted(params.items()))), part,
                               lambda: api.compute(id, home=self.home, **params), as_of)

    async def explain(self, id: str, params: dict[str, str], where: dict[str, str],
                      build: str | None = None, part: str = "result") -> Any:
        """Source rows behind the indicator's values: the Result or one of its PARTS."""
        key = ("explain", id, tuple(sorted(params.items())), tuple(sorted(where.items())))
        as_of = vintage(params.get("as_of"))
        return await self.part(build or await self.build_id(as_of), key, part,
                               lambda: api.explain(id, where=where, home=self.home, **params), as_of)

    async def part(self, build: str, key: tuple, part: str, make: Callable[[], Result],
                   as_of: str | None = None) -> Any:
        """One part of the Result that make() gives, memoised per build under key + part: the
        Result is made once, and each part from it when a response first needs that part."""
        if part == "result":
            return await self.cached(build, (*key, part), make, as_of)
        hit = self._handle(build, as_of).peek(("web", build, *key, part))
        if hit is not None:
            return hit
        return await self.run(self._part, build, key, part, make, as_of)

    def _part(self, build: str, key: tuple, part: str, make: Callable[[], Result],
              as_of: str | None) -> Any:
        """The part, and the Result it is made from, each memoised on one handle."""
        w = api.warehouse(home=self.home, as_of=as_of)
        return self._fill(build, (*key, part), lambda: PARTS[part](
            self._fill(build, (*key, "result"), make, as_of, w)), as_of, w)


def vintage(as_of: str | None) -> str | None:
    """The vintage a request names (?as_of=YYYY-MM-DD) as ISO text; None: the current warehouse."""
    try:
        day = api.settings_date(as_of)
    except UsageError as e:
        raise HTTPProblem(422, str(e)) from None
    return day.isoformat() if day else None


def _version(info: dict[str, Any]) -> str:
    return str(info["build_id"])


# What a response sends of a Result, each made from it by the one serialiser when first needed
PARTS: dict[str, Callable[[Result], Any]] = {
    "rows": Result.to_pylist,
    "json": lambda r: r.to_json().encode("utf-8"),
    "csv": lambda r: r.to_csv().encode("utf-8"),
}


def etag(build_id: str, path: str, query: str) -> str:
    """A strong ETag: the build id plus a digest of what was asked."""
    digest = hashlib.sha1(f"{path}?{query}".encode()).hexdigest()[:16]
    return f'"{build_id}-{digest}"'


def validators(request, build_id: str) -> tuple[dict[str, str], bool]:
    """The ETag and Cache-Control headers for this build and URL, and whether the client's
    If-None-Match already names that ETag (answer 304)."""
    tag = etag(build_id, request.url.path, request.url.query)
    # RFC 9110: If-None-Match compares weakly (a W/ prefix still matches), and * matches any
    asked = [t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")]
    fresh = tag in asked or "*" in asked
    return {"ETag": tag, "Cache-Control": CACHE_CONTROL}, fresh
