"""Read the curated YAML files into validated, cited rows for the warehouse table `curated_facts`.

A file holds one topic: a `sources:` table of citations (publisher, title, url, published)
keyed by a short name, and a `facts:` list whose records name their citation with `source:`
or spell it out. Every row leaves here carrying its own citation plus the file's sha256.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from aiatlas import safe_yaml
from aiatlas.curated.schema import CITATION_FIELDS, TOPICS, Fact, validate_record
from aiatlas.errors import DataError, UsageError
from aiatlas.sources.base import package_file_row

CURATED_DIR = Path(__file__).resolve().parent
SOURCE_ID = "curated"


class _TextDates(safe_yaml.SafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that leaves dates as text, so a bad date is a schema error naming its field."""


_TextDates.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def fact_files(directory: Path | None = None) -> list[Path]:
    """The topic files, in topic order; a YAML file whose stem is no topic is an error."""
    directory = directory or CURATED_DIR
    files = sorted(directory.glob("*.yaml"))
    for path in files:
        if path.stem not in TOPICS:
            raise DataError(f"{_display(path)}: unknown topic {path.stem!r} "
                            f"(expected one of: {', '.join(TOPICS)})",
                            hint="name the file after its topic")
    return sorted(files, key=lambda p: TOPICS.index(p.stem))


def _display(path: Path) -> str:
    """The path as users see it in errors: relative to the package, never a machine path."""
    try:
        return str(path.resolve().relative_to(CURATED_DIR.parent.parent))
    except ValueError:
        return f"{path.parent.name}/{path.name}"


def _parse(text: str) -> tuple[Any, list[int]]:
    """The document and the 1-based line of each record under `facts:` (one parse for both)."""
    parser = _TextDates(text)
    try:
        root = parser.get_single_node()
        doc = parser.construct_document(root) if root is not None else None
    finally:
        parser.dispose()
    return doc, _record_lines(root)


def _record_lines(root: Any) -> list[int]:
    """1-based line of each record under `facts:`, so errors point at the record."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "facts" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def read_file(path: Path) -> list[Fact]:
    """Validate one topic file; the first bad record raises a DataError naming file and field."""
    return list(_read(path, path.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=32)
def _read(path: Path, text: str) -> tuple[Fact, ...]:
    """read_file's facts for one text of one file (Facts are frozen): a build needs every file
    twice (rows and provenance), and a process that builds again reads the same texts."""
    shown = _display(path)
    safe_yaml.guard(text, shown)
    try:
        doc, lines = _parse(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
        raise DataError(f"{where}: not valid YAML ({getattr(e, 'problem', e)})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("facts"), list):
        raise DataError(f"{shown}: expected a mapping with a 'facts:' list (and optional 'sources:')")
    unknown = sorted(set(doc) - {"sources", "facts"})
    if unknown:
        raise DataError(f"{shown}: unknown top-level key {', '.join(unknown)} "
                        "(expected 'sources' and 'facts')")
    sources = doc.get("sources") or {}
    out: list[Fact] = []
    for i, raw in enumerate(doc["facts"]):
        line = lines[i] if i < len(lines) else None
        raw = _with_citation(raw, sources, shown, i, line)
        fact = validate_record(raw, file=shown, index=i, line=line)
        if fact.topic != path.stem:
            where = f"{shown}:{line}" if line else shown
            raise DataError(f"{where}: record '{fact.id}': field 'topic': {fact.topic!r} "
                            f"does not belong in {path.name} (expected {path.stem!r})")
        out.append(fact)
    return tuple(out)


def _with_citation(raw: Any, sources: dict, shown: str, i: int, line: int | None) -> Any:
    """Fill publisher/title/url/published from the file's `sources:` entry the record names."""
    if not isinstance(raw, dict) or "source" not in raw:
        return raw
    key = raw["source"]
    if key not in sources:
        where = f"{shown}:{line}" if line else shown
        raise DataError(f"{where}: record '{raw.get('id', f'#{i + 1}')}': field 'source': "
                        f"no source {key!r} in this file's 'sources:' "
                        f"(known: {', '.join(sorted(map(str, sources))) or 'none'})")
    merged = {k: v for k, v in (sources[key] or {}).items() if k in CITATION_FIELDS}
    merged.update({k: v for k, v in raw.items() if k != "source"})
    return merged


def _ref_date(fact: Fact) -> dt.date:
    """The day a figure refers to: its event date, else the first day of its period."""
    if fact.date is not None:
        return fact.date
    year = int(fact.period[:4])
    rest = fact.period[5:]
    if len(rest) == 2 and rest.isdigit():
        return dt.date(year, int(rest), 1)
    if rest.startswith("H"):
        return dt.date(year, 1 if rest == "H1" else 7, 1)
    if rest.startswith("Q"):
        return dt.date(year, 3 * (int(rest[1]) - 1) + 1, 1)
    return dt.date(year, 1, 1)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_facts(paths: Iterable[Path] | None = None) -> list[dict[str, Any]]:
    """Every curated fact as a `curated_facts` row, in topic then file order; ids are unique."""
    files = list(paths) if paths is not None else fact_files()
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in files:
        sha = _sha256(path)
        shown = _display(path)
        for fact in read_file(path):
            if fact.id in seen:
                raise DataError(f"{shown}: record '{fact.id}': field 'id': duplicate id "
                                f"(first used in {seen[fact.id]})")
            seen[fact.id] = shown
            row = fact.model_dump()
            row["ref_date"] = _ref_date(fact)
            row["year"] = row["ref_date"].year
            row["source_file"] = shown
            row["source_sha256"] = sha
            rows.append(row)
    return rows


def curated_snapshots(paths: Iterable[Path] | None = None) -> list[dict[str, Any]]:
    """One `_snapshots`-shaped row per YAML file: its path and sha256 are its provenance."""
    out = []
    for path in (list(paths) if paths is not None else fact_files()):
        facts = read_file(path)
        as_of = max(f.published for f in facts).isoformat() if facts else None
        out.append(package_file_row(SOURCE_ID, path, len(facts), _display(path), as_of=as_of))
    return out


def warehouse_rows() -> dict[str, list[dict[str, Any]]]:
    """What the build inserts: the `curated_facts` rows and their `_snapshots` provenance rows."""
    return {"curated_facts": load_facts(), "_snapshots": curated_snapshots()}


@functools.lru_cache(maxsize=4)
def _cached(stamp: tuple[tuple[str, int, int], ...]) -> tuple[dict[str, Any], ...]:
    """Parsed facts for one state of the files; a changed file changes the stamp."""
    return tuple(load_facts([Path(p) for p, _, _ in stamp]))


def find_facts(topic: str | None = None, subject: str | None = None, measure: str | None = None,
               *, confirmed_only: bool = False) -> list[dict[str, Any]]:
    """Facts matching the filters (subject case-insensitive), from the YAML shipped with aiatlas."""
    if topic is not None and topic not in TOPICS:
        raise UsageError(f"unknown topic {topic!r}", hint="valid topics: " + ", ".join(TOPICS))
    files = fact_files()
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    wanted_subject = subject.casefold() if subject is not None else None
    out = []
    for row in _cached(stamp):
        if topic is not None and row["topic"] != topic:
            continue
        if wanted_subject is not None and row["subject"].casefold() != wanted_subject:
            continue
        if measure is not None and row["measure"] != measure:
            continue
        if confirmed_only and not row["confirmed"]:
            continue
        out.append(dict(row))
    return out
