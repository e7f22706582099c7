"""LMArena (Chatbot Arena): leaderboard ratings, their history, and model licence labels."""
from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiatlas.errors import DataError
from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Sheet, f, need, parse_number, read_text

CATALOG_ID = "lmarena_catalog"
HISTORY_ID = "lmarena_history"
CATALOG = "https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/"

HISTORY_FIELDS = (
    f("date", "commit_date", kind="date", required=True),
    f("arena_key", "model", required=True),
    f("rating", "rating", kind="number", required=True),
    f("ci_low", "rating_q025", kind="number"),
    f("ci_high", "rating_q975", kind="number"),
)
CATEGORY_NAMES = {"full": "overall"}  # LMArena's 'full' board is the overall text arena
# Both Arena history files are one series. When a date appears in more than one file, the file
# earliest in this list wins for that whole date: LMArena's own catalog before the community
# conversion of the Space pickles (same underlying ratings, fewer conversion steps).
FILE_PREFERENCE = ("leaderboard_text_full_history", "leaderboard-text", "lmarena_history")
# A rating is Elo-like, anchored near 1000 (the files hold 796..1500): a value outside this
# range is a unit or conversion error, not a rating, and its row is dropped as a reject.
RATING_RANGE = (100.0, 5000.0)
# Scale breaks. Between two consecutive boards, the models listed on both give the board's shift
# (the median of their rating differences). On one scale it stays small: the median common model
# moves by at most ~12.5 points between the 2023 online-Elo boards of 13-35 models, and by well
# under 5 since the Bradley-Terry fit. A larger board-wide move is a new anchor or a new method
# (not the models), so the later board starts a new rating scale.
SCALE_BREAK_POINTS = 15.0


def read_json(path: Path, file: str) -> Any:
    """Parse a JSON file; a syntax error becomes a DataError naming the line and column."""
    try:
        return json.loads(read_text(path, file))
    except json.JSONDecodeError as e:
        raise DataError(f"{file}:{e.lineno}:{e.colno}: not valid JSON ({e.msg})",
                        hint="fetch the file again; it may be truncated") from None


IMPLAUSIBLE = (f"not a rating (expected {RATING_RANGE[0]:.0f}..{RATING_RANGE[1]:.0f}, "
               "Elo-like); row dropped")


def plausible(rating: float) -> bool:
    """Whether a number can be an Arena rating (zero, negative or absurd values cannot)."""
    return RATING_RANGE[0] <= rating <= RATING_RANGE[1]


def _number(rejects: Rejects, source: str, file: str, row: int, column: str, value: Any):
    if value is None or value == "":
        return None
    try:
        if isinstance(value, (bool, dict, list)):  # JSON true/objects are not ratings or prices
            raise ValueError(value)
        if isinstance(value, float) and math.isfinite(value):
            return value  # the common case: no round trip through text
        return parse_number(str(value))
    except ValueError:
        rejects.add(source, file, row, column, value, "not a number; loaded as NULL")
        return None


def clean_history_csv(files: dict[str, Path], rejects: Rejects) -> list[dict[str, Any]]:
    """leaderboard_text_full_history.csv: overall ratings of each catalog version, by commit date."""
    file = "leaderboard_text_full_history.csv"
    sheet = Sheet(CATALOG_ID, file, need(files, file, CATALOG_ID), HISTORY_FIELDS, rejects,
                  date_order="mdy")
    out = []
    for row, c in sheet.rows():
        if c["date"] is None or not c["arena_key"] or c["rating"] is None:
            sheet.reject(row, "commit_date/model/rating", None,
                         "date, model key or rating missing or unusable; row dropped")
            continue
        if not plausible(c["rating"]):
            sheet.reject(row, "rating", c["rating"], IMPLAUSIBLE)
            continue
        out.append({**c, "category": "overall", "file": file})
    return out


def clean_leaderboard(files: dict[str, Path], rejects: Rejects,
                      date: dt.date | None) -> list[dict[str, Any]]:
    """leaderboard-text.json: every category; the file has no date, so `date` is passed in."""
    file = "leaderboard-text.json"
    data = read_json(need(files, file, CATALOG_ID), file)
    if not isinstance(data, dict):
        raise DataError(f"{file}: expected an object of categories, found {type(data).__name__}")
    out, row = [], 0
    for category, board in data.items():
        if not isinstance(board, dict):
            raise DataError(f"{file}: category {category!r} is not an object of models")
        for key, entry in board.items():
            row += 1
            entry = entry if isinstance(entry, dict) else {}
            rating = _number(rejects, CATALOG_ID, file, row, f"{category}.{key}.rating",
                             entry.get("rating"))
            if rating is None or not plausible(rating):
                rejects.add(CATALOG_ID, file, row, f"{category}.{key}.rating", entry.get("rating"),
                            "no usable rating; row dropped" if rating is None else IMPLAUSIBLE)
                continue
            out.append({"date": date, "arena_key": key,
                        "category": CATEGORY_NAMES.get(category, category), "rating": rating,
                        "ci_low": _number(rejects, CATALOG_ID, file, row, "rating_q025",
                                          entry.get("rating_q025")),
                        "ci_high": _number(rejects, CATALOG_ID, file, row, "rating_q975",
                                           entry.get("rating_q975")),
                        "file": file})
    return out


