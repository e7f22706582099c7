"""UI and indicator text catalogs (English and Japanese): one YAML file per language."""
from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import pass_context
from markupsafe import Markup

from aiatlas.errors import UsageError
from aiatlas.indicators import views
from aiatlas.report import headlines, rules
from aiatlas.safe_yaml import SafeLoader  # libyaml's parser: the package's own files

LANGS = ("en", "ja")
CATALOG_DIR = Path(__file__).parent / "i18n"


@cache
def catalog(lang: str) -> dict[str, Any]:
    """The parsed catalog for a language: sections ui, chapters, headlines, indicators."""
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r} (expected one of: {', '.join(LANGS)})")
    with open(CATALOG_DIR / f"{lang}.yaml", encoding="utf-8") as f:
        data = yaml.load(f, Loader=SafeLoader) or {}
    for section in ("ui", "chapters", "headlines", "columns", "units", "indicators", "params",
                    "parameter_names", "choices", "values", "measures", "fact_units", "own_words",
                    "absent_sources", "parameter_help"):
        data.setdefault(section, {})
    return data



# how a curated record's publisher line links publishers ('IFR, reported by Xinhua'), in Japanese
_VERBS_JA = {"reported by": "{}による報道", "summarized by": "{}による要約", "reprinted by": "{}に転載",
             "quoted by": "{}が引用", "following": "{}の報道に基づく", "citing": "{}を引用"}
_PUBLISHER_JA = [
    (re.compile(r",? via ([^,()（）]+)(?=\))"), r"、\1経由"),  # '(89 FR 96790, via Justia)'
    (re.compile(r",? via ([^,()（）]+)"), r"（\1経由）")] + [
    (rx, lambda m, ja=ja, fmt=fmt: fmt.format(ja.format(re.sub(r"^the ", "", m.group(1)))))
    for verb, ja in _VERBS_JA.items()
    for rx, fmt in ((re.compile(rf" \({verb} ([^()（）]+)\)"), "（{}）"),  # 'Verdict (following the FT)'
                    (re.compile(rf", {verb} ([^()（）,]+?)(?=\))"), "、{}"),  # '(addendum, summarized by X)'
                    (re.compile(rf", {verb} ([^()（）,]+?)(?=（|,|$)"), "（{}）"))]  # 'AFP, reported by Dawn'

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_text(v: Any, lang: str, kind: str = "day") -> Any:
    """A date as its reader writes it ('Dec 31, 2025', ja: 2025年12月31日; kind "month": 'Dec
    2025', 2025年12月), from a date or ISO text; any other value as it is."""
    if isinstance(v, dt.date) or (isinstance(v, str) and ISO_DAY.fullmatch(v)):
        return rules.day(v).strftime(rules.DATE_FORMATS.get(lang, rules.DATE_FORMATS["en"])[kind])
    return v


