"""Benchmark: `aiatlas report` wall time per language, HTML and with PDF, now beside a baseline.

Each build runs the CLI in a new process (as a user runs it), on one data home, once for the
working tree and once for the baseline revision's `src/` (exported with `git archive` into a
temporary folder), alternately, `--repeat` times; the table shows the median of each.
Targets (issue 15): HTML < 10 s per language, HTML + PDF < 30 s.
Usage: PYTHONPATH=src python bench/report.py --home H --baseline REV [--now REV] [--repeat 3] [--pdf]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
TARGETS = {False: 10.0, True: 30.0}  # seconds: HTML only, HTML + PDF


def export(rev: str, dest: Path) -> Path:
    """The baseline's `src/` tree, unpacked into dest."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "src"], check=True,
                             capture_output=True).stdout
    tar = dest / "src.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as t:
        t.extractall(dest, filter="data")
    return dest / "src"


def run(src: Path, home: str, lang: str, pdf: bool, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one `aiatlas report` in a new process with `src` first on the
    path; CPU (user + system, every thread) is what other work on the machine changes least."""
    env = os.environ | {"PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "aiatlas", "report", "--home", home, "--lang", lang,
           "--out", str(out)] + (["--pdf"] if pdf else [])
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    took, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=os.environ.get("AIATLAS_HOME"), help="data home with a built warehouse")
    ap.add_argument("--baseline", required=True, help="git revision to compare with, e.g. main~5")
    ap.add_argument("--now", default=None, help="git revision to time as 'now' (default: the working tree)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pdf", action="store_true", help="also time HTML + PDF")
    args = ap.parse_args()
    if not args.home:
        sys.exit("give --home (or set AIATLAS_HOME): a data home with a built warehouse")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "b").mkdir()
        trees = {"baseline": export(args.baseline, Path(tmp) / "b"), "now": REPO / "src"}
        if args.now:
            (Path(tmp) / "n").mkdir()
            trees["now"] = export(args.now, Path(tmp) / "n")
        cases = [(lang, pdf) for pdf in ([False, True] if args.pdf else [False]) for lang in ("en", "ja")]
        times: dict[tuple, list[float]] = {}
        for _ in range(args.repeat):
            for lang, pdf in cases:
                for name, src in trees.items():  # alternate, so load on the machine hits both
                    out = Path(tmp) / f"out-{name}-{lang}"
                    times.setdefault((name, lang, pdf), []).append(run(src, args.home, lang, pdf, out))
    table = Table(title=f"aiatlas report, median of {args.repeat} (load average "
                        f"{os.getloadavg()[0]:.1f})")
    now_name = args.now or "now"
    for col in ("build", f"wall, {args.baseline}", f"wall, {now_name}", "target (wall)",
                f"CPU, {args.baseline}", f"CPU, {now_name}"):
        table.add_column(col, justify="right" if col != "build" else "left")
    for lang, pdf in cases:
        (before, cpu_before), (now, cpu_now) = (
            [statistics.median(x) for x in zip(*times[(name, lang, pdf)], strict=True)]
            for name in ("baseline", "now"))
        target = TARGETS[pdf]
        table.add_row(f"{lang} HTML" + (" + PDF" if pdf else ""), f"{before:.1f} s", f"{now:.1f} s",
                      f"< {target:.0f} s: {'met' if now < target else 'NOT met'}",
                      f"{cpu_before:.1f} s", f"{cpu_now:.1f} s")
    Console().print(table)


if __name__ == "__main__":
    main()
