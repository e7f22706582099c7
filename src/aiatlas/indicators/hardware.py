"""Hardware chapter: price-performance and energy-efficiency trends, chip makers, clusters, controls."""
from __future__ import annotations

import datetime as dt

import ibis

from aiatlas.export_controls import ibis_rules
from aiatlas.export_controls import rules as ecr
from aiatlas.indicators.params import decimal_year, log_trend
from aiatlas.indicators.registry import Param, indicator

_RULES = ecr.load()
_PRECISION = Param("precision", str, "fp32",
                   "Which performance figure: fp32, fp16 (tensor FP16/BF16, else plain FP16) "
                   "or int8", choices=("fp32", "fp16", "int8"))


def _performance(t: ibis.Table, precision: str) -> ibis.Value:
    """Dense OP/s of each accelerator at the chosen precision."""
    if precision == "fp16":
        return t.fp16_tensor_flops.fill_null(t.fp16_flops)
    return t.int8_ops if precision == "int8" else t.fp32_flops


def _per_chip(t, precision: str, per: str) -> ibis.Table:
    """One row per dated accelerator: performance divided by price (USD) or by TDP (W)."""
    hw = t.hardware
    hw = hw.mutate(performance=_performance(hw, precision),
                   denominator=hw.release_price_usd if per == "usd" else hw.tdp_w)
    rows = hw.filter(hw.release_date.notnull(), hw.performance > 0, hw.denominator > 0)
    return rows.select("name", "manufacturer", "release_date", "performance", "denominator",
                       year=rows.release_date.year(), x=decimal_year(rows.release_date),
                       value=rows.performance / rows.denominator)


def _trend_by_year(chips: ibis.Table) -> ibis.Table:
    """Median per release year, with the fitted exponential trend and its doubling time."""
    fit = log_trend(chips.mutate(log10_value=chips.value.log10()), date="release_date")
    years = chips.group_by("year").aggregate(value=chips.value.median(), chips=chips.count())
    out = years.cross_join(fit)
    # Centred on the mean point, as the fit is, so the line is exact to float64 on any engine.
    trend = out.log10_mean + out.slope_per_year * (out.year + 0.5 - out.x_mean)
    return out.select("year", "value", "chips",
                      trend=ibis.literal(10.0, "float64").pow(trend),
                      doubling_time_years=out.doubling_months / 12).order_by("year")


def _price_rows(t, precision="fp32"):
    return _per_chip(t, precision, "usd")


def _energy_rows(t, precision="fp32"):
    return _per_chip(t, precision, "watt")


@indicator(id="hardware_price_performance", title="Accelerator price-performance",
           unit="FLOP/s per USD", chapter="hardware",
           description="Median FLOP/s per US dollar of launch price of the accelerators released "
                       "each year, with an exponential trend fitted to every chip (least squares "
                       "on the log) and its doubling time in years. Chips without a launch price "
                       "are left out; prices are nominal USD as Epoch records them.",
           sources=("hardware",), grain=("year",), params=(_PRECISION,), rows=_price_rows,
           value_columns=("value", "chips", "trend", "doubling_time_years"))
def hardware_price_performance(t, precision="fp32"):
    """FLOP/s per USD by release year, with trend and doubling time."""
    return _trend_by_year(_per_chip(t, precision, "usd"))


@indicator(id="hardware_energy_efficiency", title="Accelerator energy efficiency",
           unit="FLOP/s per W", chapter="hardware",
           description="Median FLOP/s per watt of thermal design power of the accelerators "
                       "released each year, with an exponential trend fitted to every chip and "
                       "its doubling time in years. TDP is the vendor's rating, not measured draw.",
           sources=("hardware",), grain=("year",), params=(_PRECISION,), rows=_energy_rows,
           value_columns=("value", "chips", "trend", "doubling_time_years"))
def hardware_energy_efficiency(t, precision="fp32"):
    """FLOP/s per watt by release year, with trend and doubling time."""
    return _trend_by_year(_per_chip(t, precision, "watt"))


