"""The aiatlas command line: one verb per user task, Rich tables and progress."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aiatlas import api
from aiatlas.errors import AiatlasError, UsageError
from aiatlas.results import dumps

app = typer.Typer(help="aiatlas: an open, reproducible index of the global AI race.",
                  no_args_is_help=True, add_completion=False)
# Piped into a file or a pager, Rich would fold tables to 80 columns (ids one word per line):
# give them room unless COLUMNS says otherwise.
PIPE_WIDTH = 160
console = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH)
err = Console(stderr=True)

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


def print_table(rows: list[dict], title: str | None = None, limit: int | None = None) -> None:
    """Render rows as a Rich table on stdout."""
    table = Table(title=title, show_lines=False)
    cols = list(rows[0]) if rows else []
    for col in cols:
        table.add_column(str(col), overflow="fold")
    for row in rows[:limit] if limit else rows:
        table.add_row(*[_fmt(row[c]) for c in cols])
    console.print(table)
    if limit and len(rows) > limit:
        console.print(f"... {len(rows) - limit} more rows (use --format csv)")


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


FORMATS = ("table", "csv", "json", "parquet")


def _check_format(fmt: str, out: Optional[Path]) -> None:
    """Reject a bad --format/--out pair before any work is done."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (expected {', '.join(FORMATS)})")
    if fmt == "table" and out:
        raise UsageError("--format table prints to the terminal; use csv, json or parquet with --out")
    if fmt == "parquet" and not out:
        raise UsageError("--format parquet needs --out FILE")
    if out and not out.parent.exists():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")


def write_result(result: api.Result, fmt: str, out: Optional[Path]) -> None:
    """Write an indicator result or explain rows in the asked format, to a file or stdout."""
    _check_format(fmt, out)
    table = result.to_arrow()
    # notes go to stderr, so the data on stdout stays machine-readable
    if result.meta.get("synthetic"):
        err.print("[yellow]note:[/yellow] SYNTHETIC data (made by `aiatlas synth`): these numbers "
                  "are not facts", highlight=False)
    if table.num_rows == 0:
        given = ", ".join(f"{k}={v}" for k, v in (result.meta.get("params") or {}).items()
                          if v is not None)
        where = ", ".join(f"{k}={v}" for k, v in (result.meta.get("where") or {}).items())
        err.print(f"no rows{' for ' + given if given else ''}{' where ' + where if where else ''}",
                  highlight=False)
    if fmt == "table":
        print_table(table.to_pylist(), title=result.meta.get("title"), limit=200)
        return
    if fmt == "parquet":
        result.to_parquet(out)
        return
    text = result.to_csv() if fmt == "csv" else result.to_json(indent=2) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


from aiatlas.commands.fetch import fetch as _fetch  # noqa: E402

app.command("fetch")(_fetch)
from aiatlas.commands.facts import facts as _facts  # noqa: E402

app.command("facts")(_facts)

from aiatlas.commands import data as _data  # noqa: E402

app.command("build")(_data.build)
app.command("rejects")(_data.rejects)
app.command("verify")(_data.verify)
app.command("builds")(_data.builds)
from aiatlas.commands.diff import diff as _diff, reconcile as _reconcile  # noqa: E402

app.command("diff")(_diff)
app.command("reconcile")(_reconcile)

from aiatlas.commands.chips import app as _chips_app  # noqa: E402

app.add_typer(_chips_app, name="chips")

from aiatlas.commands.check import check as _check  # noqa: E402

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
    _check_format(format, out)
    result = api.compute(id, home=home, backend=backend, as_of=as_of, **_pairs(param, "parameter"))
    write_result(result, format, out)


