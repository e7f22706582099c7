"""Benchmark: `aiatlas report` in both languages (HTML, and with PDF), now beside a baseline.

Each build runs the CLI in new processes (as a user runs it), once for the working tree and
once for the baseline revision's `src/` (exported with `git archive` into a temporary folder),
alternately, `--repeat` times; the table shows the median of each. Each tree reads its own
copy of the data home, where its SQL templates are stored first, as its `aiatlas build` would
(the store is keyed by the build and each indicator's code: in one shared home the second
tree's store would drop the first's wherever their code differs). A tree
that builds several languages in one process (`--lang en,ja`) is timed so; an older one runs
`--lang en` and then `--lang ja`, and its figure is the sum, which is what a user of it waited.
Targets (issue 15): both languages, HTML < 10 s; HTML + PDF < 30 s.
Usage: PYTHONPATH=src python bench/report.py --home H --baseline REV [--now REV] [--repeat 3] [--pdf]
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
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
LANGS = ("en", "ja")
TARGETS = {False: 10.0, True: 30.0}  # seconds, both languages: HTML only, HTML + PDF


def export(rev: str, dest: Path) -> Path:
    """The revision's `src/` tree, unpacked into dest."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "src"], check=True,
                             capture_output=True).stdout
    tar = dest / "src.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as t:
        t.extractall(dest, filter="data")
    return dest / "src"


def together(src: Path) -> bool:
    """Whether this tree's `aiatlas report` builds several languages in one process."""
    return "def build_reports" in (src / "aiatlas" / "report" / "build.py").read_text(encoding="utf-8")


def store_templates(src: Path, home: str) -> str:
    """Store this tree's SQL templates in the home, as `aiatlas build` with this code would: the
    store is keyed by the package's source, so each tree is timed as a user who built with it."""
    env = os.environ | {"PYTHONPATH": str(src)}
    if (src / "aiatlas" / "report" / "needs.py").is_file():  # the report's requests too, as its build does
        code = ("import sys; from aiatlas import compiled; from aiatlas.report import needs; "
                "print(compiled.precompile(home=sys.argv[1], also=needs.requests()))")
        what = "stored (with the report's requests)"
    else:
        code = "import sys; from aiatlas import compiled; print(compiled.precompile(home=sys.argv[1]))"
        what = "stored"
    done = subprocess.run([sys.executable, "-c", code, home], env=env, capture_output=True,
                          text=True, check=False)
    return what if done.returncode == 0 else "none (this revision cannot store them)"


def run(src: Path, home: str, pdf: bool, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of both languages' reports, in new processes with `src` first on the
    path; CPU (user + system of every process and thread, chart workers included) is what
    other work on the machine changes least."""
    env = os.environ | {"PYTHONPATH": str(src)}
    langs = [",".join(LANGS)] if together(src) else list(LANGS)
    wall = cpu = 0.0
    for lang in langs:
        cmd = [sys.executable, "-m", "aiatlas", "report", "--home", home, "--lang", lang,
               "--out", str(out / lang)] + (["--pdf"] if pdf else [])
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        took, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
        wall += took
        cpu += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


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
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "b").mkdir()
        trees = {"baseline": export(args.baseline, Path(tmp) / "b"), "now": REPO / "src"}
        if args.now:
            (Path(tmp) / "n").mkdir()
            trees["now"] = export(args.now, Path(tmp) / "n")
        homes = {name: str(Path(tmp) / f"home-{name}") for name in trees}
        for name in trees:  # (a copy of the warehouse and snapshots: tens of MB)
            shutil.copytree(args.home, homes[name], symlinks=True)
        templates = {name: store_templates(src, homes[name]) for name, src in trees.items()}
        how = {name: "one process" if together(src) else "en, then ja" for name, src in trees.items()}
        cases = [False, True] if args.pdf else [False]
        times: dict[tuple, list[tuple[float, float]]] = {}
        for _ in range(args.repeat):
            for pdf in cases:
                for name, src in trees.items():  # alternate, so load on the machine hits both
                    took = run(src, homes[name], pdf, Path(tmp) / f"out-{name}")
                    times.setdefault((name, pdf), []).append(took)
                    print(f"{name} HTML{' + PDF' if pdf else ''}: {took[0]:.1f} s wall, "
                          f"{took[1]:.1f} s CPU (load {os.getloadavg()[0]:.1f})", flush=True)
    table = Table(title=f"aiatlas report, en + ja, median of {args.repeat} (load average "
                        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after)")
    now_name = args.now or "now"
    for col in ("build", f"wall, {args.baseline} ({how['baseline']})", f"wall, {now_name} ({how['now']})",
                "target (wall)", f"CPU, {args.baseline}", f"CPU, {now_name}"):
        table.add_column(col, justify="right" if col != "build" else "left")
    for pdf in cases:
        (before, cpu_before), (now, cpu_now) = (
            [statistics.median(x) for x in zip(*times[(name, pdf)], strict=True)]
            for name in ("baseline", "now"))
        target = TARGETS[pdf]
        table.add_row("HTML" + (" + PDF" if pdf else ""), f"{before:.1f} s", f"{now:.1f} s",
                      f"< {target:.0f} s: {'met' if now < target else 'NOT met'}",
                      f"{cpu_before:.1f} s", f"{cpu_now:.1f} s")
    Console().print(table)
    print("SQL templates in each tree's copy of the home: " + "; ".join(f"{k}: {v}" for k, v in templates.items()))


if __name__ == "__main__":
    main()
