"""What a source is: its publisher, files, licence, citation and the cleaner that types its rows."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SourceFile:
    """One upstream file: where it lives canonically and where a mirror keeps it."""

    name: str  # file name inside a snapshot folder
    url: str  # canonical URL at the publisher
    mirror_path: str  # path relative to a mirror root (same layout as ../shared/data)
    url_verified: bool = True  # False where the canonical URL could not be confirmed
    as_of: str = ""  # publisher's as-of date of the export whose checksum is known_sha256
    known_sha256: str = ""  # checksum of the export as_of describes; other bytes get no as_of
    note: str = ""
    # Other URLs serving the same file, tried in order when the canonical one fails (moved or
    # gone); the manifest records the URL that answered.
    alternates: tuple[str, ...] = ()
    # A file made from many API calls rather than downloaded: produce(dest) writes it and
    # returns manifest fields (sha256, bytes, ...). Such a file has no mirror_path.
    produce: Callable[[Path], dict[str, Any]] | None = None


@dataclass
class Rejects:
    """Rows a cleaner could not type; they go to the warehouse's _rejects table, never dropped silently."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, source: str, file: str, row: int, column: str, value: Any, reason: str) -> None:
        self.rows.append({"source": source, "file": file, "row": row, "column": column,
                          "value": None if value is None else str(value)[:200], "reason": reason})


# A cleaner turns the snapshot's files (name -> local path) into typed rows per warehouse table.
Cleaner = Callable[[dict[str, Path], Rejects], dict[str, list[dict[str, Any]]]]


@dataclass(frozen=True)
class Source:
    """A publisher's dataset as aiatlas fetches and cleans it."""

    id: str
    publisher: str
    title: str
    licence: str
    citation: str
    files: tuple[SourceFile, ...]
    tables: tuple[str, ...]  # warehouse tables this source feeds
    clean: Cleaner
    homepage: str = ""
    default: bool = True  # fetched and built when no source is named
    notes: str = ""
    # An older export of another source: fetched like any source, never built as its own; its
    # snapshots are candidates of that source for vintage builds (`aiatlas build --as-of`).
    archive_of: str = ""
    # What a build without this source's snapshot lacks, said plainly (e.g. a whole chapter).
    absent: str = ""
    # A dataset too big for the warehouse file: its snapshot holds Parquet files (written by
    # its own ingest command, named here, never by `aiatlas fetch`) that the build exposes as
    # the view `tables[0]` over the snapshot's files, read in place.
    ingest: str = ""
    # A frozen history whose series this other source carries on (same publisher, newer files):
    # read beside it, its older as-of date does not date the data (`registry.data_as_of`).
    continued_by: str = ""


def package_file_row(source: str, path: Path, rows: int, display: str,
                     as_of: str | None = None) -> dict[str, Any]:
    """A `_snapshots` row for a data file shipped in the package (curated facts, alias tables).

    Its checksum is its identity, so editing the file changes the snapshot id and the next
    build is not skipped.
    """
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    return {"source": source, "file": path.name, "snapshot_id": f"{source}/{sha[:12]}",
            "url": f"package:{display}", "sha256": sha, "bytes": len(data),
            "fetched_at": None, "as_of": as_of, "rows": rows, "synthetic": False}
