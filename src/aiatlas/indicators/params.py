"""Shared indicator parameters and the Ibis building blocks every chapter reuses.

Country credit (each / fractional / first), region membership, year ranges, model subsets
and the log-linear trend live here once, so every indicator applies the same rules
(docs/methodology.md).
"""
from __future__ import annotations

import functools
import math
import threading

import ibis

from aiatlas.entities import regions
from aiatlas.errors import UsageError
from aiatlas.indicators.registry import Param

ATTRIBUTIONS = ("each", "fractional", "first")
SUBSETS = {"notable": "models", "frontier": "frontier_models", "large_scale": "large_scale_models"}

ATTRIBUTION = Param(
    "attribution", str, "each",
    "How a model with several developer countries is credited: each (1 to every country), "
    "fractional (1/n to each of n countries), first (1 to the first-listed country)",
    choices=ATTRIBUTIONS)
ORG_ATTRIBUTION = Param(
    "attribution", str, "each",
    "How a model with several developer organizations is credited: each, fractional (1/n), "
    "first (first-listed organization)", choices=ATTRIBUTIONS)
FOLD_HONG_KONG = Param("fold_hong_kong", bool, False,
                       "Count Hong Kong (HKG) as China (CHN) instead of separately")
REGION = Param("region", str, "all", "One region id, or all",
               choices=("all", *regions.REGIONS))
SUBSET = Param("subset", str, "notable",
               "Which models: notable (Epoch notable models), frontier, large_scale",
               choices=tuple(SUBSETS))
BY_PARENT = Param("by_parent", bool, False,
                  "Count labs under their parent company (Google DeepMind, Google Brain -> Google; "
                  "FAIR -> Meta), as declared in entities/organization_parents.csv")
LIMIT = Param("limit", int, 20, "How many organizations to keep, by rank",
              minimum=1)  # 0 or fewer would show nothing


YEARS = (1, 9999)  # the years a date can spell; anything else is a typo, not an empty range


def since(default: int | None = None) -> Param:
    """The first publication year included (inclusive); None means from the first model."""
    return Param("since", int, default, "First publication year included (inclusive)",
                 minimum=YEARS[0], maximum=YEARS[1])


def until(default: int | None = None) -> Param:
    """The last publication year included (inclusive); None means up to the newest model."""
    return Param("until", int, default, "Last publication year included (inclusive)",
                 minimum=YEARS[0], maximum=YEARS[1])


def in_years(models: ibis.Table, since: int | None, until: int | None) -> ibis.Table:
    """Models published in [since, until] (inclusive years); undated models never match a bound
    (`Indicator.bind` has refused since > until)."""
    if since is not None:
        models = models.filter(models.year >= since)
    if until is not None:
        models = models.filter(models.year <= until)
    return models


def model_table(t, subset: str) -> ibis.Table:
    """The warehouse table holding the asked subset of models."""
    return getattr(t, SUBSETS[subset])


def credit(models: ibis.Table, column: str, attribution: str, key: str,
           fold_hong_kong: bool = False, keep: tuple[str, ...] = ()) -> ibis.Table:
    """(model_id, <keep...>, <key>, weight) rows crediting each model to a list column's entries.

    each: weight 1 for every distinct entry; fractional: 1/n for each of n distinct entries;
    first: weight 1 for the first-listed entry only. A model with an empty list gets no row
    at all. With fold_hong_kong, HKG becomes CHN, and a model listing both keeps one CHN.
    """
    if attribution not in ATTRIBUTIONS:
        raise UsageError(f"unknown attribution {attribution!r} (valid: {', '.join(ATTRIBUTIONS)})")
    one = ibis.literal(1.0, "float64")
    entries = models[column]
    if attribution == "first":
        first = entries[0]  # NULL for an empty list (Spark runs with ANSI mode off)
        if fold_hong_kong:
            first = ibis.ifelse(first == regions.HONG_KONG, regions.CHINA, first)
        items = models.select("model_id", *keep, **{key: first})
        return items.filter(items[key].notnull() & (items[key] != "")).mutate(weight=one)
    # The warehouse contract (schema.py) makes list entries distinct, non-null ISO3 codes, so
    # a model's entry count is its list length; only folding Hong Kong into China can make
    # two entries one. A column unnest (UNNEST / EXPLODE in the select list) keeps DuckDB on
    # its fast path: a table unnest compiles to a lateral join ~100x slower, and a window
    # count per model would add a sort.
    has_china = entries.contains(regions.CHINA)
    n = entries.length()
    if fold_hong_kong:
        n = n - ibis.ifelse(has_china & entries.contains(regions.HONG_KONG), 1, 0)
    items = models.select("model_id", *keep, **{key: entries.unnest()}, has_china=has_china,
                          n_entries=n)
    if fold_hong_kong:
        hk = items[key] == regions.HONG_KONG
        items = items.filter(~(hk & items.has_china))  # CHN is already credited
        items = items.mutate(**{key: ibis.ifelse(hk, regions.CHINA, items[key])})
    weight = one if attribution == "each" else one / items.n_entries
    return items.select("model_id", *keep, key, weight=weight)


