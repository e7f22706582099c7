"""The report's "What changed since the previous data" page: `aiatlas diff` of the reported
build against the newest earlier build in the home, summarised for a reader."""
from __future__ import annotations

from typing import Any

from aiatlas import api
from aiatlas.report.changes import headline_changes

SHOWN = 10  # rows named per table and kind, and per headline side; the counts are complete
# a row is named by the first of these it has (warehouse labels, explain rows' model columns)
NAME_COLUMNS = ("name", "model", "model_id", "arena_key", "model_version", "key", "id", "handle")


def previous(home=None, as_of=None) -> dict[str, Any] | None:
    """The newest vintage older than the reported build (any vintage when the current
    warehouse is reported), or None when the home holds no earlier build."""
    vintages = [b for b in api.builds(home=home) if b["as_of"] is not None]
    older = [b for b in vintages if as_of is None or b["as_of"] < api.settings_date(as_of)]
    return older[-1] if older else None


def page(home=None, as_of=None) -> dict[str, Any]:
    """What the page shows: the two builds, per-table counts with the first rows named, and
    each headline in both builds with the rows behind its change."""
    prev = previous(home, as_of)
    if prev is None:
        return {"previous": None, "tables": [], "headlines": []}
    cur = str(as_of) if as_of else "latest"
    d = api.diff(prev["as_of"].isoformat(), cur, home=home, limit=SHOWN)
    tables = [_table(t) for t in d["tables"] if t["added"] or t["removed"] or t["changed"]]
    # tables whose rows moved first; tables only one build holds (a source it lacked) after
    tables.sort(key=lambda t: bool(t["whole"]))
    heads = headline_changes(prev["as_of"], api.settings_date(as_of), home=home, limit=SHOWN)
    return {"previous": _build(d["a"]), "current": _build(d["b"]), "tables": tables,
            "unchanged_tables": len(d["tables"]) - len(tables),
            "headlines": [_headline(h) for h in heads]}


def _table(t: dict[str, Any]) -> dict[str, Any]:
    """One table's counts and first rows named; a table empty in one build is said whole
    (its rows are the whole table, not news row by row)."""
    whole = "new" if not t["rows_a"] else "gone" if not t["rows_b"] else None
    return {"table": t["table"], "rows_a": t["rows_a"], "rows_b": t["rows_b"], "whole": whole,
            **{k: t[k] for k in ("added", "removed", "changed")},
            "added_names": [] if whole else [row_name(r) for r in t["added_rows"]],
            "removed_names": [] if whole else [row_name(r) for r in t["removed_rows"]],
            # a changed row is named with how many of its values changed: which columns, by
            # their warehouse names, is `aiatlas diff`'s detail, not a reader's
            "changed_names": [(row_name(r), len(r["changes"])) for r in t["changed_rows"]]}


def row_name(row: dict[str, Any]) -> str:
    """A reader's name for a row: its name or key column, else its first value."""
    for c in NAME_COLUMNS:
        if row.get(c) not in (None, ""):
            return str(row[c])
    return str(next(iter(row.values()), ""))


def _build(b: dict[str, Any]) -> dict[str, Any]:
    return {"as_of": b["as_of"].isoformat() if b["as_of"] else None,
            "build_id": (b["build_id"] or "")[:8], "built_at": b["built_at"]}


def _headline(h: dict[str, Any]) -> dict[str, Any]:
    """One headline: values in both builds and the rows only one build holds, summed over cells."""
    cells = [c for c in ((h["explaining"] or {}).get("cells") or []) if "only_in_a" in c]
    def side(k):
        return [row_name(r) for c in cells for r in c[f"{k}_rows"]][:SHOWN]
    return {"key": h["key"], "unit": h["unit"], "a": h["a"], "b": h["b"], "changed": h["changed"],
            "period_a": h["period_a"], "period_b": h["period_b"],
            "no_rows_reason": (h["explaining"] or {}).get("reason"),
            "only_in_a": sum(c["only_in_a"] for c in cells),
            "only_in_b": sum(c["only_in_b"] for c in cells),
            "only_in_a_names": side("only_in_a"), "only_in_b_names": side("only_in_b")}
