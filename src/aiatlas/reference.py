"""User docs generated from the registries: docs/indicators.md and docs/sources.md.

`make docs` (or `python -m aiatlas.reference`) rewrites them; a test fails when they are stale,
so the reference can never drift from what the code declares.
"""
from __future__ import annotations

import sys
from pathlib import Path

from aiatlas import api
from aiatlas.indicators.registry import bounds_text
from aiatlas.sources.registry import SOURCES


def _built(s) -> str:
    """How the build uses a source: built, fetched by name only, or an archive of another."""
    if s.archive_of:
        return (f"as a snapshot of `{s.archive_of}` in vintages (`aiatlas build --as-of DATE`); "
                "fetched by default from a mirror")
    return "yes" if s.default else "no (fetch it by name)"


def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def indicators_markdown() -> str:
    """Every registered indicator: id, chapter, unit, grain, tables read, parameters."""
    out = ["# Indicator reference", "",
           "Generated from the indicator registry by `make docs`; do not edit by hand.", "",
           "Compute one with `aiatlas show ID -p key=value`, see its rows with "
           "`aiatlas explain ID --where col=value`, or from Python "
           "`aiatlas.compute(ID, key=value)`.", ""]
    chapter = None
    for ind in api.list_indicators():
        if ind["chapter"] != chapter:
            chapter = ind["chapter"]
            out += [f"## Chapter: {chapter}", ""]
        out += [f"### `{ind['id']}`: {ind['title']}", "", _cell(ind["description"]), "",
                f"- unit: {ind['unit']}",
                f"- one value per: {', '.join(ind['grain']) or '(single row)'}",
                f"- value columns: {', '.join(ind['value_columns'])}",
                f"- reads tables: {', '.join(ind['sources'])}",
                f"- explain rows: {'yes' if ind['explainable'] else 'no'}", ""]
        if ind["parameters"]:
            out += ["| parameter | type | default | choices | meaning |", "|---|---|---|---|---|"]
            out += [f"| `{p['name']}` | {p['type']} | {_cell(p['default'])} | "
                    f"{_cell(_choices(p))} | "
                    f"{_cell(p['help'])} |" for p in ind["parameters"]]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _choices(p: dict) -> str:
    if p["choices"]:
        return ", ".join(map(str, p["choices"]))
    if p.get("values_from"):
        return f"any value of {p['values_from']} in the build"
    return bounds_text(p.get("minimum"), p.get("maximum"))


def sources_markdown() -> str:
    """Every upstream source: publisher, licence, citation, files with canonical URL and mirror path."""
    out = ["# Sources", "",
           "Generated from the source registry by `make docs`; do not edit by hand.", "",
           "`aiatlas fetch` downloads each file from its canonical URL, or from a mirror with the "
           "same layout (`--mirror DIR|URL` or `AIATLAS_MIRROR`).", ""]
    for s in SOURCES:
        out += [f"## `{s.id}`: {s.title}", "",
                f"- publisher: {s.publisher}",
                f"- licence: {s.licence}",
                f"- citation: {_cell(s.citation)}",
                f"- built by default: {_built(s)}",
                f"- warehouse tables: {', '.join(s.tables) or '(none)'}"]
        if s.homepage:
            out.append(f"- homepage: {s.homepage}")
        if s.notes:
            out.append(f"- notes: {_cell(s.notes)}")
        out += ["", "| file | canonical URL | mirror path | URL confirmed |", "|---|---|---|---|"]
        out += [f"| {f.name} | {f.url} | `{f.mirror_path}` | "
                f"{'yes' if f.url_verified else 'no: ' + _cell(f.note or 'could not be verified')} |"
                for f in s.files]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


GENERATED = {"indicators.md": indicators_markdown, "sources.md": sources_markdown}


def main(docs_dir: str = "docs") -> None:
    """Write every generated page into docs_dir."""
    for name, render in GENERATED.items():
        (Path(docs_dir) / name).write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
