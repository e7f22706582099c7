"""The curated fact record: what a YAML fact must say, and the one-line errors when it does not."""
from __future__ import annotations

import datetime as dt
import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from aiatlas.errors import DataError

# One YAML file per topic; the file stem is the topic id.
TOPICS: tuple[str, ...] = (
    "public_opinion",
    "ai_adoption",
    "robot_installations",
    "investment_programmes",
    "policy_events",
    "responsible_ai",
    "self_reported_benchmarks",
)
SUBJECT_TYPES: tuple[str, ...] = ("country", "subdivision", "region", "world", "organization", "model")
# Citation fields a record may take from the file's `sources:` table instead of spelling them out.
CITATION_FIELDS: tuple[str, ...] = ("publisher", "title", "url", "published")

_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_PERIOD = re.compile(r"^\d{4}(-\d{2})?(-H[12]|-Q[1-4])?$")
# Regions and groupings that are not ISO 3166 countries but appear as subjects.
REGIONS: tuple[str, ...] = ("EU", "Europe", "Asia", "Americas")

Number = Annotated[float, Field(strict=True)]


class Fact(BaseModel):
    """One cited figure or dated event, with the figure exactly as the source printed it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    topic: Literal[TOPICS]  # type: ignore[valid-type]
    subject: str
    subject_type: Literal[SUBJECT_TYPES]  # type: ignore[valid-type]
    measure: str
    label: str | None = None  # a short headline in our own words (events, programmes)
    label_ja: str | None = None  # the same headline in Japanese, our own words (required with label)
    value: Number | None = None
    unit: str
    period: str | None = None  # the span the figure covers: "2024", "2024-05", "2024-H1"
    date: dt.date | None = None  # the day an event happened or a programme was announced
    publisher: str
    title: str
    url: str
    published: dt.date
    as_printed: str
    note: str
    note_ja: str  # the same note in Japanese, our own words: readers of both editions see it
    confirmed: bool = True
    unconfirmed_reason: str | None = None
    self_reported: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("expected lower-case letters, digits, '.' and '-'")
        return v

    @field_validator("period")
    @classmethod
    def _period(cls, v: str | None) -> str | None:
        if v is not None and not _PERIOD.match(v):
            raise ValueError(f"expected YYYY, YYYY-MM, YYYY-H1 or YYYY-Q1, got {v!r}")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ValueError(f"expected an http(s) URL, got {v!r}")
        return v

    @field_validator("publisher", "title", "as_printed", "note", "note_ja", "measure", "unit", "subject")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Fact:
        if self.subject_type == "country" and pycountry.countries.get(alpha_3=self.subject) is None:
            raise _FieldError("subject", f"expected an ISO 3166-1 alpha-3 code, got {self.subject!r}")
        if self.subject_type == "subdivision" and pycountry.subdivisions.get(code=self.subject) is None:
            raise _FieldError("subject", f"expected an ISO 3166-2 code like 'US-TX', got {self.subject!r}")
        if self.subject_type == "world" and self.subject != "WLD":
            raise _FieldError("subject", f"a world figure has subject 'WLD', got {self.subject!r}")
        if self.subject_type == "region" and self.subject not in REGIONS:
            raise _FieldError("subject", f"expected one of {', '.join(REGIONS)}, got {self.subject!r}")
        if self.period is None and self.date is None:
            raise _FieldError("period", "a fact needs a period or a date")
        if bool((self.label or "").strip()) != bool((self.label_ja or "").strip()):
            # a headline is shown to readers of both editions: one without the other is half-translated
            raise _FieldError("label_ja" if self.label else "label",
                              "a record with a label needs label_ja (Japanese, in our own words), and "
                              "label_ja needs a label")
        if self.confirmed and self.unconfirmed_reason:
            raise _FieldError("unconfirmed_reason", "only an unconfirmed record has a reason")
        if not self.confirmed and not (self.unconfirmed_reason or "").strip():
            raise _FieldError("unconfirmed_reason", "an unconfirmed record must say why")
        # A confirmed figure has a number; only dated events may be value-less.
        if self.confirmed and self.value is None and self.topic != "policy_events":
            raise _FieldError("value", "a confirmed figure needs a value")
        if self.topic == "self_reported_benchmarks" and not self.self_reported:
            raise _FieldError("self_reported", "developer-reported scores must be marked self_reported")
        return self


class _FieldError(ValueError):
    """A cross-field check that blames one named field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _describe(err: dict[str, Any]) -> tuple[str, str]:
    """(field, message) for one pydantic error, in words a curator can act on."""
    loc = [str(p) for p in err.get("loc", ())]
    field = ".".join(loc) if loc else "?"
    kind = err.get("type", "")
    got = err.get("input")
    ctx_error = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, _FieldError):
        return ctx_error.field, str(ctx_error)
    if kind == "missing":
        return field, "missing (required)"
    if kind == "extra_forbidden":
        return field, "unknown field (see docs/curated.md for the schema)"
    if kind.startswith(("float", "int")):
        return field, f"expected a number, got {got!r}"
    if kind.startswith("date"):
        return field, f"expected a date YYYY-MM-DD, got {got!r}"
    if kind.startswith("bool"):
        return field, f"expected true or false, got {got!r}"
    if kind == "literal_error":
        expected = (err.get("ctx") or {}).get("expected", "")
        return field, f"expected one of {expected}, got {got!r}"
    if kind == "string_type":
        return field, f"expected text, got {got!r}"
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return field, msg


def validate_record(raw: Any, *, file: str, index: int, line: int | None = None) -> Fact:
    """Validate one raw YAML record, or raise DataError naming the file, record and field."""
    where = f"{file}:{line}" if line else file
    if not isinstance(raw, dict):
        raise DataError(f"{where}: record #{index + 1}: expected a mapping of fields, got {raw!r}")
    rid = raw.get("id", f"#{index + 1}")
    try:
        return Fact.model_validate(raw)
    except ValidationError as e:
        field, message = _describe(e.errors()[0])
        raise DataError(f"{where}: record '{rid}': field '{field}': {message}",
                        hint="fix the record; the schema is in docs/curated.md") from None


def _type_name(annotation: Any) -> str:
    """A field's type in a curator's words: text, number, date, true/false or one of a list."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        return _type_name(args[0])
    if get_origin(annotation) is Annotated:
        return _type_name(args[0])
    return {str: "text", float: "number", bool: "true/false", dt.date: "date YYYY-MM-DD"}.get(
        annotation, str(annotation))


def schema_markdown() -> str:
    """The fields of a fact as a Markdown table (for docs/curated.md)."""
    rows = ["| field | type | required |", "|---|---|---|"]
    for name, info in Fact.model_fields.items():
        rows.append(f"| `{name}` | {_type_name(info.annotation)} | "
                    f"{'yes' if info.is_required() else 'no'} |")
    return "\n".join(rows)