class Text:
    """Lookups in one language; indicator titles and descriptions fall back to the registry's
    English (the only English text of an indicator)."""

    def __init__(self, lang: str):
        self.lang = lang
        self.cat = catalog(lang)
        self.missed: set[str] = set()  # section.key looked up but absent: shown untranslated

    def _get(self, section: str, key: Any) -> Any:
        value = self.cat[section].get(key)
        if not value and key is not None:
            self.missed.add(f"{section}.{key}")
        return value

    def _ui(self, key: str) -> str:
        """A ui text in this language, else in English, else its key."""
        return self._get("ui", key) or catalog("en")["ui"].get(key) or key

    def _fields(self, key: str, fmt: dict[str, Any]) -> dict[str, Any]:
        """A text's fields, a date among them written as Japanese prose writes it (2025年12月11
        日, as the charts' axes do), not ISO text; a citation keeps ISO dates, as citations do."""
        if self.lang != "ja" or key.startswith("cite"):
            return fmt
        return {k: date_text(v, self.lang) for k, v in fmt.items()}

    def __call__(self, key: str, **fmt: Any) -> str:
        text = self._ui(key)
        return text.format(**self._fields(key, fmt)) if fmt else text

    def marked(self, key: str, names: Any = (), **fmt: Any) -> Markup:
        """A ui text with the fields in `names` marked as names the data gives (a model's name
        is its own, never translated: span.name, translate=no); every field is escaped."""
        return Markup(self._ui(key)).format(**{k: Markup('<span class="name" translate="no">{}</span>').format(v)
                                      if k in names else v for k, v in self._fields(key, fmt).items()})

    def when(self, v: Any) -> Any:
        """A period shown on its own (a headline's date): a date in Japanese words, else as is."""
        return date_text(v, self.lang) if self.lang == "ja" else v

    def chapter(self, name: str) -> str:
        return self._get("chapters", name) or name.replace("_", " ").title()

    def headline(self, key: str) -> str:
        return self.cat["headlines"].get(key) or key.replace("_", " ")

    def headline_period(self, key: str, period: Any) -> tuple[str, str]:
        """(label, period) of a headline as its title writes them: "… latest full year" and
        " (2025)"; in Japanese the year in words inside the label's own parentheses
        (「…（直近の通年、2025年）」, never 「…（直近の通年）（2025）」)."""
        label = self.headline(key)
        if period is None:
            return label, ""
        if self.lang != "ja":
            return label, f" ({period})"
        when = f"{period}年" if isinstance(period, int) else self.when(period)
        return (label[:-1], f"、{when}）") if label.endswith("）") else (label, f"（{when}）")

    def column(self, name: str) -> str:
        """A grain column's name for a chart axis or legend, in this language."""
        return self._get("columns", name) or name

    def parameter_help(self, name: str) -> str:
        """One line under a form field saying in plain words what the parameter does."""
        return self._get("parameter_help", name) or ""

    def grain(self, columns: list[str]) -> str:
        """What one value is per, for a reader ("country, year"; ja: 国・年), or "" when that says
        nothing to a reader: one value per record id (a timeline's events), or a single fitted value."""
        shown = [c for c in columns if c not in rules.RECORD_IDS]
        return ("・" if self.lang == "ja" else ", ").join(self.column(c) for c in shown) if shown and shown == list(columns) else ""

    def parameter(self, name: str) -> str:
        """A parameter's name as a form label in this language."""
        return self._get("parameter_names", name) or name

    def heading(self, name: str) -> str:
        """A data column's title as a table header: the catalogue's title (English: first letter capital)."""
        title = self.column(name)
        return title[:1].upper() + title[1:] if self.lang == "en" else title

    def choice(self, parameter: str, value: Any) -> str:
        """A parameter's choice as the form shows it, in this language (never its raw id)."""
        title = (self.cat["choices"].get(parameter) or {}).get(str(value))
        if title is None:
            self.missed.add(f"choices.{parameter}.{value}")
            return str(value)
        return title

    def own(self, text: str | None) -> str:
        """A source line's words that are ours, not a publisher's (the curated records' own
        "publisher", title and licence note) in this language; a publisher's names and licence
        texts are cited as they are."""
        return self.cat["own_words"].get(text) or text or ""

    def category(self, column: str, value: Any) -> str:
        """A data column's category value in this language: the catalogue's `values` for that
        column, else the choice of the parameter of that name (region=east_asia), else a group
        label (open, Industry; "unknown" for null). Benchmarks by their published names."""
        if column == "benchmark" and value:
            return rules.benchmark_name(str(value))
        if column == "measure" and str(value) in rules.MEASURE_NAMES[self.lang]:
            return rules.measure_name(value, self.lang)
        if column == "comparison" and (pair := re.fullmatch(r"([A-Z]{3}) (vs|-) ([A-Z]{3})", str(value))):
            # a lag's pair of countries ('USA vs CHN') or a gap's ('USA - CHN'): by their names
            return self("comparison_pair" if pair.group(2) == "vs" else "comparison_gap",
                        leader=self.country(pair.group(1)), follower=self.country(pair.group(3)))
        for section in ("values", "choices"):
            title = (self.cat[section].get(column) or {}).get(str(value))
            if title is not None:
                return title
        return rules.label(value, self.lang)

    def column_styles(self, rows: list[dict[str, Any]], columns: list[str],
                      unit: str | None = None) -> dict[str, str]:
        """Per column of a table, how its numbers are written (headlines.column_style): one
        style down each column; "percent" for the value columns of a fraction (`unit`, or the
        rows' own unit column in a normalised view)."""
        styles = {c: headlines.column_style([r.get(c) for r in rows], self.lang) for c in columns}
        if rows and all(rules.is_fraction(r.get("unit") or unit) for r in rows):
            styles |= {c: "percent" for c in views.BANDS if c in columns}
        return styles

    def cell(self, row: dict[str, Any], column: str, style: str | None = None) -> str:
        """A table cell as a reader sees it: a country by its name in this language (the
        report's names), a group label translated, yes/no, a number formatted (in its
        column's `style`)."""
        value = row.get(column)
        if column in rules.COUNTRY_COLUMNS:
            return self.country(value)
        if column == "publisher" and isinstance(value, str):
            return self.publisher(value)
        if column == "country_name" and row.get("country"):
            return self.country(row["country"])
        if column == "region_name" and row.get("region"):
            return self.category("region", row["region"])
        if isinstance(value, bool):
            return self(f"bool_{str(value).lower()}")
        if isinstance(value, str):
            return self.category(column, value)
        if style == "percent" and isinstance(value, (int, float)):
            return headlines.percent(value)
        return headlines.format_cell(value, column, self.lang, style)

    def exact(self, row: dict[str, Any], column: str, style: str | None = None) -> str | None:
        """A number cell's exact digits (its tooltip) when the cell shows it in 万/億, else None."""
        value = row.get(column)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        plain = headlines.format_cell(value, column)
        return plain if plain != self.cell(row, column, style) else None

    def unit(self, unit: str | None) -> str | None:
        """A unit as the registry spells it, in this language."""
        return self._get("units", unit) or unit

    def after_number(self, unit: str | None) -> str | None:
        """A unit as written right after a number: the counter a Japanese reader writes there
        (60 件, 60 機種; never 60 モデル数, a unit's name as an axis states it), else the unit."""
        return (self.cat.get("counters") or {}).get(unit) or self.unit(unit)

    def measure(self, name: str | None) -> str:
        """A curated fact's measure as readers see it (never its snake_case id)."""
        return self._get("measures", name) or str(name or "").replace("_", " ")

    def fact_unit(self, unit: str | None) -> str:
        """A curated fact's unit beside its value ("" for an event, which has none)."""
        value = self.cat["fact_units"].get(unit)
        if value is None:
            self.missed.add(f"fact_units.{unit}")
            return unit or ""
        return value

    def fact_label(self, row: dict[str, Any]) -> str:
        """What a curated fact is, in this language: its own headline (label, label_ja), else
        its measure's title."""
        own = row.get("label_ja") if self.lang == "ja" else row.get("label")
        if row.get("label") and not own:
            self.missed.add(f"facts.{row.get('id')}.label_{self.lang}")
        return own or row.get("label") or self.measure(row.get("measure"))

    def publisher(self, name: str | None) -> str:
        """Who published a curated record, as cited: the publishers' names as they are, the
        words between them in this language ('IFR, reported by Xinhua': IFR（Xinhua による報道）)."""
        name = name or ""
        if self.lang != "ja":
            return name
        for rx, ja in _PUBLISHER_JA:
            name = rx.sub(ja, name)
        return name

    def fact_note(self, row: dict[str, Any]) -> str:
        """A curated fact's note (scope, caveats, how it was read) in this language ("" for none)."""
        own = row.get("note_ja") if self.lang == "ja" else row.get("note")
        if row.get("note") and not own:
            self.missed.add(f"facts.{row.get('id')}.note_{self.lang}")
        return own or ""

    def absent(self, source: str | None) -> str:
        """Why an indicator has no data in this build and what would add it, in plain words for
        a reader (no command or path: the CLI's hint says those)."""
        return self._get("absent_sources", source) if source in self.cat["absent_sources"] \
            else self("data_absent")

    def param_note(self, params: dict[str, Any]) -> str | None:
        """Why the report computes with non-default parameters (e.g. the precision), or None."""
        notes = [self.cat["params"].get(f"{k}={v}") for k, v in params.items()]
        return " ".join(n for n in notes if n) or None

    def country(self, code: Any) -> str:
        """A country code as its name in this language ("unknown" for none)."""
        return rules.country_name(code, self.lang)

    def benchmark(self, bench: str) -> str:
        """A benchmark's published name (proper names read the same in both languages)."""
        return rules.benchmark_name(bench)

    def title(self, meta: dict[str, Any]) -> str:
        return (self.cat["indicators"].get(meta["id"]) or {}).get("title") or meta["title"]

    def description(self, meta: dict[str, Any]) -> str:
        entry = self.cat["indicators"].get(meta["id"]) or {}
        return entry.get("description") or meta["description"]


