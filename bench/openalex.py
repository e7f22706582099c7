"""Benchmark the OpenAlex ingest and indicators on synthetic corpora; prints one table.

For each size: ingest throughput (works/s) of aiatlas's streaming ingest beside the floor
measured in the same run (DuckDB read_json of the same files selecting the same fields into
the same Parquet layout), the peak RSS of each (a child process each, read with
resource.getrusage(RUSAGE_CHILDREN)), the time of the whole indicator suite over the result,
and, with --spark, Spark local-mode ingest and indicator time. With --cluster: the ingest on a
Spark standalone cluster on loopback with 1 and then 2 one-core workers (works/s and the CPU
each worker's executors used), per-stage times of one part on one core (read, parse, explode
authorships, write), and the first query's Parquet metadata time before and after compaction.
Corpora are generated once into
--work and reused. Sizes above --unique repeat the parts of a --unique-work corpus (hard
links, ids repeat) so that generating 10M works does not take most of an hour on a shared
2-core machine; ingest cost does not depend on whether ids repeat.

    python bench/openalex.py --sizes 1000000 10000000 --out bench/openalex-results.md
    python bench/openalex.py --cluster --sizes 2000000 --metadata-size 10000000
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
    rows = ingest(corpus, target + "/snapshots")["rows"]
elif kind == "floor":
    from aiatlas.sources.openalex.parse import floor_duckdb_read_json
    rows = floor_duckdb_read_json(corpus, target + "/openalex/works", memory_limit="1GB")
elif kind == "spark":
    from aiatlas.sources.openalex.ingest import ingest
    rows = ingest(corpus, target + "/snapshots", engine="pyspark")["rows"]
elif kind == "cluster":
    from aiatlas.sources.openalex.ingest import ingest
    rows = ingest(corpus, target + "/snapshots", engine="pyspark", parallel=64)["rows"]
elif kind in ("uncompacted", "compacted"):
    from aiatlas.sources.openalex.ingest import ingest
    rows = ingest(corpus, target + "/snapshots",
                  max_files_per_year=10**9 if kind == "uncompacted" else 8)["rows"]
elif kind == "first-query":
    import duckdb
    t = time.perf_counter()  # a new process: the first query reads every file's footer
    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{corpus}/*/*.parquet', "
                      "hive_partitioning=true)").fetchall()[0][0]
elif kind in ("indicators", "indicators-spark"):
    from aiatlas import api
    backend = "pyspark" if kind == "indicators-spark" else "duckdb"
    api.build(home=target, allow_shrink=True)  # the warehouse's view over the works snapshot
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


STAGES = r"""
import gzip, json, sys, time
from pathlib import Path
import duckdb
from aiatlas.sources.openalex import parse
from aiatlas.sources.openalex.snapshot import list_parts
part = list_parts(sys.argv[1])[0]
out = Path(sys.argv[2])
con = duckdb.connect(config={"threads": 1})
cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in parse.RAW_COLUMNS_DUCKDB.items()) + "}"
src = (f"read_json('{part.location}', columns={cols}, format='newline_delimited', "
       "compression='gzip', maximum_object_size=67108864)")
def timed(f):
    # CPU seconds of this process (all threads), the lower of two runs: on a shared machine
    # wall time mostly measures the wait for a core
    best = None
    for _ in range(2):
        t = time.process_time(); f(); t = time.process_time() - t
        best = t if best is None else min(best, t)
    return best
def read():
    with gzip.open(part.location, "rb") as fh:
        while fh.read(1 << 20):
            pass
def sums(sql):  # aggregate, so no stage pays for materialising rows it does not keep
    return lambda: con.sql(sql).fetchall()
# each step repeats the ones before it; a stage's time is the difference
cum = {"read (gunzip)": timed(read),
       "parse (JSON -> nested columns)": timed(sums(
           f"SELECT count(id), sum(len(authorships)), sum(len(topics)), sum(len(concepts)), "
           f"sum(len(counts_by_year)), sum(cited_by_count), max(publication_year) FROM {src}")),
       "explode authorships (projection)": timed(sums(
           f"SELECT count(id), sum(len(country_codes)), sum(ai_topic_score), "
           f"sum(ai_concept_score), sum(len(counts_by_year)) FROM (SELECT {parse.PROJECTION} "
           f"FROM {src})")),
       "write (Arrow batches -> Parquet per year)": timed(lambda: parse.ingest_parts(
           [(Path(part.location), part)], out, batch_rows=65536))}
