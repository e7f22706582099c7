"""Epoch AI Benchmarking Hub: model versions, Epoch's own runs and its external benchmark tables."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from aiatlas.sources._benchmark_sha import EXTERNAL_SHA
from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Sheet, f, need, simple

PUBLISHER = "Epoch AI"
SOURCE_ID = "epoch_benchmarks"
REPO = "https://raw.githubusercontent.com/epoch-research/benchmark-stitching/main/data/"

# External tables: file stem -> (benchmark id, headline score column, divisor for plain numbers).
# Percent strings ('77.0%') are always divided by 100; the divisor applies to bare numbers.
EXTERNAL: dict[str, tuple[str, str, float]] = {
    "aider_polyglot": ("aider_polyglot", "Percent correct", 100),
    "anli": ("anli", "Score", 100),
    "arc_agi": ("arc_agi", "Score", 100),
    "arc_ai2": ("arc_challenge", "Challenge score", 100),
    "balrog": ("balrog", "Average progress", 100),
    "bbh": ("bbh", "Average", 100),
    "boolq": ("boolq", "Score", 100),
    "cadeval": ("cadeval", "Overall pass (%)", 100),
    "csqa2": ("csqa2", "Score", 100),
    "cybench": ("cybench", "Unguided % Solved", 100),
    "deepresearch": ("deepresearch_bench", "Average score", 100),
    "factorio_learning_environment": ("factorio_lab_success", "Lab Success %", 100),
    "fictionlivebench": ("fictionlivebench_16k", "16k token score", 100),
    "geobench": ("geobench_country", "ACW Country %", 100),
    "gsm8k": ("gsm8k", "EM", 100),
    "gso_bench": ("gso_bench", "Score OPT@1", 100),
    "hellaswag": ("hellaswag", "Overall accuracy", 100),
    "lambada": ("lambada", "Score", 100),
    "lech_mazur_writing": ("lech_mazur_writing", "Mean score", 10),
    "livebench": ("livebench", "Global average", 100),
    "mcbench": ("mcbench_win_rate", "Win rate", 100),
    "metr": ("metr_average_score", "average_score", 1),
    "mmlu": ("mmlu", "EM", 100),
    "openbookqa": ("openbookqa", "Accuracy", 100),
    "os_world": ("os_world", "Score", 100),
    "osuniverse": ("osuniverse", "Weighted Score", 100),
    "piqa": ("piqa", "Score", 100),
    "scienceqa": ("scienceqa", "Score", 100),
    "simple_bench": ("simple_bench", "Score (AVG@5)", 100),
    "superglue": ("superglue", "Score", 100),
    "terminal_bench": ("terminal_bench", "Accuracy mean", 100),
    "the_agent_company": ("the_agent_company", "% Resolved", 100),
    "triviaqa": ("triviaqa", "EM", 100),
    "videomme": ("videomme", "Overall (no subtitles)", 100),
    "vpct": ("vpct", "Correct", 100),
    "weirdml": ("weirdml", "Accuracy", 100),
    "winogrande": ("winogrande", "Accuracy", 100),
}

VERSION_FIELDS = (
    f("model_version", "id", required=True), f("model", "Model"),
    f("release_date", "Version release date", kind="date"),
    f("hf_developer_id", "Hugging Face developer id"), f("display_name", "Display name"),
)
RUN_FIELDS = (
    f("task", "task", required=True), f("model_version", "model", required=True),
    f("score", "Best score (across scorers)", kind="fraction", required=True),
    f("started_at", "started_at"), f("status", "Status"),
)
OPTIM_FIELDS = (
    f("benchmark", "benchmark", required=True), f("optimized_for", "optimized_for", kind="bool"),
    f("is_coding", "is_coding", kind="bool"), f("is_math", "is_math", kind="bool"),
    f("release_date", "benchmark_release_date", kind="date"), f("source_link", "source"),
)
DISTILLED_FIELDS = (
    f("model_version", "model", required=True), f("distilled", "distilled", kind="bool"),
    f("confidence", "confidence"), f("notes", "notes"),
)


def benchmark_id(task: str) -> str:
    """Lower snake case id of a benchmark or task name: 'GPQA diamond' -> 'gpqa_diamond'."""
    return re.sub(r"[^a-z0-9]+", "_", task.lower()).strip("_")


def parse_started_at(text: str) -> dt.date:
    """The date of an Epoch run timestamp like '17 November 2025 4:28pm'."""
    return dt.datetime.strptime(" ".join(text.split()[:3]), "%d %B %Y").date()


def _external(stem: str, files: dict[str, Path], rejects: Rejects,
              versions: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    benchmark, column, divisor = EXTERNAL[stem]
    file = f"external_benchmark_{stem}.csv"
    fields = (f("score", column, kind="fraction", required=True, divisor=divisor),
              f("model_version", "Model version", required=True),
              f("name", "Name", "Model", "Agent"),  # the display name, or the agent when none
              f("shots", "Shots"), f("source", "Source"),
              f("source_link", "Source link", "Source link (site from table)"))
    sheet = Sheet(SOURCE_ID, file, need(files, file, SOURCE_ID), fields, rejects)
    out = []
    for row, c in sheet.rows():
        if c["score"] is None:
            continue  # no score reported for this model: nothing to load (a bad one was rejected)
        if not 0 <= c["score"] <= 1:
            sheet.reject(row, column, c["score"], "score outside 0..100% (expected a percentage); "
                                                  "row dropped")
            continue
        version = versions.get(c["model_version"] or "", {})
        out.append({"model_version": c["model_version"], "model": version.get("model"),
                    "name": c.get("name"), "benchmark": benchmark, "score": c["score"],
                    "shots": c.get("shots"), "origin": "external", "source": c.get("source"),
                    "source_link": c.get("source_link"), "date": version.get("release_date"),
                    "file": file, "row": row})
    return out


def _runs(files: dict[str, Path], rejects: Rejects,
          versions: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    file = "benchmarks_runs.csv"
    sheet = Sheet(SOURCE_ID, file, need(files, file, SOURCE_ID), RUN_FIELDS, rejects)
    out = []
    for row, c in sheet.rows():
        if (c.get("status") or "Success") != "Success":
            continue  # failed or cancelled runs carry no score
        if not c["task"]:
            sheet.reject(row, "task", None, "empty task (expected a benchmark name); row dropped")
            continue
        if c["score"] is None:
            continue  # no score (an unparseable one was already rejected)
        if not 0 <= c["score"] <= 1:
            sheet.reject(row, "Best score (across scorers)", c["score"],
                         "score outside 0..1 (expected a fraction); row dropped")
            continue
        date = None
        if c.get("started_at"):
            try:
                date = parse_started_at(c["started_at"])
            except ValueError:
                sheet.reject(row, "started_at", c["started_at"],
                             "not a date like '17 November 2025 4:28pm'; loaded as NULL")
        version = versions.get(c["model_version"] or "", {})
        out.append({"model_version": c["model_version"], "model": version.get("model"),
                    "name": None, "benchmark": benchmark_id(c["task"]), "score": c["score"],
                    "shots": None, "origin": "epoch", "source": "Epoch AI",
                    "source_link": None, "date": date, "file": file, "row": row})
    return out


def clean(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """All benchmark files: versions first, because scores take their model and date from them."""
    versions = simple(SOURCE_ID, "model_versions.csv", files, VERSION_FIELDS, rejects)
    by_id = {v["model_version"]: v for v in versions if v["model_version"]}
    scores = _runs(files, rejects, by_id)
    for stem in EXTERNAL:
        scores += _external(stem, files, rejects, by_id)
    return {"model_versions": versions, "benchmark_scores": scores,
            "benchmarks": simple(SOURCE_ID, "benchmark_optim.csv", files, OPTIM_FIELDS, rejects,
                                 date_order="mdy"),
            "distilled_models": simple(SOURCE_ID, "distilled_models.csv", files, DISTILLED_FIELDS,
                                       rejects)}


_SHA = {
    "benchmark_optim.csv": "24f7dbb26ed3efdbc891cd5daf7259c82fc86ef796bdb081f5d69e4921770b00",
    "benchmarks_runs.csv": "5907dfcbd446aeec61d20a0d971be3b6ca07ecf46f40ada3a4b8e26a656b70a8",
    "distilled_models.csv": "d4e4fbd747d7fa25345419c8f76e1f53b3dbc491e1d1041bc005684bc0b9562a",
    "model_versions.csv": "08025ffc7b5c00781dd86ef5261f38b2204ed6d5b36160c61af3d9c8da9a10e6",
}

_NAMES = ["model_versions.csv", "benchmarks_runs.csv", "benchmark_optim.csv",
          "distilled_models.csv"] + [f"external_benchmark_{s}.csv" for s in EXTERNAL]

SOURCE = Source(
    id=SOURCE_ID, publisher=PUBLISHER, title="Benchmarking Hub (runs and external benchmarks)",
    licence="CC BY 4.0 (data); the repository's code is MIT",
    citation="Epoch AI, 'AI Benchmarking Hub'. Retrieved from "
             "https://epoch.ai/data/ai-benchmarking-dashboard",
    homepage="https://epoch.ai/data/ai-benchmarking-dashboard",
    notes="External rows are Epoch's compilation of third-party leaderboards and papers; each "
          "row keeps its Source and Source link.",
    files=tuple(SourceFile(n, REPO + n, f"epoch/benchmarks/{n}", as_of="2025-11-17",
                           known_sha256=_SHA.get(n) or EXTERNAL_SHA[n]) for n in _NAMES),
    tables=("model_versions", "benchmark_scores", "benchmarks", "distilled_models"), clean=clean)

SOURCES = (SOURCE,)
