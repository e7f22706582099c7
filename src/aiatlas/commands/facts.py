"""`aiatlas facts`: list curated, cited facts as a table, CSV or JSON."""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import typer

from aiatlas import api
from aiatlas.commands._output import print_table
from aiatlas.errors import UsageError

SHOWN = ("id", "period", "date", "value", "unit", "as_printed", "publisher", "confirmed")


def facts(topic: str | None = typer.Option(None, "--topic", "-t", help="Only this topic"),
          subject: str | None = typer.Option(None, "--subject", "-s",
                                                help="Only this subject (ISO3, US-TX, WLD, org, model)"),
          measure: str | None = typer.Option(None, "--measure", "-m", help="Only this measure"),
          confirmed_only: bool = typer.Option(False, "--confirmed-only",
                                              help="Leave out records that could not be confirmed"),
          format: str = typer.Option("table", "--format", "-f", help="table, csv or json"),
          out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file")) -> None:
    """List curated facts with their citations (publisher, URL, date, figure as printed)."""
    rows = api.facts(topic, subject, measure, confirmed_only=confirmed_only)
    if format == "table":
        if out:
            raise UsageError("--format table prints to the terminal; use csv or json with --out")
        print_table([{k: r[k] for k in SHOWN} for r in rows], title=f"curated facts ({len(rows)})")
        return
    if format == "json":
        text = json.dumps(rows, default=str, indent=2, ensure_ascii=False) + "\n"
    elif format == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else list(SHOWN))
        writer.writeheader()
        writer.writerows(rows)
        text = buf.getvalue()
    else:
        raise UsageError(f"unknown format {format!r} (expected table, csv or json)")
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
