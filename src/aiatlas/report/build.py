"""Write the static report: index with headline numbers, a page per chapter, CSV/JSON twins, PDF."""
from __future__ import annotations

import base64
import datetime as dt
import functools
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from aiatlas import api, standing
from aiatlas.errors import UsageError
from aiatlas.report import (
    changed,
    charts,
    chinachips,
    countries,
    drawing,
    factviews,
    findings,
    headlines,
    i18n,
    printing,
    reconcile,
    rules,
    sources,
    uschina,
)
from aiatlas.report.i18n import LANGS, Text
from aiatlas.results import dumps
from aiatlas.sources import registry

TEMPLATES = Path(__file__).parent / "templates"
SHA_PREFIX = 12
PRINT_ROWS = 12  # rows of a table printed under its chart; longer tables go to the appendix
APPENDIX_ROWS = 60  # rows of a long table in the PDF appendix (the CSV holds all)
FRONT_CHART = "notable_models_by_country"  # the one chart on the front page, beside the findings
# DESIGN.md's chapter order; chapters not named here follow, alphabetically
CHAPTER_ORDER = ("research", "performance", "hardware", "economy", "policy", "opinion")


def chapter_key(name: str) -> tuple:
    """Sort key putting chapters in the design's reading order."""
    return (CHAPTER_ORDER.index(name) if name in CHAPTER_ORDER else len(CHAPTER_ORDER), name)


def environment() -> jinja2.Environment:
    """The Jinja2 environment for report templates (autoescaped HTML)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = i18n.number
    env.globals["source_lines"] = sources.lines
    env.filters["prose"] = prose
    return env


def prose(text: str | None) -> Markup:
    """Reader text: a `column` named in a description is set as code, never shown with backticks."""
    parts = re.split(r"`([^`]+)`", str(escape(text or "")))
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


def slug(text: str) -> str:
    """A file-name-safe form of an id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "x"


def source_info() -> dict[str, dict[str, Any]]:
    """Publisher, licence and citation per source id."""
    return {s["id"]: s for s in api.sources()}


def footnotes(provenance: list[dict[str, Any]], info: dict[str, dict]) -> list[dict[str, Any]]:
    """One footnote per snapshot file: source, publisher, licence, snapshot date, sha256 prefix."""
    out = []
    for p in provenance:
        meta = info.get(p.get("source"), {})
        fetched = p.get("fetched_at")
        out.append({"source": p.get("source"), "file": p.get("file"), "url": p.get("url"),
                    "publisher": p.get("publisher") or meta.get("publisher"),
                    "licence": p.get("licence") or meta.get("licence"),
                    "citation": p.get("citation") or meta.get("citation"),
                    "title": meta.get("title") or p.get("source"),
                    "snapshot_date": p.get("as_of") or (fetched.date().isoformat()
                                                        if hasattr(fetched, "date") else fetched),
                    "sha256": (p.get("sha256") or "")[:SHA_PREFIX],
                    "snapshot_id": p.get("snapshot_id")})
    return out


def _needs_attribution(licence: str | None) -> bool:
    """CC BY, or a publisher that asks for attribution without a licence file (LMArena)."""
    text = (licence or "").upper().replace("-", " ")
    return "CC BY" in text or "ATTRIBUTION" in text


