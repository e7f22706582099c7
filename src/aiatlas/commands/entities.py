"""`aiatlas entities ...`: inspect the canonical model identity (unmatched names, coverage)."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import typer

from aiatlas import api
from aiatlas.commands._output import print_table, write_result

app = typer.Typer(help="Canonical model identity across Epoch, benchmarks and LMArena.",
                  no_args_is_help=True)


@app.command()
def unmatched(source: str | None = typer.Option(None, "--source", "-s",
                                                   help="model_version, benchmark_name or arena"),
              format: str = typer.Option("table", "--format", "-f", help="table, csv or json"),
              home: Path | None = typer.Option(None, "--home", help="Data home")) -> None:
    """List names that resolve to no model with a country and an openness class, with counts."""
    rows = api.entities_unmatched(source, home=home)
    if format == "table":
        print_table(rows, title=f"unmatched model names ({len(rows)})", limit=200)
    else:
        _write(rows, format)


@app.command()
def coverage(format: str = typer.Option("table", "--format", "-f", help="table, csv or json"),
             home: Path | None = typer.Option(None, "--home", help="Data home")) -> None:
    """Share of MMLU / GPQA Diamond rows and top-20 Arena models with a country and openness."""
    rows = api.entities_coverage(home=home)
    if format == "table":
        print_table(rows, title="model identity coverage (target >= 95%)")
    else:
        _write(rows, format)


def _write(rows: list[dict], fmt: str) -> None:
    """Rows to stdout as csv or json: the machine-readable twin of the printed table."""
    write_result(api.Result(meta={}, table=pa.Table.from_pylist(rows)), fmt, None)
