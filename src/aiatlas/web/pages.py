"""Dashboard pages (index, chapters, indicator with an interactive chart) and their static files."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape
from starlette.concurrency import run_in_threadpool

from aiatlas.errors import DataError, UsageError
from aiatlas.report import charts, factviews, headlines
from aiatlas.report.build import TEMPLATES as REPORT_TEMPLATES
from aiatlas.report.build import chapter_key, prose
from aiatlas.report.i18n import LANGS, Text
from aiatlas.results import script_json
from aiatlas.web import view
from aiatlas.web.service import HTTPProblem, Service, guard, validators

TEMPLATES = Path(__file__).parent / "templates"
MAX_TABLE_ROWS = 500


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    # the report's folder second: the dashboard shares its headline partial
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([TEMPLATES, REPORT_TEMPLATES]),
                             autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = headlines.format_value
    env.filters["cell"] = headlines.format_cell
    env.filters["prose"] = prose
    return env


@lru_cache(maxsize=1)
def vega_bundle() -> bytes:
    """vega, vega-lite and vega-embed bundled by the installed vl-convert package (no CDN)."""
    import vl_convert as vlc

    return vlc.javascript_bundle().encode("utf-8")


def _static_files() -> dict[str, tuple[callable, str]]:
    # A fixed table of names: a request can never reach any other file on disk.
    return {"vega-bundle.js": (vega_bundle, "text/javascript; charset=utf-8"),
            "style.css": (lambda: (REPORT_TEMPLATES / "style.css").read_bytes()
                          + (TEMPLATES / "dashboard.css").read_bytes(), "text/css; charset=utf-8"),
            "dashboard.js": (lambda: (TEMPLATES / "dashboard.js").read_bytes(),
                             "text/javascript; charset=utf-8"),
            # Swagger UI 5 (OpenAPI 3.1) as shipped by the fastapi-offline package: no CDN.
            "swagger-ui-bundle.js": (lambda: _swagger("swagger-ui-bundle.js"),
                                     "text/javascript; charset=utf-8"),
            "swagger-ui.css": (lambda: _swagger("swagger-ui.css"), "text/css; charset=utf-8")}


def _swagger(name: str) -> bytes:
    from importlib import resources

    return resources.files("fastapi_offline").joinpath("static", name).read_bytes()


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    return lang if lang in LANGS else "en"


def add_pages(app: FastAPI, svc: Service) -> None:
    """Register the dashboard routes on the app."""
    static = _static_files()

    async def render(name: str, request: Request, **ctx) -> HTMLResponse:
        lang = _lang(request)
        text = Text(lang)
        chapters = sorted({m["chapter"] for m in svc.indicators()}, key=chapter_key)
        nav = [{"name": c, "title": text.chapter(c), "href": f"/chapters/{c}?lang={lang}"}
               for c in chapters]
        other = "ja" if lang == "en" else "en"
        switch = request.url.path + "?" + urlencode(
            [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)])
        build = await svc.build_id()
        headers, fresh = validators(request, build)
        if fresh:
            return Response(status_code=304, headers=headers)
        html = await run_in_threadpool(  # rendering a long table must not stall other clients
            _env().get_template(name).render, t=text, lang=lang, nav=nav, switch=switch,
            build_id=build, **ctx)
        return HTMLResponse(html, headers=headers)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request):
        text = Text(_lang(request))
        groups = {}
        for m in sorted(svc.indicators(), key=lambda m: chapter_key(m["chapter"])):
            groups.setdefault(m["chapter"], []).append({"id": m["id"], "title": text.title(m)})
        return await render("index.html.j2", request, groups=groups, json_href="/api/headlines",
                            headlines=await svc.headlines(),
                            headline_link=lambda h: f"/indicators/{h['indicator']}?lang={text.lang}")

    @app.get("/chapters/{name}", response_class=HTMLResponse, include_in_schema=False)
    async def chapter(request: Request, name: str):
        text = Text(_lang(request))
        inds = [m for m in svc.indicators() if m["chapter"] == name]
        if not inds:
            return HTMLResponse(f"<h1>404</h1><p>no chapter {escape(name)}</p>", status_code=404)
        items = [{"id": m["id"], "title": text.title(m), "description": text.description(m),
                  "unit": m["unit"]} for m in inds]
        return await render("chapter.html.j2", request, chapter={"name": name, "title": text.chapter(name)},
                      items=items, json_href=f"/api/indicators?chapter={name}")

    @app.get("/indicators/{id}", response_class=HTMLResponse, include_in_schema=False)
    async def indicator_page(request: Request, id: str):
        meta = svc.meta(id)
        if meta is None:
            return HTMLResponse(f"<h1>404</h1><p>unknown indicator {escape(id)}</p>",
                                status_code=404)
        text = Text(_lang(request))
        valid = {p["name"] for p in meta["parameters"]}
        params = {k: v for k, v in request.query_params.items() if k in valid and v != ""}
        error = None
        try:
            entry = await guard(svc.compute(id, params), id, svc)
            rows, columns = entry["rows"], list(entry["result"].table.column_names)
            bound = entry["result"].meta.get("params", {})
            as_of = charts.data_as_of(entry["result"].provenance)
            synthetic = bool(entry["result"].meta.get("synthetic"))
        except HTTPProblem as e:
            rows, columns, bound, error, as_of, synthetic = [], [], params, e.detail, None, False
        except DataError:  # e.g. OpenAlex never ingested: said in plain words, no path or command
            rows, columns, bound, as_of, synthetic = [], [], params, None, False
            error = text("data_not_in_build")
        fcol = next((c for c in view.FILTER_COLUMNS if c in meta["grain"]), None)
        options = ([{"code": c, "name": text.country(c) if fcol != "region" else c} for c in
                    sorted({str(r[fcol]) for r in rows if r.get(fcol) is not None})] if fcol else [])
        values = {k: request.query_params.getlist(k) for k in view.VIEW_KEYS if k not in valid}
        values.setdefault("country", []).extend(request.query_params.getlist("countries"))  # old links
        try:
            shown = view.parse(values)
        except UsageError as e:
            shown, error = view.View(), str(e)
        all_years = sorted({y for r in rows if (y := view.row_year(meta["grain"], r)) is not None})
        rows = [r for r in rows if view.keep(shown, meta["grain"], r)]
        title = text.title(meta) + (f" [{text('synthetic')}]" if synthetic else "")
        spec = charts.spec(meta, rows, title=title, unit=text.unit(meta["unit"]),
                           lang=text.lang, as_of=as_of, full_history=bool(shown.start))
        query = list(params.items()) + shown.query()
        twin = f"/api/indicators/{id}.json" + (f"?{urlencode(query)}" if query else "")
        return await render("indicator.html.j2", request, meta=meta, title=title, synthetic=synthetic,
                      description=text.description(meta), params=bound, rows=rows[:MAX_TABLE_ROWS],
                      total_rows=len(rows), columns=columns, error=error,
                      facts=(factviews.table(rows[:MAX_TABLE_ROWS], text=text)
                             if id in factviews.FACT_TABLES else None),
                      spec_json=script_json(spec) if spec else "null",
                      filter_column=fcol, options=options, chosen=list(shown.countries),
                      view=shown, years=all_years, json_href=twin,
                      csv_href=twin.replace(".json", ".csv", 1),
                      explain_href=f"/api/indicators/{id}/explain.csv"
                      + (f"?{urlencode(params)}" if params else ""),
                      alt=charts.alt_text(meta, rows, text), request_url=str(request.url))

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str):  # sync: the first read of the 900 kB bundle runs in a thread
        if name not in static:
            return Response('{"detail": "not found"}', status_code=404, media_type="application/json")
        load, media = static[name]
        return Response(load(), media_type=media, headers={"Cache-Control": "public, max-age=3600"})
