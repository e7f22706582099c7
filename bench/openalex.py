"""Benchmark the OpenAlex ingest and indicators on synthetic corpora; prints one table.

For each size: ingest throughput (works/s) of aiatlas's streaming ingest beside the floor
measured in the same run (DuckDB read_json of the same files selecting the same fields into
the same Parquet layout), the peak RSS of each (a child process each, read with
resource.getrusage(RUSAGE_CHILDREN)), the time of the whole indicator suite over the result,
and, with --spark, Spark local-mode ingest and indicator time. Corpora are generated once into
--work and reused. Sizes above --unique repeat the parts of a --unique-work corpus (hard
links, ids repeat) so that generating 10M works does not take most of an hour on a shared
2-core machine; ingest cost does not depend on whether ids repeat.

    python bench/openalex.py --sizes 1000000 10000000 --out bench/openalex-results.md
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
kind, corpus, target = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
if kind == "aiatlas":
    from aiatlas.sources.openalex.ingest import ingest
    rows = ingest(corpus, target)["rows"]
elif kind == "floor":
    from aiatlas.sources.openalex.parse import floor_duckdb_read_json
    rows = floor_duckdb_read_json(corpus, target + "/openalex/works", memory_limit="1GB")
elif kind == "spark":
    from aiatlas.sources.openalex.ingest import ingest
    rows = ingest(corpus, target, engine="pyspark")["rows"]
elif kind in ("indicators", "indicators-spark"):
    from aiatlas import api
    backend = "pyspark" if kind == "indicators-spark" else "duckdb"
    t = time.perf_counter()
    rows = 0
    for ind in api.list_indicators():
        if "openalex_works" in ind["sources"]:
            rows += api.compute(ind["id"], home=target, backend=backend).table.num_rows
print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows,
                  "self_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def child(kind: str, corpus: Path, target: Path) -> dict:
    """Run one measured step in a fresh process; return its time, rows and peak RSS."""
    before = _children_maxrss()
    proc = subprocess.run([sys.executable, "-c", CHILD, kind, str(corpus), str(target)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    # RUSAGE_CHILDREN gives the largest child so far; the child's own figure isolates this step
    out["peak_rss_mib"] = out.pop("self_maxrss_kib") / 1024
    out["children_max_rss_mib"] = max(_children_maxrss(), before) / 1024
    return out


def _children_maxrss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def build_corpus(work: Path, size: int, unique: int, per_part: int) -> Path:
    """The synthetic corpus of `size` works under `work`, generating it (or linking it) once."""
    import os

    from aiatlas.sources.openalex.synth import write_corpus

    corpus = work / f"synth_{size}"
    if (corpus / "works" / "manifest").exists():
        return corpus
    t = time.perf_counter()
    if size <= unique:
        write_corpus(corpus, size, per_part=per_part, seed=size)
    else:
        base = work / f"base_{unique}"  # a generated corpus kept aside, else made now
        if not (base / "works" / "manifest").exists():
            base = build_corpus(work, unique, unique, per_part)
        entries = json.loads((base / "works" / "manifest").read_text())["entries"]
        (corpus / "works").mkdir(parents=True)
        (corpus / "SYNTHETIC").write_text((base / "SYNTHETIC").read_text())
        out, done, k = [], 0, 0
        while done < size:
            e = entries[k % len(entries)]
            src = base / "works" / e["url"][e["url"].index("updated_date="):]
            name = f"updated_date=2025-01-15/part_{k:03d}.gz"
            (corpus / "works" / name).parent.mkdir(exist_ok=True)
            os.link(src, corpus / "works" / name)
            out.append({"url": f"s3://openalex-synthetic/data/works/{name}", "meta": e["meta"]})
            done += e["meta"]["record_count"]
            k += 1
        (corpus / "works" / "manifest").write_text(json.dumps(
            {"entries": out, "meta": {"record_count": done}}, indent=1))
    print(f"corpus of {size:,} works ready in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return corpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/aiatlas-bench-openalex"))
    ap.add_argument("--per-part", type=int, default=200_000)
    ap.add_argument("--unique", type=int, default=2_000_000,
                    help="Largest corpus generated work by work; bigger ones repeat its parts")
    ap.add_argument("--spark", action="store_true", help="also time Spark local mode")
    ap.add_argument("--spark-max", type=int, default=1_000_000,
                    help="Time Spark only on sizes up to this many works")
    ap.add_argument("--out", type=Path, help="also write the table (markdown) here")
    args = ap.parse_args()
    rows = []
    for size in sorted(args.sizes):
        corpus = build_corpus(args.work, size, args.unique, args.per_part)
        steps = [("floor", "floor"), ("aiatlas", "aiatlas"), ("indicators", "aiatlas")]
        spark = args.spark and size <= args.spark_max
        if spark:
            steps += [("spark", "spark"), ("indicators-spark", "spark")]
        res = {}
        for kind, home in steps:
            target = args.work / f"home_{size}_{home}"
            if kind in ("floor", "aiatlas", "spark") and target.exists():
                shutil.rmtree(target)
            res[kind] = child(kind, corpus, target)
            print(f"{size:,} {kind}: {res[kind]}", file=sys.stderr)
        floor = size / res["floor"]["seconds"]
        mine = size / res["aiatlas"]["seconds"]
        row = {"works": f"{size:,}", "floor works/s": f"{floor:,.0f}",
               "aiatlas works/s": f"{mine:,.0f}", "ratio": f"{mine / floor:.2f}",
               "aiatlas peak RSS MiB": f"{res['aiatlas']['peak_rss_mib']:,.0f}",
               "indicators s": f"{res['indicators']['seconds']:.1f}",
               "DuckDB s per M works": f"{res['aiatlas']['seconds'] / size * 1e6:.1f}"}
        if args.spark:
            row["Spark s per M works"] = (f"{res['spark']['seconds'] / size * 1e6:.1f}"
                                          if spark else "-")
            row["Spark indicators s"] = (f"{res['indicators-spark']['seconds']:.1f}"
                                         if spark else "-")
        rows.append(row)
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows]
    import os

    lines.append(f"\n{os.cpu_count()} cores; 1-minute load average at the end: "
                 f"{os.getloadavg()[0]:.1f} (the machine is shared)")
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
