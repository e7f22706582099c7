"""Dashboard pages (index, chapters, indicator with an interactive chart) and their static files."""
from __future__ import annotations

from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from aiatlas.errors import DataError, UsageError
from aiatlas.report import charts, factviews, i18n, rules
from aiatlas.report import sources as source_lines
from aiatlas.report.build import TEMPLATES as REPORT_TEMPLATES
from aiatlas.report.build import chapter_key, prose
from aiatlas.report.i18n import LANGS, Text
from aiatlas.results import script_json
from aiatlas.sources import registry
from aiatlas.web import download, grapher, view
from aiatlas.web.service import HTTPProblem, Service, guard, validators

TEMPLATES = Path(__file__).parent / "templates"
GEO = Path(__file__).parent / "geo"  # world-atlas TopoJSON (ISC; Natural Earth, public domain)
MAX_TABLE_ROWS = 500


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    # the report's folder second: the dashboard shares its headline partial
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([TEMPLATES, REPORT_TEMPLATES]),
                             autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = i18n.number
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
            "world-110m.json": (lambda: (GEO / "countries-110m.json").read_bytes(), "application/json"),
            "style.css": (lambda: (REPORT_TEMPLATES / "style.css").read_bytes()
                          + (TEMPLATES / "dashboard.css").read_bytes(), "text/css; charset=utf-8"),
            "favicon.svg": (lambda: (TEMPLATES / "favicon.svg").read_bytes(), "image/svg+xml"),
            "dashboard.js": (lambda: (TEMPLATES / "dashboard.js").read_bytes(),
                             "text/javascript; charset=utf-8"),
            # Swagger UI 5 (OpenAPI 3.1) as shipped by the fastapi-offline package: no CDN.
            "swagger-ui-bundle.js": (lambda: _swagger("swagger-ui-bundle.js"),
                                     "text/javascript; charset=utf-8"),
            "swagger-ui.css": (lambda: _swagger("swagger-ui.css"), "text/css; charset=utf-8")}


def _swagger(name: str) -> bytes:
    return resources.files("fastapi_offline").joinpath("static", name).read_bytes()


def lang_of(request: Request) -> str:
    """The reader's language from ?lang= (en when absent or unknown)."""
    lang = request.query_params.get("lang", "en")
    return lang if lang in LANGS else "en"


async def render_page(svc: Service, name: str, request: Request, **ctx) -> HTMLResponse:
    """A dashboard page: template `name` in the site's layout (nav, language switch, footer), or
    304 when the client holds this build's copy."""
    lang = lang_of(request)
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
    html = await svc.run(partial(  # rendering a long table must not stall other clients
        _env().get_template(name).render, t=text, lang=lang, nav=nav, switch=switch,
        build_id=build, **ctx))
    return HTMLResponse(html, headers=headers)


def indicator_href(id: str, params: dict, lang: str) -> str:
    """An indicator's dashboard page computed with these parameters, in the reader's language."""
    return f"/indicators/{id}?" + urlencode({**{k: str(v) for k, v in params.items()}, "lang": lang})


