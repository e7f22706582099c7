"""Table contracts of the build's own records: what was loaded from which snapshot, the
snapshots' files, the values rejected, and the build's id and date (written by build.py and
provenance.py, not by a source's cleaner; see schema.py)."""
from __future__ import annotations

from aiatlas.warehouse.column import Column

_c = Column

TABLES: dict[str, tuple[Column, ...]] = {
    "_loads": (
        _c("source", "VARCHAR", "", "Source id"),
        _c("snapshot_id", "VARCHAR", "", "Snapshot the rows came from; NULL when never fetched"),
        _c("table", "VARCHAR", "", "Warehouse table"),
        _c("rows", "BIGINT", "rows", "Rows loaded into that table from that source"),
    ),
    "_snapshots": (
        _c("source", "VARCHAR", "", "Source id"),
        _c("file", "VARCHAR", "", "File name"),
        _c("snapshot_id", "VARCHAR", "", "<source>/<fetched_at>"),
        _c("url", "VARCHAR", "", "Where it was fetched from"),
        _c("sha256", "VARCHAR", "", "Checksum of the file"),
        _c("bytes", "BIGINT", "bytes", "Size"),
        _c("fetched_at", "TIMESTAMP", "UTC", "When it was fetched"),
        _c("as_of", "VARCHAR", "", "Publisher's as-of date when known"),
        _c("rows", "BIGINT", "rows", "Data rows in the file"),
        _c("synthetic", "BOOLEAN", "", "True for made-up data (`aiatlas synth`): results read "
           "from it are flagged synthetic and never shown as fact"),
    ),
    "_rejects": (
        _c("source", "VARCHAR", "", "Source id"),
        _c("file", "VARCHAR", "", "File name"),
        _c("row", "BIGINT", "", "1-based data row"),
        _c("column", "VARCHAR", "", "Column"),
        _c("value", "VARCHAR", "", "The offending value (first 200 characters)"),
        _c("reason", "VARCHAR", "", "What is wrong, and what was expected"),
    ),
    "_build": (
        _c("build_id", "VARCHAR", "", "Unique id of this build (changes on every rebuild)"),
        _c("built_at", "TIMESTAMP", "UTC", "When the build finished"),
        _c("aiatlas_version", "VARCHAR", "", "Version of aiatlas that built it"),
        _c("as_of", "DATE", "", "The vintage date (`aiatlas build --as-of`): every source was read "
           "from its newest snapshot with data as of this date or earlier; NULL for the current "
           "warehouse (latest snapshots)"),
    ),
}
