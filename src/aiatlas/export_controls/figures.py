"""Chip figures as people write them, read into what the rules count.

'1.979 PFLOPS FP8 sparse', '624 TOPS (INT8)', '1,979 TFLOPs FP8', '６２４ TOPS INT8', '826 mm²',
'2 x 750 mm^2', '400 TFLOPS FP16 per die', '900 GB/s NVLink': each becomes one dense,
per-package figure in the unit `classify.specs_from_figures` takes (TOPS or TFLOPS, mm², GB/s),
with a note in words on how it was read. Nothing is guessed: a figure without a precision, a
unit that fits no figure, a per-die figure without the number of dies, or a figure per board
is an error that says what is missing.

The rules count dense operations of one integrated circuit (all its dies: TPP over every
processing unit, die area over every logic die). So a figure marked sparse ('sparse', 'with
sparsity', '2:4') is halved, a per-die figure is multiplied by the dies of the package, and
a figure per board, card or server cannot be used as it stands.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiatlas.errors import UsageError

# precision word -> specs_from_figures keyword (OPS and FLOPS alike: the rule counts operations)
PRECISION_ARGS = {"int4": "int4_tops", "int8": "int8_tops", "int16": "int16_tops",
                  "fp4": "fp4_tflops", "fp8": "fp8_tflops", "fp16": "fp16_tflops",
                  "bf16": "fp16_tflops", "tf32": "tf32_tflops", "fp32": "fp32_tflops",
                  "fp64": "fp64_tflops"}
PERFORMANCE_ARGS = tuple(dict.fromkeys(PRECISION_ARGS.values()))
LABELS = {v: k.upper() for k, v in reversed(PRECISION_ARGS.items())}  # fp16_tflops -> FP16
_PRECISION = re.compile(r"(?<![a-z0-9])(?:mx|nv)?(int4|int8|int16|fp4|fp6|fp8|fp16|bf16|tf32|"
                        r"fp32|fp64)(?![0-9])", re.I)
_PREFIX = {"": 1e-12, "k": 1e-9, "g": 1e-3, "t": 1.0, "p": 1e3, "e": 1e6}  # -> tera
_PERF = re.compile(r"^([kgtpe]?)\s*(?:flop|op)(?:s|/s)?(?![a-z])", re.I)
_AREA = re.compile(r"^(?:mm\s*\^?\s*2|square\s+millimet(?:re|er)s?|平方ミリ(?:メートル)?)", re.I)
_BANDWIDTH = re.compile(r"^([gt])b\s*(?:/\s*s|ps)(?![a-z])", re.I)
_BITS = re.compile(r"^([GgTt])(?:b|bit)\s*(?:/\s*s|ps)(?![a-z])")  # lower-case b: bits
_NUMBER = re.compile(r"(?<![A-Za-z0-9.:])(\d+(?:\.\d+)?)(?![:\d])")  # not the 8 of INT8, 2:4
_TIMES = re.compile(r"^\s*(\d+)\s*[x*]\s*(?=\d)", re.I)  # '2 x 750 mm2'
_TIMES_AFTER = re.compile(r"[x*]\s*(\d+)\s*$", re.I)     # '750 mm2 x 2'
_DENSE = re.compile(r"\bdense\b|without sparsity|w/o sparsity|no sparsity|non-?sparse|密(?!度)|デンス", re.I)
_SPARSE = re.compile(r"sparse|sparsity|\b2:4\b|疎|スパース", re.I)
_PER_DIE = re.compile(r"per[- ]die|/\s*die\b|each die|per (?:gcd|chiplet|compute die)|"
                      r"ダイあたり|ダイ当たり|1ダイ", re.I)
_DIES = re.compile(r"(\d+)\s*(?:compute\s+|logic\s+|gpu\s+)?(?:dies|dice|chiplets|gcds)\b|"
                   r"(\d+)\s*ダイ(?!あたり|当たり)", re.I)
_PER_BOARD = re.compile(r"per (?:board|card|server|node|system|module|tray|rack|baseboard)|"
                        r"(?:board|card|server|node|system)[- ]level|ボードあたり|カードあたり|"
                        r"サーバーあたり", re.I)
_IO = re.compile(r"i/o|\bio\b|interconnect|nvlink|infinity fabric|chip-to-chip|\blink|\bici\b|"
                 r"ualink|xgmi|入出力|インターコネクト|チップ間", re.I)
_MEMORY = re.compile(r"memory|\bhbm|dram|gddr|メモリ", re.I)
_ONE_WAY = re.compile(r"per direction|each direction|one direction|unidirectional|one-way|"
                      r"片方向", re.I)
_BOTH_WAYS = re.compile(r"bidirectional|bi-directional|both directions|aggregate|双方向", re.I)
_TPP = re.compile(r"\btpp\b|total processing performance|総合処理性能", re.I)


@dataclass
class Reading:
    """Figures read from text: specs_from_figures keywords, a note per text, and the keywords
    read as dense (performance) or bidirectional (I/O) only because the text did not say
    (`unmarked`)."""

    figures: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unmarked: list[str] = field(default_factory=list)


def normal(text: str) -> str:
    """Full-width digits and letters as ASCII ('６２４' -> '624', 'mm²' -> 'mm2'), '×' as 'x',
    and thousands separators dropped ('1,979' -> '1979'); a decimal comma is an error."""
    t = unicodedata.normalize("NFKC", str(text)).replace("×", "x").replace("，", ",")
    t = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", t)
    if (m := re.search(r"\d,\d", t)):
        raise UsageError(f"figure {text!r}: '{m.group(0)}' reads as a decimal comma",
                         hint="write the decimal point as '.', e.g. 1.5 PFLOPS")
    return t.strip()


def _number(text: str, t: str) -> tuple[float, int, str]:
    """The figure's number, a count it is multiplied by ('2 x 750 mm2'), and the text after it."""
    count = 1
    if (m := _TIMES.match(t)):
        count, t = int(m.group(1)), t[m.end():]
    m = _NUMBER.search(t)
    if m is None:
        raise UsageError(f"figure {text!r} has no number",
                         hint="e.g. '624 TOPS INT8', '826 mm2', '900 GB/s NVLink'")
    if t[:m.start()].rstrip().endswith("-"):
        raise UsageError(f"figure {text!r} is negative", hint="datasheet figures are 0 or more")
    rest = t[m.end():]
    if (after := _TIMES_AFTER.search(rest)):
        count, rest = count * int(after.group(1)), rest[:after.start()]
    return float(m.group(1)), count, rest


