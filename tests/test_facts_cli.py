"""`aiatlas facts`: the same records as api.facts, as JSON/CSV, and a clear error for a bad topic."""
from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from aiatlas import api
from aiatlas.cli import app


def test_json_lists_the_same_records_as_the_api():
    result = CliRunner().invoke(app, ["facts", "--topic", "policy_events", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [r["id"] for r in api.facts(topic="policy_events")]
    assert all(r["url"].startswith("http") for r in rows)


def test_csv_carries_citations(tmp_path):
    out = tmp_path / "facts.csv"
    result = CliRunner().invoke(app, ["facts", "-t", "robot_installations", "-s", "CHN", "-f", "csv",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows and {r["subject"] for r in rows} == {"CHN"}
    assert {"publisher", "url", "published", "as_printed"} <= set(rows[0])


def test_unknown_topic_exits_2_with_the_valid_topics(aiatlas_cli):
    proc = aiatlas_cli("facts", "--topic", "robots")
    assert proc.returncode == 2
    assert "unknown topic 'robots'" in proc.stderr and "public_opinion" in proc.stderr
