"""The single indicator registry: declared metadata, typed parameters, and the pure Ibis function."""
from __future__ import annotations

import datetime as dt
import importlib
import inspect
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiatlas.errors import UsageError
from aiatlas.indicators import views


def bounds_text(minimum: Any, maximum: Any) -> str:
    """An inclusive range in words, e.g. '>= 1', '<= 10' or '0 to 1'; '' when unbounded."""
    if minimum is not None and maximum is not None:
        return f"{minimum} to {maximum}"
    if minimum is not None:
        return f">= {minimum}"
    return f"<= {maximum}" if maximum is not None else ""


INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class Param:
    """A declared indicator parameter: its type, default, allowed values and meaning."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None
    # (table, column) whose values this parameter names, e.g. a benchmark id: a value the
    # current build does not hold is an error listing the ones it does, not an empty result
    values_from: tuple[str, str] | None = None
    # inclusive bounds for numbers whose values outside are nonsense (a span of 0 years)
    minimum: Any = None
    maximum: Any = None
    # the value decides the query's form, not only a literal in it (e.g. how many resamples
    # to draw): each value gets its own SQL template (sqltemplate.py)
    structural: bool = False

    def coerce(self, value: Any) -> Any:
        """Turn a CLI/HTTP string (or a Python value) into this parameter's type, or raise."""
        if value is None:
            return None
        try:
            if self.type is bool and isinstance(value, str):
                low = value.strip().lower()
                if low not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                out = low in ("true", "1", "yes")
            elif self.type is dt.date and isinstance(value, str):
                out = dt.date.fromisoformat(value.strip())
            elif self.type in (int, float) and isinstance(value, bool):
                raise ValueError(value)  # bool is an int subclass: True is not a year
            elif self.type is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            elif self.type is dt.date and isinstance(value, dt.date):
                out = value
            else:
                out = self.type(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            raise UsageError(f"parameter {self.name}={value!r} is not a valid {self.type.__name__}",
                             hint=self.help) from None
        # Every engine stores an int in 64 bits and no float parameter means infinity: refuse
        # them here, once, instead of as an overflow deep in a query.
        if (self.type is int and not INT64[0] <= out <= INT64[1]) or (
                self.type is float and not math.isfinite(out)):
            raise UsageError(f"parameter {self.name}={value!r} is out of range (expected "
                             f"{self.bounds() if self.minimum is not None else 'a 64-bit number'})",
                             hint=self.help)
        if self.choices is not None and out not in self.choices:
            raise UsageError(f"parameter {self.name}={value!r} is not one of: "
                             f"{', '.join(map(str, self.choices))}")
        # written as "not >=" so that NaN, which compares false with everything, is refused too
        if ((self.minimum is not None and not out >= self.minimum)
                or (self.maximum is not None and not out <= self.maximum)):
            raise UsageError(f"parameter {self.name}={value!r} is out of range "
                             f"(expected {self.bounds()})", hint=self.help)
        return out

    def bounds(self) -> str:
        """The allowed range in words (see `bounds_text`)."""
        return bounds_text(self.minimum, self.maximum)

    def describe(self) -> dict[str, Any]:
        default = self.default.isoformat() if isinstance(self.default, dt.date) else self.default
        return {"name": self.name, "type": self.type.__name__, "default": default, "help": self.help,
                "choices": list(self.choices) if self.choices is not None else None,
                "values_from": ".".join(self.values_from) if self.values_from else None,
                "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class Indicator:
    """One declared indicator: metadata plus `func(tables, **params) -> ibis.Table`.

    `rows(tables, **params)` (optional) returns the source rows behind each value: an Ibis
    table carrying the grain columns, so `explain(where=...)` can filter it to one value.
    """

    id: str
    title: str
    unit: str
    chapter: str
    description: str
    sources: tuple[str, ...]  # warehouse tables the indicator reads
    grain: tuple[str, ...]  # columns that identify one value
    params: tuple[Param, ...]
    func: Callable[..., Any]
    rows: Callable[..., Any] | None = None
    value_columns: tuple[str, ...] = ("value",)
    # tables among `sources` read only to join names and identities (which model is whose): a
    # source feeding only these is marked role 'joined' in the provenance and dates no value
    joins: tuple[str, ...] = ()
    # the output column that `since`/`until` only narrow: the values for [since, until] are
    # the rows, whose column lies in it, of the values for every year, so a narrower range is
    # answered from the wider result (query.py; checked on the mirror in test_registry_audit)
    years: str | None = None

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]

    def bind(self, raw: dict[str, Any] | None = None) -> dict[str, Any]:
        """Validate and type parameters, filling defaults; unknown names are a UsageError."""
        raw = dict(raw or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            valid = ", ".join(self.param_names) or "(none)"
            raise UsageError(f"unknown parameter {', '.join(unknown)} for {self.id} "
                             f"(valid: {valid})")
        # None means "not given": the default applies (HTTP and Python callers pass None).
        bound = {name: p.coerce(raw[name]) if raw.get(name) is not None else p.default
                 for name, p in known.items()}
        # checked here, once, rather than in the indicator functions: their Python code never
        # looks at a value, so one compiled SQL template serves every value (sqltemplate.py)
        since, until = bound.get("since"), bound.get("until")
        if since is not None and until is not None and since > until:
            raise UsageError(f"since={since} is after until={until}",
                             hint="since and until are inclusive")
        return bound

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "unit": self.unit, "chapter": self.chapter,
                "description": self.description, "sources": list(self.sources),
                "grain": list(self.grain), "value_columns": list(self.value_columns),
                "parameters": [p.describe() for p in self.params], "explainable": self.rows is not None}


# The normalised views every eligible country-grain indicator gets (see views.py).
VIEW_PARAMS = (
    Param("per", str, None, "Divide value by population: capita (per person) or million (per "
          "million people), World Bank population of the value's year", choices=tuple(views.PER)),
    Param("share_of", str, None, "Divide value by the sum over all rows of the same period: world",
          choices=("world",)),
)


def _with_views(grain, unit: str, func: Callable, rows: Callable | None):
    """func and rows taking `per` and `share_of` too; func applies them to its result."""

    def normalised(t, per=None, share_of=None, **params):
        if per and share_of:
            raise UsageError("per and share_of cannot be combined (choose one view)")
        out = func(t, **params)
        return views.normalise(t, out, grain, unit, per, share_of) if per or share_of else out

    def explained(t, per=None, share_of=None, **params):  # the rows behind a value are the same
        return rows(t, **params)

    normalised.__doc__ = func.__doc__
    return normalised, explained if rows is not None else None


REGISTRY: dict[str, Indicator] = {}
_loaded = False


def indicator(*, id: str, title: str, unit: str, chapter: str, description: str,
              sources: tuple[str, ...], grain: tuple[str, ...], params: tuple[Param, ...] = (),
              rows: Callable[..., Any] | None = None,
              value_columns: tuple[str, ...] = ("value",), joins: tuple[str, ...] = (),
              years: str | None = None,
              into: dict[str, Indicator] | None = None) -> Callable[[Callable], Callable]:
    """Register the decorated pure function as an indicator (in `into`, a registry of the
    caller's such as a test's, instead of the one registry)."""
    target = REGISTRY if into is None else into

    def register(func: Callable) -> Callable:
        if id in target:
            raise ValueError(f"indicator {id!r} registered twice")
        for f in (func, rows):
            _check_defaults(id, f, params)
        if set(joins) - set(sources):
            raise ValueError(f"indicator {id!r}: joins {sorted(set(joins) - set(sources))} "
                             "are not among its sources")
        if years is not None and (years not in grain
                                  or not {"since", "until"} <= {p.name for p in params}):
            raise ValueError(f"indicator {id!r}: years={years!r} needs a grain column of that "
                             "name and the since and until parameters")
        run, explain, declared = func, rows, tuple(params)
        offered = views.eligible(grain, unit, value_columns)
        if offered:
            run, explain = _with_views(tuple(grain), unit, func, rows)
            declared += tuple(p for p in VIEW_PARAMS if p.name in offered)
        target[id] = Indicator(id=id, title=title, unit=unit, chapter=chapter,
                                 description=description, sources=tuple(sources),
                                 grain=tuple(grain), params=declared, func=run, rows=explain,
                                 value_columns=tuple(value_columns), joins=tuple(joins),
                                 years=years)
        return func

    return register


def _check_defaults(id: str, func: Callable | None, params: tuple[Param, ...]) -> None:
    """A parameter's default is the declared one: a function default that says otherwise is a
    second, drifting source, refused when the indicator is registered."""
    if func is None:
        return
    for p in params:
        arg = inspect.signature(func).parameters.get(p.name)
        if arg is not None and arg.default is not inspect.Parameter.empty and arg.default != p.default:
            raise ValueError(f"indicator {id!r}: {func.__name__}({p.name}={arg.default!r}) but "
                             f"the declared default is {p.default!r} (the declaration is the "
                             "one source: drop the function default or make it equal)")


def load_all() -> dict[str, Indicator]:
    """Import every module of this package once, so each chapter registers its indicators."""
    global _loaded
    if not _loaded:
        import aiatlas.indicators as pkg

        for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            if mod.name != "registry" and not mod.name.startswith("_"):
                importlib.import_module(f"{pkg.__name__}.{mod.name}")
        _loaded = True
    return REGISTRY


def get(id: str) -> Indicator:
    """The indicator with this id, or a UsageError listing the valid ids."""
    registry = load_all()
    if id not in registry:
        raise UsageError(f"unknown indicator {id!r}",
                         hint="valid ids: " + ", ".join(sorted(registry)))
    return registry[id]
