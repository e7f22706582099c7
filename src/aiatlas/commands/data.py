"""`aiatlas build` and `aiatlas rejects`: snapshots -> warehouse, and what the cleaners refused."""
from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from aiatlas import api, compiled
from aiatlas.commands._output import console, err, print_table
from aiatlas.errors import DataError, UsageError
from aiatlas.sources import registry


def build(strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) if any value is rejected"),
          home: Path | None = typer.Option(None, "--home", help="Data home"),
          openalex: str | None = typer.Option(
              None, "--openalex", envvar="AIATLAS_OPENALEX_SNAPSHOT", metavar="SNAPSHOT",
              help="First ingest this OpenAlex works snapshot (folder, http(s) or s3:// base "
                   "URL) into a snapshot of Parquet files; parts already ingested are skipped"),
          backend: str | None = typer.Option(
              None, "--backend", help="Engine for the OpenAlex ingest: duckdb (default) or "
                                      "pyspark; the warehouse itself is always a DuckDB file"),
          spark_master: str | None = typer.Option(
              None, "--spark-master", help="Spark master URL for --backend pyspark "
                                           "(default $AIATLAS_SPARK_MASTER or local[2])"),
          parallel: int | None = typer.Option(None, "--parallel", min=1, max=1024,
                                                 help="OpenAlex parts per group"),
          as_of: str | None = typer.Option(
              None, "--as-of", metavar="DATE",
              help="Build the vintage of DATE in <home>/vintages/DATE/: each source from its "
                   "newest snapshot (archive exports included) with data as of DATE or earlier"),
          allow_shrink: bool = typer.Option(
              False, "--allow-shrink", help="Accept a source with no rows or a table losing "
                                            "more than a quarter of its rows (refused by default)")
          ) -> None:
    """Build the DuckDB warehouse from the latest snapshots (the old one stays until the new is
    done), or with --as-of a vintage beside it; with --openalex, first ingest an OpenAlex works
    snapshot (on DuckDB or Spark) into a snapshot the build then reads."""
    if (backend == "pyspark" or spark_master) and not openalex:
        raise UsageError("--backend pyspark and --spark-master apply to the OpenAlex ingest",
                         hint="give the snapshot: aiatlas build --openalex SNAPSHOT "
                              "--backend pyspark [--spark-master URL]")
    if openalex:
        run_ingest(openalex, home=home, backend=backend, spark_master=spark_master,
                   parallel=parallel)
    build_warehouse(home, strict, as_of, allow_shrink)


def run_ingest(snapshot: str, *, home: Path | None, backend: str | None, spark_master: str | None,
               parallel: int | None) -> None:
    """Ingest with progress on stderr and the run's summary as one JSON line on stdout."""

    def progress(name: str, done: int, total: int) -> None:
        err.print(f"[{done}/{total}] {name}", highlight=False)

    summary = api.openalex_ingest(snapshot, home=home, backend=backend, spark_master=spark_master,
                                  parallel=parallel, progress=progress)
    if summary["synthetic"]:
        err.print("[yellow]note:[/yellow] this snapshot holds SYNTHETIC works; results "
                      "computed from it are flagged synthetic and are not facts")
    sys.stdout.write(json.dumps(summary) + "\n")


def rejects(source: str | None = typer.Option(None, "--source", help="Only this source"),
            home: Path | None = typer.Option(None, "--home", help="Data home")) -> None:
    """List values the cleaners could not use, as file:row:column: reason."""
    rows = api.rejects(source=source, home=home)
    print_table([{"where": f"{r['file']}:{r['row']}:{r['column']}", "value": r["value"],
                  "reason": r["reason"], "source": r["source"]} for r in rows], title="rejects")
    console.print(f"{len(rows)} rejected values")


