"""Test helper: lay out a snapshot folder exactly as `aiatlas fetch` does (files + manifest.json)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import duckdb


def make_snapshot(home: Path, source: str, files: dict[str, Path | bytes],
                  stamp: str = "20261127T201500123456Z") -> Path:
    """Copy (or write) files into <home>/snapshots/<source>/<stamp>/ and write its manifest."""
    folder = home / "snapshots" / source / stamp
    folder.mkdir(parents=True)
    entries = []
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copyfile(content, folder / name)
        else:
            (folder / name).write_bytes(content)
        data = (folder / name).read_bytes()
        entries.append({"name": name, "url": f"test://{name}", "bytes": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(), "as_of": None, "rows": None})
    fetched = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
    (folder / "manifest.json").write_text(json.dumps({
        "source": source, "snapshot_id": f"{source}/{stamp}", "fetched_at": fetched.isoformat(),
        "files": entries}))
    return folder


def query(home: Path, sql: str) -> list[tuple]:
    """Run one read-only query against a home's warehouse."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