def _with_maker_country(t) -> ibis.Table:
    hw = t.hardware
    country = hw.manufacturer.substitute(_RULES.maker_countries, else_=ibis.null().cast("string"))
    return hw.filter(hw.release_date.notnull()).mutate(country=country,
                                                       year=hw.release_date.year())


def _maker_rows(t):
    return _with_maker_country(t).select("country", "year", "name", "manufacturer",
                                         "release_date")


@indicator(id="accelerators_by_maker_country", title="Accelerators released, by maker country",
           unit="accelerators", chapter="hardware",
           description="Number of accelerators in Epoch's hardware database released each year, "
                       "by the country of the maker's headquarters (a documented table of "
                       "makers; not where the chip is fabricated). Undated chips are left out; "
                       "makers missing from the table have an unknown country.",
           sources=("hardware",), grain=("country", "year"), rows=_maker_rows)
def accelerators_by_maker_country(t):
    """Count of accelerators by maker country and release year."""
    hw = _with_maker_country(t)
    return hw.group_by(["country", "year"]).aggregate(value=hw.count()).order_by(
        ["year", "country"])


_STATUS = Param("status", str, "Existing", "Cluster status to count, or 'all'",
                choices=("Existing", "Planned", "Decommissioned", "all"))


def _clusters(t, status: str) -> ibis.Table:
    c = t.gpu_clusters
    c = c.filter(~c.excluded.fill_null(False))
    return c if status == "all" else c.filter(c.status == status)


def _cluster_rows(t, status="Existing"):
    return _clusters(t, status).select("country", "name", "owner", "status", "certainty",
                                       "first_operational_date", "h100_equivalents")


@indicator(id="cluster_compute_by_country", title="AI cluster compute, by country",
           unit="H100 equivalents", chapter="hardware",
           description="Sum of H100-equivalent compute of the GPU clusters in Epoch's AI "
                       "supercomputers data, by the cluster's country, and how many clusters that "
                       "is. Caveat from Epoch: some clusters are anonymized or have their owner "
                       "or location withheld, so country totals are lower bounds and clusters "
                       "with an unknown country appear as unknown.",
           sources=("gpu_clusters",), grain=("country",), params=(_STATUS,), rows=_cluster_rows,
           value_columns=("value", "clusters"))
def cluster_compute_by_country(t, status="Existing"):
    """H100-equivalent compute and cluster count by country."""
    c = _clusters(t, status)
    return c.group_by("country").aggregate(value=c.h100_equivalents.sum(),
                                           clusters=c.count()).order_by([ibis.desc("value"), "country"])


_RULE_IDS = tuple(rs.id for rs in _RULES.rule_sets)
_RULE = Param("rules", str, "", "Rule set id; empty: the one in force on `on`",
              choices=("",) + _RULE_IDS)
# `on`, not `as_of`: `as_of` names the data vintage everywhere (`compute(..., as_of=)`).
_ON = Param("on", dt.date, None, "Date whose rule set to use (default: today)")


def _classified(t, rules="", on=None) -> ibis.Table:
    rs = _RULES.pick(rules or None, on)
    hw = ibis_rules.with_figures(t.hardware)
    status = ibis_rules.status_expr(hw, rs) if rs else ibis.literal("not controlled")
    return hw.select("name", "manufacturer", "release_date", "tpp", "pd", "io_bandwidth_gbs",
                     status=status)


@indicator(id="chips_controlled", title="Accelerators by export-control status",
           unit="accelerators", chapter="hardware",
           description="How many accelerators in Epoch's hardware database each status of a US "
                       "rule set covers (e.g. 3A090.a), how many are not controlled, and how "
                       "many are indeterminate because a figure the rule needs (die area, I/O "
                       "bandwidth, data-center marketing) is missing. Parameters only: "
                       "licence requirements imposed on named chips by notice are not counted.",
           sources=("hardware",), grain=("status",), params=(_RULE, _ON), rows=_classified)
def chips_controlled(t, rules="", on=None):
    """Count of accelerators per control status under a rule set."""
    c = _classified(t, rules, on)
    return c.group_by("status").aggregate(value=c.count()).order_by("status")
