"""Shared cleaning: read a CSV safely, map header variants, type cells, send bad cells to rejects."""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiatlas.errors import DataError
from aiatlas.sources.base import Rejects

# Free-text cells can be long (abstracts, notes); the default 128 KiB limit would reject real rows.
csv.field_size_limit(1 << 30)

KINDS = ("text", "number", "int", "date", "bool", "list", "fraction")


@dataclass(frozen=True)
class Field:
    """One output column: the header names it has had across exports (newest first) and its kind."""

    name: str
    headers: tuple[str, ...]
    kind: str = "text"
    required: bool = False
    divisor: float = 1.0  # fraction: a plain number is divided by this (100 for 0..100 scores)
    empty: Any = None  # value of an empty cell (False for tick-box columns), when the column exists


def f(name: str, *headers: str, kind: str = "text", required: bool = False,
      divisor: float = 1.0, empty: Any = None) -> Field:
    """Shorthand for a Field: the output name, then every header variant it may have."""
    return Field(name, headers, kind, required, divisor, empty)


def read_text(path: Path, file: str) -> str:
    """A file's text as UTF-8 (a BOM is dropped); bytes that are not UTF-8 give a clean DataError."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DataError(f"{file}:{line}: byte 0x{data[e.start]:02x} at offset {e.start} is not "
                        "UTF-8 (expected UTF-8 text)",
                        hint="re-export the file as UTF-8, or fetch it again") from None


def slug(name: str) -> str:
    """Stable id from a name: lower case, '+' spelled 'plus', other non-alphanumerics as '-'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("+", "plus")).strip("-")


def split_list(cell: str | None) -> list[str]:
    """A comma-joined list cell as its entries, stripped, empty entries dropped."""
    if not cell:
        return []
    return [x.strip() for x in cell.split(",") if x.strip()]


def distinct(items) -> list:
    """Items without repeats, in order of first appearance."""
    return list(dict.fromkeys(items))


_TRUE = {"true", "yes", "y", "1", "checked"}
_FALSE = {"false", "no", "n", "0"}
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_number(s: str) -> float:
    """A float from text like '1600000000000.0', '9.702e+24' or '9.90E+22'; ValueError otherwise."""
    v = float(s.replace("_", "x"))  # float() accepts '1_000'; spreadsheets never write that
    if not math.isfinite(v):
        raise ValueError(s)
    return v


