"""Country profiles and head-to-head comparisons over HTTP: JSON, and a dashboard page each
(the report's country page in the site's layout).

`/api/country/CHN`, `/country/CHN` (page; `?lang=ja`), `/api/compare?countries=USA~CHN`,
`/compare?countries=USA~CHN`, `/api/composite?weights=compute:0.5`; `per=capita|million` on all.
Answers are cached per build.
"""
from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from aiatlas import composite_index, standing
from aiatlas.errors import UsageError
from aiatlas.report import charts, chinachips, headlines
from aiatlas.report import countries as country_pages
from aiatlas.report.i18n import Text
from aiatlas.web.pages import lang_of, render_page
from aiatlas.web.service import Service, dumps, validators


def _codes(countries: str | None) -> list[str]:
    if not countries:
        raise UsageError("countries is required, e.g. ?countries=USA~CHN")
    return [c for c in countries.split("~") if c]


def add_standing(app: FastAPI, svc: Service) -> None:
    """Register the profile and comparison routes."""

    async def answer(request: Request, key: tuple, make):
        build = await svc.build_id()
        headers, fresh = validators(request, build)
        if fresh:
            return build, None, headers
        try:
            return build, await svc.cached(build, key, make), headers
        except UsageError as e:
            raise HTTPException(422, str(e)) from None

    @app.get("/api/country/{code}", summary="A country's profile: every indicator's latest value, "
             "rank, trend and rows; ?per=capita|million")
    async def country_json(request: Request, code: str, per: str | None = None):
        _, body, headers = await answer(request, ("country", code, per),
                                        lambda: standing.profile(code, home=svc.home, per=per))
        return Response(status_code=304, headers=headers) if body is None else Response(
            dumps(body), media_type="application/json", headers=headers)

    @app.get("/api/compare", summary="Countries head to head: ?countries=USA~CHN~JPN&per=capita")
    async def compare_json(request: Request, countries: str | None = None, per: str | None = None):
        _, body, headers = await answer(request, ("compare", countries, per),
                                        lambda: standing.compare(_codes(countries), home=svc.home, per=per))
        return Response(status_code=304, headers=headers) if body is None else Response(
            dumps(body), media_type="application/json", headers=headers)

    @app.get("/api/composite", summary="The composite index: ?per=capita&weights=compute:0.5~talent:0.2")
    async def composite_json(request: Request, per: str | None = None, weights: str | None = None):
        def make():
            try:
                user = {k: float(v) for k, _, v in (w.partition(":") for w in (weights or "").split("~") if w)}
            except ValueError:
                raise UsageError("weights expects pillar:number~pillar:number") from None
            return composite_index.composite(weights_=user, per=per, home=svc.home)
        _, body, headers = await answer(request, ("composite", per, weights), make)
        return Response(status_code=304, headers=headers) if body is None else Response(
            dumps(body), media_type="application/json", headers=headers)

    @app.get("/country/{code}", response_class=HTMLResponse, include_in_schema=False)
    async def country_page(request: Request, code: str, per: str | None = None):
        build, p, headers = await answer(request, ("country", code, per),
                                         lambda: standing.profile(code, home=svc.home, per=per))
        if p is None:
            return Response(status_code=304, headers=headers)
        lang, text = lang_of(request), Text(lang_of(request))
        ranking = await svc.cached(build, ("ranking",), lambda: country_pages.index(home=svc.home))
        links = {e["id"]: {"chart": f"/indicators/{e['id']}?country={p['country']}&lang={lang}",
                           "explain": (e.get("rows") or {}).get("url")} for e in p["indicators"]}
        c = country_pages.page(p["country"], text=text, home=svc.home, ranking=ranking, entries=links,
                               profile=p)
        figure = None
        chips = p.get("chips_and_export_controls")
        if isinstance(chips, dict):
            svg = await svc.cached(build, ("country-chips-svg", lang), lambda: charts.svg(
                chinachips.spec(chips["holdings"], chips["events"], lang=lang)))
            figure = {"title": text("china_chips_title"), "lead": text("china_chips_lead"),
                      "svg": svg, "rows": chips["rows"]["url"]}
        return await render_page(svc, "profile.html.j2", request, c=c, figure=figure,
                                 json_href=f"/api/country/{p['country']}")

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_page(request: Request, countries: str | None = None, per: str | None = None):
        build, c, headers = await answer(request, ("compare", countries, per),
                                         lambda: standing.compare(_codes(countries), home=svc.home, per=per))
        if c is None:
            return Response(status_code=304, headers=headers)
        lang, text = lang_of(request), Text(lang_of(request))
        rows = [[text.title(d), country_pages.period_text(d.get("period"), text, d.get("scope")), *_styled(cells, lang),
                 text.country(d["leader"]) if d.get("leader") else
                 text("compare_too_few") if d.get("thin") else text("compare_no_common")]
                for d in c["dimensions"]
                if any(cells := [_compare_cell(d, code, text) for code in c["countries"]])]
        return await render_page(
            svc, "compare.html.j2", request, heading=" / ".join(c["names"][k][lang] for k in c["countries"]),
            rows=rows, header=[text("country_col_indicator"), text("compare_col_period"),
                               *(text.country(k) for k in c["countries"]), text("country_col_leader")],
            notes=[country_pages.lag_text(x, text) for x in c["lags"]], lead=text("compare_lead"),
            json_href=f"/api/compare?countries={'~'.join(c['countries'])}")


def _styled(cells: list, lang: str) -> list:
    """A row's cells with one way of writing its numbers (headlines.column_style): the
    countries of a row are read across, so 1万6067 beside 1,477 becomes 16,067 beside 1,477."""
    style = headlines.column_style([v for c in cells if isinstance(c, dict)
                                    for v in (c.get("value"), c.get("newer_value"))], lang)
    return [{**c, "style": style} if isinstance(c, dict) else c for c in cells]


def _compare_cell(d: dict, code: str, text: Text) -> dict | None:
    """A country's cell: its value in the period compared, and its own newer value with that
    value's period when it has one (or, when the countries share no period, its latest)."""
    cell = (d.get("cells") or {}).get(code) or {}
    value = (d.get("values") or {}).get(code)
    newer = (d.get("newer") or {}).get(code)
    if value is None and d.get("status") != "ok" and cell.get("status") == "ok":
        # no period every country has: its own latest value, with its period
        return {"value": cell.get("value"), "unit": d.get("unit"), "own": country_pages.period_text(cell.get("period"), text)}
    if code in d.get("absent", ()):
        return text("map_no_data")
    if value is None:
        return None
    thin = (d.get("thin") or {}).get(code)
    return {"value": value, "unit": d.get("unit"), "newer": country_pages.period_text(newer, text) if newer is not None else None,
            "newer_value": cell.get("value") if newer is not None else None,
            "thin": text("compare_thin", n=thin) if thin is not None else None}