def clean_scatterplot(files: dict[str, Path], rejects: Rejects) -> list[dict[str, Any]]:
    """scatterplot-data.json: name, organization, licence and prices per arena key."""
    file = "scatterplot-data.json"
    data = read_json(need(files, file, CATALOG_ID), file)
    if not isinstance(data, list):
        raise DataError(f"{file}: expected a list of models, found {type(data).__name__}")
    out = []
    for row, rec in enumerate(data, 1):
        if not isinstance(rec, dict) or not rec.get("model_api_name"):
            rejects.add(CATALOG_ID, file, row, "model_api_name", None, "no model key; row dropped")
            continue
        out.append({"arena_key": str(rec["model_api_name"]), "name": rec.get("name"),
                    "organization": rec.get("organization"), "license": rec.get("license"),
                    "input_price_usd_per_mtok": _number(rejects, CATALOG_ID, file, row,
                                                        "input_token_price",
                                                        rec.get("input_token_price")),
                    "output_price_usd_per_mtok": _number(rejects, CATALOG_ID, file, row,
                                                         "output_token_price",
                                                         rec.get("output_token_price"))})
    return out


def clean_catalog(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """The arena-catalog files; the leaderboard JSON is dated by the history's newest commit.

    The JSON's 'full' board at that date is the same data as the history's newest version, so
    rows already present (same date, key and category) are not loaded twice.
    """
    history = clean_history_csv(files, rejects)
    newest = max((r["date"] for r in history), default=None)
    seen = {(r["date"], r["arena_key"], r["category"]) for r in history}
    board = [r for r in clean_leaderboard(files, rejects, newest)
             if (r["date"], r["arena_key"], r["category"]) not in seen]
    return {"arena_ratings": history + board, "arena_models": clean_scatterplot(files, rejects)}


def clean_wide(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """lmarena_history_text_overall_wide.csv: one row per date, one column per model key."""
    file = "lmarena_history_text_overall_wide.csv"
    sheet = Sheet(HISTORY_ID, file, need(files, file, HISTORY_ID), (), rejects)
    keys = sheet.header[1:]
    out = []
    for row, cells in _wide_rows(sheet):
        try:
            date = dt.datetime.strptime(cells[0].strip(), "%Y%m%d").date()
        except ValueError:
            sheet.reject(row, sheet.header[0] or "(date)", cells[0],
                         "not a date YYYYMMDD; row dropped")
            continue
        for key, cell in zip(keys, cells[1:]):
            cell = cell.strip()
            if not cell:
                continue
            try:
                rating = parse_number(cell)
            except ValueError:
                sheet.reject(row, key, cell, "not a rating (expected a number); loaded as nothing")
                continue
            if rating == 0.0:  # the file's mark for 'not on the board that day', not a rating
                continue
            if not plausible(rating):
                sheet.reject(row, key, cell, IMPLAUSIBLE)
                continue
            out.append({"date": date, "arena_key": key, "category": "overall",
                        "rating": rating, "ci_low": None, "ci_high": None, "file": file})
    return {"arena_ratings": out}


def scale_shifts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per category and board date after the first: how the models also on the previous board
    moved. `shift` is the median rating difference (an offset), `stretch` the ratio of the
    common models' rating spread (standard deviation) now to before (1.0: no stretch),
    `common` how many models both boards list. A date held by several files is read from
    the file FILE_PREFERENCE prefers, as the indicators read it."""
    boards: dict[tuple, dict[str, float]] = defaultdict(dict)
    rank: dict[tuple, int] = {}
    for r in rows:
        pref = next((i for i, n in enumerate(FILE_PREFERENCE) if n in r["file"]), len(FILE_PREFERENCE))
        at = (r["category"], r["date"])
        if pref < rank.setdefault(at, pref):
            rank[at], boards[at] = pref, {}
        if pref == rank[at]:
            boards[at][r["arena_key"]] = r["rating"]
    out, last = [], {}
    for category, date in sorted(boards):
        board, before = boards[category, date], last.get(category)
        last[category] = (date, board)
        if before is None:
            continue
        common = sorted(board.keys() & before[1].keys())
        if not common:  # nothing links the two boards: no basis to say they share a scale
            out.append({"category": category, "date": date, "previous": before[0], "common": 0,
                        "shift": None, "stretch": None})
            continue
        old, new = [before[1][k] for k in common], [board[k] for k in common]
        spread = statistics.pstdev(old) if len(common) > 1 else 0.0
        out.append({"category": category, "date": date, "previous": before[0],
                    "common": len(common),
                    "shift": statistics.median(b - a for a, b in zip(old, new)),
                    "stretch": statistics.pstdev(new) / spread if spread else None})
    return out


def with_rating_scales(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with `rating_scale`: the first board date of the scale its rating is on. A board
    starts a new scale when its models moved by more than SCALE_BREAK_POINTS against the
    previous board (or no model links the two): ratings compare only within one scale."""
    start: dict[tuple, dt.date] = {}
    for r in rows:
        start.setdefault((r["category"], r["date"]), r["date"])
    breaks = {(s["category"], s["date"]) for s in scale_shifts(rows)
              if s["shift"] is None or abs(s["shift"]) > SCALE_BREAK_POINTS}
    current: dict[str, dt.date] = {}
    for category, date in sorted(start):
        if category not in current or (category, date) in breaks:
            current[category] = date
        start[category, date] = current[category]
    return [{**r, "rating_scale": start[r["category"], r["date"]]} for r in rows]


def _wide_rows(sheet: Sheet):
    width, row = len(sheet.header), 0
    while (cells := sheet._next()) is not None:
        if not any(c.strip() for c in cells):
            continue
        row += 1
        if len(cells) != width:
            sheet.reject(row, sheet.header[min(len(cells), width - 1)], None,
                         f"row has {len(cells)} of {width} fields; cells beyond the header ignored, "
                         "missing ones not loaded")
        yield row, cells[:width]


CATALOG_SOURCE = Source(
    id=CATALOG_ID, publisher="LMArena", title="Arena catalog: text leaderboard and model labels",
    licence="No licence file; public, attribution required, licence to confirm",
    citation="LMArena, arena-catalog (github.com/lmarena/arena-catalog), leaderboard data of "
             "2025-12-11", homepage="https://lmarena.ai/leaderboard",
    notes="leaderboard_text_full_history.csv is derived from the catalog's git history.",
    files=(SourceFile("leaderboard-text.json", CATALOG + "leaderboard-text.json",
                      "lmarena/leaderboard-text.json", as_of="2025-12-11",
                      known_sha256="4cb32421ec8c03f991f0fbd006f31685b9cda47c25fc64e38e98966348dd9f3a"),
           SourceFile("scatterplot-data.json", CATALOG + "scatterplot-data.json",
                      "lmarena/scatterplot-data.json", as_of="2025-12-17",
                      known_sha256="f701c65e781e2c6062a05a6a908bfcc889488999f9230e320de83dd241668a8c"),
           SourceFile("leaderboard_text_full_history.csv",
                      "https://github.com/lmarena/arena-catalog/commits/main/data/leaderboard-text.json",
                      "lmarena/leaderboard_text_full_history.csv", url_verified=False,
                      as_of="2025-12-11",
                      known_sha256="6405db2bbc0dc7a7d8ede47a85a939392395d70bf14ea5b402909bf520b91e5c",
                      note="derived from the git history of leaderboard-text.json; no direct "
                           "download exists")),
    tables=("arena_ratings", "arena_models"), clean=clean_catalog)

HISTORY_SOURCE = Source(
    id=HISTORY_ID, publisher="LMSYS/LMArena Chatbot Arena (conversion by nakasyou/lmarena-history)",
    title="Chatbot Arena rating history, overall text (2023-05 .. 2025-02)",
    licence="Repository MIT; underlying HF Space apache-2.0 (not verified)",
    citation="nakasyou/lmarena-history, output/result.csv, from the lmarena-ai/"
             "chatbot-arena-leaderboard Space's elo_results pickles",
    homepage="https://github.com/nakasyou/lmarena-history",
    files=(SourceFile("lmarena_history_text_overall_wide.csv",
                      "https://raw.githubusercontent.com/nakasyou/lmarena-history/main/output/result.csv",
                      "lmarena/lmarena_history_text_overall_wide.csv", as_of="2025-02-27",
                      known_sha256="a80e76cad752025f4bb04424c20dd3ab83e121b8314d0f1e04edba39f08324ba"),),
    tables=("arena_ratings",), clean=clean_wide, continued_by=CATALOG_ID)

SOURCES = (CATALOG_SOURCE, HISTORY_SOURCE)