def add_pages(app: FastAPI, svc: Service) -> None:
    """Register the dashboard routes on the app."""
    static = _static_files()

    render = partial(render_page, svc)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request):
        text = Text(lang_of(request))
        groups = {}
        for m in sorted(svc.indicators(), key=lambda m: chapter_key(m["chapter"])):
            groups.setdefault(m["chapter"], []).append({"id": m["id"], "title": text.title(m),
                                                        "has_data": await has_data(m["id"])})
        for items in groups.values():  # what this build can show first; the rest said to be absent
            items.sort(key=lambda i: not i["has_data"])
        return await render("index.html.j2", request, groups=groups, json_href="/api/headlines",
                            headlines=await svc.headlines(),
                            findings=[f for f in await linked_findings(text.lang) if f["front"]],
                            headline_link=lambda h: f"/indicators/{h['indicator']}?lang={text.lang}")

    async def linked_findings(lang: str) -> list[dict]:
        """The report's findings in this language, each linked to its chart and rows."""
        return [f | {"chart": indicator_href(f["indicator"], f["params"], lang),
                     "rows_href": f"/api/indicators/{f['indicator']}.csv"
                                  + (f"?{urlencode(f['params'])}" if f["params"] else "")}
                for f in await svc.findings(lang)]

    @app.get("/chapters/{name}", response_class=HTMLResponse, include_in_schema=False)
    async def chapter(request: Request, name: str):
        text = Text(lang_of(request))
        inds = [m for m in svc.indicators() if m["chapter"] == name]
        if not inds:
            return HTMLResponse(f"<h1>404</h1><p>no chapter {escape(name)}</p>", status_code=404)
        items = [{"id": m["id"], "title": text.title(m), "description": text.description(m),
                  "unit": m["unit"], "has_data": await has_data(m["id"])} for m in inds]
        found = [f for f in await linked_findings(text.lang) if f["chapter"] == name]
        return await render("chapter.html.j2", request, chapter={"name": name, "title": text.chapter(name)},
                            items=[i for i in items if i["has_data"]], findings=found,
                            missing=[i for i in items if not i["has_data"]],
                            json_href=f"/api/indicators?chapter={name}")

    async def has_data(id: str) -> bool:
        """Whether this build holds the indicator's data."""
        return (await svc.available()).get(id, False)

    async def indicator_view(request: Request, id: str) -> dict | None:
        """Everything an indicator page or its embed shows, from the URL state."""
        meta = svc.meta(id)
        if meta is None:
            return None
        text = Text(lang_of(request))
        valid = {p["name"] for p in meta["parameters"]}
        params = {k: v for k, v in request.query_params.items() if k in valid and v != ""}
        error = missing = None
        try:
            result = await guard(svc.compute(id, params), id, svc)
            rows, columns = await svc.compute(id, params, part="rows"), list(result.table.column_names)
            bound = result.meta.get("params", {})
            provenance = result.provenance
            synthetic = bool(result.meta.get("synthetic"))
        except HTTPProblem as e:
            rows, columns, bound, error, provenance, synthetic = [], [], params, e.detail, [], False
        except DataError as e:  # e.g. OpenAlex never ingested: said in plain words, no path or command
            rows, columns, bound, provenance, synthetic = [], [], params, [], False
            missing = text.absent(getattr(e, "source", None))
        as_of = registry.data_as_of(provenance)
        fcol = next((c for c in view.FILTER_COLUMNS if c in meta["grain"]), None)
        options = ([{"code": c, "name": text.country(c) if fcol in rules.COUNTRY_COLUMNS else text.category(fcol, c)} for c in
                    sorted({str(r[fcol]) for r in rows if r.get(fcol) is not None})] if fcol else [])
        options.sort(key=lambda o: o["name"].casefold())  # as the reader reads them, not by code
        values = {k: request.query_params.getlist(k) for k in view.VIEW_KEYS if k not in valid}
        values.setdefault("country", []).extend(request.query_params.getlist("countries"))  # old links
        try:
            shown = view.parse(values)
        except UsageError as e:
            shown, error = view.View(), str(e)
        # the chosen countries first: a picked name must not hide below the list's fold
        options.sort(key=lambda o: o["code"] not in shown.countries)
        state = grapher.parse({k: request.query_params.get(k) for k in ("tab", "scale") if k not in valid})
        years = sorted({y for r in rows if (y := view.row_year(meta["grain"], r)) is not None})
        title = text.title(meta) + (f" [{text('synthetic')}]" if synthetic else "")
        unit = grapher.display_unit(meta, bound, text)
        log = state.scale == "log" if state.scale else grapher.log_default(meta)
        picked = [r for r in rows if view.keep(shown, meta["grain"], r)]
        # a normalised view (per capita, share) is a ratio: neither summed into "other" nor zero-filled
        units = {r.get("unit") for r in rows} if any(bound.get(p) for p in grapher.MEASURE_PARAMS) else set()
        chart_meta = meta | {"unit": units.pop()} if len(units) == 1 else meta
        tabs = grapher.tabs(meta, charts.plottable(chart_meta, picked))
        tab = state.tab if state.tab in tabs else tabs[0]
        # the chart is built only when it is shown, once per build and view
        chart = await svc.cached(
            await svc.build_id(), ("chart", id, tuple(sorted(params.items())), tuple(shown.query()),
                                   text.lang, log),
            lambda: charts.spec(chart_meta, picked, title=title, unit=unit, lang=text.lang, as_of=as_of,
                                full_history=bool(shown.start), log=log)) if tab == "chart" else None
        year = grapher.map_year(years, shown, as_of) if tab == "map" else None
        effective = view.View((), year, year) if tab == "map" else shown  # the map shows every country
        picked = [r for r in rows if view.keep(effective, meta["grain"], r)]
        spec = (grapher.map_spec(
            picked, indicator=id, year=year, title=title, unit=unit, lang=text.lang, log=log,
            fraction=rules.is_fraction(chart_meta.get("unit")),
            zero_for={str(r["country"]) for r in rows if r.get("country")}
            if rules.zero_fill(chart_meta.get("unit")) else set())
                if tab == "map" else chart if tab == "chart" else None)
        path = f"/indicators/{id}"
        given = [(k, str(v)) for k, v in request.query_params.multi_items()
                 if (k in valid and v != "") or k == "lang"]
        pairs = given + shown.query() + state.query()
        query = [(k, v) for k, v in given if k != "lang"] + effective.query()
        twin = f"/api/indicators/{id}.json" + (f"?{urlencode(query)}" if query else "")
        base = str(request.base_url).rstrip("/")
        share = base + grapher.href(path, pairs)
        publishers = [line["publisher"] for line in source_lines.lines(download.sources(provenance))]
        build = await svc.info()
        measures = grapher.measures(meta)
        return dict(
            meta=meta, title=title, synthetic=synthetic, description=text.description(meta),
            params=bound, rows=picked[:MAX_TABLE_ROWS], total_rows=len(picked), columns=rules.reader_columns(columns),
            error=error, missing=missing, spec_json=script_json(spec) if spec else "null", chart_kind=tab,
            facts=(factviews.table(picked[:MAX_TABLE_ROWS], text=text)
                   if id in factviews.FACT_TABLES else None),
            filter_column=fcol, options=options, chosen=list(shown.countries), view=shown,
            years=years, map_year=year, json_href=twin, csv_href=twin.replace(".json", ".csv", 1),
            zip_href=twin.replace(".json", ".zip", 1),
            explain_href=f"/api/indicators/{id}/explain.csv" + (f"?{urlencode(params)}" if params else ""),
            alt=charts.alt_text(chart_meta, picked, text, unit=unit, as_of=as_of) if spec or tab == "table" else text("chart_none"),
            tab=tab, tabs=[{"name": t, "href": grapher.href(path, pairs, tab=t)} for t in tabs],
            log=log, scale_links=[{"name": s, "on": (s == "log") == log,
                                   "href": grapher.href(path, pairs, scale=s)} for s in grapher.SCALES],
            show_scale=(tab == "map" or (tab == "chart" and years != [])),
            measures=[{"name": m, "on": m == grapher.measure_of(bound),
                       "href": grapher.href(path, pairs, **{p: grapher.MEASURES[m].get(p)
                                                            for p in grapher.MEASURE_PARAMS})}
                      for m in measures],
            hidden_params=[p for p in grapher.MEASURE_PARAMS if measures and params.get(p)],
            state=state, share_url=share, embed_url=base + grapher.href("/embed" + path, pairs),
            cite=download.citation(title=title, indicator=id, build=build, as_of=as_of, url=share,
                                   publishers=publishers, lang=text.lang),
            publishers=publishers, as_of=as_of)

    @app.get("/indicators/{id}", response_class=HTMLResponse, include_in_schema=False)
    async def indicator_page(request: Request, id: str):
        ctx = await indicator_view(request, id)
        if ctx is None:
            return HTMLResponse(f"<h1>404</h1><p>unknown indicator {escape(id)}</p>", status_code=404)
        return await render("indicator.html.j2", request, **ctx)

    @app.get("/embed/indicators/{id}", response_class=HTMLResponse, include_in_schema=False)
    async def indicator_embed(request: Request, id: str):
        """The chart, map or table of a view alone, for an <iframe> (CSP frame-ancestors:
        AIATLAS_FRAME_ANCESTORS names the sites allowed to frame it)."""
        ctx = await indicator_view(request, id)
        if ctx is None:
            return HTMLResponse(f"<h1>404</h1><p>unknown indicator {escape(id)}</p>", status_code=404)
        return await render("embed.html.j2", request, **ctx)

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str):  # sync: the first read of the 900 kB bundle runs in a thread
        if name not in static:
            return Response('{"detail": "not found"}', status_code=404, media_type="application/json")
        load, media = static[name]
        return Response(load(), media_type=media, headers={"Cache-Control": "public, max-age=3600"})
