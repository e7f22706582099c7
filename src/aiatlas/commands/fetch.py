"""`aiatlas fetch`: download sources into snapshots with a byte progress bar."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from aiatlas import api
from aiatlas.commands._output import console, print_table


def fetch(sources: list[str] | None = typer.Argument(None, help="Source ids (default: all)"),
          mirror: str | None = typer.Option(None, "--mirror",
                                               help="Mirror folder or http(s) base URL "
                                                    "(default: $AIATLAS_MIRROR, else canonical URLs)"),
          home: Path | None = typer.Option(None, "--home", help="Data home")) -> None:
    """Download sources into immutable, checksummed snapshots (unchanged files reuse theirs)."""
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        manifests = api.fetch(sources or None, mirror=mirror, home=home, progress=progress)
    rows = [{"source": m["source"],
             "snapshot": m["snapshot_id"].split("/", 1)[1] if "snapshot_id" in m else "-",
             "status": m.get("absent") or ("unchanged" if m.get("reused") else "new"),
             "files": len(m["files"]), "bytes": sum(f["bytes"] for f in m["files"]),
             "rows": sum(f["rows"] or 0 for f in m["files"])} for m in manifests]
    print_table(rows, title="fetched")