def country_credit(models: ibis.Table, attribution: str, fold_hong_kong: bool,
                   keep: tuple[str, ...] = ()) -> ibis.Table:
    """(model_id, <keep...>, country, weight) rows: models credited to their countries."""
    return credit(models, "countries", attribution, "country", fold_hong_kong, keep)


def one_per_process(make):
    """`make` cached per arguments like functools.cache, but made exactly once even when many
    threads ask first at the same moment (a server's first requests). For in-memory tables
    this matters: each copy gets its own random name in the compiled SQL, so two copies made
    by a race would give one query two texts, and a SQL template derived meanwhile would be
    refused for the build's life (every request of that shape then compiled by Ibis)."""
    cached, lock = functools.cache(make), threading.Lock()

    @functools.wraps(make)
    def get(*args):
        with lock:
            return cached(*args)

    get.cache_clear = cached.cache_clear
    return get


@one_per_process
def region_membership() -> ibis.Table:
    """(region, region_name, country) for every documented region member.

    One in-memory table per process: an engine registers it once per connection, where a
    new one per query would register (and keep, until exit) a new table every time."""
    return ibis.memtable(regions.membership())


@one_per_process
def _country_names() -> ibis.Table:
    """(country, country_name) for every ISO3 code (one in-memory table, as above)."""
    return ibis.memtable(regions.country_names(regions.all_country_codes()))


def region_credit(models: ibis.Table, attribution: str, fold_hong_kong: bool,
                  keep: tuple[str, ...] = ()) -> ibis.Table:
    """(model_id, <keep...>, region, region_name, weight): country credit summed per region.

    Under `each` a model counts once for a region however many of its countries are in it;
    under fractional and first the region receives the sum of its countries' weights.
    """
    c = country_credit(models, attribution, fold_hong_kong, keep).join(region_membership(),
                                                                       "country")
    weight = ibis.literal(1.0, "float64") if attribution == "each" else c.weight.sum()
    return c.group_by(["model_id", *keep, "region", "region_name"]).aggregate(weight=weight)


def with_country_names(table: ibis.Table) -> ibis.Table:
    """Add country_name (pycountry's common English name) beside an ISO3 `country` column."""
    names = _country_names()
    joined = table.left_join(names, table.country == names.country)
    cols = list(table.columns)
    out = joined.select(*[joined[c] for c in cols],
                        country_name=ibis.coalesce(joined.country_name, joined.country))
    order = cols[:cols.index("country") + 1] + ["country_name"] + cols[cols.index("country") + 1:]
    return out.select(*order)


# Two-sided 95% Student t quantile as a Cornish-Fisher expansion in 1/df (Abramowitz & Stegun
# 26.7.5, five terms): pure arithmetic, so it runs inside the query on every backend; error
# < 1e-3 at df=3, < 5e-5 from df=5, < 1e-6 from df=10 (tests pin it against tables).
_Z = 1.959963984540054
_G = ((_Z**3 + _Z) / 4,
      (5 * _Z**5 + 16 * _Z**3 + 3 * _Z) / 96,
      (3 * _Z**7 + 19 * _Z**5 + 17 * _Z**3 - 15 * _Z) / 384,
      (79 * _Z**9 + 776 * _Z**7 + 1482 * _Z**5 - 1920 * _Z**3 - 945 * _Z) / 92160,
      (27 * _Z**11 + 339 * _Z**9 + 930 * _Z**7 - 1782 * _Z**5 - 765 * _Z**3 + 17955 * _Z)
      / 368640)
