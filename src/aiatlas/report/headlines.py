"""Headline numbers declared in headlines.yaml, evaluated through the public API."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import yaml

from aiatlas import api, config
from aiatlas.errors import AiatlasError, DataError
from aiatlas.export_controls import rules as ecr
from aiatlas.safe_yaml import SafeLoader  # libyaml's parser: the package's own files

HEADLINES_FILE = Path(__file__).parent / "headlines.yaml"


def declared() -> list[dict[str, Any]]:
    """The headline declarations, in display order."""
    with open(HEADLINES_FILE, encoding="utf-8") as f:
        return yaml.load(f, Loader=SafeLoader) or []


def select(decl: dict[str, Any], rows: list[dict[str, Any]], today: dt.date | None = None) -> list[dict]:
    """The rows a headline shows, after its where / latest / top steps."""
    for col, want in (decl.get("where") or {}).items():
        rows = [r for r in rows if r.get(col) == want]
    for col, unwanted in (decl.get("where_not") or {}).items():
        rows = [r for r in rows if r.get(col) not in unwanted]
    if decl.get("latest") and rows:
        col = decl["latest"]
        if decl.get("complete_years"):
            year = (today or dt.date.today()).year
            rows = [r for r in rows if r.get(col) is not None and _year(r[col]) < year]
        present = [r[col] for r in rows if r.get(col) is not None]
        rows = [r for r in rows if present and r.get(col) == max(present)]
    if decl.get("top"):
        rows = sorted((r for r in rows if r.get(decl["top"]) is not None),
                      key=lambda r: -r[decl["top"]])
    if decl.get("sum") and rows:  # one total over the selected rows (e.g. every controlled status)
        col = decl["column"]
        return [{col: sum(r[col] for r in rows if r.get(col) is not None), "rows": len(rows)}]
    return rows[: decl.get("limit", 1)]


def _year(v: Any) -> int:
    return v.year if isinstance(v, (dt.date, dt.datetime)) else int(v)


def evaluate(decl: dict[str, Any], *, home=None, compute=None,
             today: dt.date | None = None) -> dict[str, Any]:
    """One headline: its values with labels and the result's provenance, or why it is not available.

    `today` decides which years are complete (a vintage passes its as-of date)."""
    known = {m["id"]: m for m in api.list_indicators()}
    out = {"key": decl["key"], "indicator": decl["indicator"], "params": decl.get("params") or {},
           "column": decl["column"], "values": [], "available": False, "reason": None,
           "provenance": [], "meta": known.get(decl["indicator"]), "period": None,
           "unit": decl.get("unit") or (known.get(decl["indicator"]) or {}).get("unit")}
    if decl["indicator"] not in known:
        out["reason"] = f"indicator {decl['indicator']!r} is not registered yet"
        return out
    try:
        result = (compute or api.compute)(decl["indicator"], home=home, **out["params"])
    except Exception as e:  # noqa: BLE001  shown as the reason the headline is missing
        out["reason"] = one_line(e)
        out["missing_data"] = isinstance(e, DataError)  # pages say so in plain words
        return out
    if result.meta.get("synthetic"):
        out["reason"] = "synthetic data (made by `aiatlas synth`): not shown as a fact"
        return out
    rows = select(decl, result.to_pylist(), today)
    if not rows or decl["column"] not in rows[0]:
        out["reason"] = (f"column {decl['column']!r} not in the result" if rows
                         else "no rows match the headline's selection")
        return out
    labels = decl.get("label") or []
    scale = decl.get("scale", 1)
    out["values"] = [{"label": " ".join(str(r[c]) for c in labels if c in r) or None,
                      "value": None if r[decl["column"]] is None else r[decl["column"]] * scale,
                      "row": r} for r in rows]
    out["period"] = rows[0].get(decl["latest"]) if decl.get("latest") else None
    out["available"] = all(v["value"] is not None for v in out["values"])
    out["reason"] = None if out["available"] else "the selected cell is empty"
    out["provenance"] = result.provenance
    if decl.get("basis"):
        out["basis"] = basis(decl["basis"], rows[0], today)
    return out


def basis(spec: dict[str, Any], row: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """What a headline number rests on, as a ui text key and its fields: the row's columns
    (`first_date.year`), or the export-control rule set in force on the report's date."""
    args = {}
    for name, path in (spec.get("fields") or {}).items():
        col, _, attr = path.partition(".")
        value = row.get(col)
        args[name] = getattr(value, attr) if attr and value is not None else value
    if spec.get("rules_in_force"):
        rs = ecr.load().in_force(today or config.today())
        args |= {"rules": rs.id if rs else "", "effective": rs.effective.isoformat() if rs else ""}
    return {"key": spec["key"], "args": args, "names": list(spec.get("names") or [])}


