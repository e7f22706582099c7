"""The cited chip supplement (curated/chips/specs.yaml): figures Epoch lacks, filled in at build.

Epoch's value always wins; a supplement figure that differs from it is kept as a disagreement,
in words, on the hardware row. Chips Epoch does not list at all become rows of their own.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from aiatlas.errors import DataError
from aiatlas.sources.base import package_file_row
from aiatlas.sources.cleaning import slug

FILE = "curated/chips/specs.yaml"
SOURCE_ID = "chip_supplement"
# supplement figure -> (hardware column, factor from the figure's unit to the column's)
COLUMNS: dict[str, tuple[str, float]] = {
    "die_area_mm2": ("die_size_mm2", 1.0),
    "io_bandwidth_gbs": ("intranode_bandwidth_bytes_s", 1e9),
    "memory_bandwidth_gbs": ("memory_bandwidth_bytes_s", 1e9),
    "datacenter": ("datacenter", 1.0),
    "int8_tops": ("int8_ops", 1e12),
    "fp8_tflops": ("fp8_flops", 1e12),
    "fp16_tflops": ("fp16_tensor_flops", 1e12),
}
Figure = Literal[tuple(COLUMNS)]  # type: ignore[valid-type]


class Source(BaseModel):
    """Where figures come from: a title, a URL, what kind of document it is, and whether it is
    the chip maker's own (datasheet, whitepaper, product page): only those confirm a figure."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    url: str
    kind: str
    publisher_own: bool = False


class Value(BaseModel):
    """One figure, the source it was typed from, whether the maker's own document confirms it,
    and a note on how it applies."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float | bool
    source: str
    confidence: Literal["confirmed", "unconfirmed"]  # confirmed: the maker's own document says so
    note: str = ""


class Chip(BaseModel):
    """The supplement's figures for one chip (named as in Epoch's table when Epoch has it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    chip: str
    in_epoch: bool
    figures: dict[Figure, Value]  # type: ignore[valid-type]


class Missing(BaseModel):
    """Figures looked for and not confirmed: left out, and said so."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    chip: str
    what: str
    why: str


class Supplement(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sources: dict[str, Source]
    chips: list[Chip]
    not_confirmed: list[Missing] = []


def _path() -> Path:
    return Path(str(resources.files("aiatlas"))) / FILE


@lru_cache(maxsize=1)
def load() -> Supplement:
    """The validated supplement; a bad record is a DataError naming the file and the field."""
    try:
        doc = yaml.safe_load(_path().read_text(encoding="utf-8"))
        sup = Supplement.model_validate(doc)
    except yaml.YAMLError as e:
        raise DataError(f"{FILE}: not valid YAML ({e})") from None
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(map(str, err["loc"]))
        raise DataError(f"{FILE}: {where}: {err['msg']}",
                        hint="see the schema at the top of the file") from None
    for c in sup.chips:
        for name, v in c.figures.items():
            if v.source not in sup.sources:
                raise DataError(f"{FILE}: chip {c.chip!r}: figure {name}: unknown source "
                                f"{v.source!r} (expected one of: {', '.join(sup.sources)})")
            if v.confidence == "confirmed" and not sup.sources[v.source].publisher_own:
                raise DataError(f"{FILE}: chip {c.chip!r}: figure {name}: confirmed by "
                                f"{v.source!r}, which is not the maker's own document",
                                hint="mark it unconfirmed, or cite the maker's datasheet "
                                     "(a source with publisher_own: true)")
            if (name == "datacenter") != isinstance(v.value, bool):
                raise DataError(f"{FILE}: chip {c.chip!r}: figure {name}: expected "
                                f"{'true or false' if name == 'datacenter' else 'a number'}")
    return sup


def snapshot_row() -> dict[str, Any]:
    """The `_snapshots` row of the supplement file: an edit changes its id and triggers a rebuild."""
    return package_file_row(SOURCE_ID, _path(), len(load().chips), f"aiatlas/{FILE}")


def apply(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hardware rows with the supplement's figures filled in where Epoch has none, each filled
    figure cited in `figure_sources` (and, when no maker's document confirms it, listed in
    `unconfirmed_figures`) and each differing one listed in `figure_disagreements`;
    plus a row per supplement chip Epoch lacks. No Epoch rows (a vintage without the hardware
    export): nothing is added. `tests/test_chips_supplement.py` checks that every chip marked
    in_epoch is in the mirror's export under that exact name."""
    if not rows:
        return rows
    sup = load()
    by_name = {r.get("name"): r for r in rows}
    out = [dict(r) for r in rows]
    index = {r.get("name"): r for r in out}
    for chip in sup.chips:
        row = index.get(chip.chip)
        if row is None and chip.in_epoch:
            continue  # an export without this chip (an older one, a test's): nothing to fill
        if row is None:
            row = {"hardware_id": f"supplement-{slug(chip.chip)}", "name": chip.chip,
                   "manufacturer": chip.chip.split()[0], "type": "GPU"}
            out.append(row)
        _fill(row, chip, sup, epoch=by_name.get(chip.chip) or {})
    return out


def _fill(row: dict[str, Any], chip: Chip, sup: Supplement, epoch: dict[str, Any]) -> None:
    sources, disagreements, unconfirmed = [], [], []
    for name, v in chip.figures.items():
        column, factor = COLUMNS[name]
        value = v.value if isinstance(v.value, bool) else v.value * factor
        src = sup.sources[v.source]
        url = src.url
        have = epoch.get(column)
        if have is None:
            row[column] = value
            sources.append(f"{name} {v.value} from {url}")
            if v.confidence == "unconfirmed":
                shown = str(v.value).lower() if isinstance(v.value, bool) else f"{v.value:g}"
                unconfirmed.append(f"{name} {shown} ({src.kind}: {url})")
        elif not isinstance(value, bool) and abs(have - value) > 0.01 * abs(value):
            disagreements.append(f"{name}: Epoch {have / factor:g} kept; supplement {v.value:g} "
                                 f"({url})")
    row["figure_sources"] = sources
    row["figure_disagreements"] = disagreements
    row["unconfirmed_figures"] = unconfirmed