def verify(home: Path | None = typer.Option(None, "--home", help="Data home")) -> None:
    """Check every snapshot's files against its manifest (size, sha256) and that the warehouse
    was built from snapshots still intact on disk; exit 1 when anything is damaged."""
    checks = api.verify(home=home)
    print_table([{"checked": c["what"], "status": "damaged" if c["problems"] else "ok",
                  "problem": "; ".join(c["problems"])} for c in checks], title="verify")
    bad = [c for c in checks if c["problems"]]
    if not checks:
        raise DataError("nothing to verify: no snapshots and no warehouse",
                        hint="run `aiatlas fetch` then `aiatlas build`")
    if bad:
        raise DataError(f"{len(bad)} of {len(checks)} checks found damage",
                        hint="`aiatlas fetch` replaces damaged snapshots; then `aiatlas build`")
    console.print(f"all {len(checks)} checks passed")


@contextlib.contextmanager
def _progress_bar(first: str) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on the console while the block runs (gone after it); yields the
    progress(label, done, total) callback that moves it."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(first, total=None)
        yield lambda label, done, total: bar.update(task, description=label, completed=done,
                                                    total=total)


def build_warehouse(home: Path | None, strict: bool = False, as_of: str | None = None,
                     allow_shrink: bool = False) -> None:
    """Build with a progress bar, then print what each source loaded and rejected."""
    with _progress_bar("cleaning") as progress:
        result = api.build(home=home, strict=strict, progress=progress, as_of=as_of,
                           allow_shrink=allow_shrink)
    missing = f"none as of {as_of} or earlier" if as_of else "not fetched"
    rows = [{"source": f"{s['source']} ({s['file']})" if s.get("file") else s["source"],
             "snapshot": s["snapshot_id"] or missing, "data as of": s.get("as_of"),
             "warehouse rows": s["rows"], "rejected": s["rejected"]}
            for s in result["sources"]]
    print_table(rows, title=f"vintage {as_of}" if as_of else "build")
    archives = [s.id for s in registry.SOURCES if s.archive_of] if not as_of else []
    if archives:  # fetched beside the current exports, read only by vintage builds
        console.print(f"archive exports ({', '.join(archives)}) are read by vintage builds only "
                      "(`aiatlas build --as-of DATE`); a source's warehouse rows count every table "
                      "it fills", highlight=False)
    for s in result["sources"]:
        if s.get("absent"):  # what the missing snapshot takes away, said plainly
            console.print(f"[yellow]{s['source']}:[/yellow] {s['absent']}", highlight=False)
    if result.get("skipped"):
        console.print(f"nothing to do: {result['reason']} (build {result['build_id'][:8]})")
    else:
        console.print(f"built {result['path']} in {result['seconds']:.2f} s "
                      f"(build {result['build_id'][:8]})")
    if not as_of:
        from aiatlas.report import needs  # (the report's modules: not at CLI start)

        with _progress_bar("SQL templates") as progress:  # a minute when derived, not reused
            stored = compiled.precompile(home=home, also=needs.requests(), progress=progress)
        console.print(f"{stored} indicators' default requests, and every request of the report, "
                      "stored for a fast `aiatlas show` and `aiatlas report` (see docs/performance.md)")
    if result["rejected"]:
        console.print(f"{result['rejected']} values rejected: see `aiatlas rejects`")
    for r in (result.get("model_identity_coverage") or {}).get("rows", []):
        share = "no rows" if r["share"] is None else f"{r['share']:.1%}"
        console.print(f"model identity: {r['resolved']}/{r['total']} {r['target']} "
                      f"({share}) resolve to a country and openness")


def builds(home: Path | None = typer.Option(None, "--home", help="Data home"),
           format: str = typer.Option("table", "--format", "-f", help="table or json")) -> None:
    """List the builds in the home: each vintage (aiatlas build --as-of) and the current warehouse."""
    if format not in ("table", "json"):
        raise UsageError(f"unknown format {format!r} for builds (expected table or json)")
    found = api.builds(home=home)
    if format == "json":
        sys.stdout.write(json.dumps(found, indent=2, default=str) + "\n")
        return
    if not found:
        console.print("no builds yet: run `aiatlas build` (or `aiatlas build --as-of DATE`)")
        return
    print_table([{"build": "latest" if b["as_of"] is None else str(b["as_of"]),
                  "build id": (b["build_id"] or "")[:12], "built at": b["built_at"],
                  "snapshots (data as of)": ", ".join(f"{s['source']} ({s['as_of'] or '?'})"
                                                      for s in b["snapshots"])}
                 for b in found], title="builds")
