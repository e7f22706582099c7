"""Malformed files never crash a cleaner: the only outcomes are typed rows, rejects or a DataError."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisWarning

from aiatlas.errors import DataError
from aiatlas.sources import epoch_benchmarks, epoch_hardware, epoch_models, lmarena
from aiatlas.sources.base import Rejects
from aiatlas.warehouse.build import arrow_table

# A failing example with a huge field has a huge repr; that warning is noise here.
pytestmark = pytest.mark.filterwarnings(f"ignore::{HypothesisWarning.__module__}.HypothesisWarning")

HEADERS = ["Model", "System", "Organization", "Publication date", "Country (of organization)",
           "Country (from Organization)", "Organization categorization", "Parameters",
           "Training compute (FLOP)", "Training dataset size (datapoints)", "Hardware utilization",
           "Frontier model", "Open model weights?", "Model accessibility", "Domain", "Notes",
           "Hardware name", "Release date", "Die Size (mm^2)", "Model version", "EM", "Name",
           "Shots", "", "model", "rating", "commit_date", "Modèle", "Organisation"]
CELLS = st.one_of(
    st.sampled_from(["", "1600000000000.0", "9.702e+24", "9.90E+22", "1e", "nan", "inf", "1,2",
                     "77.0%", "abc%", "-0", "2023-03-15", "3/7/2021", "2023-02-30", "13/40/2023",
                     "True", "TRUE", "maybe", "China,Hong Kong", "Taiwan", "Multinational",
                     "Korea (Republic of)", "Atlantis", "Yes", "Open weights (unrestricted)",
                     "a,b,c", 'quote " inside', "line\nbreak", "\r\n", "20230508", "0.0"]),
    st.text(max_size=30),
)
HUGE = "x" * 140_000  # longer than the csv module's default field limit (131072)
ROWS = st.lists(st.lists(CELLS, max_size=14), max_size=8)


@st.composite
def csv_bytes(draw, required: list[str]):
    """A CSV as bytes: plausible or renamed headers, ragged rows, and optional byte damage."""
    header = draw(st.lists(st.sampled_from(HEADERS + required), min_size=1, max_size=14))
    if draw(st.booleans()):
        header = required + header
    out = io.StringIO()
    writer = csv.writer(out) if draw(st.booleans()) else None
    rows = draw(ROWS)
    if draw(st.integers(0, 4)) == 0:
        rows.append([HUGE] * draw(st.integers(1, 3)))
    for row in [header] + rows:
        if writer:
            writer.writerow(row)
        else:  # careless writer: no quoting at all
            out.write(",".join(row) + "\n")
    data = out.getvalue().encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if data and draw(st.booleans()):
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.sampled_from([b"\xe9", b"\xff\xfe", b"\x00", b'"'])) + data[at:]
    if data and draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # truncated mid-row
    return data


# One folder for all the examples of the module, each example's file written over the last one's:
# a new temporary folder per example (mkdir, then rmtree) cost ~3.5 ms of each example's ~10.
FOLDER: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _one_folder(tmp_path_factory):
    FOLDER.append(tmp_path_factory.mktemp("properties"))
    yield
    FOLDER.clear()


def outcome(clean, name: str, data: bytes) -> None:
    """Run a cleaner on data; anything but rows/rejects or a DataError fails the test."""
    path = FOLDER[0] / name
    path.write_bytes(data)
    rejects = Rejects()
    try:
        out = clean({name: path}, rejects)
    except DataError as e:
        assert str(e) and "\n" not in str(e).strip(), "errors are one line"
        event("DataError")
        return
    event("rows loaded" if any(out.values()) else "no rows")
    for r in rejects.rows:
        assert isinstance(r["row"], int) and r["row"] >= 1 and r["reason"]
    for table, rows in out.items():
        arrow_table(table, rows)  # every typed value fits the declared column type


SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NOTABLE = epoch_models.NOTABLE.clean


@SETTINGS
@given(csv_bytes(["Model", "Organization", "Publication date", "Country (of organization)"]))
def test_models_cleaner_never_crashes(data):
    outcome(NOTABLE, "notable_ai_models.csv", data)


@SETTINGS
@given(csv_bytes(["Hardware name"]))
def test_hardware_cleaner_never_crashes(data):
    outcome(epoch_hardware.clean_hardware, "ml_hardware.csv", data)


@SETTINGS
@given(csv_bytes(["Name", "Country"]))
def test_cluster_cleaner_never_crashes(data):
    outcome(epoch_hardware.clean_clusters, "gpu_clusters.csv", data)


@SETTINGS
@given(csv_bytes(["Model version", "EM"]))
def test_external_benchmark_never_crashes(data):
    def clean(files, rejects):
        return {"benchmark_scores": epoch_benchmarks._external("mmlu", files, rejects, {})}

    outcome(clean, "external_benchmark_mmlu.csv", data)


@SETTINGS
@given(csv_bytes(["", "gpt-4"]))
def test_arena_wide_history_never_crashes(data):
    outcome(lmarena.clean_wide, "lmarena_history_text_overall_wide.csv", data)


JSON_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.floats(), st.text(max_size=10),
                                     st.integers()),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=20)


@SETTINGS
@given(JSON_VALUES, st.booleans())
def test_leaderboard_json_never_crashes(value, cut):
    data = json.dumps({"full": value} if isinstance(value, dict) else value).encode()
    if cut:
        data = data[: len(data) // 2]

    def clean(files, rejects):
        return {"arena_ratings": lmarena.clean_leaderboard(files, rejects, None),
                "arena_models": []}

    outcome(clean, "leaderboard-text.json", data)
    outcome(lambda f, r: {"arena_models": lmarena.clean_scatterplot(f, r)},
            "scatterplot-data.json", data)
