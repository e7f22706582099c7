"""`aiatlas openalex ingest|api-counts` and `aiatlas synth openalex`: the OpenAlex commands."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import typer

from aiatlas.commands import data
from aiatlas.commands._output import check_format, err, write_result
from aiatlas.errors import UsageError
from aiatlas.results import Result
from aiatlas.sources.openalex import ai_definition as get_definition
from aiatlas.sources.openalex.api import AGGREGATE_FIELDS, PUBLICATIONS, aggregates, client_from_env
from aiatlas.sources.openalex.synth import write_corpus

app = typer.Typer(help="OpenAlex research output: ingest a works snapshot, or ask the API.",
                  no_args_is_help=True)
synth_app = typer.Typer(help="Write synthetic corpora for tests and benchmarks.",
                        no_args_is_help=True)


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
    """Stream a works snapshot into a snapshot of Parquet files (parts already ingested are
    skipped), then build the warehouse, which reads it as the view openalex_works (the same as
    `aiatlas build --openalex SNAPSHOT`)."""
    data.run_ingest(snapshot, home=home, backend=backend, spark_master=spark_master,
                    parallel=parallel)
    data.build_warehouse(home)


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
               format: str = typer.Option("json", "--format", "-f",
                                          help="json (rows with meta and provenance), csv, "
                                               "table or parquet"),
               out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file")) -> None:
    """AI works by country and year asked live of the OpenAlex API's group_by (full counting),
    with where and when they were asked and the checksum of the rows (the `aiatlas fetch
    openalex_publications` snapshot is the same query for the report's fixed years)."""
    if to_year < from_year:
        raise UsageError(f"--to-year {to_year} is before --from-year {from_year}")
    check_format(format, out)
    definition = get_definition(ai_definition)
    rows, _, meta = aggregates(client_from_env(mailto=mailto, api_key=api_key), definition,
                               range(from_year, to_year + 1))
    table = pa.Table.from_pylist(rows, schema=pa.schema(
        [(c, pa.int64() if c in ("year", "works") else pa.string()) for c in AGGREGATE_FIELDS]))
    provenance = {"source": PUBLICATIONS.id, "url": meta["query"], **meta}
    result = Result(meta={"title": "AI works by country and year (OpenAlex API, live)",
                          "unit": "works", "counting": "full", "ai_definition": definition.name,
                          "params": {"from_year": from_year, "to_year": to_year}},
                    table=table, provenance=[provenance])
    if format != "json":  # the rows alone: say where they came from beside them
        err.print(f"provenance: {meta['query']}, asked {meta['fetched_at']}, "
                  f"{meta['requests']} requests, sha256 {meta['sha256']}", highlight=False,
                  soft_wrap=True)
    write_result(result, format, out)


@synth_app.command("openalex")
def synth_openalex(works: int = typer.Option(..., "--works", min=1, max=10**9, help="How many works"),
                   out: Path = typer.Option(..., "--out", help="Folder to write the snapshot to"),
                   per_part: int = typer.Option(100_000, "--per-part", min=1, max=10**9,
                                                help="Works per part file"),
                   seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1)) -> None:
    """Write a SYNTHETIC OpenAlex works snapshot (labelled so everywhere) for tests and benches."""
    if (out / "works").exists() and not (out / "SYNTHETIC").exists():
        raise UsageError(f"{out}/works exists and is not a synthetic corpus; refusing to overwrite")
    manifest = write_corpus(out, works, per_part=per_part, seed=seed)
    err.print(f"wrote {works:,} SYNTHETIC works in {len(manifest['entries'])} parts to {out}")
