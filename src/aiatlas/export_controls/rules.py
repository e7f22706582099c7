"""Export-control rule sets, country groups and per-chip notices, loaded from rules.yaml."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from aiatlas import config
from aiatlas.errors import DataError, UsageError
from aiatlas.report import rules as report_rules
from aiatlas.safe_yaml import SafeLoader  # libyaml's parser: the package's own files

Condition = tuple[str, str, Any]  # (figure, operator, value)


@dataclass(frozen=True)
class Status:
    """One control status (e.g. 3A090.a): it applies when any clause holds (all conditions)."""

    status: str
    applies_to: str
    any_of: tuple[tuple[Condition, ...], ...]


@dataclass(frozen=True)
class Exemption:
    """A carve-out: when all conditions hold the item is not controlled by this rule set."""

    reason: str
    all_of: tuple[Condition, ...]
    applies_to: str = "accelerator"


@dataclass(frozen=True)
class RuleSet:
    """A dated rule set: statuses, exemptions, licence scope and the citation behind it."""

    id: str
    title: str
    published: dt.date
    effective: dt.date
    superseded: dt.date | None
    enforced: bool
    statuses: tuple[Status, ...]
    exemptions: tuple[Exemption, ...]
    licence: dict[str, Any]
    citation: dict[str, Any]
    unconfirmed: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def in_force(self, on: dt.date) -> bool:
        """True when the rule set applied on that date (effective, not yet superseded)."""
        return self.effective <= on and (self.superseded is None or on < self.superseded)

    def describe(self) -> dict[str, Any]:
        """The rule set as plain data (dates as ISO strings), for JSON output."""
        return _jsonable(self.raw)


@dataclass(frozen=True)
class Notice:
    """A licence requirement imposed on named chips by notice rather than by parameters."""

    id: str
    chips: tuple[str, ...]
    date: dt.date
    what: str
    destinations: dict[str, Any]
    citation: dict[str, Any]
    unconfirmed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewPolicy:
    """How a licence application is reviewed, from a date, for some destinations and chips."""

    id: str
    start: dt.date
    policy: str
    destinations: dict[str, Any]
    when: tuple[Condition, ...]
    confirmed: bool
    citation: dict[str, Any]
    conditions: str = ""
    unconfirmed: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # the chip statuses it reviews; empty: any needing a licence


@dataclass(frozen=True)
class Rules:
    """Everything in rules.yaml: rule sets in date order, country groups, notices, makers."""

    rule_sets: tuple[RuleSet, ...]
    groups: dict[str, frozenset[str]]
    treated_as: dict[str, str]
    notices: tuple[Notice, ...]
    maker_countries: dict[str, str]
    review_policies: tuple[ReviewPolicy, ...] = ()

    def get(self, id: str) -> RuleSet:
        """The rule set with this id, or a UsageError listing the valid ids."""
        for rs in self.rule_sets:
            if rs.id == id:
                return rs
        raise UsageError(f"unknown rule set {id!r}",
                         hint="valid ids: " + ", ".join(r.id for r in self.rule_sets))

    def in_force(self, on: dt.date) -> RuleSet | None:
        """The enforced rule set that applied on a date; None before the first one."""
        hits = [rs for rs in self.rule_sets if rs.enforced and rs.in_force(on)]
        return hits[-1] if hits else None

    def pick(self, id: str | None = None, as_of: dt.date | None = None) -> RuleSet | None:
        """The rule set named by id, else the one in force on as_of (default: today)."""
        if id:
            return self.get(id)
        return self.in_force(as_of or config.today())

    def group_members(self, names) -> set[str]:
        out: set[str] = set()
        for name in names:
            if name not in self.groups:
                raise DataError(f"rules.yaml: unknown country group {name!r}")
            out |= self.groups[name]
        return out

    def destination_set(self, spec: dict[str, Any], on: dt.date | None) -> tuple[set[str], bool]:
        """Countries a licence spec covers on a date, and whether it means 'all except these'."""
        if "all_except_groups" in spec:
            return self.group_members(spec["all_except_groups"]), True
        countries = set(spec.get("countries", ())) | self.group_members(spec.get("groups", ()))
        countries -= self.group_members(spec.get("except_groups", ()))
        for extra in spec.get("dated", ()):
            if on is None or on >= _date(extra["from"]):
                countries.add(extra["country"])
        return countries, False

    def covers(self, spec: dict[str, Any], country: str, on: dt.date | None) -> bool:
        """Whether a licence spec reaches a destination (HKG looked up as CHN too)."""
        members, negated = self.destination_set(spec, on)
        keys = {country, self.treated_as.get(country, country)}
        hit = bool(keys & members)
        return not hit if negated else hit


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _opt_date(value) -> dt.date | None:
    return None if value in (None, "") else _date(value)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _conditions(items, where: str) -> tuple[Condition, ...]:
    out = []
    for item in items:
        if len(item) != 3 or item[1] not in (">=", ">", "<", "<=", "=="):
            raise DataError(f"rules.yaml: {where}: bad condition {item!r} "
                            "(expected [figure, operator, value])")
        out.append((str(item[0]), str(item[1]), item[2]))
    return tuple(out)


def parse(doc: dict[str, Any]) -> Rules:
    """Turn the YAML document into typed rules; malformed entries raise DataError."""
    sets = []
    for raw in doc["rule_sets"]:
        where = f"rule set {raw.get('id')!r}"
        statuses = tuple(Status(s["status"], s.get("applies_to", "accelerator"),
                                tuple(_conditions(c, where) for c in s["any_of"]))
                         for s in raw["statuses"])
        exemptions = tuple(Exemption(e["reason"], _conditions(e["all_of"], where),
                                     e.get("applies_to", "accelerator"))
                           for e in raw.get("exemptions") or ())
        sets.append(RuleSet(id=raw["id"], title=raw["title"], published=_date(raw["published"]),
                            effective=_date(raw["effective"]),
                            superseded=_opt_date(raw.get("superseded")),
                            enforced=bool(raw["enforced"]), statuses=statuses,
                            exemptions=exemptions, licence=raw["licence"],
                            citation=raw["citation"], unconfirmed=tuple(raw.get("unconfirmed") or ()),
                            raw=raw))
    sets.sort(key=lambda r: r.effective)
    groups = {k: frozenset(v["members"]) for k, v in doc["country_groups"].items()}
    notices = tuple(Notice(id=n["id"], chips=tuple(n["chips"]), date=_date(n["date"]),
                           what=n["what"], destinations=n["destinations"], citation=n["citation"],
                           unconfirmed=tuple(n.get("unconfirmed") or ()))
                    for n in doc.get("notices") or ())
    policies = tuple(sorted((ReviewPolicy(
        id=p["id"], start=_date(p["from"]), policy=p["policy"], destinations=p["destinations"],
        when=_conditions(p.get("when") or [], f"review policy {p['id']!r}"),
        confirmed=bool(p["confirmed"]), citation=p["citation"], conditions=p.get("conditions", ""),
        unconfirmed=tuple(p.get("unconfirmed") or ()), statuses=tuple(p.get("statuses") or ()))
        for p in doc.get("review_policies") or ()),
        key=lambda p: p.start))
    return Rules(rule_sets=tuple(sets), groups=groups, treated_as=dict(doc.get("treated_as") or {}),
                 notices=notices, maker_countries=dict(doc.get("maker_countries") or {}),
                 review_policies=policies)


@lru_cache(maxsize=1)
def load() -> Rules:
    """The packaged rules.yaml, parsed once."""
    text = resources.files("aiatlas.export_controls").joinpath("rules.yaml").read_text("utf-8")
    return parse(yaml.load(text, Loader=SafeLoader))


def country_code(value: str) -> str:
    """ISO3 code for a destination given as ISO3, ISO2 or a country name; UsageError if unknown."""
    found = report_rules.country_code(value)
    if found is None:
        raise UsageError(f"unknown destination country {value!r}",
                         hint="give an ISO 3166 code such as CHN, or a country name")
    return found
