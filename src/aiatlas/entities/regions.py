"""Region groupings as data: ISO 3166-1 alpha-3 members of each documented region.

Regions overlap on purpose (EU27 is inside Europe, Mexico is in North America and in Latin
America), so region totals are not additive. docs/methodology.md explains each choice.
"""
from __future__ import annotations

from dataclasses import dataclass

import pycountry

HONG_KONG = "HKG"
CHINA = "CHN"


@dataclass(frozen=True)
class Region:
    """A named grouping of countries."""

    id: str
    name: str
    members: frozenset[str]
    note: str = ""


def _iso3(codes: str) -> frozenset[str]:
    """A set of ISO3 codes written as one space-separated string (easy to read and diff)."""
    return frozenset(codes.split())


EU27 = _iso3("AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD "
             "POL PRT ROU SVK SVN ESP SWE")
# Europe: the EU, the EFTA states, the UK and the other European states west of Russia.
# Russia and Turkey are transcontinental and left out, so "Europe" matches common usage in
# AI-policy comparisons (EU + UK + Switzerland + Norway ...).
EUROPE = EU27 | _iso3("GBR CHE NOR ISL LIE AND MCO SMR VAT ALB BIH MNE MKD SRB UKR MDA BLR")
EAST_ASIA = _iso3("CHN HKG MAC TWN JPN KOR PRK MNG")
SOUTH_ASIA = _iso3("IND PAK BGD LKA NPL BTN MDV AFG")
SOUTHEAST_ASIA = _iso3("SGP MYS IDN THA VNM PHL MMR KHM LAO BRN TLS")
MIDDLE_EAST = _iso3("ISR SAU ARE QAT BHR KWT OMN IRN IRQ JOR LBN SYR PSE YEM TUR EGY")
NORTH_AMERICA = _iso3("USA CAN MEX")
LATIN_AMERICA = _iso3("MEX GTM BLZ SLV HND NIC CRI PAN CUB DOM HTI JAM TTO BHS BRB ATG DMA GRD KNA "
                      "LCA VCT PRI COL VEN ECU PER BOL CHL ARG URY PRY BRA GUY SUR")
AFRICA = _iso3("DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COD COG CIV DJI EGY GNQ ERI SWZ ETH "
               "GAB GMB GHA GIN GNB KEN LSO LBR LBY MDG MWI MLI MRT MUS MAR MOZ NAM NER NGA RWA "
               "STP SEN SYC SLE SOM ZAF SSD SDN TZA TGO TUN UGA ZMB ZWE")
OCEANIA = _iso3("AUS NZL PNG FJI SLB VUT WSM TON KIR FSM MHL PLW NRU TUV")

REGIONS: dict[str, Region] = {r.id: r for r in (
    Region("united_states", "United States", frozenset({"USA"})),
    Region("china", "China", frozenset({CHINA}),
           "Mainland China; Hong Kong counts here only with fold_hong_kong=true"),
    Region("eu27", "European Union (EU27)", EU27, "Member states since 2020-02-01"),
    Region("europe", "Europe", EUROPE, "EU27 + UK, EFTA and other European states; "
           "excludes Russia and Turkey"),
    Region("east_asia", "East Asia", EAST_ASIA),
    Region("south_asia", "South Asia", SOUTH_ASIA),
    Region("southeast_asia", "Southeast Asia", SOUTHEAST_ASIA),
    Region("middle_east", "Middle East", MIDDLE_EAST, "Includes Egypt and Turkey"),
    Region("north_america", "North America", NORTH_AMERICA),
    Region("latin_america", "Latin America and the Caribbean", LATIN_AMERICA),
    Region("africa", "Africa", AFRICA),
    Region("oceania", "Oceania", OCEANIA),
)}


def membership() -> list[dict[str, str]]:
    """(region, region_name, country) rows for every region member: the join table."""
    return [{"region": r.id, "region_name": r.name, "country": c}
            for r in REGIONS.values() for c in sorted(r.members)]


def country_name(iso3: str) -> str:
    """The common English name of an ISO3 code (pycountry), or the code itself when unknown."""
    found = pycountry.countries.get(alpha_3=iso3)
    if found is None:
        return iso3
    return getattr(found, "common_name", None) or found.name


def country_names(codes) -> list[dict[str, str]]:
    """(country, country_name) rows for the given ISO3 codes."""
    return [{"country": c, "country_name": country_name(c)} for c in sorted(set(codes))]


def all_country_codes() -> list[str]:
    """Every ISO 3166-1 alpha-3 code pycountry knows."""
    return sorted(c.alpha_3 for c in pycountry.countries)