def one_line(e: Exception) -> str:
    """An exception as one line: the message (and hint) for aiatlas errors, else with its type."""
    text = str(e).strip().splitlines()
    msg = text[0] if text else ""
    if not isinstance(e, AiatlasError):
        return f"{type(e).__name__}: {msg}"
    hint = " ".join((e.hint or "").split())  # a reader of the page needs the way out too
    return f"{msg}; {hint}" if hint else msg


def evaluate_all(*, home=None, compute=None, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every declared headline, evaluated."""
    return [evaluate(d, home=home, compute=compute, today=today) for d in declared()]


# Japanese counts in myriads: the two largest of 兆, 億, 万 and ones (29万5000, 1090億, 3兆5000億),
# from 10^4 (below it Japanese writes digits as English does) to 10^16 (京: no reader counts in it)
JA_UNITS = ((10**12, "兆"), (10**8, "億"), (10**4, "万"), (1, ""))
JA_RANGE = (10**4, 10**16)


def japanese(v: Any) -> str | None:
    """A number as a Japanese reader writes it in myriads, its two largest units kept (exact
    below 10^8: 3万7587; 1234億5679万 rounds to 万), or None outside JA_RANGE (plain digits)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return None
    n = abs(v)
    if not JA_RANGE[0] <= round(n) < JA_RANGE[1]:
        return None
    for (factor, word), (step, small) in zip(JA_UNITS, JA_UNITS[1:]):
        if round(n) >= factor:
            total = round(n / step) * step  # rounded to the smaller unit kept
            if total >= factor * 10**4 and factor < JA_UNITS[0][0]:  # 9999.99万 carries to 1億
                return japanese(total if v > 0 else -total)
            head, tail = divmod(total // step, factor // step)
            return ("-" if v < 0 else "") + f"{head}{word}" + (f"{tail}{small}" if tail else "")
    return None


# a rounded amount as a reader says it: 3 significant digits, large ones in millions/billions
APPROX_DIGITS = 3
_WORDS = ((1e9, "billion"), (1e6, "million"))


def approx(v: int | float, lang: str = "en") -> str:
    """`v` rounded to APPROX_DIGITS significant digits as a reader says it: 1.39 million,
    231,000, 0.953 (ja: 139万)."""
    rounded = float(f"{v:.{APPROX_DIGITS}g}")
    if lang == "ja":
        return japanese(round(rounded)) or f"{rounded:,.{APPROX_DIGITS}g}"
    for factor, word in _WORDS:
        if abs(rounded) >= factor:
            return f"{rounded / factor:.{APPROX_DIGITS}g} {word}"
    return f"{rounded:,.0f}" if abs(rounded) >= 10 ** (APPROX_DIGITS - 1) else f"{rounded:g}"


def percent(v: float) -> str:
    """A fraction as a reader writes it in percent: 70%, 66.7%, and two significant digits
    under 1% (0.19%)."""
    return f"{v * 100:.2g}%" if 0 < abs(v) < 0.01 else f"{v:.1%}".replace(".0%", "%")


def format_value(v: Any, lang: str = "en") -> str:
    """A headline value as short text (ja: large numbers in 万/億/兆)."""
    if lang == "ja" and (ja := japanese(v)):
        return ja
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v)


def column_style(values: list[Any], lang: str = "en") -> str:
    """How one table column writes its numbers, the same for every cell so that a column reads
    down by eye: "myriad" (ja: 1万9474, 3万202) when every non-zero number in it is 10^4 or more,
    else "plain" (9,414 and 19,474: a column mixing 9,414 with 1万9474 cannot be compared;
    fixed decimals of 万 would turn its small values into 0.00万)."""
    nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v) and v != 0]
    return "myriad" if lang == "ja" and nums and all(japanese(v) for v in nums) else "plain"


def format_cell(v: Any, column: str | None = None, lang: str = "en", style: str | None = None) -> str:
    """A table cell for readers: numbers grouped by thousands to 6 significant digits, never in
    e-notation below 10^15 (ja: 10^4 and above in 万/億/兆, the exact digits being the English
    form, unless the column's `style` is "plain"); years stay 2023."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int) and column and (column == "year" or column.endswith("_year")):
        return str(v)
    if lang == "ja" and style != "plain" and (ja := japanese(v)):
        return ja
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float) and column and column.startswith("lag_months") and math.isfinite(v):
        return f"{v:,.1f}"  # a lag in months, measured from release dates: tenths, not 11.0719
    if isinstance(v, float):
        if not math.isfinite(v) or v == 0 or not 1e-6 <= abs(v) < 1e15:
            return f"{v:.6g}"
        text = f"{v:,.{max(0, 5 - math.floor(math.log10(abs(v))))}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(v, (list, tuple)):
        return "; ".join(map(str, v))
    return "" if v is None else str(v)
