"""Settings (data home, mirror, backend) from explicit arguments, AIATLAS_* env vars, defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

BACKENDS = ("duckdb", "pyspark")


@dataclass(frozen=True)
class Settings:
    """Where aiatlas keeps its data and where it fetches from."""

    home: Path
    mirror: str | None
    backend: str = "duckdb"

    @property
    def snapshots_dir(self) -> Path:
        return self.home / "snapshots"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"


def settings(home: str | Path | None = None, mirror: str | None = None,
             backend: str | None = None) -> Settings:
    """Resolve settings: an explicit argument beats the environment, which beats the default."""
    home = home or os.environ.get("AIATLAS_HOME") or platformdirs.user_data_dir("aiatlas")
    mirror = mirror or os.environ.get("AIATLAS_MIRROR") or None
    backend = backend or os.environ.get("AIATLAS_BACKEND") or "duckdb"
    if backend not in BACKENDS:
        from aiatlas.errors import UsageError

        raise UsageError(f"unknown backend {backend!r} (expected one of: {', '.join(BACKENDS)})")
    return Settings(home=Path(home).expanduser().resolve(), mirror=mirror, backend=backend)
