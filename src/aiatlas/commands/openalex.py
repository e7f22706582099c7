"""`aiatlas openalex ingest|api-counts` and `aiatlas synth openalex`: the OpenAlex commands."""
from __future__ import annotations

import contextlib
import csv
import json
import sys
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(help="OpenAlex research output: ingest a works snapshot, or ask the API.",
                  no_args_is_help=True)
synth_app = typer.Typer(help="Write synthetic corpora for tests and benchmarks.",
                        no_args_is_help=True)
err = Console(stderr=True)


@app.command("ingest")
def ingest_cmd(snapshot: str = typer.Argument(..., help="The snapshot's works/ folder (or its "
                                              "parent), an http(s) base URL of one, or s3://BUCKET/path "
                                              "(anonymous HTTPS; AIATLAS_S3_ENDPOINT for an "
                                              "S3-compatible server)"),
               home: Path | None = typer.Option(None, "--home", help="Data home"),
               backend: str | None = typer.Option(None, "--backend",
                                                     help="duckdb (default) or pyspark"),
               spark_master: str | None = typer.Option(None, "--spark-master",
                                                          help="Spark master URL (pyspark only; "
                                                               "default local[2])"),
               parallel: int | None = typer.Option(None, "--parallel", min=1, max=1024,
                                                      help="Parts per group (default 2 on "
                                                           "DuckDB, 32 per Spark job)")) -> None:
    """Stream a works snapshot into <home>/openalex/works/ (parts already ingested are skipped)."""
    run_ingest(snapshot, home=home, backend=backend, spark_master=spark_master, parallel=parallel)


def run_ingest(snapshot: str, *, home: Path | None, backend: str | None, spark_master: str | None,
               parallel: int | None) -> None:
    """Ingest with progress on stderr and the run's summary as one JSON line on stdout."""
    from aiatlas import api

    def progress(name: str, done: int, total: int) -> None:
        err.print(f"[{done}/{total}] {name}", highlight=False)

    summary = api.openalex_ingest(snapshot, home=home, backend=backend, spark_master=spark_master,
                                  parallel=parallel, progress=progress)
    if summary["synthetic"]:
        err.print("[yellow]note:[/yellow] this data home holds SYNTHETIC works; results computed "
                  "from it are flagged synthetic and are not facts")
    sys.stdout.write(json.dumps(summary) + "\n")


@app.command("api-counts")
def api_counts(ai_definition: str = typer.Option("subfield", "--ai-definition",
                                                 help="subfield (OpenAlex subfield 1702 'Artificial "
                                                      "Intelligence') or concept (C154945302)"),
               from_year: int = typer.Option(2015, "--from-year", min=1, max=9999),
               to_year: int = typer.Option(2024, "--to-year", min=1, max=9999),
               mailto: str | None = typer.Option(None, "--mailto", envvar="AIATLAS_OPENALEX_MAILTO",
                                                    help="Your e-mail, for OpenAlex's polite pool"),
               api_key: str | None = typer.Option(None, "--api-key",
                                                     envvar="AIATLAS_OPENALEX_API_KEY"),
               out: Path | None = typer.Option(None, "--out", "-o", help="CSV file")) -> None:
    """AI works by country and year from the OpenAlex API's group_by (full counting)."""
    from aiatlas.errors import UsageError
    from aiatlas.sources.openalex import ai_definition as get_definition
    from aiatlas.sources.openalex.api import OpenAlexClient, ai_works_by_country_year

    if to_year < from_year:
        raise UsageError(f"--to-year {to_year} is before --from-year {from_year}")
    client = OpenAlexClient(mailto=mailto, api_key=api_key)
    rows = ai_works_by_country_year(client, get_definition(ai_definition),
                                    range(from_year, to_year + 1))
    with open(out, "w", newline="", encoding="utf-8") if out else contextlib.nullcontext(
            sys.stdout) as fh:
        writer = csv.DictWriter(fh, fieldnames=["country_code", "year", "works"])
        writer.writeheader()
        writer.writerows(rows)


@synth_app.command("openalex")
def synth_openalex(works: int = typer.Option(..., "--works", min=1, max=10**9, help="How many works"),
                   out: Path = typer.Option(..., "--out", help="Folder to write the snapshot to"),
                   per_part: int = typer.Option(100_000, "--per-part", min=1, max=10**9,
                                                help="Works per part file"),
                   seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1)) -> None:
    """Write a SYNTHETIC OpenAlex works snapshot (labelled so everywhere) for tests and benches."""
    from aiatlas.errors import UsageError
    from aiatlas.sources.openalex.synth import write_corpus

    if (out / "works").exists() and not (out / "SYNTHETIC").exists():
        raise UsageError(f"{out}/works exists and is not a synthetic corpus; refusing to overwrite")
    manifest = write_corpus(out, works, per_part=per_part, seed=seed)
    err.print(f"wrote {works:,} SYNTHETIC works in {len(manifest['entries'])} parts to {out}")
