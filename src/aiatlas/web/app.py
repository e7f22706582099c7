"""The read-only HTTP API (JSON and CSV mirroring the Python API) and the dashboard, on FastAPI."""
from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import sys
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Path, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, Response

from aiatlas import api
from aiatlas.claims.http import MAX_BODY_BYTES, MAX_CHARS, check_request
from aiatlas.errors import AiatlasError, DataError, NotBuiltError, UsageError, VintageNotBuiltError
from aiatlas.web import download, view
from aiatlas.web.pages import add_pages
from aiatlas.web.security import GuardMiddleware, csp, inline_script_hashes, redact
from aiatlas.web.service import HTTPProblem, Service, dumps, guard, validators, vintage
from aiatlas.web.standing import add_standing

CORS_ENV = "AIATLAS_CORS_ORIGINS"  # comma-separated origins; CORS stays off when unset
WHERE_PREFIX = "where."
# How long a thread holding the GIL runs before a waiting one may take it (Python's default:
# 5 ms). The event loop waits that long each time it wants the GIL back from a miss's worker
# thread, several times per request; served with a shorter slice, a cached answer is not held
# up behind a query's Python parts.
SWITCH_INTERVAL_S = 0.001
TEXT_ARGS = ("name", "rules", "rules_as_of", "as_of", "destination", "to", "on", "figures")  # chip query values never read as numbers


@asynccontextmanager
async def _serving(app: FastAPI):
    """While the server runs, everything loaded at start-up (Ibis, pyarrow, the registry, the
    app, and the query engine's lazily loaded parts, loaded now) is frozen out of the garbage
    collector: otherwise its full passes over those ~200,000 objects stall every request at
    once for 100-200 ms."""
    with contextlib.suppress(AiatlasError):  # nothing built yet: each request says so
        api.warehouse(home=app.state.service.home).warm()
    gc.freeze()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.unfreeze()


