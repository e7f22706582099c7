"""Chart rules, declared once: time windows, minimum n for shares, gaps, log scales, top-N, colours, names."""
from __future__ import annotations

import datetime as dt
import gettext
from functools import cache
from typing import Any

import pycountry

# Default first year per chapter (full history stays in the CSV and the table): before 2010 the
# series are a handful of models a year and squeeze the decade that matters into a sliver.
WINDOW_FROM = {"research": 2010, "hardware": 2010, "performance": 2019}
# A share resting on fewer than this many items is left off the chart and greyed in the table,
# with its n shown (Austria "100% open" on one model is not a finding).
MIN_N = 10
# Where each share indicator keeps the count its share rests on (a column, or columns to add).
SHARE_N = {"open_weights_share_by_country": ("open", "closed"),
           "open_weights_share_by_year": ("open", "closed"),
           "sector_shares_by_year": ("total",),
           "training_compute_share_by_country": ("models",)}
# Counts: a year with no row is a true zero. Every other measure: a year with no row is missing,
# and the line breaks there instead of bridging the gap.
ZERO_FILL_UNITS = {"models", "accelerators", "publications", "citations"}
# Quantities that grow exponentially are drawn on a log axis.
LOG_UNITS = {"FLOP/s per W", "FLOP/s per USD", "H100 equivalents", "FLOP", "USD", "parameters"}
# A dated series whose last point is older than this (days before the report) says so.
STALE_DAYS = 120
# Benchmarks drawn US vs China (each costs one indicator run; older ones are saturated).
US_CHINA_BENCHMARKS = ("gpqa_diamond", "mmlu", "math_level_5", "otis_mock_aime_2024_2025",
                       "swe_bench_verified", "livebench")
# Benchmarks by their published names (the ids are the warehouse's).
BENCHMARK_NAMES = {"gpqa_diamond": "GPQA Diamond", "mmlu": "MMLU", "gsm8k": "GSM8K",
                   "math_level_5": "MATH Level 5", "otis_mock_aime_2024_2025": "OTIS Mock AIME",
                   "swe_bench_verified": "SWE-bench Verified", "livebench": "LiveBench",
                   "aider_polyglot": "Aider Polyglot", "arc_agi": "ARC-AGI", "hellaswag": "HellaSwag",
                   "winogrande": "WinoGrande", "arc_challenge": "ARC Challenge", "boolq": "BoolQ",
                   "piqa": "PIQA", "triviaqa": "TriviaQA", "bbh": "BIG-Bench Hard",
                   "terminal_bench": "Terminal-Bench", "weirdml": "WeirdML",
                   "simple_bench": "SimpleBench", "videomme": "Video-MME", "os_world": "OSWorld",
                   "frontiermath_2025_02_28_private": "FrontierMath",
                   "fictionlivebench_16k": "Fiction.LiveBench", "scienceqa": "ScienceQA",
                   "lambada": "LAMBADA", "openbookqa": "OpenBookQA", "geobench_country": "GeoBench",
                   "vpct": "VPCT", "balrog": "BALROG", "lech_mazur_writing": "Creative writing (Mazur)"}
# The measures lag_months_compared puts side by side, by their published names.
MEASURE_NAMES = {"en": {"eci": "ECI", "gpqa_diamond": "GPQA Diamond", "mmlu": "MMLU",
                        "arena_overall": "Arena (overall)"},
                 "ja": {"eci": "ECI", "gpqa_diamond": "GPQA Diamond", "mmlu": "MMLU",
                        "arena_overall": "Arena（総合）"}}
# Lines drawn per chart; the rest is summed into "other" where the values add up (counts).
TOP_N = 6
OTHER = "other"
UNKNOWN = "unknown"
# Parameters the report uses instead of the registry defaults, with the reason shown beside them.
REPORT_PARAMS = {"hardware_energy_efficiency": {"precision": "fp16"},
                 "hardware_price_performance": {"precision": "fp16"},
                 "top_organizations": {"since": 2010, "by_parent": True}}
# Trend fits: the measure their dots are in (the fit's own unit is orders of magnitude per year).
TREND_UNITS = {"training_compute_trend": "FLOP", "parameter_count_trend": "parameters",
               "training_cost_trend": "USD", "training_dataset_trend": "datapoints",
               "training_power_trend": "W"}
# Dated events drawn as a timeline (one lane per country) instead of a table only.
TIMELINES = {"policy_events"}
# One fixed colour per country in every chart and page: Okabe-Ito (colour-blind safe) for the
# countries the story is about, a neutral grey for "other"; further countries take the tail.
COUNTRY_COLOURS = {"USA": "#0072B2", "CHN": "#D55E00", "GBR": "#009E73", "FRA": "#CC79A7",
                   "DEU": "#E69F00", "JPN": "#56B4E9", "KOR": "#8C564B", "CAN": "#882255",
                   "ISR": "#44AA99", "IND": "#999933", "ARE": "#AA4499", "SGP": "#117733",
                   "RUS": "#332288", "TWN": "#DDCC77", "CHE": "#6699CC", "NLD": "#661100",
                   "SAU": "#888888", "AUS": "#AA7744", "ITA": "#7A5195", "ESP": "#2F4B7C"}