def attributions(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Distinct sources among footnotes that must be credited by name and licence."""
    seen, out = set(), []
    for n in notes:
        if _needs_attribution(n["licence"]) and n["source"] not in seen:
            seen.add(n["source"])
            out.append(n)
    return out


def indicator_entry(meta: dict, text: Text, out: Path, info: dict, home,
                    as_of=None, render=charts.svg) -> dict[str, Any]:
    """Compute one indicator, write its CSV/JSON/explain files, and describe it for the page
    (its chart as `render` returns it: the SVG, or a future of it)."""
    sid = slug(meta["id"])
    entry = {"meta": meta, "id": meta["id"], "title": text.title(meta), "slug": sid,
             "description": text.description(meta), "csv": f"data/{sid}.csv",
             "json": f"data/{sid}.json", "explain": None, "error": None, "svg": None,
             "columns": [], "rows": [], "notes": []}
    params = rules.report_params(meta["id"])
    entry["params_used"] = params
    try:
        result = api.compute(meta["id"], home=home, as_of=as_of, **params)
    except Exception as e:  # noqa: BLE001  one failing indicator is reported on its page, not fatal to the rest
        entry["error"] = headlines.one_line(e)
        return entry
    rows, columns = result.to_pylist(), list(result.table.column_names)
    if result.meta.get("synthetic"):  # never shown as fact: said above the chart and in its title
        entry.update(synthetic=True, title=f"{entry['title']} [{text('synthetic')}]")
    entry.update(rows=rows, columns=rules.reader_columns(columns), params=result.meta.get("params", {}),
                 notes=footnotes(result.provenance, info), build_id=result.build_id)
    (out / entry["csv"]).write_text(result.to_csv(), encoding="utf-8")
    (out / entry["json"]).write_text(result.to_json(indent=1) + "\n", encoding="utf-8")
    # A table cut to its first rows shows the newest periods (the ones a reader wants; the CSV
    # and the JSON keep the indicator's own order): rows by time column, newest first.
    times = [c for c in charts.TIME_COLUMNS if c in meta.get("grain", [])]
    entry["table_rows"] = sorted(rows, reverse=True, key=lambda r: tuple(
        (r.get(c) is not None, r.get(c) or 0) for c in times)) if times else rows
    entry["few"] = [rules.too_few(meta["id"], r) for r in entry["table_rows"]]
    if meta["id"] in factviews.FACT_TABLES:  # curated records: a reader's table, not raw columns
        entry["facts"] = factviews.table(rows, text=text)
    ex_rows = None
    if meta.get("explainable"):
        try:
            ex = api.explain(meta["id"], home=home, as_of=as_of, **params)
            entry["explain"] = f"explain/{sid}.csv"
            (out / entry["explain"]).write_text(ex.to_csv(), encoding="utf-8")
            ex_rows = ex.to_pylist()
            entry["read"] = sources.files_read(ex_rows)  # the files its rows rest on
        except Exception as e:  # noqa: BLE001  (shown beside the indicator)
            entry["explain_error"] = headlines.one_line(e)
    if meta["id"] in rules.TIMELINES:
        vl = charts.timeline(rows, title=entry["title"], lang=text.lang)
    elif meta["id"] in rules.TREND_UNITS and ex_rows is not None and len(rows) == 1:
        vl = charts.trend(rows[0], ex_rows, title=entry["title"],
                          unit=text.unit(rules.TREND_UNITS[meta["id"]]), lang=text.lang,
                          measure=rules.TREND_UNITS[meta["id"]])
    else:
        vl = charts.spec(meta, rows, title=entry["title"], unit=text.unit(meta["unit"]),
                         lang=text.lang, as_of=registry.data_as_of(result.provenance),
                         subtitle=text.param_note(params))
    if vl is not None:
        entry["svg"] = render(vl)
    return entry


def _dumps(obj: Any) -> str:
    return dumps(obj, indent=1) + "\n"


def build_report(out: Path, *, lang: str = "en", pdf: bool = False, home=None,
                 as_of=None) -> dict[str, Any]:
    """Write the report in one language into `out` (see build_reports)."""
    return build_reports(out, langs=(lang,), pdf=pdf, home=home, as_of=as_of)[lang]


def build_reports(out: Path, *, langs=("en",), pdf: bool = False, home=None,
                  as_of=None) -> dict[str, dict[str, Any]]:
    """Write the report in each of `langs` (into `out` for one language, into `out/<lang>/` for
    several), from the vintage of `as_of` when given; returns per language the headlines, page
    paths and timings.

    The languages are built together: each result is computed once (the warehouse handle's memo)
    and drawn in every language, charts are drawn in worker processes while the next indicator
    computes, and each language's pages are written once its charts are drawn."""
    langs = list(dict.fromkeys(langs))
    unknown = [x for x in langs if x not in LANGS]
    if unknown or not langs:
        raise UsageError(f"unknown language {(unknown or [''])[0]!r} "
                         f"(expected one or more of: {', '.join(LANGS)})")
    if pdf:
        printing.check()  # before the build, not after it
    t0 = time.perf_counter()
    api.build_info(home=home, as_of=as_of)  # no warehouse: stop here with its hint, not once per indicator
    out, env, info = Path(out), environment(), source_info()
    eds = [{"lang": lang, "text": Text(lang), "out": out if len(langs) == 1 else out / lang,
            "chapters": {}, "other": next((x for x in langs if x != lang), None)} for lang in langs]
    for ed in eds:
        for sub in ("data", "explain"):
            (ed["out"] / sub).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TEMPLATES / "style.css", ed["out"] / "style.css")
    inds = sorted(api.list_indicators(), key=lambda m: chapter_key(m["chapter"]))
    today = api.settings_date(as_of)
    drawers = drawing.workers(printing=pdf)
    # DuckDB gets the core the drawing workers leave: on a second thread, competing with them,
    # the report's many small queries took ~1.3 s more CPU (of ~8) and ended no sooner.
    with drawing.Drawer(drawers) as draw, api.warehouse(
            home=home, as_of=as_of).engine_threads(max(1, (os.cpu_count() or 2) - drawers)):
        for meta in inds:  # computed once (the memo), drawn in every language
            for ed in eds:
                ed["chapters"].setdefault(meta["chapter"], []).append(
                    indicator_entry(meta, ed["text"], ed["out"], info, home, as_of, draw))
        for ed in eds:
            _sections(ed, info=info, home=home, as_of=as_of, today=today, render=draw)
            # the PDF's charts, each rasterised by the drawing workers once it is drawn
            ed["rasters"] = _rasters(ed["chapters"], ed["sections"], draw) if pdf else None
        heads = headlines.evaluate_all(home=home, compute=functools.partial(api.compute, as_of=as_of),
                                       today=today)
        for ed in eds:
            _prepare(ed, home=home, as_of=as_of, today=today)
        shared = {
            "heads": heads,
            # the project's public test of itself: figures others published, recomputed and
            # classed; and what moved since the newest earlier build (`aiatlas diff`)
            "recon": reconcile.reconcile(home=home), "change": changed.page(home=home, as_of=as_of),
            # a page per country the composite index scores (the profile has no vintages: latest only)
            "ranking": [] if as_of else countries.index(home=home)}
        # each country's profile (the same in every language), read once
        shared["profiles"] = {r["country"]: standing.profile(r["country"], home=home) for r in shared["ranking"]}
        done = {}
        for ed in eds:
            done[ed["lang"]] = _publish(ed, shared, env=env, home=home, as_of=as_of, t0=t0)
        jobs = {ed["out"] / pdf_name(ed["lang"]): _print_document(ed, heads, env=env)
                for ed in eds} if pdf else {}
    if pdf:  # every language at once, each in its own process
        t1 = time.perf_counter()
        printing.print_all(jobs)
        for lang, r in done.items():
            r["pdf"] = r["out"] / pdf_name(lang)
            r["timings"]["pdf_s"] = time.perf_counter() - t1
    return done


def _sections(ed: dict[str, Any], *, info, home, as_of, today, render) -> None:
    """One language's sections opening chapters, their charts handed to `render`."""
    text, entry_of = ed["text"], {e["id"]: e for es in ed["chapters"].values() for e in es}
    # the US-China section opens the performance chapter; its headline card links to it
    us_china = uschina.section(text=text, home=home, as_of=as_of, today=today, render=render)
    us_china["notes"] = footnotes(us_china["provenance"], info)
    for fig in us_china.get("figure_notes", []):  # each chart's own source line
        fig["notes"] = footnotes(fig["provenance"], info)
    sections = {uschina.CHAPTER: [us_china]} if us_china["figures"] else {}
    # China's Nvidia chips beside the export-control timeline open the compute chapter
    chips = chinachips.section(text=text, home=home, as_of=as_of, render=render)
    chips["notes"] = footnotes(chips["provenance"], info)
    if chips["figures"]:
        chips["json"] = f"data/{chinachips.SECTION_ID}.json"
        _write_twin(ed["out"] / chips["json"], {"lang": ed["lang"], "events": chips["events"],
                                                 "holdings": chips["rows"], "params": chinachips.PARAMS})
        sections.setdefault(chinachips.CHAPTER, []).append(chips)
    facts = entry_of.get("curated_fact")
    if facts and not facts["error"]:
        view = factviews.section(facts["rows"], [], text=text, render=render)
        view["notes"] = facts["notes"]
        if view["figures"]:
            sections.setdefault(factviews.CHAPTER, []).append(view)
    ed.update(entry_of=entry_of, us_china=us_china, chips=chips, sections=sections)


def _prepare(ed: dict[str, Any], *, home, as_of, today) -> None:
    """What one language's pages and its print document share: its findings (the rows of each
    written), the chapters' navigation, its charts drawn, and the sources appendix."""
    lang, text, out, chapters = ed["lang"], ed["text"], ed["out"], ed["chapters"]
    entry_of, us_china, chips, sections = ed["entry_of"], ed["us_china"], ed["chips"], ed["sections"]
    known = {findings.result_key(i, e.get("params_used") or {}): e["rows"] for i, e in entry_of.items()}
    found = findings.evaluate(lang, results=dict(known), today=today, as_of=as_of, home=home)
    for f in found:  # each finding links to its chart and to the rows behind it
        e = entry_of[f["indicator"]]
        f["chart"] = (f"chapter-{slug(f['chapter'])}.html#{f['section']}" if f["section"]
                      else f"chapter-{slug(e['meta']['chapter'])}.html#{e['slug']}")
        if (one := findings.own_rows(f, known.get(findings.result_key(f["indicator"], f["params"])) or [])):
            f["rows_href"] = f"data/{e['slug']}--{slug(str(f['row']['id']))}.csv"  # one event's row
            (out / f["rows_href"]).write_text(one, encoding="utf-8")
        elif findings.result_key(f["indicator"], f["params"]) in known:
            f["rows_href"] = e["explain"] or e["csv"]
        else:  # computed with the finding's own parameters: its rows get their own CSV
            f["rows_href"] = f"data/{e['slug']}--{slug('-'.join(f'{k}-{v}' for k, v in sorted(f['params'].items())))}.csv"
            (out / f["rows_href"]).write_text(api.compute(f["indicator"], home=home, as_of=as_of,
                                                          **f["params"]).to_csv(), encoding="utf-8")
    nav = [{"name": c, "title": text.chapter(c), "href": f"chapter-{slug(c)}.html"} for c in chapters]
    for e in (e for es in chapters.values() for e in es):  # every chart drawn by now
        e["svg"] = drawing.drawn(e["svg"])
    for s in (s for ss in sections.values() for s in ss):
        s["figures"] = [drawing.drawn(f) for f in s["figures"]]
    # a vintage report says so where the date is printed on every page
    generated = dt.date.today().isoformat() + (f" · {text('vintage', date=as_of)}" if as_of else "")
    # built with another language beside it (OUT/<lang>/): each page links to its twin there
    common = {"t": text, "lang": lang, "nav": nav, "generated": generated, "min_n": rules.MIN_N,
              "other_lang": ed["other"]}
    all_notes = [n for es in chapters.values() for e in es for n in e["notes"]]
    appendix = {"files": sources.appendix(all_notes + us_china["notes"] + chips["notes"]),
                "missing": [{"chapter": text.chapter(e["meta"]["chapter"]), "title": e["title"]}
                            for es in chapters.values() for e in es if e["error"]]}
    ed.update(found=found, nav=nav, common=common, all_notes=all_notes, appendix=appendix)


def _print_document(ed: dict[str, Any], heads, *, env) -> tuple[str, dict[str, bytes]]:
    """One language's print document (once its charts are rasterised) and the chart files it
    refers to, by path beside its PDF."""
    found, nav, sections, rasters = ed["found"], ed["nav"], ed["sections"], ed["rasters"]
    images: dict[str, bytes] = {}
    folder = Path(pdf_name(ed["lang"])).with_suffix(".charts").name
    html = print_html(env, ed["common"] | ed["appendix"] | {
        "chapter_findings": {n["name"]: [f for f in found if f["chapter"] == n["name"]] for n in nav},
        "front_findings": [f for f in found if f["front"]],
        "chapter_sections": _printed(sections, rasters[1], "figures", images, folder)},
        heads, nav, _printed(ed["chapters"], rasters[0], "svg", images, folder),
        attributions(ed["all_notes"]))
    return html, images


def _publish(ed: dict[str, Any], shared: dict[str, Any], *, env, home, as_of, t0) -> dict[str, Any]:
    """Write one language's pages and JSON twins (`_prepare` done)."""
    lang, text, out, chapters = ed["lang"], ed["text"], ed["out"], ed["chapters"]
    entry_of, chips, sections = ed["entry_of"], ed["chips"], ed["sections"]
    heads, recon, change = shared["heads"], shared["recon"], shared["change"]
    found, nav, common, all_notes, appendix = (ed[k] for k in ("found", "nav", "common", "all_notes",
                                                               "appendix"))
    nations = [r | {"href": countries.href(r["country"]), "name": text.country(r["country"])}
               for r in shared["ranking"]]
    pages = {"index.html": env.get_template("index.html.j2").render(countries=nations,
        **common, headlines=heads, json_href="index.json", attributions=attributions(all_notes),
        findings=[f for f in found if f["front"]],
        front=entry_of.get(FRONT_CHART, {}) | {"chart_href": next(
            (f["chart"] for f in found if f["indicator"] == FRONT_CHART), "")},
        headline_link=lambda h: f"chapter-{slug(h['meta']['chapter'])}.html#" + (
            uschina.SECTION_ID if h["key"] in uschina.HEADLINES and sections else slug(h["indicator"])))}
    _write_twin(out / "index.json", {"lang": lang, "vintage": str(as_of) if as_of else "latest",
                                     "headlines": heads, "chapters": nav,
                                     "findings": [f for f in found if f["front"]]})
    for item in nav:
        entries = chapters[item["name"]]
        notes = [n for e in entries for n in e["notes"]]
        json_href = item["href"].replace(".html", ".json")
        pages[item["href"]] = env.get_template("chapter.html.j2").render(
            **common, chapter=item, entries=entries, json_href=json_href,
            attributions=attributions(notes), findings=[f for f in found if f["chapter"] == item["name"]],
            sections=sections.get(item["name"], []))
        _write_twin(out / json_href, {"lang": lang, "chapter": item,
                                      "findings": [f for f in found if f["chapter"] == item["name"]],
                                      "indicators": [
            {k: e.get(k) for k in ("id", "title", "description", "csv", "json", "explain", "error",
                                   "params", "notes", "rows")} for e in entries]})
    pages["sources.html"] = env.get_template("sources.html.j2").render(
        **common, json_href="sources.json", attributions=attributions(all_notes), **appendix)
    _write_twin(out / "sources.json", {"lang": lang, **appendix})
    pages["reconcile.html"] = env.get_template("reconcile.html.j2").render(
        **common, json_href="reconcile.json", attributions=[], rows=recon,
        class_keys=reconcile.CLASS_KEYS)
    _write_twin(out / "reconcile.json", {"lang": lang, "figures": recon})
    pages["changed.html"] = env.get_template("changed.html.j2").render(
        **common, json_href="changed.json", attributions=[], change=change)
    _write_twin(out / "changed.json", {"lang": lang, **change})
    if nations:
        links = {i: {"meta": e["meta"], "explain": e["explain"], "csv": e["csv"],
                     "chart": f"chapter-{slug(e['meta']['chapter'])}.html#{e['slug']}"}
                 for i, e in entry_of.items()}
        pages["countries.html"] = env.get_template("countries.html.j2").render(
            **common, json_href="countries.json", attributions=[], countries=nations)
        _write_twin(out / "countries.json", {"lang": lang, "countries": nations})
        for r in nations:
            c = countries.page(r["country"], text=text, home=home, ranking=nations, entries=links,
                               profile=shared["profiles"][r["country"]])
            json_href = r["href"].replace(".html", ".json")
            pages[r["href"]] = env.get_template("country.html.j2").render(
                **common, c=c, json_href=json_href, attributions=[],
                chips=chips if c["chips"] and chips["figures"] else None)
            _write_twin(out / json_href, {"lang": lang, "profile": c["profile"],
                                          "composite": next(x for x in nations if x["country"] == r["country"])})
    for name, html in pages.items():
        (out / name).write_text(html, encoding="utf-8")
    timings = {"html_s": time.perf_counter() - t0}
    failed = {e["id"]: e["error"] for es in chapters.values() for e in es if e["error"]}
    return {"out": out, "index": out / "index.html", "untranslated": sorted(text.missed),
            "pdf": None, "headlines": heads,
            "pages": sorted(pages), "timings": timings, "failed": failed}


def _write_twin(path: Path, obj: dict) -> None:
    path.write_text(_dumps(obj), encoding="utf-8")


def _rasters(chapters: dict[str, list[dict]], sections: dict[str, list[dict]], draw) -> tuple:
    """Futures of every chart (drawn, or its Future) as PNG, laid out like `chapters` (one or
    None per entry) and `sections` (a list per section): WeasyPrint paints a PNG in a fraction
    of the time an SVG takes, whose every mark and label is a styled element of the document."""
    return ({n: [draw.raster(e["svg"]) if e["svg"] else None for e in es] for n, es in chapters.items()},
            {n: [[draw.raster(f) for f in s["figures"]] for s in ss] for n, ss in sections.items()})


def pdf_name(lang: str) -> str:
    """The file name of a language's PDF."""
    return f"report-{lang}.pdf"


def _printed(groups: dict[str, list[dict]], rasters: dict[str, list], key: str,
             images: dict[str, bytes], folder: str) -> dict[str, list[dict]]:
    """Copies of chapters' entries (key "svg") or sections (key "figures") with their charts as
    PNG images, each added to `images` under its path (in `folder`, beside the PDF); the pages
    already written keep their SVG. Files, not data: URLs: the base64 of every chart made the
    print document 17 MB, and WeasyPrint's HTML parser spent most of its second reading it."""
    def img(raster, alt) -> Markup:
        src = f"{folder}/{len(images) + 1}.png"
        images[src] = base64.b64decode(raster.result())
        return Markup('<img src="{}" alt="{}" style="width:100%;height:auto">').format(src, alt or "")

    return {n: [x | {key: ([img(r, x.get("title")) for r in got] if key == "figures"
                           else img(got, x.get("title")) if got else x[key])}
                for x, got in zip(items, rasters[n], strict=True)] for n, items in groups.items()}


def print_html(env, common: dict, heads, nav, chapters, attrs) -> str:
    """Every page in one print document, for WeasyPrint (aiatlas/report/printing.py)."""
    return env.get_template("print.html.j2").render(
        **common, headlines=heads, chapters=[(n, chapters[n["name"]]) for n in nav],
        print_rows=PRINT_ROWS, appendix_rows=APPENDIX_ROWS,
        attributions=attrs, css=(TEMPLATES / "style.css").read_text(encoding="utf-8"))
