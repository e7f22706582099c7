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
# Shares and rates stored as fractions (0.7 = 70%): a reader sees them in percent. A normalised
# view's unit "share of X total (0-1)" is one too.
FRACTION_UNITS = {"share (0-1)", "share of FLOP", "share of models", "per year (0.1 = 10%)"}
# Quantities that grow exponentially are drawn on a log axis.
LOG_UNITS = {"FLOP/s per W", "FLOP/s per USD", "H100 equivalents", "FLOP", "USD", "parameters"}
# A log axis is labelled at powers of ten only (1-2-5 when the data spans under two decades).
# Compute is written as a power of ten by the people who measure it (10²⁴ FLOP; an SI "Y" reads
# as nothing), so these units are labelled 10ⁿ in every language; any other unit reads as the
# reader counts: 1k, 1M, 1B, 1T (ja: 1万, 1億, 1兆). Never 1e+24.
POWER_OF_TEN_UNITS = {"FLOP", "FLOP/s per W", "FLOP/s per USD"}
SCALE_WORDS = {"en": ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))}
# More decades than this on a log axis are labelled every second power of ten (a 280 px axis).
LOG_MAX_LABELS = 12
# A dated series breaks its line where two neighbouring points lie further apart than
# GAP_SPACINGS times its typical spacing (the median step between its points), and never for less
# than GAP_MIN_DAYS. The Arena board is read every five days or so; from 2025-05-24 to 2025-11-05
# nobody read it, and a line across those 165 days draws a trend no one measured. Relative to the
# series' own rhythm, so a quarterly estimate (Epoch's chip holdings) keeps its line between
# quarters and a monthly lag series breaks only where two months or more are missing; the floor
# keeps a feed pausing for a few weeks (Arena's 20- to 37-day pauses) drawn as one line.
GAP_SPACINGS = 3
GAP_MIN_DAYS = 60
# Indicators whose value holds between its points (the best score reached so far): drawn as a
# step that keeps its level until the next point, never broken at a gap (a best stays the best
# until beaten, measured or not).
HOLDS_VALUE = {"benchmark_frontier"}
STEP = "step-after"
# A line breaks wherever one of these columns changes value, and the chart says why under its
# title: Arena ratings on two scales (the board re-anchored its ratings in mid-2024) are points of
# two lines, never joined by one; Epoch's chip holdings summed over a changing number of chip
# designers' series (a designer's series joining the sum adds its whole stock in one quarter) are
# a coverage step, not growth. A finding compares rows only on the same value of each (findings.py).
SEGMENT_COLUMNS = ("rating_scale", "series")
# A yearly median and the column counting what it is the median of: a year resting on fewer than
# MIN_SUMMARY_N items is drawn faded, off the line, and said so (the "median" price-performance of
# 2024 was one chip's; the table and CSV show every year's count).
SUMMARY_N = {"hardware_price_performance": "chips", "hardware_energy_efficiency": "chips"}
MIN_SUMMARY_N = 5
# Rows whose value is not a full measurement, by the indicator's own flag column: a quarter Epoch
# marks incomplete, a lag not reached yet (at least the months shown). Drawn as a partial year
# is, faded and off the line, with a note under the title; never the latest value an alt text names.
FLAG_COLUMNS = ("incomplete", "lower_bound")
# A date axis spanning at least this many days names years only ("2023  2024  2025"); a shorter
# one names month and year on every tick ("Jan 2024"): a month name alone cannot say its year.
YEARS_ONLY_DAYS = 4 * 365
DATE_FORMATS = {"en": {"year": "%Y", "month": "%b %Y", "day": "%b %-d, %Y"},
                "ja": {"year": "%Y年", "month": "%Y年%-m月", "day": "%Y年%-m月%-d日"}}
# Axis labels need this many pixels apiece (11 px text): ticks per axis = width / this.
TICK_PX = {"year": 60, "month": 90, "day": 110}
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
# Series that compete, so one of them "leads" (a chart's alt text says who); benchmarks,
# sectors, measures or a total beside its parts are listed instead.
RIVAL_COLUMNS = (*COUNTRY_COLUMNS, "region", "organization", "owner")
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


# Names a reader types for a country that ISO's tables do not hold (the short names above also count).
COUNTRY_ALIASES = {"UK": "GBR", "Britain": "GBR", "Great Britain": "GBR", "Korea": "KOR",
                   "Turkey": "TUR", "America": "USA", "Holland": "NLD", "日本": "JPN"}


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of a country given as alpha-3, alpha-2 or a name (English or
    Japanese, official or short: 'Japan', 'South Korea', 'Russia', '中国'); None if none is."""
    value = (text or "").strip()
    if not value:
        return None
    short = {name.casefold(): code for names in SHORT_NAMES.values() for code, name in names.items()}
    alias = {k.casefold(): v for k, v in COUNTRY_ALIASES.items()} | short
    if value.casefold() in alias:
        return alias[value.casefold()]
    try:
        return pycountry.countries.lookup(value).alpha_3
    except LookupError:
        return None


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


def thin_summary(meta_id: str, row: dict[str, Any]) -> bool:
    """True when a yearly median (SUMMARY_N) rests on fewer than MIN_SUMMARY_N items."""
    n = row.get(SUMMARY_N.get(meta_id, ""))
    return isinstance(n, (int, float)) and n < MIN_SUMMARY_N


def day(v: Any) -> dt.date:
    """A date from a date, a datetime or ISO text (its first ten characters)."""
    return v.date() if isinstance(v, dt.datetime) else v if isinstance(v, dt.date) else \
        dt.date.fromisoformat(str(v)[:10])


def is_fraction(unit: str | None) -> bool:
    """A value stored as a fraction of one, shown in percent (axis, tooltip, alt text)."""
    return unit in FRACTION_UNITS or (unit or "").endswith("(0-1)")


def log_scale(unit: str | None) -> bool:
    """Exponential quantities get a log axis."""
    return unit in LOG_UNITS


def holds_value(indicator: str | None) -> bool:
    """A best-so-far series: drawn as steps, never broken at a gap."""
    return indicator in HOLDS_VALUE


def max_gap_days(dates: list[dt.date]) -> float:
    """The longest step (days) a dated series' line may bridge: GAP_SPACINGS times the median
    step between its sorted points, at least GAP_MIN_DAYS."""
    steps = sorted((b - a).days for a, b in zip(dates, dates[1:]) if b > a)
    typical = steps[len(steps) // 2] if steps else 0
    return max(GAP_SPACINGS * typical, GAP_MIN_DAYS)


def zero_fill(unit: str | None) -> bool:
    """Counts: a missing year is a zero, not a gap."""
    return unit in ZERO_FILL_UNITS


def report_params(indicator: str) -> dict[str, Any]:
    """Parameters the report computes an indicator with (defaults otherwise)."""
    return dict(REPORT_PARAMS.get(indicator, {}))
