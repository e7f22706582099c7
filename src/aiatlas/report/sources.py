"""Sources without noise: one line per publisher under a chart, every file in the appendix."""
from __future__ import annotations

from typing import Any

UNSTATED = "no licence"  # licence texts starting so are not licences: said as "not stated"


def licence_of(text: str | None) -> str | None:
    """The licence as printed, or None when the publisher states none (e.g. "No licence file")."""
    if not text or text.lower().startswith(UNSTATED):
        return None
    return text


def lines(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Footnotes grouped by publisher: the datasets read, how many files, licence(s), latest
    as-of date; one line each, in first-seen order."""
    out: dict[str, dict[str, Any]] = {}
    for n in notes:
        key = n.get("publisher") or n.get("title") or n.get("source") or ""
        line = out.setdefault(key, {"publisher": key, "datasets": [], "files": 0, "licences": [],
                                    "as_of": None})
        if n.get("title") and n["title"] not in line["datasets"]:
            line["datasets"].append(n["title"])
        line["files"] += 1
        lic = licence_of(n.get("licence"))
        if lic and lic not in line["licences"]:
            line["licences"].append(lic)
        date = str(n.get("snapshot_date") or "")[:10] or None
        if date and (line["as_of"] is None or date > line["as_of"]):
            line["as_of"] = date
    for line in out.values():
        line["unstated"] = not line["licences"]
    return list(out.values())


def appendix(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every snapshot file read by any chart, once, sorted by publisher and file."""
    seen = {}
    for n in notes:
        seen.setdefault((n.get("source"), n.get("file")), n | {"licence": licence_of(n.get("licence"))})
    return sorted(seen.values(), key=lambda n: (str(n.get("publisher")), str(n.get("file"))))
