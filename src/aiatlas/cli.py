"""The aiatlas command line: one verb per user task, Rich tables and progress."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from aiatlas import api
from aiatlas.commands import data as _data
from aiatlas.commands import entities as _entities
from aiatlas.commands import openalex as _openalex
from aiatlas.commands import publish as _publish
from aiatlas.commands._output import check_format, err, print_table, write_result
from aiatlas.commands.check import check as _check
from aiatlas.commands.chips import app as _chips_app
from aiatlas.commands.diff import diff as _diff
from aiatlas.commands.diff import reconcile as _reconcile
from aiatlas.commands.facts import facts as _facts
from aiatlas.commands.fetch import fetch as _fetch
from aiatlas.errors import AiatlasError, UsageError
from aiatlas.results import dumps

app = typer.Typer(help="aiatlas: an open, reproducible index of the global AI race.",
                  no_args_is_help=True, add_completion=False)

HomeOpt = typer.Option(None, "--home", help="Data home (default: $AIATLAS_HOME or the user data dir)")
BackendOpt = typer.Option(None, "--backend", help="Engine: duckdb (default) or pyspark")
ParamOpt = typer.Option(None, "-p", "--param", help="Indicator parameter as key=value (repeatable)")
FormatOpt = typer.Option("table", "--format", "-f", help="table, csv, json or parquet")
AsOfOpt = typer.Option(None, "--as-of", metavar="DATE",
                       help="Read the vintage built for DATE (`aiatlas build --as-of DATE`)")


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{what} {item!r} is not key=value")
        out[key.strip()] = value
    return out

app.command("fetch")(_fetch)
app.command("facts")(_facts)

app.command("build")(_data.build)
app.command("rejects")(_data.rejects)
app.command("verify")(_data.verify)
app.command("builds")(_data.builds)
app.command("diff")(_diff)
app.command("reconcile")(_reconcile)

app.add_typer(_chips_app, name="chips")
app.command("check")(_check)


@app.command("list")
def list_cmd(chapter: Optional[str] = typer.Option(None, help="Only this chapter"),
             format: str = typer.Option("table", "--format", "-f", help="table or json")) -> None:
    """List the indicators: id, title, unit, chapter, grain, parameters."""
    if format not in ("table", "json"):
        raise UsageError(f"unknown format {format!r} for list (expected table or json)")
    every = api.list_indicators()
    found = [i for i in every if chapter in (None, i["chapter"])]
    if not found:
        chapters = sorted({i["chapter"] for i in every})
        raise UsageError(f"no chapter {chapter!r} (chapters: {', '.join(chapters)})")
    if format == "json":
        sys.stdout.write(dumps(found, indent=2) + "\n")
        return
    rows = [{"id": i["id"], "title": i["title"], "unit": i["unit"], "chapter": i["chapter"],
             "grain": ", ".join(i["grain"]),
             "parameters": ", ".join(f"{p['name']}={p['default']}" for p in i["parameters"])}
            for i in found]
    print_table(rows, title="indicators")


@app.command()
def show(id: str, param: Optional[list[str]] = ParamOpt, format: str = FormatOpt,
         out: Optional[Path] = typer.Option(None, "--out", "-o"), home: Optional[Path] = HomeOpt,
         backend: Optional[str] = BackendOpt, as_of: Optional[str] = AsOfOpt) -> None:
    """Compute one indicator and print or save it."""
    check_format(format, out)
    result = api.compute(id, home=home, backend=backend, as_of=as_of, **_pairs(param, "parameter"))
    write_result(result, format, out)


@app.command()
def explain(id: str, where: Optional[list[str]] = typer.Option(None, "--where", "-w",
                                                               help="Grain filter col=value"),
            param: Optional[list[str]] = ParamOpt, format: str = FormatOpt,
            out: Optional[Path] = typer.Option(None, "--out", "-o"), home: Optional[Path] = HomeOpt,
            backend: Optional[str] = BackendOpt, as_of: Optional[str] = AsOfOpt) -> None:
    """Show the source rows behind an indicator's values."""
    check_format(format, out)
    result = api.explain(id, where=_pairs(where, "--where"), home=home, backend=backend,
                         as_of=as_of, **_pairs(param, "parameter"))
    write_result(result, format, out)

app.add_typer(_entities.app, name="entities")
app.add_typer(_openalex.app, name="openalex")
app.add_typer(_openalex.synth_app, name="synth")


_publish.register(app)


def main() -> None:
    """Entry point: run the app, turning aiatlas errors into one-line messages and exit codes.

    Typer runs in standalone mode, so it reports its own usage errors (unknown command or
    option, missing argument, a value of the wrong type: exit 2) and Ctrl-C; aiatlas's errors
    propagate out of it and are printed here."""
    try:
        app()
    except AiatlasError as e:
        err.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
        if e.hint:
            err.print(f"hint: {escape(e.hint)}", highlight=False)
        sys.exit(e.exit_code)
