"""The part of the public API that answers from a built warehouse without Ibis or pandas: what
the claims checker needs (aiatlas.api re-exports each function; `aiatlas check` imports this).

Indicator values and explain rows come from the build's stored SQL templates (`fastpath`,
written by `aiatlas build` and `compiled.keep`), run on the warehouse handle's DuckDB
connections; the accelerator table, chip classification, rule sets and curated facts never
needed an engine. A request whose shape has no stored template is answered by aiatlas.api
(`_engine`), which then stores the shape's templates, so the next process answers it here.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

from aiatlas import fastpath
from aiatlas.claims.check import check_claims_file, check_text
from aiatlas.claims.inputs import read_input
from aiatlas.claims.judge import API as CheckerAPI
from aiatlas.claims.judge import Data
from aiatlas.claims.model import Report
from aiatlas.config import settings as make_settings
from aiatlas.curated.loader import find_facts
from aiatlas.errors import NotBuiltError, UsageError
from aiatlas.export_controls import chips as ec
from aiatlas.export_controls import rules as ecr
from aiatlas.results import Result
from aiatlas.warehouse import connect as wh


def _engine():
    """aiatlas.query, aiatlas.compiled and the warehouse build (what aiatlas.api's compute,
    explain, list_indicators and build run), imported on first need.

    The one deferred import of the engine stack: it loads Ibis, pandas, pyarrow's datasets and
    the indicator registry (about 210 MB and 1.5 s), which a check answered from stored
    templates never needs. Only a request without a stored template comes here."""
    from aiatlas import compiled, query
    from aiatlas.warehouse import build

    return query, compiled, build


def _text(value: Any) -> str:
    """A parameter value as the command line gives it (what `fastpath.bind_text` reads)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _stored(id: str, params: dict[str, Any], home, backend, as_of, rows: bool) -> Result | None:
    """The request answered from the build's stored template of its shape, else None."""
    settings = make_settings(home=home, backend=backend, as_of=as_of)
    if settings.backend != "duckdb":
        return None
    w = wh.connect(settings)
    if w.build_id is None:
        return None
    body = w.memo(("template file", id), lambda: _read_body(w, id))
    found = fastpath.template_of(body, {k: _text(v) for k, v in params.items() if v is not None},
                                 rows=rows) if body else None
    if found is None:
        return None
    bound, entry = found
    # the same memo keys as aiatlas.api.compute / explain: one cache, whichever path answered
    key = ("explain", id, "duckdb", tuple(sorted(bound.items())), ()) if rows else (
        "compute", id, "duckdb", tuple(sorted(bound.items())))
    table = w.memo(key, lambda: fastpath.run_template(body, entry, bound, w.arrow))
    meta = fastpath.template_meta(body, bound, w.vintage) | ({"where": {}} if rows else {})
    return Result(meta=meta, table=table, provenance=body["provenance"], build_id=w.build_id)


def _read_body(w: wh.Warehouse, id: str) -> dict | bool:
    path = fastpath.templates_dir(w.home, w.build_id) / f"{id}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # none stored (or unreadable): the engine answers


def _answer(what: str, id: str, params: dict[str, Any], home, backend, as_of) -> Result:
    """aiatlas.api's compute or explain (no `where`) of a request, from its stored template
    when the build has one, else from the engine, which stores the shape for later processes."""
    found = _stored(id, params, home, backend, as_of, rows=what == "explain")
    if found is not None:
        return found
    query, compiled, _ = _engine()
    settings = make_settings(home=home, backend=backend, as_of=as_of)
    result = (query.explain(settings, id, params, {}) if what == "explain"
              else query.compute(settings, id, params))
    with contextlib.suppress(OSError):  # a read-only home or a full disk must not fail an answer
        w = wh.connect(make_settings(home=home, as_of=as_of))
        w.memo(("kept", id, repr(sorted(params.items()))),
               lambda: compiled.keep(id, params, result, home=home, as_of=as_of) or True)
    return result


def compute(id: str, *, home=None, backend: str | None = None, as_of=None, **params) -> Result:
    """aiatlas.api.compute, answered with DuckDB alone when the build stored the shape's template."""
    return _answer("compute", id, params, home, backend, as_of)


def explain(id: str, *, home=None, backend: str | None = None, as_of=None, **params) -> Result:
    """aiatlas.api.explain of every row (no `where`), with DuckDB alone when the build stored
    the shape's rows template."""
    return _answer("explain", id, params, home, backend, as_of)


def is_indicator(id: str, *, home=None) -> bool:
    """Whether aiatlas registers the indicator: a template stored by this code says so, else
    the registry is asked."""
    w = wh.connect(make_settings(home=home))
    body = w.memo(("template file", id), lambda: _read_body(w, id)) if w.build_id else None
    if body and fastpath.current(body):
        return True
    return any(i["id"] == id for i in _engine()[0].list_indicators())


def list_indicators() -> list[dict[str, Any]]:
    """Every registered indicator's metadata (aiatlas.api.list_indicators: the registry)."""
    return _engine()[0].list_indicators()


def build(**kw) -> dict[str, Any]:
    """aiatlas.api.build (the checker builds an archived vintage the first time it needs it)."""
    settings = make_settings(home=kw.pop("home", None), as_of=kw.pop("as_of", None))
    return _engine()[2].build_warehouse(settings, **kw)


