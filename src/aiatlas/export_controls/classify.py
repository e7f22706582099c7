"""Classify an accelerator under an export-control rule set: pure functions, reasons in words.

Missing figures are never guessed: conditions on an unknown figure evaluate to 'unknown'
(three-valued logic), and the result then lists every status that remains possible and which
figure would decide between them.
"""
from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from aiatlas.errors import UsageError
from aiatlas.export_controls.rules import Exemption, Notice, Rules, RuleSet

NOT_CONTROLLED = "not controlled"
INDETERMINATE = "indeterminate"

# Warehouse column (OP/s or FLOP/s, dense) -> bit length of the operation, label.
PRECISIONS: tuple[tuple[str, int, str], ...] = (
    ("int4_ops", 4, "INT4"), ("int8_ops", 8, "INT8"), ("int16_ops", 16, "INT16"),
    ("fp4_flops", 4, "FP4"), ("fp8_flops", 8, "FP8"), ("fp16_tensor_flops", 16, "FP16 tensor"),
    ("fp16_flops", 16, "FP16"), ("tf32_flops", 32, "TF32"), ("fp32_flops", 32, "FP32"),
    ("fp64_flops", 64, "FP64"),
)
MISMATCH_TOLERANCE = 0.01  # computed vs Epoch TPP: flag relative differences above 1%

_OPS = {">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le,
        "==": operator.eq}
_NEGATED = {">=": "<", ">": "<=", "<": ">=", "<=": ">", "==": "!="}
_LABELS = {"tpp": ("TPP", ""), "pd": ("PD", ""), "io_bandwidth_gbs": ("I/O bandwidth", " GB/s"),
           "memory_bandwidth_density": ("memory bandwidth density", " GB/s/mm^2")}


