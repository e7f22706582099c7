"""Claim checking: extraction precision/recall and verdict accuracy on the labelled set, and speed.

Usage: python bench/claims.py [--home DATA_HOME] [--sentences N]
Verdicts need a built warehouse (`aiatlas fetch && aiatlas build`, or --home); without one every
indicator claim is 'unverifiable (no warehouse)', which the verdict line then reports as wrong.
The comparison figure is the extraction alone (no matching), measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from aiatlas import api
from aiatlas.claims import evaluate
from aiatlas.claims.check import check_text
from aiatlas.claims.extract import extract
from aiatlas.claims.judge import Data

LABELLED = REPO / "tests" / "fixtures" / "claims" / "labelled.yaml"
HELDOUT = REPO / "tests" / "fixtures" / "claims" / "heldout.yaml"  # written after tuning stopped
TARGETS = {"precision": 0.9, "recall": 0.8, "article_s": 2.0}


def article(items: list[dict], n: int = 40) -> str:
    """An n-sentence mixed English/Japanese 'article' made of the labelled sentences."""
    texts = [i["text"] for i in items]
    picked = (texts * (n // len(texts) + 1))[:n]
    return "\n".join(t if t.rstrip().endswith((".", "。", "!", "?", "！", "？")) else t + "."
                     for t in picked)


def _cli_times(text: str, home: str | None) -> tuple[float, float]:
    """Wall time of the CLI in a fresh process: check the article, and show one indicator."""
    import subprocess
    import tempfile

    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONWARNINGS="ignore")
    if home:
        env["AIATLAS_HOME"] = home
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write(text)
    out = []
    for argv in (["check", f.name, "-f", "json"], ["show", "notable_models_by_country", "-f", "json"]):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aiatlas", *argv], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        out.append(time.perf_counter() - t0)
    os.unlink(f.name)
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", help="data home with a built warehouse (default: $AIATLAS_HOME)")
    ap.add_argument("--sentences", type=int, default=1000, help="sentences for the throughput run")
    args = ap.parse_args()
    items = evaluate.load(LABELLED)

    text = article(items)
    t0 = time.perf_counter()  # a fresh process: imports, Sudachi dictionary, first queries
    check_text(text, home=args.home)
    cold = time.perf_counter() - t0
    api.warehouse(home=args.home).forget()  # warm process, nothing computed: a new article
    data = Data(home=args.home)
    t0 = time.perf_counter()
    report = check_text(text, home=args.home, data=data)
    article_s = time.perf_counter() - t0
    api_s = data.api_seconds

    score = evaluate.score(items, home=args.home)
    held = evaluate.score(evaluate.load(HELDOUT), home=args.home)

    big = article(items, args.sentences)
    api.warehouse(home=args.home).forget()
    t0 = time.perf_counter()
    check_text(big, home=args.home)
    full = time.perf_counter() - t0
    t0 = time.perf_counter()
    extract(big)
    only_extract = time.perf_counter() - t0
    per_k = 1000 / args.sentences

    cli_check, cli_show = _cli_times(text, args.home)
    table = Table(title=f"claims: {score.sentences} labelled sentences ({score.japanese} Japanese)")
    for col in ("measure", "value", "target"):
        table.add_column(col)
    table.add_row("extraction precision", f"{score.precision:.3f} ({score.matched}/{score.predicted})",
                  f">= {TARGETS['precision']}")
    table.add_row("extraction recall", f"{score.recall:.3f} ({score.matched}/{score.expected})",
                  f">= {TARGETS['recall']}")
    table.add_row(f"held-out set ({held.sentences} sentences): precision / recall",
                  f"{held.precision:.3f} ({held.matched}/{held.predicted}) / "
                  f"{held.recall:.3f} ({held.matched}/{held.expected})", "")
    table.add_row("subject accuracy", f"{score.subject_accuracy:.3f} "
                  f"({score.subject_right}/{score.subject_total})", "")
    table.add_row("verdict accuracy", f"{score.verdict_accuracy:.3f} ({score.verdict_right}/"
                  f"{score.verdict_total}; {score.verdict_pending} not labelled yet)", "")
    for needs, (right, total) in sorted(score.by_source.items()):
        what = {"none": "claims no data covers", "indicators": "claims on indicators",
                "facts": "claims on curated facts"}.get(needs, needs)
        table.add_row(f"  verdict accuracy, {what}", f"{right / total:.3f} ({right}/{total})", "")
    table.add_row("40-sentence article, fresh process, s", f"{cold:.3f}", "")
    table.add_row("  `aiatlas check` CLI on it, new process, s", f"{cli_check:.3f}", "")
    table.add_row("  `aiatlas show notable_models_by_country` CLI, new process, s",
                  f"{cli_show:.3f}", "(floor)")
    table.add_row("40-sentence article, warm process, s", f"{article_s:.3f} "
                  f"({sum(len(s.claims) for s in report.sentences)} claims)", f"< {TARGETS['article_s']}")
    table.add_row("  of which aiatlas.api calls (compute/explain/facts), s", f"{api_s:.3f}",
                  "(floor)")
    table.add_row("check, s per 1,000 sentences", f"{full * per_k:.3f}", "")
    table.add_row("extraction alone, s per 1,000 sentences", f"{only_extract * per_k:.3f}", "(floor)")
    Console().print(table)
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for miss in score.misses + held.misses:
        print("  " + miss)


if __name__ == "__main__":
    main()
