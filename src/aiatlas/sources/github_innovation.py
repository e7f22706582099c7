"""GitHub Innovation Graph: developers, repositories, pushes and per-topic pushers by economy."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiatlas.errors import DataError
from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Field, Sheet, f, need, read_text
from aiatlas.sources.countries import economy

RAW = "https://raw.githubusercontent.com/github/innovationgraph/main/"
AGGREGATES = frozenset({"EU"})  # GitHub's only economy that is not a country
DESCRIPTOR = "datapackage.json"
WHEN = (f("year", "year", kind="int", required=True), f("quarter", "quarter", kind="int", required=True))
# file -> the measure it holds (a column of the same name), loaded long into github_activity
ACTIVITY = {"developers.csv": "developers", "git_pushes.csv": "git_pushes",
            "organizations.csv": "organizations", "repositories.csv": "repositories"}
TOPICS = "topics.csv"
COLLABORATORS = "economy_collaborators.csv"


def check_descriptor(files: dict[str, Path], source: str) -> dict[str, list[str]]:
    """Field names per resource from datapackage.json; a clean DataError when it is not JSON."""
    text = read_text(need(files, DESCRIPTOR, source), DESCRIPTOR)
    try:
        package = json.loads(text)
        return {r["path"].rsplit("/", 1)[-1]: [fl["name"] for fl in r["schema"]["fields"]]
                for r in package["resources"]}
    except json.JSONDecodeError as e:
        raise DataError(f"{DESCRIPTOR}:{e.lineno}:{e.colno}: not valid JSON ({e.msg})") from None
    except (KeyError, TypeError, AttributeError) as e:
        raise DataError(f"{DESCRIPTOR}: not a data package descriptor (no {e} in a resource; "
                        "expected resources[].path and resources[].schema.fields[].name)") from None


def _economy(sheet: Sheet, row: int, column: str, code: str | None) -> tuple[str | None, bool | None]:
    if code is None:
        sheet.reject(row, column, None, "empty economy code (expected ISO 3166-1 alpha-2)")
        return None, None
    try:
        return economy(code, AGGREGATES)
    except ValueError:
        sheet.reject(row, column, code, "unknown economy (expected an ISO 3166-1 alpha-2 code or "
                                        "EU); country loaded as NULL")
        return None, None


def _when_ok(sheet: Sheet, row: int, c: dict[str, Any]) -> bool:
    if c["year"] is None or c["quarter"] not in (1, 2, 3, 4):
        if c["year"] is not None:
            sheet.reject(row, "quarter", c["quarter"], "not a quarter 1-4; row dropped")
        return False  # a bad year or quarter was rejected already; the row has no period
    return True


def _sheet(files, file, fields: tuple[Field, ...], rejects, declared) -> Sheet:
    sheet = Sheet(SOURCE.id, file, need(files, file, SOURCE.id), fields, rejects)
    missing = [h for fl in fields for h in fl.headers[:1] if h not in declared.get(file, [])]
    if missing:
        raise DataError(f"{DESCRIPTOR}: resource {file} does not declare {', '.join(missing)} "
                        f"(declares: {', '.join(declared.get(file, [])) or 'nothing'})",
                        hint="the Innovation Graph changed its schema; update the source module")
    return sheet


def clean_innovation_graph(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict]]:
    """The activity files (long), topics and collaboration into typed rows; EU is not a country."""
    declared = check_descriptor(files, SOURCE.id)
    activity = []
    for file, measure in ACTIVITY.items():
        fields = (f("value", measure, kind="int", required=True),
                  f("economy", "iso2_code", required=True), *WHEN)
        sheet = _sheet(files, file, fields, rejects, declared)
        for row, c in sheet.rows():
            if _when_ok(sheet, row, c) and c["value"] is not None:
                c["country"], c["is_country"] = _economy(sheet, row, "iso2_code", c["economy"])
                activity.append({**c, "measure": measure})
    topics = []
    fields = (f("pushers", "num_pushers", kind="int", required=True),
              f("topic", "topic", required=True), f("economy", "iso2_code", required=True), *WHEN)
    sheet = _sheet(files, TOPICS, fields, rejects, declared)
    for row, c in sheet.rows():
        if _when_ok(sheet, row, c) and c["pushers"] is not None and c["topic"]:
            c["country"], c["is_country"] = _economy(sheet, row, "iso2_code", c["economy"])
            topics.append(c)
    links = []
    fields = (f("weight", "weight", kind="int", required=True),
              f("source_economy", "source", required=True),
              f("destination_economy", "destination", required=True), *WHEN)
    sheet = _sheet(files, COLLABORATORS, fields, rejects, declared)
    for row, c in sheet.rows():
        if _when_ok(sheet, row, c) and c["weight"] is not None:
            c["source_country"] = _economy(sheet, row, "source", c["source_economy"])[0]
            c["destination_country"] = _economy(sheet, row, "destination",
                                                c["destination_economy"])[0]
            links.append(c)
    return {"github_activity": activity, "github_topic_pushers": topics,
            "github_collaboration": links}


def _file(path: str, sha: str) -> SourceFile:
    return SourceFile(path.rsplit("/", 1)[-1], RAW + path, f"github/innovationgraph/{path}",
                      as_of="2026-03-26", known_sha256=sha)


SOURCE = Source(
    id="github_innovation_graph", publisher="GitHub", title="GitHub Innovation Graph",
    licence="CC0 1.0",
    citation="GitHub Innovation Graph, https://github.com/github/innovationgraph",
    homepage="https://innovationgraph.github.com",
    notes="Snapshot of github/innovationgraph at commit 8faec9d (2026-03-26), data through 2025 "
          "Q3. topics.csv lists only topics above GitHub's privacy threshold: a topic missing "
          "for an economy and quarter is below the threshold, not zero. EU is an aggregate.",
    files=(_file("data/developers.csv", "6e5f2d867da68e9141ba4ed90c6d88ccf020c2196ac9f1b5497c99d464425d1d"),
           _file("data/economy_collaborators.csv",
                 "2e31755a77c4a48711e20bf45619e15a68944ff8cb89fbe467f7d83541f174d3"),
           _file("data/git_pushes.csv", "4a0f800a6254b7b28e718fb8b2208684187070bf2cdc1466499d490619747db0"),
           _file("data/organizations.csv",
                 "b19b16a33d828201302dd057a38f4cb1d803fdf1ae71ab6e2cc06503ae93ae0d"),
           _file("data/repositories.csv",
                 "4c0cffba5d3aaeeb45fe36f6edc48cf4ec92f701c8bf826e4acb0cdaad192478"),
           _file("data/topics.csv", "f92d3a687ca28d64c818389c88e951fda16f08aa62f2bf356b9c62600643adea"),
           _file(DESCRIPTOR, "1158f938af951209d97aecf236d3d7bcdfbee27eee5fd24b1a00e1a2e2a452c4")),
    tables=("github_activity", "github_topic_pushers", "github_collaboration"),
    clean=clean_innovation_graph)

SOURCES = (SOURCE,)
