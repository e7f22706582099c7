"""Benchmark: the test suite's wall time now against a baseline commit, measured in the same run.

Runs the README's test command (`make test`) on a fresh clone of this repository's HEAD and
of a baseline commit (default f6557e1: the tree before the suite was given tiers, when it took
6 min on the quiet machine of the time), alternating for --rounds, then HEAD again on only the
baseline's tests that still exist by node id: the same tests, then and now. Each clone installs
its own .venv (`make install`) before any clock starts. The mirror is AIATLAS_MIRROR or
../shared/data; property tests draw as many examples as in CI (HYPOTHESIS_PROFILE=ci) unless
HYPOTHESIS_PROFILE says otherwise. Only committed work is measured. About 15 minutes here.
Target: the suite not slower than at the baseline.
Usage: python bench/suite.py [--baseline REV] [--rounds N]  (--help)
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
PYTEST = [".venv/bin/python", "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup"]


def run(cmd: list[str], cwd: Path, env: dict[str, str], tests: bool = False) -> str:
    """A command's output in a clone; its end is shown, with the command, when it fails, unless
    it ran tests and pytest said how many passed and failed (a failing test is a row)."""
    done = subprocess.run(cmd, check=False, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode and not (tests and summary(done.stdout)[2] != "?"):
        sys.exit(f"{' '.join(cmd)} failed in {cwd} (exit {done.returncode}):\n"
                 f"{(done.stdout + done.stderr)[-3000:]}")
    return done.stdout


def clone(rev: str, into: Path, env: dict[str, str]) -> Path:
    """A fresh clone of the repository at `rev`, with its .venv installed."""
    subprocess.run(["git", "clone", "-q", str(REPO), str(into)], check=True)
    subprocess.run(["git", "-C", str(into), "checkout", "-q", rev], check=True)
    run(["make", "install"], into, env)
    return into


def node_ids(tree: Path, env: dict[str, str]) -> set[str]:
    out = run([*PYTEST[:4], "--collect-only", "-p", "no:xdist"], tree, env)
    return {line for line in out.splitlines() if "::" in line}


def summary(output: str) -> tuple[str, str, str]:
    """(passed, failed or in error, pytest's seconds) from pytest's last line."""
    last = next((line for line in reversed(output.splitlines())
                 if re.search(r"\d+ (passed|failed).* in [\d.]+s", line)), "")
    passed, failed, errors = (sum(int(n) for n in re.findall(rf"(\d+) {word}", last))
                              for word in ("passed", "failed", "error"))
    seconds = re.search(r" in ([\d.]+)s", last)
    return str(passed), str(failed + errors), seconds.group(1) if seconds else "?"


def timed(label: str, rev: str, cmd: list[str], tree: Path, env: dict[str, str], n: int,
          table: Table, console: Console) -> float:
    """One timed run's wall seconds, started as a fresh clone starts: no bytecode of src or
    tests yet."""
    for cache in [*tree.glob("src/**/__pycache__"), *tree.glob("tests/**/__pycache__")]:
        shutil.rmtree(cache, ignore_errors=True)
    console.print(f"{label} ({rev}): {n} tests ...")
    start = time.perf_counter()
    output = run(cmd, tree, env, tests=True)
    wall = time.perf_counter() - start
    passed, failed, seconds = summary(output)
    table.add_row(label, rev, str(n), passed, failed, seconds, f"{wall:.0f}",
                  f"{os.getloadavg()[0]:.1f}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", default="f6557e1", help="the commit compared against")
    ap.add_argument("--rounds", type=int, default=1, help="baseline / HEAD runs, alternating")
    args = ap.parse_args()
    mirror = Path(os.environ.get("AIATLAS_MIRROR") or REPO.parent / "shared" / "data").resolve()
    if not mirror.is_dir():
        sys.exit(f"no mirror at {mirror}: set AIATLAS_MIRROR to the mirror folder")
    env = {**os.environ, "AIATLAS_MIRROR": str(mirror), "PYTHONDONTWRITEBYTECODE": "",
           "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "ci")}
    env.pop("VIRTUAL_ENV", None)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    console = Console(width=100)
    table = Table(title=f"make test on fresh clones, {os.cpu_count()} cores, "
                        f"HYPOTHESIS_PROFILE={env['HYPOTHESIS_PROFILE']}; "
                        f"target: HEAD not slower than the baseline")
    for col in ("run", "commit", "tests", "passed", "failed", "pytest s", "wall s", "load"):
        table.add_column(col, justify="left" if col in ("run", "commit") else "right")
    with tempfile.TemporaryDirectory(prefix="aiatlas-suite-") as tmp:
        console.print(f"cloning {args.baseline} and {head}, installing each .venv ...")
        trees = {"baseline": (args.baseline, clone(args.baseline, Path(tmp) / "baseline", env)),
                 "HEAD": (head, clone(head, Path(tmp) / "head", env))}
        ids = {name: node_ids(tree, env) for name, (_, tree) in trees.items()}
        walls: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(args.rounds):
            for name, (rev, tree) in trees.items():
                walls[name].append(timed(name, rev, ["make", "test"], tree, env,
                                         len(ids[name]), table, console))
        same = sorted(ids["baseline"] & ids["HEAD"])
        listed = Path(tmp) / "same-tests.txt"
        listed.write_text("\n".join(same) + "\n")
        same_wall = timed("HEAD, the baseline's tests", head, [*PYTEST, f"@{listed}"],
                          trees["HEAD"][1], env, len(same), table, console)
    console.print(table)
    then = sum(walls["baseline"]) / args.rounds
    console.print(f"HEAD's suite / the baseline's: {sum(walls['HEAD']) / args.rounds / then:.2f}; "
                  f"the baseline's tests on HEAD / at the baseline: {same_wall / then:.2f}. The "
                  f"last row runs the {len(same)} of the baseline's {len(ids['baseline'])} tests "
                  "whose node ids HEAD still has (the rest were renamed or removed). 'failed' at "
                  "the baseline: tests about data added to the mirror since.")


if __name__ == "__main__":
    main()