def parse_date(s: str, order: str = "mdy") -> dt.date:
    """ISO dates (time part ignored), 'YYYY/MM/DD', or spreadsheet 'M/D/YYYY' (or D/M with 'dmy')."""
    m = _ISO.match(s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = _SLASH.match(s)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        return dt.date(y, a, b) if order == "mdy" else dt.date(y, b, a)
    raise ValueError(s)


def parse_fraction(s: str, divisor: float = 1.0) -> float:
    """A score as a fraction: '77.0%' -> 0.77; a plain number is divided by the declared divisor."""
    if s.endswith("%"):
        return parse_number(s[:-1].strip()) / 100
    return parse_number(s) / divisor


_EXPECT = {"number": "a number such as 1.5e+24", "int": "a whole number",
           "date": "a date YYYY-MM-DD or M/D/YYYY", "bool": "TRUE/FALSE or Yes/No",
           "fraction": "a percentage such as 77.0% or a number"}


class Sheet:
    """One CSV file opened for cleaning: its header resolved against declared fields, rows typed."""

    def __init__(self, source: str, file: str, path: Path, fields: tuple[Field, ...],
                 rejects: Rejects, date_order: str = "mdy"):
        self.source, self.file, self.fields, self.rejects = source, file, fields, rejects
        self.date_order = date_order
        # strict: an unclosed quote is an error, not a field that silently swallows the rest
        self._reader = csv.reader(io.StringIO(read_text(path, file), newline=""), strict=True)
        header = self._next()
        if header is None or not any(h.strip() for h in header):
            raise DataError(f"{file}:1: no header row (expected column names on the first line)")
        self.header = [h.strip() for h in header]
        self.index: dict[str, int] = {}
        for fld in fields:
            at = next((self.header.index(h) for h in fld.headers if h in self.header), None)
            if at is not None:
                self.index[fld.name] = at
            elif fld.required:
                found = ", ".join(h if h.isprintable() else repr(h) for h in self.header)
                raise DataError(f"{file}: missing column '{fld.headers[0]}' (found: {found})",
                                hint="the export's header changed; add the new name to the "
                                     "source's alias table")

    def has(self, name: str) -> bool:
        """True when the file has a column for this field (under any of its names)."""
        return name in self.index

    def _next(self) -> list[str] | None:
        try:
            return next(self._reader, None)
        except csv.Error as e:
            raise DataError(f"{self.file}:{self._reader.line_num}: not valid CSV ({e})",
                            hint="check for an unclosed quote near that line") from None

    def reject(self, row: int, column: str, value: Any, reason: str) -> None:
        """Record a cell or row that could not be used."""
        self.rejects.add(self.source, self.file, row, column, value, reason)

    def raw(self) -> Iterator[tuple[int, dict[str, str | None]]]:
        """(1-based data row, field -> stripped cell text or None) per non-blank row; absent -> None."""
        width, row = len(self.header), 0
        names = [fl.name for fl in self.fields]
        index = list(self.index.items())
        while (cells := self._next()) is not None:
            if not "".join(cells).strip():  # blank line (one C call, not a loop over cells)
                continue
            row += 1
            n = len(cells)
            if n < width:
                self.reject(row, self.header[n], None,
                            f"row has {n} of {width} fields; missing cells loaded as NULL")
            out: dict[str, str | None] = dict.fromkeys(names)
            for name, at in index:
                if at < n:
                    out[name] = cells[at].strip() or None
            yield row, out

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(1-based data row, field name -> typed value); a bad cell is rejected and becomes None."""
        kinds = [(fl.name, fl.kind, fl.divisor, fl.empty, self.header[self.index[fl.name]])
                 for fl in self.fields if fl.name in self.index]
        for row, cells in self.raw():
            for name, kind, divisor, empty, header in kinds:
                text = cells[name]
                cells[name] = empty if text is None else self.typed(row, header, text, kind, divisor)
            yield row, cells

    def typed(self, row: int, column: str, s: str | None, kind: str, divisor: float = 1.0) -> Any:
        """One cell as its kind; a value that does not parse is rejected and becomes None."""
        if s is None or kind == "text":
            return s
        if kind == "list":
            return split_list(s)
        try:
            if kind == "number":
                return parse_number(s)
            if kind == "int":
                v = parse_number(s)
                if v != int(v) or abs(v) >= 2 ** 63:
                    raise ValueError(s)
                return int(v)
            if kind == "date":
                return parse_date(s, self.date_order)
            if kind == "fraction":
                return parse_fraction(s, divisor)
            if kind == "bool":
                low = s.lower()
                if low in _TRUE or low in _FALSE:
                    return low in _TRUE
                raise ValueError(s)
        except (ValueError, OverflowError):
            self.reject(row, column, s, f"not {_EXPECT[kind]}; loaded as NULL")
            return None
        raise ValueError(f"unknown field kind {kind!r}")


def need(files: dict[str, Path], name: str, source: str) -> Path:
    """The local path of a snapshot file; a clear DataError when the snapshot lacks it."""
    if name not in files:
        raise DataError(f"snapshot of {source} has no file {name!r}",
                        hint=f"run `aiatlas fetch {source}` again")
    return files[name]


def simple(source: str, file: str, files: dict[str, Path], fields: tuple[Field, ...],
           rejects: Rejects, date_order: str = "mdy") -> list[dict[str, Any]]:
    """Typed rows of a file whose columns map one-to-one onto a table's columns."""
    sheet = Sheet(source, file, need(files, file, source), fields, rejects, date_order)
    names = [fl.name for fl in fields]
    return [{n: cells.get(n) for n in names} for _, cells in sheet.rows()]