def _dies(text: str, t: str, dies: int | None) -> int:
    """The dies a per-die figure is multiplied by: `dies`, or 'N dies' in the text itself."""
    if (m := _DIES.search(t)):
        return int(m.group(1) or m.group(2))
    if dies:
        return dies
    raise UsageError(f"figure {text!r} is per die, and the number of dies is not given",
                     hint="the rules count the whole package (TPP of all its dies, the area of "
                          "all its logic dies): give the dies (--dies N, or '2 dies' in the text)")


def read_one(text: str, *, expect: str | None = None, dies: int | None = None
             ) -> tuple[str, float, str, bool]:
    """(specs_from_figures keyword, value, note, read as dense without the text saying so).

    `expect` is the keyword of the option the text was given to (`fp8_tflops`, `die_area`):
    a bare number is then in that option's unit, and a text naming another figure is an error.
    """
    t = normal(text)
    if (board := _PER_BOARD.search(t)):
        raise UsageError(f"figure {text!r} is {board.group(0)}: the rules classify each chip "
                         "package, not a board, card or server",
                         hint="divide by the chip packages it holds and give the figure per "
                              "package; a card with one package of several dies is one package")
    value, count, rest = _number(text, t)
    unit = rest.strip().lstrip("-").strip()
    if _TPP.search(t) and not _PERF.match(unit):
        key, factor, what = "tpp", 1.0, "TPP"
    elif (m := _PERF.match(unit)):
        key, factor, what = _precision(text, t, expect), _PREFIX[m.group(1).lower()], ""
    elif _AREA.match(unit):
        key, factor, what = "die_area", 1.0, "die area"
    elif _BITS.match(unit):
        raise UsageError(f"figure {text!r} is in bits per second",
                         hint="give the I/O bandwidth in bytes per second (GB/s): 8 bits a byte")
    elif (m := _BANDWIDTH.match(unit)):
        factor = 1e3 if m.group(1).lower() == "t" else 1.0
        key, what = _bandwidth(text, t, expect), ""
    elif not unit or unit.startswith(("(", ",", ";")) or _PRECISION.match(unit) or (
            _SPARSE.match(unit) or _DENSE.match(unit) or _PER_DIE.match(unit)):
        if expect is None:
            raise UsageError(f"figure {text!r} has no unit",
                             hint="e.g. TOPS, TFLOPS, PFLOPS, mm2, GB/s")
        key = _precision(text, t, expect) if expect in PERFORMANCE_ARGS else expect
        factor, what = 1.0, ""
    else:
        raise UsageError(f"figure {text!r}: unknown unit {unit.split()[0]!r}",
                         hint="performance in TOPS/TFLOPS/PFLOPS with a precision (INT8, FP8, "
                              "FP16 ...), die area in mm2, I/O bandwidth in GB/s")
    if expect is not None and key != expect and not (expect in PERFORMANCE_ARGS
                                                     and key in PERFORMANCE_ARGS):
        raise UsageError(f"figure {text!r} is not a {expect} figure")
    value *= factor * count
    steps = [f"x{count}"] if count > 1 else []
    per_die = _PER_DIE.search(t)
    if per_die and key != "io_bandwidth_gbs":
        n = _dies(text, t, dies)
        value *= n
        steps.append(f"per die x {n} dies")
    unmarked = False
    if key in PERFORMANCE_ARGS:
        if _SPARSE.search(t) and not _DENSE.search(t):
            value /= 2
            steps.append("sparse figure halved: the rules count dense operations")
        else:  # an option named for a dense figure (--fp8-tflops) says so itself
            unmarked = expect is None and not _DENSE.search(t)
            steps.append("dense" if not unmarked else "read as dense: the text does not say")
        what = f"{LABELS[key]} {_g(value)} {'TOPS' if key.endswith('tops') else 'TFLOPS'}"
    elif key == "die_area":
        what = f"die area {_g(value)} mm2"
    elif key == "io_bandwidth_gbs":
        if _ONE_WAY.search(t) and not _BOTH_WAYS.search(t):
            value *= 2
            steps.append("one direction doubled: the rule counts both directions")
        else:  # an option named for the bidirectional figure says so itself
            unmarked = expect is None and not _BOTH_WAYS.search(t)
            steps.append("bidirectional" if not unmarked
                         else "read as bidirectional: the text does not say")
        what = f"I/O bandwidth {_g(value)} GB/s"
    else:
        what = f"TPP {_g(value)}"
    note = f"{text.strip()!r} -> {what}" + (f" ({'; '.join(steps)})" if steps else "")
    return key, value, note, unmarked