def facts(topic: str | None = None, subject: str | None = None, measure: str | None = None,
          *, confirmed_only: bool = False) -> list[dict[str, Any]]:
    """Curated, cited facts (each with publisher, url, published, as_printed), for claims and report."""
    return find_facts(topic, subject, measure, confirmed_only=confirmed_only)


def hardware(*, home=None, as_of=None) -> list[dict[str, Any]]:
    """The accelerator table: Epoch's ml_hardware rows with the chips supplement's figures."""
    return wh.connect(make_settings(home=home, as_of=as_of)).sql('SELECT * FROM "hardware"')


def classify_chip(name: str | None = None, *, rules: str | None = None, rules_as_of=None,
                  destination: str | None = None, home=None, as_of=None,
                  **specs) -> dict[str, Any]:
    """Classify one chip: by its name in the hardware table (of the data vintage `as_of`), or
    from datasheet figures (**specs: numbers or text in each keyword's unit, `figures` as
    written, '1.979 PFLOPS FP8 sparse; 814 mm2', and `dies` for figures per die); the rule
    set is `rules` or the one in force on `rules_as_of` (default today)."""
    all_rules = ecr.load()
    rs, on, dest = ec.resolve(all_rules, rules, rules_as_of, destination)
    if name:
        # Epoch does not record data-center marketing (the supplement does for some chips),
        # so a named chip may be given it
        datacenter = specs.pop("datacenter", None)
        if specs and set(specs) <= {"figures", "dies"} and not any(specs.values()):
            specs = {}
        if specs:
            raise UsageError("give a chip name or its figures, not both",
                             hint="with a name, only `datacenter` may be given")
        rows = hardware(home=home, as_of=as_of)
        try:
            row = dict(ec.find(rows, name))
        except ec.AmbiguousChip as e:
            raise e.answered(lambda r: ec.chip_row(r, rs, all_rules, destination=dest, as_of=on)["status"]
                             ) from None
        if datacenter is not None:  # the user's statement beats the supplement's
            row["datacenter"] = datacenter
        return ec.chip_row(row, rs, all_rules, destination=dest, as_of=on)
    texts, dies = specs.pop("figures", None), specs.pop("dies", None)
    if not specs and not texts:
        raise UsageError("give a chip name or at least one performance figure",
                         hint="e.g. int8_tops=624, fp16_tflops=312, die_area=826, or "
                              "figures='1.979 PFLOPS FP8 sparse; 814 mm2'")
    return ec.figures_row(specs, rs, all_rules, texts=texts, dies=dies, destination=dest,
                          as_of=on)


def export_rule_sets() -> list[dict[str, Any]]:
    """The export-control rule sets as data, with dates, thresholds and citations."""
    return [rs.describe() for rs in ecr.load().rule_sets]


def export_notices() -> list[dict[str, Any]]:
    """The licence requirements imposed on named chips by notice (the 2025-04 H20 letter), as
    dated events: id, chips, date, what and citation."""
    return [{"id": n.id, "chips": list(n.chips), "date": n.date.isoformat(), "what": n.what,
             "citation": dict(n.citation)} for n in ecr.load().notices]


def missing_warehouse(*, home=None) -> NotBuiltError | None:
    """The error of a data home with no warehouse built (None when there is one): `check` says
    it once, before its report, instead of once per claim."""
    try:
        wh.connect(make_settings(home=home))
    except NotBuiltError as e:
        return e
    return None


def checker(*, home=None, backend: str | None = None) -> Data:
    """The claims checker's access to the data, bound to one home and engine: indicator values
    and rows (from stored templates, else the engine), facts, chips and rule sets (values
    memoised per build by the warehouse handle)."""

    return Data(CheckerAPI(compute=functools.partial(compute, home=home, backend=backend),
                           explain=functools.partial(explain, home=home, backend=backend),
                           list_indicators=list_indicators, facts=facts, build=build,
                           classify_chip=classify_chip, export_rule_sets=export_rule_sets,
                           export_notices=export_notices,
                           hardware=functools.partial(hardware, home=home),
                           is_indicator=functools.partial(is_indicator, home=home)),
                home=home)


def check(text_or_path: str | Path, *, lang: str = "auto", home=None, backend: str | None = None,
          as_text: bool = False, as_of=None, dated=None, progress=None) -> Report:
    """Check the numeric claims of a text, a text file, a URL or a structured claims YAML file.

    Returns a `aiatlas.claims.model.Report` (`.to_dict()` for JSON). A string that names an
    existing file, '-' or an http(s) URL is read; any other string is checked as the text itself.
    With as_text, the string is always the text: nothing is read or fetched (what a server uses).
    `as_of` (a date) checks against the data vintage of that date instead of the latest build;
    `dated` (YYYY-MM-DD) is the article's date, which 'last year' counts from (default: the date
    an HTML page declares in its metadata, else `as_of`);
    `progress(done, total)` is told how many sentences are checked.
    """
    data = checker(home=home, backend=backend)
    source = str(text_or_path)
    is_path = not as_text and (isinstance(text_or_path, Path) or (
        len(source) < 1024 and "\n" not in source
        and (Path(source).is_file() or source == "-" or source.startswith(("http://", "https://")))))
    if not is_path:
        return check_text(source, lang, data=data, source="<text>", as_of=as_of, dated=dated,
                          progress=progress)
    if source.endswith((".yaml", ".yml")) and Path(source).is_file():
        return check_claims_file(source, data=data)
    text, label, published = read_input(source)  # an HTML page's own date, unless one is given
    return check_text(text, lang, data=data, source=label, as_of=as_of, dated=dated or published,
                      progress=progress)
