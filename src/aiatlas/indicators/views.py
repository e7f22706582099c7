"""Normalised views of country-grain indicators: per capita, per million people, share of world.

Declared once: the registry gives every eligible indicator (a `country` grain column, a count-
like `value`) the parameters `per` and `share_of`, and applies
`normalise` to its result. Per capita divides by World Bank population (SP.POP.TOTL) of the
value's year (the newest year published when the value is more recent: `population_year` says
which); share of world divides by the sum over every row of the same period (countries and
rows without a country). Only `value` and its band (`value_p5`, `value_p95`) are normalised.
The indicators over the OpenAlex works get both too: their view is on the one warehouse
connection, beside the population table.
"""
from __future__ import annotations

import ibis

# Units that are already ratios, shares or durations: dividing them by people means nothing.
INTENSIVE_UNITS = frozenset({"percent", "%", "percentage points", "share (0-1)", "share of FLOP",
                             "share of models", "months", "per year (0.1 = 10%)",
                             "orders of magnitude per year", "FLOP/s per USD", "FLOP/s per W"})
PER = {"capita": 1.0, "million": 1e6}
BANDS = ("value", "value_p5", "value_p95")
TIME = ("year", "date", "month")  # the grain column a value's year is read from, first found


def eligible(grain, unit: str, value_columns) -> tuple[str, ...]:
    """The views ('per', 'share_of') an indicator with this declaration gets: both for a
    count-like value with a country grain (every table, ingested datasets' views included, is
    on the one warehouse connection, beside the population table), else none."""
    if "country" not in grain or "value" not in value_columns or unit in INTENSIVE_UNITS:
        return ()
    return ("per", "share_of")


def normalised_unit(unit: str, per: str | None, share_of: str | None) -> str:
    """The unit of a normalised value, e.g. 'models per million people'."""
    if share_of:
        return f"share of {share_of} total (0-1)"
    return f"{unit} per person" if per == "capita" else f"{unit} per million people"


def _year(table: ibis.Table, grain) -> ibis.Value | None:
    for col in TIME:
        if col in grain:
            return table[col] if col == "year" else table[col].year()
    return None


def normalise(t, table: ibis.Table, grain, unit: str, per: str | None,
              share_of: str | None) -> ibis.Table:
    """`table` with value (and band) per person / per million people, or as a share of world."""
    cols = [c for c in BANDS if c in table.columns]
    if share_of:
        periods = [g for g in grain if g != "country"]
        w = ibis.window(group_by=[table[g] for g in periods]) if periods else ibis.window()
        total = table.value.sum().over(w)
        out = table.mutate(world_total=total.cast("float64"))
        out = out.mutate(**{c: out[c].cast("float64") / out.world_total for c in cols})
        return out.mutate(unit=ibis.literal(normalised_unit(unit, per, share_of))).order_by(list(grain))
    p = t.population
    p = p.filter(p.is_country & p.population.notnull())
    newest = p.group_by("country").aggregate(newest=p.year.max())
    year = _year(table, grain)
    keyed = table.mutate(_year=year if year is not None else ibis.null("int64"))
    k = keyed.left_join(newest, keyed.country == newest.country)
    k = k.select(*[keyed[c] for c in keyed.columns], newest.newest)
    k = k.mutate(population_year=ibis.least(k._year.coalesce(k.newest), k.newest))
    j = k.left_join(p, (k.country == p.country) & (k.population_year == p.year))
    j = j.select(*[k[c] for c in table.columns], k.population_year, pop=p.population)
    out = j.mutate(**{c: j[c].cast("float64") / j.pop * PER[per] for c in cols})
    return out.rename(population="pop").mutate(
        unit=ibis.literal(normalised_unit(unit, per, share_of))).order_by(list(grain))
