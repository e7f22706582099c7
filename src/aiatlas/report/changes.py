"""What changed between two builds: each headline's value in A and B, with the rows that explain it."""
from __future__ import annotations

import functools
import json
from typing import Any

from aiatlas import api
from aiatlas.report import headlines

ROW_LIMIT = 50  # explaining rows listed per headline and side; the counts are always complete


def headline_changes(as_of_a, as_of_b, *, home=None, limit: int = ROW_LIMIT) -> list[dict[str, Any]]:
    """Every declared headline evaluated on build A and build B (vintage dates, None = current)."""
    out = []
    for decl in headlines.declared():
        # a vintage's complete years end before its as-of date, not before today
        ha, hb = (headlines.evaluate(decl, home=home, compute=functools.partial(api.compute, as_of=d),
                                     today=api.settings_date(d)) for d in (as_of_a, as_of_b))
        row = {"key": decl["key"], "indicator": decl["indicator"], "params": ha["params"],
               "unit": ha["unit"], "a": _values(ha), "b": _values(hb),
               "period_a": ha["period"], "period_b": hb["period"]}
        row["changed"] = row["a"] != row["b"]
        row["explaining"] = (_explaining(decl, ha, hb, as_of_a, as_of_b, home, limit)
                             if row["changed"] else None)
        out.append(row)
    return out


def _values(h: dict[str, Any]) -> dict[str, Any]:
    """A headline's shown values, or why it has none."""
    if not h["available"]:
        return {"values": None, "reason": h["reason"]}
    # country: the label's ISO3 code, for pages that name it in the reader's language
    return {"values": [{"label": v["label"], "value": v["value"],
                        "country": (v.get("row") or {}).get("country")} for v in h["values"]],
            "reason": None}


def _explaining(decl, ha, hb, as_of_a, as_of_b, home, limit) -> dict[str, Any]:
    """Source rows behind the headline's cells that are in one build and not the other."""
    meta = ha["meta"] or {}
    if not meta.get("explainable"):
        return {"reason": f"{decl['indicator']} has no row-level explanation", "cells": []}
    grain = meta.get("grain") or []
    cells = []
    for h in (ha, hb):
        for v in h["values"]:
            cell = {g: v["row"][g] for g in grain if v["row"].get(g) is not None}
            if cell not in cells:
                cells.append(cell)
    found = [rows_only_in(decl["indicator"], ha["params"], cell, as_of_a, as_of_b, home, limit)
             for cell in cells or [{}]]
    return {"reason": None, "cells": found}


def rows_only_in(indicator: str, params: dict[str, Any], cell: dict[str, Any], as_of_a, as_of_b,
                 home=None, limit: int = ROW_LIMIT) -> dict[str, Any]:
    """The explain rows behind one cell of an indicator that build A holds and B does not, and
    the reverse (counts complete, rows up to `limit`); or why they cannot be read."""
    try:
        ea, eb = (api.explain(indicator, where=cell, home=home, as_of=d, **params).to_pylist()
                  for d in (as_of_a, as_of_b))
    except Exception as e:  # noqa: BLE001  one cell that cannot be explained is said, not fatal
        return {"where": cell, "reason": headlines.one_line(e)}
    only_a, only_b = _only(ea, eb), _only(eb, ea)
    return {"where": cell, "rows_a": len(ea), "rows_b": len(eb), "only_in_a": len(only_a),
            "only_in_b": len(only_b), "only_in_a_rows": only_a[:limit],
            "only_in_b_rows": only_b[:limit]}


def _only(xs: list[dict], ys: list[dict]) -> list[dict]:
    """Rows of xs that ys does not hold (compared on the columns both have)."""
    common = set(xs[0]) & set(ys[0]) if xs and ys else set()
    seen = {_sig(y, common) for y in ys}
    return [x for x in xs if _sig(x, common) not in seen]


def _sig(row: dict, cols: set) -> str:
    return json.dumps({c: row.get(c) for c in sorted(cols)}, default=str, sort_keys=True)
