"""AI compute held by owner and by country over time (Epoch AI chip owners), with the 5-95% band.

Epoch publishes cumulative holdings per owner and chip designer (Nvidia, AMD, Google TPU, Amazon
Trainium), each series counting chips bought since its own start (Nvidia 2022, TPU 2023, AMD and
Trainium 2024). A total sums the designers' median estimates; its band sums their 5th and 95th
percentiles, which assumes the designers' errors move together (wider than if independent). A
total is shown only up to the last quarter every summed series reaches, so a series that ends
early never makes a total drop.
"""
from __future__ import annotations

import ibis

from aiatlas.indicators.registry import Param, indicator

MEASURE = Param("measure", str, "h100e", "h100e (compute in H100-equivalents) or units (chips)",
                choices=("h100e", "units"))
OWNER = Param("owner", str, "China", "Holder as Epoch names it (China, Microsoft, Meta, ...)",
              values_from=("ai_chip_owners", "owner"))
DESIGNER = Param("designer", str, "Nvidia", "Chip designer (Nvidia, AMD, ...)",
                 values_from=("ai_chip_owners", "designer"))
ALL_CHIPS = "all"  # the `chip` of the designer's total, the series carrying Epoch's own band


def _holdings(t, key: str) -> ibis.Table:
    """Cumulative totals per owner and designer, with the grouping `key` (owner or country)."""
    o = t.ai_chip_owners
    o = o.filter((o.series == "cumulative") & o.end_date.notnull())
    if key == "country":
        o = o.filter(o.owner_country.notnull()).mutate(country=o.owner_country)
    # the last quarter every series of this owner (or country) reaches
    last = o.group_by(list(dict.fromkeys([key, "owner", "designer"]))).aggregate(last=o.end_date.max())
    common = last.group_by(key).aggregate(common_end=last.last.min())
    o = o.join(common, key)
    return o.filter(o.end_date <= o.common_end).rename(date="end_date")


def _total(rows: ibis.Table, key: str, measure: str) -> ibis.Table:
    out = rows.group_by([key, "date"]).aggregate(
        value=rows[measure].sum(), value_p5=rows[f"{measure}_p5"].sum(),
        value_p95=rows[f"{measure}_p95"].sum(), series=rows.count(),
        incomplete=rows.incomplete.fill_null(False).any())
    return out.order_by([key, "date"])


def _owner_rows(t, measure="h100e"):
    """The owner/designer rows each total sums."""
    r = _holdings(t, "owner")
    return r.select("owner", "date", "designer", "owner_country", "name", "units", "units_p5",
                    "units_p95", "h100e", "h100e_p5", "h100e_p95", "incomplete", "file"
                    ).order_by(["owner", "date", "designer"])


def _country_rows(t, measure="h100e"):
    """The owner/designer rows each country total sums."""
    r = _holdings(t, "country")
    return r.select("country", "date", "owner", "designer", "name", "units", "units_p5",
                    "units_p95", "h100e", "h100e_p5", "h100e_p95", "incomplete", "file"
                    ).order_by(["country", "date", "owner", "designer"])


_DESCRIPTION = ("Cumulative AI chips held, as estimated by Epoch AI (median, with the sum of the "
                "5th and 95th percentiles as the band; see the chapter note on summing). "
                "'Series' counts the chip designers' series added up; 'incomplete' is yes when "
                "Epoch marks one of the added quarters as incomplete.")


@indicator(id="ai_compute_by_owner", title="AI compute held, by owner", unit="H100 equivalents",
           chapter="hardware", sources=("ai_chip_owners",), grain=("owner", "date"),
           value_columns=("value", "value_p5", "value_p95", "series", "incomplete"),
           description=_DESCRIPTION + " Owners are Microsoft, Meta, Google, Amazon, Oracle, "
                                      "CoreWeave, China (all chips in China) and Other (everyone "
                                      "else, xAI included). With the measure set to chips, the unit is chips.",
           params=(MEASURE,), rows=_owner_rows)
def ai_compute_by_owner(t, measure="h100e"):
    """Cumulative chips (H100e or units) held by each owner at each quarter end."""
    return _total(_holdings(t, "owner"), "owner", measure)


@indicator(id="ai_compute_by_country", title="AI compute held, by country", unit="H100 equivalents",
           chapter="hardware", sources=("ai_chip_owners",), grain=("country", "date"),
           value_columns=("value", "value_p5", "value_p95", "series", "incomplete"),
           description=_DESCRIPTION + " China is Epoch's owner 'China'; the United States adds "
                                      "up the six US companies Epoch names (by headquarters: "
                                      "their chips may sit abroad), a lower bound for US holdings "
                                      "because Epoch's 'Other' has no country. With the measure "
                                      "set to chips, the unit is chips.",
           params=(MEASURE,), rows=_country_rows)
def ai_compute_by_country(t, measure="h100e"):
    """Cumulative chips (H100e or units) held per country at each quarter end."""
    return _total(_holdings(t, "country"), "country", measure)


def _by_chip(t, owner: str, designer: str) -> ibis.Table:
    """One owner's cumulative holdings of one designer's chips: per chip, and the total."""
    o = t.ai_chip_owners
    o = o.filter((o.owner == owner) & (o.designer == designer) & o.end_date.notnull()
                 & o.series.isin(("cumulative", "cumulative_by_chip")))
    chip = ibis.ifelse(o.series == "cumulative", ALL_CHIPS, o.chip_type)
    return o.mutate(chip=chip).rename(date="end_date")


def _by_chip_rows(t, owner="China", designer="Nvidia", measure="h100e"):
    """The published row behind each value (one per chip and quarter)."""
    r = _by_chip(t, owner, designer)
    return r.select("chip", "date", "owner", "designer", "series", "name", "units", "units_p5",
                    "units_p95", "h100e", "h100e_p5", "h100e_p95", "incomplete", "file"
                    ).order_by(["chip", "date"])


@indicator(id="chip_holdings_by_chip", title="AI chips held by one owner, by chip (China's Nvidia "
           "chips by default)", unit="H100 equivalents", chapter="hardware",
           sources=("ai_chip_owners",), grain=("chip", "date"),
           value_columns=("value", "value_p5", "value_p95", "incomplete"),
           description="Cumulative chips of one designer held by one owner at each quarter end, as "
                       "estimated by Epoch AI: per chip model and in all ('all chips', Epoch's "
                       "own total), with the 5th and 95th percentiles as the band. Drawn beside "
                       "the export-control timeline for China, whose purchases moved from the "
                       "A100 to the A800/H800 made for China and then to the H20 as each rule "
                       "caught the previous chip. With the measure set to chips, the unit is "
                       "chips.",
           params=(OWNER, DESIGNER, MEASURE), rows=_by_chip_rows)
def chip_holdings_by_chip(t, owner="China", designer="Nvidia", measure="h100e"):
    """Cumulative chips (H100e or units) of one owner and designer, per chip and in all."""
    r = _by_chip(t, owner, designer)
    return r.select("chip", "date", value=r[measure], value_p5=r[f"{measure}_p5"],
                    value_p95=r[f"{measure}_p95"],
                    incomplete=r.incomplete.fill_null(False)).order_by(["chip", "date"])