OTHER_COLOUR = "#BBBBBB"
# Country names people use, where ISO's official name reads oddly in a chart label.
SHORT_NAMES = {"en": {"USA": "United States", "GBR": "United Kingdom", "KOR": "South Korea",
                      "PRK": "North Korea", "RUS": "Russia", "TWN": "Taiwan", "IRN": "Iran",
                      "VNM": "Vietnam", "HKG": "Hong Kong", "ARE": "UAE", "CZE": "Czechia",
                      "TUR": "Türkiye"},
               "ja": {"USA": "米国", "GBR": "英国", "KOR": "韓国", "PRK": "北朝鮮", "RUS": "ロシア",
                      "TWN": "台湾", "HKG": "香港", "ARE": "アラブ首長国連邦", "CHN": "中国",
                      "IRN": "イラン", "VNM": "ベトナム", "AUS": "オーストラリア"}}
# English names read with "the" in a sentence.
THE_NAMES = {"USA", "GBR", "NLD", "ARE", "PHL", "CZE"}
# Non-country group labels used by the indicators, in each language.
GROUP_NAMES = {"ja": {"open": "オープン", "closed": "クローズド", OTHER: "その他", UNKNOWN: "不明",
                      "Industry": "産業界", "Academia": "学術", "Government": "政府",
                      "Research collective": "研究コレクティブ",
                      "Industry-academia collaboration": "産学連携",
                      "Other collaboration": "その他の共同",
                      "WLD": "世界", "EU": "EU", "Europe": "欧州", "Asia": "アジア",
                      "Americas": "南北アメリカ"},
               "en": {OTHER: "other", UNKNOWN: "unknown", "WLD": "World"}}
# The reader's own country is always drawn (Japan in the Japanese edition).
HOME_COUNTRY = {"ja": "JPN"}
COUNTRY_COLUMNS = ("country", "country_code")
# Grain columns that only number records (a curated record's or an event's id): a reader's
# "one value per" line never names them.
RECORD_IDS = {"id"}


@cache
def _ja_iso():
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"], fallback=True)


@cache
def _ja_iso2():
    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["ja"], fallback=True)


@cache
def subject_name(code: Any, lang: str = "en") -> str:
    """A curated fact's subject for readers: a country or a subdivision (US-TX: Texas) by name,
    an organization as itself."""
    sub = pycountry.subdivisions.get(code=str(code)) if "-" in str(code or "") else None
    if sub is None:
        return country_name(code, lang)
    return _ja_iso2().gettext(sub.name) if lang == "ja" else sub.name


@cache
def country_name(code: Any, lang: str = "en") -> str:
    """A country's name in the reader's language; "unknown" for a missing code."""
    if code is None or code == "":
        return label(UNKNOWN, lang)
    code = str(code)
    if code in SHORT_NAMES.get(lang, {}):
        return SHORT_NAMES[lang][code]
    c = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    if c is None:
        return label(code, lang)
    if lang == "ja":
        return _ja_iso().gettext(c.name)
    return getattr(c, "common_name", None) or c.name


# a code column and the column holding its English name: the code already reads as the name
NAMED_BY = {"country_name": "country", "region_name": "region"}


def reader_columns(columns: list[str]) -> list[str]:
    """The columns a reader's table shows: country_name (region_name) goes where the country
    (region) column already reads as the name in the reader's language (CSV and JSON keep
    every column)."""
    return [c for c in columns if not (c in NAMED_BY and NAMED_BY[c] in columns)]


def label(value: Any, lang: str = "en") -> str:
    """A group or category label in the reader's language ("unknown" for null)."""
    if value is None:
        value = UNKNOWN
    return GROUP_NAMES.get(lang, {}).get(str(value), str(value))


def measure_name(value: Any, lang: str = "en") -> str:
    """A measure of lag_months_compared by its published name in the reader's language."""
    return MEASURE_NAMES.get(lang, MEASURE_NAMES["en"]).get(str(value)) or label(value, lang)


def colour_scale(lang: str) -> tuple[list[str], list[str]]:
    """(names, colours) for a fixed colour scale: the same country, the same colour, everywhere."""
    names = [country_name(c, lang) for c in COUNTRY_COLOURS] + [label(OTHER, lang), label(UNKNOWN, lang)]
    return names, list(COUNTRY_COLOURS.values()) + [OTHER_COLOUR, OTHER_COLOUR]


def benchmark_name(bench: str) -> str:
    """A benchmark's published name (its id, spaced, when none is declared)."""
    return BENCHMARK_NAMES.get(bench) or bench.replace("_", " ")


def window_from(chapter: str | None) -> int | None:
    """The first year the chapter's charts show by default (None: all)."""
    return WINDOW_FROM.get(chapter or "")


def in_window(value: Any, start: int | None) -> bool:
    """True when a time value (year, date) falls at or after the window's first year."""
    if start is None or value is None:
        return True
    year = value.year if isinstance(value, (dt.date, dt.datetime)) else int(str(value)[:4])
    return year >= start


def share_n(meta_id: str, row: dict[str, Any]) -> float | None:
    """How many items a share row rests on, or None when the indicator is not a share."""
    cols = SHARE_N.get(meta_id)
    if not cols:
        return None
    vals = [row.get(c) for c in cols]
    return sum(v for v in vals if isinstance(v, (int, float)))


def too_few(meta_id: str, row: dict[str, Any]) -> bool:
    """True when a share rests on fewer than MIN_N items."""
    n = share_n(meta_id, row)
    return n is not None and n < MIN_N


def log_scale(unit: str | None) -> bool:
    """Exponential quantities get a log axis."""
    return unit in LOG_UNITS


def zero_fill(unit: str | None) -> bool:
    """Counts: a missing year is a zero, not a gap."""
    return unit in ZERO_FILL_UNITS


def report_params(indicator: str) -> dict[str, Any]:
    """Parameters the report computes an indicator with (defaults otherwise)."""
    return dict(REPORT_PARAMS.get(indicator, {}))
