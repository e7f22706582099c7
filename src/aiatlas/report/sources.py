"""Sources without noise: one line per publisher under a chart, every file in the appendix."""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

UNSTATED = "no licence"  # licence texts starting so are not licences: said as "not stated"


def licence_of(text: str | None) -> str | None:
    """The licence as printed, or None when the publisher states none (e.g. "No licence file")."""
    if not text or text.lower().startswith(UNSTATED):
        return None
    return text


FILE_COLUMNS = ("file", "source_file")  # explain columns naming the file a row was read from


def files_read(rows: list[dict[str, Any]]) -> set[str]:
    """The file names the explain rows were read from (empty when they do not say)."""
    return {PurePosixPath(str(r[c])).name for r in rows for c in FILE_COLUMNS if r.get(c)}


def lines(notes: list[dict[str, Any]], read: set[str] | frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """The source lines under a chart. With `read` (the files its rows were read from): one line
    per such file with its own as-of (the same source's other files were not read), then the
    sources it joins for names, countries and labels (model identities), one line per
    publisher. Without: one line per publisher."""
    if not read:
        return _by_publisher(notes)
    own = [n for n in notes if PurePosixPath(str(n.get("file") or "")).name in read]
    if not own:
        return _by_publisher(notes)
    # a source whose rows name their files was read only there; other sources were joined
    named = {n.get("source") for n in own}
    rest = [n for n in notes if n.get("source") not in named]
    return ([line | {"file": PurePosixPath(str(n.get("file"))).name}
             for n in own for line in _by_publisher([n])]
            + [line | {"joined": True} for line in _by_publisher(rest)])


def _by_publisher(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