LOG10_2_MONTHS = 12 * math.log10(2)


def t_quantile_975(df):
    """The 0.975 quantile of Student's t with `df` degrees of freedom (number or Ibis value)."""
    return _t_from_inverse(1.0 / df)


def _t_from_inverse(inv):
    """The Cornish-Fisher polynomial in 1/df, in Horner form."""
    return _Z + inv * (_G[0] + inv * (_G[1] + inv * (_G[2] + inv * (_G[3] + inv * _G[4]))))


def decimal_year(date: ibis.Value) -> ibis.Value:
    """A date as a float64 year: 1 January is the whole year, each day adds 1/365.25.

    Cast to float first: Spark would otherwise divide in DECIMAL and round to 6 places.
    """
    return (date.year().cast("float64")
            + (date.day_of_year() - 1).cast("float64") / 365.25)


def trend_points(models: ibis.Table, column: str, since: int | None,
                 until: int | None) -> ibis.Table:
    """Models with a positive value and a date: x = decimal year, y = log10(value)."""
    m = in_years(models, since, until)
    m = m.filter(m[column].notnull() & (m[column] > 0) & m.publication_date.notnull())
    x = decimal_year(m.publication_date)
    return m.select("model_id", "name", "publication_date", "year", m[column].name("value"),
                    x=x, log10_value=m[column].log10())


X_ORIGIN = 2000.0  # x is centred on a fixed year so float64 sums of squares stay accurate


def log_trend(points: ibis.Table, date: str = "publication_date") -> ibis.Table:
    """Least squares of log10_value on x (decimal years), with a 95% interval: one row.

    One pass of sums (n, x, y, xx, xy, yy) gives the centred sums of squares; the residual sum
    of squares is cyy - slope * cxy. No row when there is no point.
    """
    x = points.x - X_ORIGIN
    y = points.log10_value
    s = points.aggregate(n=points.count(), sx=x.sum(), sy=y.sum(), sxx=(x * x).sum(),
                         sxy=(x * y).sum(), syy=(y * y).sum(),
                         first_date=points[date].min(), last_date=points[date].max())
    s = s.filter(s.n > 0)
    # One small step per quantity: inlining them into one projection repeats sub-expressions
    # (the t quantile alone uses df five times), which makes DuckDB's binder much slower.
    s = s.mutate(cxx=s.sxx - s.sx * s.sx / s.n, cxy=s.sxy - s.sx * s.sy / s.n,
                 cyy=s.syy - s.sy * s.sy / s.n)
    # A fit needs spread in x; a relative threshold absorbs rounding when all dates are equal.
    s = s.mutate(spread=s.cxx > 1e-12 * (s.sxx + 1.0))
    s = s.mutate(df=ibis.ifelse((s.n > 2) & s.spread, s.n - 2, ibis.null("int64")),
                 slope=ibis.ifelse(s.spread, s.cxy / s.cxx, ibis.null("float64")))
    s = s.mutate(ssr=ibis.greatest(s.cyy - s.slope * s.cxy, 0.0), inv_df=1.0 / s.df)
    s = s.mutate(se=(s.ssr / s.df / s.cxx).sqrt(), t=_t_from_inverse(s.inv_df))
    s = s.mutate(half=s.se * s.t)
    s = s.mutate(low=s.slope - s.half, high=s.slope + s.half)
    return s.select(
        "n", "first_date", "last_date",
        slope_per_year=s.slope, slope_low=s.low, slope_high=s.high, slope_se=s.se,
        growth_per_year=ibis.literal(10.0, "float64").pow(s.slope),
        doubling_months=_doubling(s.slope), doubling_months_low=_doubling(s.high),
        doubling_months_high=_doubling(s.low),
        r_squared=ibis.ifelse(s.cyy > 0, 1.0 - s.ssr / s.cyy, ibis.null("float64")),
        x_mean=s.sx / s.n + X_ORIGIN, log10_mean=s.sy / s.n)


def _doubling(slope):
    """Months to double at `slope` orders of magnitude per year; NULL when not growing."""
    return ibis.ifelse(slope > 0, LOG10_2_MONTHS / slope, ibis.null("float64"))