def _present(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _sig(x: float) -> float:
    """Round to 9 significant digits so float noise cannot move a value across a threshold."""
    return float(f"{x:.9g}")


def _num(x: float) -> str:
    return f"{x:.6g}"


def total_processing_performance(specs: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """TPP = max over precisions of (dense OP/s x bit length) / 1e12, and the precision used."""
    best: tuple[float, str] | None = None
    for column, bits, label in PRECISIONS:
        ops = specs.get(column)
        if not _present(ops) or ops <= 0:
            continue
        value = _sig(ops * bits / 1e12)
        if best is None or value > best[0]:
            best = (value, label)
    return best if best else (None, None)


def performance_density(tpp: float | None, die_area_mm2: float | None) -> float | None:
    """PD = TPP / applicable die area (mm^2); None when either is unknown."""
    if not _present(tpp) or not _present(die_area_mm2) or die_area_mm2 <= 0:
        return None
    return _sig(tpp / die_area_mm2)


def compare_published_tpp(tpp: float | None, published_bit_ops: float | None
                          ) -> tuple[float | None, float | None, bool | None]:
    """Epoch's TPP (bit-OP/s) in TPP units, the relative difference, and a >1% mismatch flag."""
    if not _present(published_bit_ops) or published_bit_ops <= 0:
        return None, None, None
    published = _sig(published_bit_ops / 1e12)  # bit-OP/s -> TOPS x bits
    if not _present(tpp):
        return published, None, None
    diff = (tpp - published) / published
    return published, round(diff, 6), abs(diff) > MISMATCH_TOLERANCE


@dataclass(frozen=True)
class ChipSpecs:
    """The figures a rule set looks at; None means unknown."""

    name: str | None = None
    tpp: float | None = None
    tpp_basis: str | None = None
    die_area_mm2: float | None = None
    io_bandwidth_gbs: float | None = None
    datacenter: bool | None = None
    memory_bandwidth_density: float | None = None
    kind: str = "accelerator"

    @property
    def pd(self) -> float | None:
        return performance_density(self.tpp, self.die_area_mm2)

    def figures(self) -> dict[str, Any]:
        return {"tpp": self.tpp, "pd": self.pd, "io_bandwidth_gbs": self.io_bandwidth_gbs,
                "datacenter": self.datacenter,
                "memory_bandwidth_density": self.memory_bandwidth_density}


def _opt(x):
    return x if _present(x) else None


def specs_from_row(row: Mapping[str, Any]) -> ChipSpecs:
    """Specs of a warehouse `hardware` row; Epoch's intranode bandwidth stands for total I/O."""
    tpp, basis = total_processing_performance(row)
    io = _opt(row.get("intranode_bandwidth_bytes_s"))
    return ChipSpecs(name=row.get("name"), tpp=tpp, tpp_basis=basis,
                     die_area_mm2=_opt(row.get("die_size_mm2")),
                     io_bandwidth_gbs=None if io is None else _sig(io / 1e9),
                     datacenter=row.get("datacenter"))


MAX_FIGURE = 1e12  # no datasheet figure (TOPS, mm2, GB/s) comes near this


def specs_from_figures(*, name: str | None = None, int4_tops=None, int8_tops=None,
                       int16_tops=None, fp4_tflops=None, fp8_tflops=None, fp16_tflops=None,
                       tf32_tflops=None, fp32_tflops=None, fp64_tflops=None, die_area=None,
                       io_bandwidth_gbs=None, datacenter: bool | None = None,
                       memory_bandwidth_density=None, tpp=None,
                       kind: str = "accelerator") -> ChipSpecs:
    """Specs of a chip given as datasheet figures in tera-operations per second (dense, per
    package), or its TPP outright; text figures are read first by export_controls.figures."""
    figures = {"int4_tops": int4_tops, "int8_tops": int8_tops, "int16_tops": int16_tops,
               "fp4_tflops": fp4_tflops, "fp8_tflops": fp8_tflops, "fp16_tflops": fp16_tflops,
               "tf32_tflops": tf32_tflops, "fp32_tflops": fp32_tflops,
               "fp64_tflops": fp64_tflops, "die_area": die_area,
               "io_bandwidth_gbs": io_bandwidth_gbs, "tpp": tpp,
               "memory_bandwidth_density": memory_bandwidth_density}
    for key, value in figures.items():
        # NaN or infinity would classify as "no figure" or as beyond every threshold
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not 0 <= value < MAX_FIGURE):
            raise UsageError(f"chip figure {key}={value!r} is not a number from 0 to "
                             f"{MAX_FIGURE:g}", hint="datasheet figures, e.g. int8_tops=624")
    tera = {"int4_ops": int4_tops, "int8_ops": int8_tops, "int16_ops": int16_tops,
            "fp4_flops": fp4_tflops, "fp8_flops": fp8_tflops, "fp16_tensor_flops": fp16_tflops,
            "tf32_flops": tf32_tflops, "fp32_flops": fp32_tflops, "fp64_flops": fp64_tflops}
    computed, basis = total_processing_performance(
        {k: v * 1e12 for k, v in tera.items() if v is not None})
    if tpp is not None and (computed is None or tpp > computed):
        computed, basis = _sig(float(tpp)), "TPP given"
    tpp = computed
    return ChipSpecs(name=name, tpp=tpp, tpp_basis=basis, die_area_mm2=die_area,
                     io_bandwidth_gbs=io_bandwidth_gbs, datacenter=datacenter,
                     memory_bandwidth_density=memory_bandwidth_density, kind=kind)


# --- three-valued evaluation --------------------------------------------------------------

def _cond_text(cond, figures, holds: bool) -> str:
    name, op, value = cond
    if name == "datacenter":
        dc = value if holds else not value
        return ("designed or marketed for data centers" if dc
                else "not designed or marketed for data centers")
    label, unit = _LABELS.get(name, (name, ""))
    shown_op = op if holds else _NEGATED[op]
    return f"{label} {_num(figures[name])}{unit} {shown_op} {_num(value)}{unit}"


def _eval_clause(conds, figures) -> tuple[bool | None, list, str]:
    """AND of conditions: (value, unknown conditions, words for why it holds or fails)."""
    unknown = []
    for cond in conds:
        x = figures.get(cond[0])
        if x is None:
            unknown.append(cond)
        elif not _OPS[cond[1]](x, cond[2]):
            return False, [], _cond_text(cond, figures, holds=False)
    if unknown:
        return None, unknown, ""
    return True, [], " and ".join(_cond_text(c, figures, holds=True) for c in conds)


def clause_holds(conds, figures) -> tuple[bool | None, list]:
    """Whether every condition holds: True, False or None (unknown), and the unknown conditions."""
    value, unknown, _ = _eval_clause(conds, figures)
    return value, unknown


def _eval_any(clauses, figures) -> tuple[bool | None, list, str]:
    """OR of clauses: true if one holds, unknown if none holds but some are unknown."""
    unknown, fails = [], []
    for clause in clauses:
        value, unk, why = _eval_clause(clause, figures)
        if value is True:
            return True, [], why
        if value is None:
            unknown += unk
        else:
            fails.append(why)
    return (None, unknown, "") if unknown else (False, [], "; ".join(fails))


# --- inputs not confirmed by the chip's maker ------------------------------------------------

def resting_on(reason: str, inputs: list[str]) -> str:
    """The reason, saying which inputs no document of the chip's maker confirms."""
    if not inputs:
        return reason
    return f"{reason}; rests on figures its maker has not confirmed: {'; '.join(inputs)}"


# --- result ---------------------------------------------------------------------------------

@dataclass
class Classification:
    """Outcome of classifying one chip under one rule set, with the reason in words."""

    rule_set: str | None
    status: str
    possible: list[str]
    reason: str
    deciding: list[str] = field(default_factory=list)
    licence_required: bool | None = None
    licence_scope: str = ""
    destination: str | None = None
    notices: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _deciding(unknown: list, specs: ChipSpecs) -> list[str]:
    """Name each unknown figure and the thresholds at which it would decide the outcome."""
    by_figure: dict[str, set] = {}
    for name, _op, value in unknown:
        by_figure.setdefault(name, set()).add(value)
    out = []
    for name, values in by_figure.items():
        if name == "datacenter":
            out.append("whether the chip is designed or marketed for data centers (unknown)")
        elif name == "pd" and specs.tpp is not None:
            cuts = sorted(values, reverse=True)
            areas = ", ".join(f"{_num(specs.tpp / v)}" for v in cuts)
            out.append(f"die area (unknown): PD thresholds {', '.join(_num(v) for v in cuts)} "
                       f"fall at die areas of {areas} mm^2 for TPP {_num(specs.tpp)}")
        elif name == "pd" and "tpp" in by_figure:
            continue  # PD waits on TPP, already named; the die area alone cannot decide
        elif name in ("tpp", "pd"):
            out.append("TPP (no dense performance figure)" if name == "tpp"
                       else "die area and TPP (unknown)")
        else:
            label, unit = _LABELS.get(name, (name, ""))
            cuts = ", ".join(f"{_num(v)}{unit}" for v in sorted(values))
            out.append(f"{label} (unknown): decides at {cuts}")
    return out


def _licence_for(rules: Rules, rs: RuleSet, status: str, country: str, on) -> bool:
    if status == NOT_CONTROLLED:
        return False
    spec = (rs.licence.get("by_status") or {}).get(status) or rs.licence["default"]
    return rules.covers(spec, country, on)


def applicable_notices(rules: Rules, rs: RuleSet | None, name: str | None,
                       as_of: dt.date | None) -> list[Notice]:
    """Per-chip notices naming this chip, dated inside the rule set's period and by as_of."""
    out = []
    for n in rules.notices:
        if name not in n.chips or (as_of is not None and as_of < n.date):
            continue
        if rs is not None and (n.date < rs.effective
                               or (rs.superseded is not None and n.date >= rs.superseded)):
            continue
        out.append(n)
    return out


def classify(specs: ChipSpecs, rs: RuleSet | None, rules: Rules, *,
             destination: str | None = None, as_of: dt.date | None = None) -> Classification:
    """Classify specs under a rule set (None: no rule in force) for an optional destination."""
    if rs is None:
        first = min(r.effective for r in rules.rule_sets)
        return Classification(None, NOT_CONTROLLED, [NOT_CONTROLLED],
                              f"no advanced-computing rule was in force on {as_of} "
                              f"(the first took effect {first})", destination=destination,
                              licence_required=False if destination else None)
    figures = specs.figures()
    possible, unknown, fails = [], [], []
    matched = None
    for st in rs.statuses:
        if st.applies_to != specs.kind:
            continue
        value, unk, why = _eval_any(st.any_of, figures)
        if value is True:
            possible.append(st.status)
            matched = (st.status, why)
            break
        if value is None:
            possible.append(st.status)
            unknown += unk
        else:
            fails.append(f"not {st.status}: {why}")
    if matched is None:
        possible.append(NOT_CONTROLLED)
    exemptions = tuple(e for e in rs.exemptions if e.applies_to == specs.kind)
    exempt, exempt_notes = _apply_exemptions(exemptions, figures, possible, unknown)
    if exempt:
        possible = [NOT_CONTROLLED]
    status = possible[0] if len(possible) == 1 else INDETERMINATE
    reason = _reason(rs, status, possible, matched, fails, exempt, exempt_notes, specs, unknown)
    result = Classification(rs.id, status, possible, reason, deciding=_deciding(unknown, specs)
                            if status == INDETERMINATE else [],
                            licence_scope=rs.licence.get("summary", ""), destination=destination)
    if destination:
        answers = {_licence_for(rules, rs, p, destination, as_of) for p in possible}
        result.licence_required = answers.pop() if len(answers) == 1 else None
    for n in applicable_notices(rules, rs, specs.name, as_of):
        result.notices.append(f"{n.id} ({n.date.isoformat()}): {n.what}")
        if destination and rules.covers(n.destinations, destination, as_of):
            result.licence_required = True
    return result


def _apply_exemptions(exemptions: tuple[Exemption, ...], figures, possible, unknown):
    """Return (exemption that holds or None, notes on exemptions that could not be ruled out)."""
    notes = []
    if all(p == NOT_CONTROLLED for p in possible):
        return None, notes
    for ex in exemptions:
        value, unk, why = _eval_clause(ex.all_of, figures)
        if value is True:
            return (ex, why), notes
        if value is None:
            if NOT_CONTROLLED not in possible:
                possible.append(NOT_CONTROLLED)
            unknown += unk
            notes.append(f"exempt if {ex.reason}")
        else:
            notes.append(f"exemption for chips {ex.reason} does not apply ({why})")
    return None, notes


def _reason(rs, status, possible, matched, fails, exempt, exempt_notes, specs, unknown) -> str:
    head = f"{status} under {rs.id}"
    if exempt is not None:
        ex, why = exempt
        text = f"{head}: exempt, {ex.reason} ({why})"
        return text + (f"; otherwise {matched[0]}: {matched[1]}" if matched else "")
    if status == INDETERMINATE:
        if specs.tpp is None:
            return f"{head}: no dense performance figure, so TPP is unknown"
        known = f"TPP {_num(specs.tpp)}" + (f", PD {_num(specs.pd)}" if specs.pd else "")
        parts = [f"{head}: could be {' or '.join(possible)} ({known})"]
        if matched:
            parts.append(f"{matched[0]} if not exempt: {matched[1]}")
        parts += fails + [n for n in exempt_notes if n.startswith("exempt if")]
        return "; ".join(parts)
    if matched:
        extra = [n for n in exempt_notes if "does not apply" in n]
        return "; ".join([f"{head}: {matched[1]}"] + extra)
    return "; ".join([head] + fails) if fails else f"{head}: no status of this rule set applies"