print(json.dumps({"works": part.records, "cumulative": cum}))
"""


def _tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (utime+stime) of a process and each of its live descendants, by pid."""
    import os

    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            out[p] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            todo += [int(c) for t in Path(f"/proc/{p}/task").glob("*/children")
                     for c in t.read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue  # exited between the listing and the read
    return out


class CpuSampler:
    """Samples each worker's process tree every 0.2 s while a step runs; a process's last
    sample is its CPU (executors and their Python workers exit when the application ends)."""

    def __init__(self, pids: list[int]):
        import threading

        self.pids, self.seen = pids, [{} for _ in pids]
        self.base = [_tree_cpu(p) for p in pids]  # the daemons' own CPU before the step
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            for seen, pid in zip(self.seen, self.pids):
                seen.update(_tree_cpu(pid))

    def result(self) -> list[float]:
        """CPU seconds each worker's tree used during the step."""
        self.stop.set()
        self.thread.join()
        return [sum(v - base.get(p, 0.0) for p, v in seen.items())
                for seen, base in zip(self.seen, self.base)]


def cluster_rows(corpus: Path, size: int, work: Path) -> list[dict]:
    """Ingest `corpus` on a loopback standalone cluster of 1, then 2, one-core workers."""
    import os

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from spark_cluster import standalone_cluster  # the test suite's cluster, reused

    rows, first = [], None
    for n in (1, 2):
        with standalone_cluster(work / f"cluster-{n}", workers=n, cores=1, memory="2g") as (
                url, _, pids):
            sampler = CpuSampler(pids)
            os.environ["AIATLAS_SPARK_MASTER"] = url
            os.environ["PYSPARK_PYTHON"] = sys.executable  # what executors run
            target = work / f"home_{size}_cluster{n}"
            shutil.rmtree(target, ignore_errors=True)
            res = child("cluster", corpus, target)
            cpu = sampler.result()
        rate = size / res["seconds"]
        first = first or rate
        rows.append({"workers": str(n), "works": f"{size:,}", "seconds": f"{res['seconds']:.0f}",
                     "works/s": f"{rate:,.0f}", "vs 1 worker": f"{rate / first:.2f}",
                     "CPU s per worker": " / ".join(f"{c:.0f}" for c in cpu),
                     "CPU share per worker": " / ".join(f"{c / res['seconds']:.2f}" for c in cpu)})
        print(f"cluster {n}: {rows[-1]}", file=sys.stderr)
    return rows


def stage_rows(corpus: Path, work: Path) -> list[dict]:
    """Per-stage CPU seconds of one part (each stage = difference of cumulative runs)."""
    out = work / "stages-out"
    shutil.rmtree(out, ignore_errors=True)
    proc = subprocess.run([sys.executable, "-c", STAGES, str(corpus), str(out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"stages failed:\n{proc.stderr[-3000:]}")
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    cum, works, prev, rows = got["cumulative"], got["works"], 0.0, []
    for stage, t in cum.items():
        own = max(t - prev, 0.0)
        prev = max(t, prev)
        rows.append({"stage": stage, "CPU s per part": f"{own:.2f}", "works": f"{works:,}",
                     "us per work": f"{own / works * 1e6:.1f}",
                     "share": f"{own / max(cum.values()):.0%}"})
    return rows


def metadata_rows(corpus: Path, size: int, work: Path) -> list[dict]:
    """First-query Parquet metadata time on the same works, before and after compaction."""
    home = work / f"home_{size}_meta"
    shutil.rmtree(home, ignore_errors=True)
    rows = []
    for kind in ("uncompacted", "compacted"):
        ing = child(kind, corpus, home)  # the second run skips every part, then compacts
        works = max((home / "snapshots" / "openalex_works").iterdir())  # the newest snapshot
        per_year = [len(list(d.glob("*.parquet"))) for d in works.glob("publication_year=*")]
        q = child("first-query", works, home)
        rows.append({"layout": kind, "works": f"{q['rows']:,}", "files": f"{sum(per_year):,}",
                     "max files per year": str(max(per_year)),
                     "first query s (metadata)": f"{q['seconds']:.3f}",
                     "ingest step s": f"{ing['seconds']:.0f}"})
        print(f"metadata {kind}: {rows[-1]}", file=sys.stderr)
    return rows


def markdown(rows: list[dict]) -> str:
    """A markdown table of dict rows (all with the same keys)."""
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    return "\n".join(lines + ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows])


def main_cluster(args) -> None:
    """--cluster: cluster throughput, per-stage times and metadata time; prints three tables."""
    import os

    size = max(args.sizes)
    corpus = build_corpus(args.work, size, args.unique, args.per_part)
    parts = [("Cluster ingest (loopback standalone, 1-core workers)",
              cluster_rows(corpus, size, args.work)),
             ("Stages of one part (CPU time of one process)", stage_rows(corpus, args.work))]
    if args.metadata_size:
        meta = build_corpus(args.work, args.metadata_size, args.unique, args.per_part)
        parts.append(("First query of a process: Parquet metadata",
                      metadata_rows(meta, args.metadata_size, args.work)))
    text = "\n\n".join(f"### {title}\n\n{markdown(rows)}" for title, rows in parts)
    text += (f"\n\n{os.cpu_count()} cores; 1-minute load average at the end: "
             f"{os.getloadavg()[0]:.1f} (the machine is shared)")
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


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
    ap.add_argument("--cluster", action="store_true",
                    help="Cluster throughput with 1 and 2 workers, stage times, metadata time")
    ap.add_argument("--metadata-size", type=int, default=0,
                    help="With --cluster: corpus size for the first-query metadata timing")
    ap.add_argument("--out", type=Path, help="also write the table (markdown) here")
    args = ap.parse_args()
    if args.cluster:
        return main_cluster(args)
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
