"""What every command prints: the consoles, Rich tables and results in the asked format."""
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aiatlas.errors import AiatlasError, UsageError
from aiatlas.results import Result, partial_year

# Piped into a file or a pager, Rich would fold tables to 80 columns (ids one word per line):
# give them room unless COLUMNS says otherwise.
PIPE_WIDTH = 160
console = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH)
err = Console(stderr=True, soft_wrap=True)  # an error stays one line, however long its path


def print_table(rows: list[dict], title: str | None = None, limit: int | None = None) -> None:
    """Render rows as a Rich table on stdout."""
    table = Table(title=title, show_lines=False)
    cols = list(rows[0]) if rows else []
    for col in cols:
        table.add_column(str(col), overflow="fold")
    for row in rows[:limit] if limit else rows:
        table.add_row(*[fmt(row[c]) for c in cols])
    console.print(table)
    if limit and len(rows) > limit:
        console.print(f"... {len(rows) - limit} more rows (use --format csv)")


def fmt(v) -> str:
    """A cell as text; data is never read as Rich markup (a '[...]' in it stays visible)."""
    if v is None:
        return ""
    if isinstance(v, float):  # 1,394,626 rather than 1.39463e+06; FLOP counts stay 2.1e+25
        return f"{v:,.0f}" if 1e4 <= abs(v) < 1e15 else f"{v:.6g}"
    return escape(str(v))


FORMATS = ("table", "csv", "json", "parquet")


def check_format(fmt: str, out: Path | None) -> None:
    """Reject a bad --format/--out pair before any work is done."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (expected {', '.join(FORMATS)})")
    if fmt == "table" and out:
        raise UsageError("--format table prints to the terminal; use csv, json or parquet with --out")
    if fmt == "parquet" and not out:
        raise UsageError("--format parquet needs --out FILE")
    if out and not out.parent.exists():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")


def write_result(result: Result, fmt: str, out: Path | None) -> None:
    """Write an indicator result or explain rows in the asked format, to a file or stdout."""
    check_format(fmt, out)
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
        rows = table.to_pylist()
        partial = partial_year(result.meta.get("data_as_of"))
        if partial is not None and any(r.get("year") == partial for r in rows):
            # as the report's charts fade it: a part of a year is not read as a whole one
            rows = [r | {"year": f"{r['year']} (partial)"} if r.get("year") == partial else r
                    for r in rows]
            err.print(f"note: {partial} is a partial year: the data runs to "
                      f"{result.meta['data_as_of']}", highlight=False)
        print_table(rows, title=result.meta.get("title"), limit=200)
        return
    if fmt == "parquet":
        result.to_parquet(out)
        return
    text = result.text(fmt)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


DISK_ERRNOS = (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EPERM, errno.EDQUOT)


def run(app, **kw) -> None:
    """Run a Typer app, turning aiatlas errors into one-line messages and exit codes.

    Typer runs in standalone mode, so it reports its own usage errors (unknown command or
    option, missing argument, a value of the wrong type: exit 2) and Ctrl-C; aiatlas's errors
    propagate out of it and are printed here."""
    try:
        app(**kw)
    except AiatlasError as e:
        err.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
        if e.hint:
            err.print(f"hint: {escape(e.hint)}", highlight=False)
        sys.exit(e.exit_code)
    except OSError as e:
        # A full disk, a read-only file system or a permission problem, wherever it surfaces.
        if e.errno not in DISK_ERRNOS:
            raise
        where = f": {e.filename}" if e.filename else ""
        err.print(f"[red]error:[/red] {escape(e.strerror or str(e))}{escape(str(where))}",
                  highlight=False)
        err.print("hint: free some disk space, or point --home / AIATLAS_HOME at a writable "
                  "folder; nothing already built was replaced", highlight=False)
        sys.exit(1)
