"""`aiatlas check FILE|-|URL`: check an article's numeric claims against the data.

It answers through `aiatlas.lookup` (stored SQL templates on DuckDB), and `python -m aiatlas
check` runs it without the rest of the CLI (`main`), so a check loads neither Ibis nor pandas."""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from aiatlas import lookup
from aiatlas.claims import render
from aiatlas.commands._output import console, print_table, run
from aiatlas.errors import UsageError

FORMATS = ("table", "json", "md", "html")


def check(source: str = typer.Argument(..., help="Text file, '-' for stdin, a URL, or a claims "
                                                  "YAML file (.yaml/.yml with a `claims:` list)"),
          lang: str = typer.Option("auto", "--lang", help="auto, en or ja"),
          format: str = typer.Option("table", "--format", "-f", help="table, json, md or html"),
          out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file"),
          home: Path | None = typer.Option(None, "--home", help="Data home"),
          as_of: str | None = typer.Option(None, "--as-of", help="Check against the data vintage "
                                           "of this date (YYYY-MM-DD), built on first use"),
          dated: str | None = typer.Option(None, "--dated", help="The article's date (YYYY-MM-DD; "
                                           "default an HTML page's declared date, else --as-of): "
                                           "'last year', 昨年 ... count from it")
          ) -> None:
    """Check the numeric claims of an article (en/ja) against the indicators and curated facts."""
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r} (expected {', '.join(FORMATS)})")
    # On the command line the argument always names an input, never the text itself, so a
    # mistyped file name is an error rather than a one-sentence article.
    remote = source == "-" or source.startswith(("http://", "https://"))
    missing = lookup.missing_warehouse(home=home)
    if missing is not None:  # said once, first: each indicator claim would repeat it
        err = Console(stderr=True)
        err.print(f"error: {missing}: claims about indicators cannot be checked (curated facts "
                  "and chips still are)", markup=False, highlight=False, soft_wrap=True)
        err.print(f"hint: {missing.hint}", markup=False, highlight=False, soft_wrap=True)
    with Progress(TextColumn("checking sentences"), BarColumn(), MofNCompleteColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("check", total=None, visible=False)

        def progress(done: int, total: int) -> None:
            if total >= 1000:  # long inputs only: a short article is done before a bar helps
                bar.update(task, completed=done, total=total, visible=True)

        report = lookup.check(source if remote else Path(source), lang=lang, home=home, as_of=as_of,
                              dated=dated, progress=progress)
    if format == "table":
        if out:
            raise UsageError("--format table prints to the terminal; use json, md or html with --out")
        print_table(render.rows(report), title=render.title(report))
        console.print(f"{render.counts_line(report)} ({report.seconds:.2f} s)")
        if missing is not None:
            raise typer.Exit(missing.exit_code)
        return
    text = {"json": render.to_json, "md": render.to_markdown, "html": render.to_html}[format](report)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if missing is not None:
        raise typer.Exit(missing.exit_code)


def main(args: list[str]) -> None:
    """`aiatlas check ARGS` on its own: the same command as in the full CLI, errors included."""
    app = typer.Typer(add_completion=False)
    app.command()(check)
    run(app, args=args, prog_name="aiatlas check")