def create_app(home=None) -> FastAPI:
    """The FastAPI application serving the warehouse in `home` (default: settings)."""
    svc = Service(home)
    ids = [m["id"] for m in svc.indicators()]
    app = FastAPI(title="aiatlas", version="1", docs_url=None, redoc_url=None, lifespan=_serving,
                  description="Read-only API over the aiatlas warehouse: indicators, explain rows, "
                              "snapshots, chips. Every response carries an ETag from the build id.")
    app.state.service = svc

    @app.get("/docs", include_in_schema=False)
    async def api_docs():
        # FastAPI's default page loads Swagger UI from a CDN; serve the packaged copy instead.
        page = get_swagger_ui_html(openapi_url=app.openapi_url, title="aiatlas API",
                                   swagger_js_url="/static/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui.css",
                                   swagger_favicon_url="data:,")
        # Swagger UI starts from one inline script: allow exactly that script by its hash.
        page.headers["content-security-policy"] = csp(inline_script_hashes(page.body.decode()))
        return page
    origins = [o.strip() for o in os.environ.get(CORS_ENV, "").split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET"])
    app.add_middleware(GuardMiddleware)

    @app.exception_handler(HTTPProblem)
    async def _problem(request: Request, exc: HTTPProblem):
        return JSONResponse({"detail": exc.detail, **exc.extra}, status_code=exc.status)

    @app.exception_handler(NotBuiltError)
    async def _not_built(request: Request, exc: NotBuiltError):
        return JSONResponse({"detail": str(exc), "hint": exc.hint}, status_code=503)

    @app.exception_handler(VintageNotBuiltError)
    async def _no_vintage(request: Request, exc: VintageNotBuiltError):
        hint = exc.hint
        if request.url.path.startswith("/api/chips"):  # as_of was once the rule date here
            hint += "; as_of is the data vintage: the rule set in force on a date is rules_as_of"
        return JSONResponse({"detail": str(exc), "hint": hint}, status_code=404)

    @app.exception_handler(DataError)
    async def _no_data(request: Request, exc: DataError):
        # e.g. an OpenAlex indicator before any ingest: the values do not exist here
        return JSONResponse({"detail": str(exc), "hint": exc.hint}, status_code=404)

    # Declared so the OpenAPI spec (and tools driven by it) know the ids and parameter names.
    id_path = Path(..., description="Indicator id", json_schema_extra={"enum": ids})
    param_docs = _param_docs(svc.indicators())

    @app.get("/api/indicators", summary="List indicators")
    async def list_indicators(request: Request, chapter: str | None = None):
        inds = [m for m in svc.indicators() if chapter in (None, m["chapter"])]
        return await _respond(request, svc, ("list", chapter), lambda: dumps({"indicators": inds}),
                              "application/json")

    async def _indicator(request: Request, id: str, fmt: str):
        params = _params(svc, id, request)
        shown = _view(svc, id, request)

        as_of = vintage(params.get("as_of"))

        async def body(b):
            if fmt != "zip" and not shown:
                return await guard(svc.compute(id, params, b, part=fmt), id, svc)
            result = await guard(svc.compute(id, params, b), id, svc)
            if fmt == "zip":
                query = list(params.items()) + shown.query()
                page = (str(request.base_url).rstrip("/") + f"/indicators/{id}"
                        + (f"?{urlencode(query)}" if query else ""))
                key = ("zip", id, tuple(sorted(params.items())), tuple(shown.query()), page)
                return await svc.cached(b, key, lambda: _zip(svc, id, result, shown, page), as_of)
            # with ?country=/&time=: exactly the rows the dashboard shows
            key = ("view", id, tuple(sorted(params.items())), tuple(shown.query()))
            return await svc.part(b, key, fmt, lambda: view.apply(shown, result), as_of)

        return await _respond(request, svc, None, None, _MEDIA[fmt], filename=f"{id}.{fmt}",
                              body=body)

    @app.get("/api/indicators/{id}.csv", summary="Indicator values as CSV",
             openapi_extra={"parameters": param_docs})
    async def indicator_csv(request: Request, id: str = id_path):
        return await _indicator(request, id, "csv")

    @app.get("/api/indicators/{id}.json", summary="Indicator values as JSON",
             openapi_extra={"parameters": param_docs})
    async def indicator_json(request: Request, id: str = id_path):
        return await _indicator(request, id, "json")

    @app.get("/api/indicators/{id}.zip", summary="The view as a zip: its CSV, metadata.json "
             "(parameters, build, data as-of, sources with licences) and a README with the citation",
             openapi_extra={"parameters": param_docs})
    async def indicator_zip(request: Request, id: str = id_path):
        return await _indicator(request, id, "zip")

    @app.get("/api/indicators/{id}", summary="Indicator values (JSON)",
             openapi_extra={"parameters": param_docs})
    async def indicator(request: Request, id: str = id_path):
        return await _indicator(request, id, "json")

    async def _explain(request: Request, id: str, fmt: str):
        params, where = _params(svc, id, request, allow_where=True)
        if not svc.meta(id)["explainable"]:
            raise HTTPProblem(404, f"indicator {id!r} has no row-level explanation")
        return await _respond(request, svc, None, None, _MEDIA[fmt], filename=f"{id}-explain.{fmt}",
                              body=lambda b: guard(svc.explain(id, params, where, b, part=fmt), id, None))

    @app.get("/api/indicators/{id}/explain", summary="Source rows behind the values (JSON); "
             "narrow with where.<column>=value", openapi_extra={"parameters": param_docs})
    async def explain(request: Request, id: str = id_path):
        return await _explain(request, id, "json")

    @app.get("/api/indicators/{id}/explain.csv", summary="Source rows behind the values (CSV)",
             openapi_extra={"parameters": param_docs})
    async def explain_csv(request: Request, id: str = id_path):
        return await _explain(request, id, "csv")

    @app.get("/api/headlines", summary="The report's headline numbers, or why each is missing")
    async def headlines_route(request: Request):
        async def body(build):
            found = await svc.headlines(build)
            return await svc.cached(build, ("headlines", "json"), lambda: dumps({"headlines": found}))

        return await _respond(request, svc, None, None, "application/json", body=body)

    @app.get("/api/snapshots", summary="Snapshots the warehouse was built from")
    async def snapshots(request: Request):
        # a snapshot fetched from a local mirror records its path: the folders stay private
        return await _respond(request, svc, ("snapshots",), lambda: dumps(
            {"snapshots": [dict(r, url=redact(r["url"] or "")) for r in api.snapshots(home=home)]}),
            "application/json")

    @app.get("/api/build", summary="The warehouse build id")
    async def build(request: Request):
        # the same build info the ETags and caches use, so a new id here means new values there
        info = await svc.info(vintage(request.query_params.get("as_of")))
        return await _respond(request, svc, ("build",), lambda: dumps(info), "application/json")

    @app.post("/api/check", summary="Check the numeric claims of a text (English or Japanese)",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"type": "object", "required": ["text"], "properties": {
                      "text": {"type": "string", "maxLength": MAX_CHARS},
                      "lang": {"type": "string", "enum": ["auto", "en", "ja"]},
                      "dated": {"type": "string", "format": "date",
                                "description": "the article's date: 'last year', 昨年 ... are read from it"}}},
                  "example": {"text": "In 2024 the US built 40 notable AI models.", "lang": "auto"}}}}})
    async def post_check(request: Request):
        # Only a text is checked: a URL in it is never fetched for a client (no server-side
        # requests on a client's behalf), and the body is capped before it is parsed.
        try:
            text, lang, dated = check_request(await _json_body(request, MAX_BODY_BYTES))
        except UsageError as e:
            raise HTTPProblem(422, str(e)) from None
        report = await svc.run(functools.partial(api.check, text, lang=lang, home=home, as_text=True,
                                                   dated=dated))
        return Response(dumps(report.to_dict()), media_type="application/json")

    @app.get("/api/chips", summary="Accelerators with their export-control classification")
    async def chips(request: Request):
        return await _chips_route(request, svc, api.chips, "chips")

    @app.get("/api/chips/classify", summary="Classify one chip by name or by its specs")
    async def chips_classify(request: Request):
        return await _chips_route(request, svc, api.classify_chip, "classify_chip")

    @app.get("/api/chips/can-export", summary="May a chip be exported: ?name=H20&to=CHN&on=2025-06-01")
    async def chips_can_export(request: Request):
        return await _chips_route(request, svc, api.can_export, "can_export")

    add_pages(app, svc)
    add_standing(app, svc)
    return app