@app.command()
def explain(id: str, where: Optional[list[str]] = typer.Option(None, "--where", "-w",
                                                               help="Grain filter col=value"),
            param: Optional[list[str]] = ParamOpt, format: str = FormatOpt,
            out: Optional[Path] = typer.Option(None, "--out", "-o"), home: Optional[Path] = HomeOpt,
            backend: Optional[str] = BackendOpt, as_of: Optional[str] = AsOfOpt) -> None:
    """Show the source rows behind an indicator's values."""
    _check_format(format, out)
    result = api.explain(id, where=_pairs(where, "--where"), home=home, backend=backend,
                         as_of=as_of, **_pairs(param, "parameter"))
    write_result(result, format, out)


from aiatlas import standing  # noqa: E402  (profiles and comparisons, built on the api)


def _lag_text(lag: dict) -> str:
    if lag.get("status") != "ok":
        return f"{lag['follower']} behind {lag['leader']}: {lag.get('status')}"
    bound = "at least " if lag["at_least"] else ""
    low, high = lag["interval"]
    closing = {True: "closing", False: "not closing", None: "cannot tell"}[lag["closing"]]
    return (f"{lag['follower']} behind {lag['leader']} (ECI, {lag['month']}): {bound}"
            f"{lag['lag_months']:.1f} months (5-95%: {low:.1f} to {high:.1f}); vs a year before: {closing}")


@app.command()
def country(code: str, per: Optional[str] = typer.Option(None, "--per", help="capita or million"),
            format: str = typer.Option("table", "--format", "-f", help="table or json"),
            home: Optional[Path] = HomeOpt) -> None:
    """A country's profile: every indicator's latest value, rank, trend and the rows behind it."""
    if format not in ("table", "json"):
        raise UsageError(f"unknown format {format!r} for country (expected table or json)")
    p = standing.profile(code, home=home, per=per)
    if format == "json":
        sys.stdout.write(dumps(p, indent=2) + "\n")
        return
    rows = [{"indicator": e["id"], "period": " ".join((e.get("period") or {}).values()),
             "value": e.get("value"), "unit": e["unit"],
             "rank": f"{e['rank']} of {e['of']}" if e.get("rank") else "",
             "trend": e.get("trend") or "", "change %": e.get("change_pct"),
             "rows": (e.get("rows") or {}).get("cli") or e.get("status")} for e in p["indicators"]]
    print_table(rows, title=f"{p['names']['en']} ({p['names']['ja']}) {p['country']}")
    console.print(_lag_text(p["lag"]), highlight=False)


_CLOSING = {True: "yes", False: "no", None: "cannot tell"}


@app.command()
def compare(codes: list[str], per: Optional[str] = typer.Option(None, "--per", help="capita or million"),
            format: str = typer.Option("table", "--format", "-f", help="table or json"),
            home: Optional[Path] = HomeOpt) -> None:
    """Countries head to head: who leads each dimension, by how much, and whether the gap closes."""
    if format not in ("table", "json"):
        raise UsageError(f"unknown format {format!r} for compare (expected table or json)")
    c = standing.compare(codes, home=home, per=per)
    if format == "json":
        sys.stdout.write(dumps(c, indent=2) + "\n")
        return
    rows = []
    for d in c["dimensions"]:
        row = {"indicator": d["id"], "period": " ".join((d.get("period") or {}).values())}
        row |= {code: (d.get("values") or {}).get(code) for code in c["countries"]}
        row["leader"] = d.get("leader") or d.get("status")
        gaps = d.get("gaps") or {}
        row["ratio"] = "; ".join(f"{k} {g['ratio']:.3g}x" for k, g in gaps.items() if g["ratio"])
        row["gap closing"] = "; ".join(f"{k} {_CLOSING[g['closing']]}" for k, g in gaps.items())
        rows.append(row)
    print_table(rows, title=" vs ".join(c["countries"]))
    for lag in c["lags"]:
        console.print(_lag_text(lag), highlight=False)


from aiatlas.commands import entities as _entities  # noqa: E402

app.add_typer(_entities.app, name="entities")

from aiatlas.commands import openalex as _openalex  # noqa: E402

app.add_typer(_openalex.app, name="openalex")
app.add_typer(_openalex.synth_app, name="synth")

from aiatlas.commands import publish as _publish  # noqa: E402  (report, serve)

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
