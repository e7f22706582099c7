"""Benchmark: build time against the number of duplicate model names (must grow linearly).

Builds a notable-models snapshot holding one row repeated N and 2N times (the fault probe of
issue 17 used 20,000: 54 s before the fix) and prints both times and their ratio; linear
growth gives ~2, quadratic ~4. Target: ratio < 2.5 and 20,000 duplicates < 10 s.
Usage: python bench/duplicates.py [N]
"""
from __future__ import annotations

import csv
import io
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from aiatlas import api

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from snapshots import make_snapshot


def build_with(n: int) -> float:
    """Seconds to build a warehouse from n copies of one model row."""
    with open(REPO / "tests/fixtures/data/notable_2024.csv", newline="") as f:
        rows = list(csv.reader(f))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(rows[0])
    w.writerows([rows[1]] * n)
    with tempfile.TemporaryDirectory() as home:
        make_snapshot(Path(home), "epoch_notable_models",
                      {"notable_ai_models.csv": buf.getvalue().encode()})
        start = time.perf_counter()
        api.build(home=home)
        return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    build_with(100)  # warm imports
    one, two = build_with(n), build_with(2 * n)
    t = Table(title="build with duplicate model names")
    for col in ("duplicates", "seconds", "target"):
        t.add_column(col)
    t.add_row(f"{n:,}", f"{one:.2f}", "< 10 s at 20,000")
    t.add_row(f"{2 * n:,}", f"{two:.2f}", "")
    t.add_row("ratio", f"{two / one:.2f}", "< 2.5 (linear ~2, quadratic ~4)")
    Console().print(t)


if __name__ == "__main__":
    main()