_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8", "zip": "application/zip"}
VINTAGE_PARAM = {"name": "as_of", "in": "query", "required": False,
                 "description": "Answer from the vintage built for this date (YYYY-MM-DD; "
                                "`aiatlas build --as-of`); default: the current warehouse",
                 "schema": {"type": "string", "format": "date"}}


async def _json_body(request: Request, limit: int) -> Any:
    """The request body parsed as JSON; 413 past `limit` bytes (counted while reading)."""
    if int(request.headers.get("content-length") or 0) > limit:
        raise HTTPProblem(413, f"request body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPProblem(413, f"request body over {limit} bytes")
    try:
        return json.loads(body)
    except ValueError:
        raise HTTPProblem(422, "request body is not JSON") from None


def _param_docs(inds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every declared parameter name as an optional query parameter (each indicator checks its own)."""
    seen: dict[str, dict[str, Any]] = {}
    for m in inds:
        for p in m["parameters"]:
            seen.setdefault(p["name"], {"name": p["name"], "in": "query", "required": False,
                                        "description": p["help"], "schema": {"type": "string"}})
    return list(seen.values()) + [VINTAGE_PARAM]


def _zip(svc: Service, id: str, result, shown: view.View, page: str) -> bytes:
    """The download zip of a view (in a worker thread, memoised per build); 413 past the cap."""
    try:
        return download.package(view.apply(shown, result), svc.meta(id), svc.read_info(), page)
    except download.TooLarge as e:
        raise HTTPProblem(413, str(e)) from None


def _view(svc: Service, id: str, request: Request) -> view.View:
    """The request's view (?country=USA~CHN&time=2015..2025), for names the indicator does not declare."""
    valid = {p["name"] for p in svc.meta(id)["parameters"]}
    try:
        return view.parse({k: request.query_params.getlist(k) for k in view.VIEW_KEYS if k not in valid})
    except UsageError as e:
        raise HTTPProblem(422, str(e)) from None


def _params(svc: Service, id: str, request: Request, allow_where: bool = False):
    """The request's indicator parameters (and where.<col> filters), checked by name."""
    meta = svc.meta(id)
    if meta is None:
        raise HTTPProblem(404, f"unknown indicator {id!r}", valid_ids=[m["id"] for m in svc.indicators()])
    # as_of picks the vintage (api.compute's as_of), valid for every indicator
    valid = {p["name"] for p in meta["parameters"]} | {VINTAGE_PARAM["name"]}
    params, where, unknown = {}, {}, []
    for key, value in request.query_params.multi_items():
        if key in view.VIEW_KEYS and key not in valid and not allow_where:
            continue  # the view (country, time): see _view
        if allow_where and key.startswith(WHERE_PREFIX) and len(key) > len(WHERE_PREFIX):
            where[key[len(WHERE_PREFIX):]] = value
        elif key in valid and key not in params:
            params[key] = value
        else:
            unknown.append(key)
    if unknown:
        raise HTTPProblem(422, f"unknown or repeated parameter {', '.join(sorted(set(unknown)))} "
                          f"for {id}", valid_parameters=meta["parameters"])
    return (params, where) if allow_where else params


async def _respond(request: Request, svc: Service, key: tuple | None, make, media: str,
                   filename: str | None = None, body=None):
    """304 when the client's ETag matches this build and URL; else the (cached) body with ETag.

    Either `key` + `make` (a sync function cached per build) or `body` (an async function of
    the build id returning the content to send)."""
    as_of = vintage(request.query_params.get("as_of"))  # a vintage answers under its own id
    build = await svc.build_id(as_of)
    headers, fresh = validators(request, build)
    if fresh:
        return Response(status_code=304, headers=headers)
    if body is not None:
        content = await body(build)
    else:
        content = await svc.cached(build, key, make, as_of)
    if filename and media.startswith("text/csv"):
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    elif filename and media == "application/zip":
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(content, media_type=media, headers=headers)


async def _chips_route(request: Request, svc: Service, fn, name: str):
    """A chips API call with the query as its keyword arguments (figures read as numbers)."""
    kwargs = {k.replace("-", "_"): v if k in TEXT_ARGS else _scalar(v)
              for k, v in request.query_params.items()}
    if "home" in kwargs:
        raise HTTPProblem(422, "parameter 'home' is not accepted over HTTP")

    def make():
        try:
            return dumps(fn(home=svc.home, **kwargs))
        except TypeError as e:
            raise HTTPProblem(422, f"bad parameters for {name}: {e}") from None
        except AiatlasError as e:
            raise HTTPProblem(422, str(e) + (f" ({e.hint})" if e.hint else "")) from None

    key = (name, tuple(sorted(kwargs.items(), key=lambda kv: kv[0])))
    return await _respond(request, svc, key, make, "application/json")


def _scalar(text: str):
    """Query text as the number or boolean it spells (chip figures), else unchanged."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return float(text)
    except ValueError:
        return text