@pass_context
def number(context, value: Any, unit: str | None = None, style: str | None = None) -> Markup:
    """The `num` filter of report and dashboard templates: a value in the page's language
    (ja: 29万5000, or 1,477 where its row or column is written "plain" so that its numbers
    compare by eye: headlines.column_style; in percent where its `unit` is a fraction), the
    exact digits in its tooltip when they read differently."""
    text = context.get("t")
    lang = "en" if style == "plain" or not text else text.lang
    fraction = rules.is_fraction(unit) and isinstance(value, (int, float)) and not isinstance(value, bool)
    shown = headlines.percent(value) if fraction else headlines.format_value(value, lang)
    plain = headlines.format_value(value)
    return Markup('<span title="{}">{}</span>').format(plain, shown) if shown != plain else Markup.escape(shown)


def missing_keys(indicators: list[dict[str, Any]]) -> list[str]:
    """Every `lang:section.key` absent from a catalog: UI keys of either language, every
    registered indicator's title, description and unit, every chapter in use."""
    out = []
    cats = {lang: catalog(lang) for lang in LANGS}
    for section in ("ui", "headlines", "columns", "units", "params", "parameter_names", "measures"):
        keys = set().union(*(c[section] for c in cats.values()))
        out += [f"{lang}:{section}.{k}" for lang, c in cats.items() for k in sorted(keys)
                if not c[section].get(k)]
    for meta in indicators:
        for lang, c in cats.items():
            entry = c["indicators"].get(meta["id"]) or {}
            # English titles and descriptions are the registry's own: one source of truth
            out += [f"{lang}:indicators.{meta['id']}.{f}" for f in ("title", "description")
                    if lang != "en" and not entry.get(f)]
            if not c["units"].get(meta["unit"]):
                out.append(f"{lang}:units.{meta['unit']}")
            out += [f"{lang}:columns.{g}" for g in meta.get("grain", []) if not c["columns"].get(g)]
        for p in meta.get("parameters", []):
            out += [f"{lang}:choices.{p['name']}.{v}" for v in p.get("choices") or []
                    for lang, c in cats.items() if (c["choices"].get(p["name"]) or {}).get(str(v)) is None]
    for chapter in sorted({m["chapter"] for m in indicators}):
        out += [f"{lang}:chapters.{chapter}" for lang, c in cats.items()
                if not c["chapters"].get(chapter)]
    return out