def _precision(text: str, t: str, expect: str | None) -> str:
    found = {p.lower() for p in _PRECISION.findall(t)}
    if "fp6" in found:
        raise UsageError(f"figure {text!r} is an FP6 figure, which this tool does not count",
                         hint="give the chip's FP8 or FP4 figure instead")
    keys = {PRECISION_ARGS[p] for p in found}
    if expect in PERFORMANCE_ARGS:
        if keys - {expect}:
            raise UsageError(f"figure {text!r} names {', '.join(sorted(found)).upper()}, "
                             f"given as {LABELS[expect]}")
        return expect
    if len(keys) > 1:
        raise UsageError(f"figure {text!r} names several precisions "
                         f"({', '.join(sorted(found)).upper()})", hint="one figure per precision")
    if not keys:
        raise UsageError(f"figure {text!r} does not say its precision",
                         hint="TPP multiplies a figure by its bit length: add INT8, FP8, FP16, "
                              "BF16, TF32, FP32, FP64, INT4 or FP4")
    return keys.pop()


def _bandwidth(text: str, t: str, expect: str | None) -> str:
    if expect == "io_bandwidth_gbs" or (_IO.search(t) and not _MEMORY.search(t)):
        return "io_bandwidth_gbs"
    if _MEMORY.search(t):
        raise UsageError(f"figure {text!r} is a memory bandwidth, which 3A090 does not count",
                         hint="the 2022 rule counts the chip's I/O (interconnect) bandwidth: give "
                              "that, e.g. '900 GB/s NVLink'")
    raise UsageError(f"figure {text!r}: is it I/O (interconnect) or memory bandwidth?",
                     hint="say which, e.g. '900 GB/s NVLink' or '900 GB/s I/O'")


def _g(x: float) -> str:
    return f"{x:.6g}"


def read(texts: Iterable[str] | str, *, dies: int | None = None) -> Reading:
    """Every figure of `texts` (a list, or one text with figures separated by ';' or newlines);
    the same figure given twice is an error."""
    if isinstance(texts, str):
        texts = [texts]
    parts = [p for t in texts for p in re.split(r"[;\n；]", str(t)) if p.strip()]
    out = Reading()
    for part in parts:
        key, value, note, unmarked = read_one(part, dies=dies)
        if key in out.figures:
            raise UsageError(f"figure {part!r}: {key} is given twice", hint="give each figure once")
        out.figures[key] = value
        out.notes.append(note)
        if unmarked:
            out.unmarked.append(key)
    return out


def read_options(values: Mapping[str, Any], *, dies: int | None = None) -> Reading:
    """Figures given one per keyword (`fp8_tflops='1.979 PFLOPS sparse'`, `die_area=826`):
    text is read in the keyword's unit and precision, numbers are taken as they are."""
    out = Reading()
    for key, value in values.items():
        if not isinstance(value, str) or key not in (*PERFORMANCE_ARGS, "die_area",
                                                     "io_bandwidth_gbs", "tpp"):
            out.figures[key] = value
            continue
        got, number, note, _ = read_one(value, expect=key, dies=dies)
        out.figures[got] = number
        if not _NUMBER.fullmatch(normal(value)):  # say how a text was read, not a bare number
            out.notes.append(note)
    return out
