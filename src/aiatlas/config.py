"""Settings (data home, mirror, backend) from explicit arguments, AIATLAS_* env vars, defaults."""
from __future__ import annotations

import contextvars
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from aiatlas.errors import UsageError

BACKENDS = ("duckdb", "pyspark")
MEMO_MAX_BYTES = 64 * 1024 * 1024  # default budget of a build's memo (AIATLAS_MEMO_MAX_BYTES)
DUCKDB_THREADS_ENV = "AIATLAS_DUCKDB_THREADS"  # threads of a warehouse handle's DuckDB; unset: one per core


@dataclass(frozen=True)
class Settings:
    """Where aiatlas keeps its data and where it fetches from."""

    home: Path
    mirror: str | None
    backend: str = "duckdb"
    as_of: dt.date | None = None  # a vintage: the warehouse built from data as of this date
    memo_max_bytes: int = MEMO_MAX_BYTES  # what a build's memo may hold (values sized in bytes)
    duckdb_threads: int = 0  # threads DuckDB runs a handle's queries on; 0: its default (cores)

    @property
    def vintages_dir(self) -> Path:
        return self.home / "vintages"

    @property
    def snapshots_dir(self) -> Path:
        return self.home / "snapshots"

    @property
    def warehouse_path(self) -> Path:
        """The current warehouse, or the vintage's (`<home>/vintages/<date>/`) when as_of is set."""
        if self.as_of is not None:
            return self.vintages_dir / self.as_of.isoformat() / "warehouse.duckdb"
        return self.home / "warehouse.duckdb"


def settings(home: str | Path | None = None, mirror: str | None = None,
             backend: str | None = None, as_of: str | dt.date | None = None) -> Settings:
    """Resolve settings: an explicit argument beats the environment, which beats the default."""
    home = home or os.environ.get("AIATLAS_HOME") or platformdirs.user_data_dir("aiatlas")
    mirror = mirror or os.environ.get("AIATLAS_MIRROR") or None
    backend = backend or os.environ.get("AIATLAS_BACKEND") or "duckdb"
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r} (expected one of: {', '.join(BACKENDS)})")
    return Settings(home=Path(home).expanduser().resolve(), mirror=mirror, backend=backend,
                    as_of=parse_date(as_of, "as_of"),
                    memo_max_bytes=int(env_number("AIATLAS_MEMO_MAX_BYTES", MEMO_MAX_BYTES)),
                    duckdb_threads=int(env_number(DUCKDB_THREADS_ENV, 0)))


# Set (to a list) while an indicator's SQL is derived: a read of the clock is recorded, so a
# query that depends on the day is kept for that day only (aiatlas.sqltemplate).
clock_reads: contextvars.ContextVar[list | None] = contextvars.ContextVar("clock_reads",
                                                                          default=None)


def today() -> dt.date:
    """Today's date: the one clock indicator code reads (a default such as "the rules in force")."""
    reads = clock_reads.get()
    if reads is not None:
        reads.append(True)
    return dt.date.today()


def parse_date(value: str | dt.date | None, what: str) -> dt.date | None:
    """An ISO date from text (or a date), a UsageError naming the option otherwise."""
    if value is None or value == "" or isinstance(value, dt.date):
        return value or None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"{what} {value!r} is not a date (expected YYYY-MM-DD)") from None


def env_number(name: str, default: float) -> float:
    """A positive number from the environment, or a one-line usage error naming the variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e15:
        raise UsageError(f"{name}={raw!r} is not a positive number",
                         hint=f"unset it for the default ({default:g})")
    return value
