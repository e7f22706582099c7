"""Country names as publishers write them -> ISO 3166-1 alpha-3 codes, via pycountry."""
from __future__ import annotations

import re
from functools import cache

import pycountry

MULTINATIONAL = "Multinational"  # Epoch's pseudo-country: kept as an organization, never a country

# Everyday names pycountry does not know under that spelling (it knows 'Russian Federation').
_ALIASES = {"russia": "RUS", "turkey": "TUR", "uk": "GBR", "great britain": "GBR",
            "south korea": "KOR", "north korea": "PRK", "vietnam": "VNM", "iran": "IRN",
            "syria": "SYR", "laos": "LAO", "bolivia": "BOL", "venezuela": "VEN",
            "tanzania": "TZA", "moldova": "MDA", "macau": "MAC", "czech republic": "CZE"}

# 'Korea (Republic of)' is pycountry's 'Korea, Republic of'; 'Philippines (the)' is 'Philippines'.
_PAREN = re.compile(r"^(.*?)\s*\((?:the\s+)?(.*?)\)\s*$", re.I)


class UnknownCountry(ValueError):
    """A country name no rule and no pycountry entry recognises."""


@cache
def iso3(name: str) -> str | None:
    """ISO alpha-3 code for a country name; None for 'Multinational'; UnknownCountry otherwise.

    Hong Kong (HKG) and Taiwan (TWN) stay separate codes here; folding them into China is a
    parameter of the indicators that want it, not a cleaning decision.
    """
    text = name.strip()
    if text.lower() == MULTINATIONAL.lower():
        return None
    if text.lower() in _ALIASES:
        return _ALIASES[text.lower()]
    candidates = [text]
    m = _PAREN.match(text)
    if m:
        base, inner = m[1], m[2]
        candidates += [base] if inner.lower() == "the" else [f"{base}, {inner}", base]
    for cand in candidates:
        try:
            return pycountry.countries.lookup(cand).alpha_3
        except LookupError:
            continue
    raise UnknownCountry(f"unknown country {name!r}")


# Kosovo has no ISO 3166-1 entry; the World Bank writes XKX and GitHub XK. It is a country.
_KOSOVO = {"XK": "XKX"}


@cache
def economy(code: str, aggregates: frozenset[str] | None = None) -> tuple[str | None, bool]:
    """(ISO alpha-3, True) for an ISO alpha-2/alpha-3 country code; (None, False) for a named
    aggregate (or, when `aggregates` is None, any other alpha-3 code: the World Bank's own codes
    for World, regions and income groups never collide with ISO); UnknownCountry otherwise."""
    text = code.strip().upper()
    if text in _KOSOVO or text in _KOSOVO.values():
        return "XKX", True
    found = (pycountry.countries.get(alpha_2=text) if len(text) == 2
             else pycountry.countries.get(alpha_3=text) if len(text) == 3 else None)
    if found is not None:
        return found.alpha_3, True
    if text in (aggregates or ()) or (aggregates is None and len(text) == 3 and text.isalpha()):
        return None, False
    raise UnknownCountry(f"not an ISO 3166 country code nor a known aggregate: {code!r}")
