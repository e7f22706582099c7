"""`aiatlas reconcile`: recompute figures others published, on their vintage and today's data, and classify each."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from aiatlas import api
from aiatlas.curated.published import Alternative, Figure, Publication, publications
from aiatlas.errors import VintageNotBuiltError
from aiatlas.report import rules
from aiatlas.report.changes import rows_only_in
from aiatlas.report.headlines import format_value
from aiatlas.report.i18n import Text

REPRODUCED = "reproduced"
REVISED = "differs because the data was revised"
METHOD = "differs by method"
NOT_REPRODUCED = "not reproduced"
CANNOT = "cannot be computed"
# class -> i18n key of its name in the report
CLASS_KEYS = {REPRODUCED: "class_reproduced", REVISED: "class_revised", METHOD: "class_method",
              NOT_REPRODUCED: "class_not_reproduced", CANNOT: "class_cannot"}
ROWS_SHOWN = 10  # revised rows listed per figure; the counts are complete


class _Missing(Exception):
    """The figure cannot be computed on this build: a reason key of the catalogues and its
    arguments (a bare message is shown as it is)."""

    def __init__(self, detail: str = "", key: str = "why_error", **args: Any):
        super().__init__(detail)
        self.reason = _reason(key, detail=detail, **args)


def _reason(key: str, **args: Any) -> dict[str, Any]:
    """A reason as the report translates it (`why_*` in report/i18n/*.yaml) and in English."""
    return {"why": Text("en")(key, **args), "reason": {"key": key, "args": args}}


def _rules(alts: list[Alternative], lang: str) -> str:
    """The rules' names joined, in English or (where curated) Japanese."""
    return ", ".join((a.rule_ja if lang == "ja" and a.rule_ja else a.rule) for a in alts)


def _value(fig: Figure, as_of, home, alt: Alternative | None = None
           ) -> tuple[float, dict[str, Any], str | None]:
    """The recomputed value, the row it came from and the newest as-of date of the data behind
    it, on one build (under another rule)."""
    c = fig.compute
    days = alt.last_on_or_before if alt and alt.last_on_or_before else c.last_on_or_before
    try:
        result = api.compute(c.indicator, home=home, as_of=as_of,
                             **(c.params | (alt.params if alt else {})))
    except VintageNotBuiltError:  # the reason is the missing vintage, not the figure's parameters
        raise _Missing(key="why_vintage_not_built", as_of=str(as_of)) from None
    except Exception as e:  # noqa: BLE001  a build without the data says why in words (the
        # error's own text, parameter syntax and all, stays in the JSON twin's detail)
        meta = next((m for m in api.list_indicators() if m["id"] == c.indicator), None)
        if meta is None:
            raise _Missing(str(e)) from None
        raise _Missing(str(e), key="why_not_computable", title=Text("en").title(meta),
                       title_ja=Text("ja").title(meta)) from None
    rows = result.to_pylist()
    data_as_of = max((str(p["as_of"]) for p in result.provenance if p.get("as_of")), default=None)
    if not rows:
        raise _Missing(key="why_no_rows_as_of" if as_of else "why_no_rows",
                       indicator=c.indicator, as_of=str(as_of))
    rows = [r for r in rows if all(str(r.get(k)) == str(v) for k, v in c.where.items())]
    for col, day in days.items():
        rows = [r for r in rows if r.get(col) is not None and rules.day(r[col]) <= day]
        rows = [r for r in rows if rules.day(r[col]) == max(rules.day(x[col]) for x in rows)]
    if not rows or rows[0].get(c.column) is None:
        where = ", ".join(f"{k}={v}" for k, v in {**c.where, **days}.items())
        raise _Missing(key="why_no_column" if where else "why_no_column_any",
                       indicator=c.indicator, column=c.column, where=where)
    return float(rows[0][c.column]), rows[0], data_as_of


def _differs(ours: dict[str, Any], theirs: dict[str, Any], lang: str = "en") -> str:
    """The text columns in which the row another rule reads differs from ours, each by its
    title in the reader's language ('leader model: a → b')."""
    text = Text(lang)
    return "; ".join(f"{text.column(k)}: {ours[k]} → {v}" for k, v in theirs.items()
                     if isinstance(v, str | dt.date) and ours.get(k) != v)


def _rows_args(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, str]:
    """The differing rows as a parenthesis in each language ('' when none differ)."""
    en, ja = _differs(ours, theirs), _differs(ours, theirs, "ja")
    return {"rows": f" ({en})" if en else "", "rows_ja": f"（{ja}）" if ja else ""}


def _beyond_publisher(pub: Publication, fig: Figure, as_of, home, value: float, row,
                      data_as_of: str | None) -> dict[str, Any] | None:
    """When the publisher's own split of the figure (its count per organization, say) accounts
    for the whole difference, and its data snapshot is older than the data here: the rows beyond
    its count, per value of the split. None when the split does not explain the difference."""
    b = fig.breakdown
    if b is None or pub.data_as_of is None or data_as_of is None or value <= fig.value \
            or dt.date.fromisoformat(data_as_of[:10]) <= pub.data_as_of:
        return None
    cell = {k: v for k, v in (row or {}).items() if k in fig.compute.where}
    try:
        rows = api.explain(fig.compute.indicator, where=cell, home=home, as_of=as_of,
                           **fig.compute.params).to_pylist()
    except Exception:  # noqa: BLE001  no row-level explanation: the split cannot be checked
        return None
    found: dict[str, list[str]] = {}
    for r in rows:  # a row counts once: for the first of its values the split names, else its first
        keys = [str(x) for x in (r.get(b.by) if isinstance(r.get(b.by), list) else [r.get(b.by)])
                if x is not None] or ["?"]
        key = next((k for k in keys if k in b.published), keys[0])
        found.setdefault(key, []).append(str(r.get("name") or r.get("model") or r))
    beyond = [{"value": k, "published": b.published.get(k, 0), "found": len(names),
               "rows": names} for k, names in sorted(found.items())
              if len(names) > b.published.get(k, 0)]
    short = [k for k, n in b.published.items() if len(found.get(k, [])) < n]
    extra = sum(x["found"] - x["published"] for x in beyond)
    if short or extra != round(value - fig.value):
        return None
    return {"by": b.by, "printed_in": b.printed_in, "beyond": beyond, "extra": extra}


def _beyond_text(found: dict[str, Any], lang: str) -> str:
    """The rows beyond the publisher's count, per value: 'ByteDance (3 published): 1 of a, b'."""
    parts = []
    for x in found["beyond"]:
        n, names = x["found"] - x["published"], ", ".join(x["rows"])
        if lang == "ja":
            some = "" if n == x["found"] else f" の {x['found']} 件のうち {n} 件"
            parts.append(f"{x['value']}（公表 {x['published']} 件）：{names}{some}")
        else:
            some = "" if n == x["found"] else f"{n} of "
            parts.append(f"{x['value']} ({x['published']} published): {some}{names}")
    return "、".join(parts) if lang == "ja" else "; ".join(parts)


def _on(pub: Publication, fig: Figure, as_of, home) -> dict[str, Any]:
    """Value and class of a figure on one build (method differences tried when not reproduced,
    then rows added after the publisher's snapshot)."""
    try:
        value, row, data_as_of = _value(fig, as_of, home)
    except _Missing as e:
        return {"value": None, "class": CANNOT, **e.reason, "row": None}
    tol = f"{fig.tolerance:g}"
    if abs(value - fig.value) <= fig.tolerance:
        return {"value": value, "class": REPRODUCED, **_reason("why_within", tolerance=tol),
                "row": row}
    for alt in fig.alternatives:
        try:
            other, other_row, _ = _value(fig, as_of, home, alt)
        except _Missing:
            continue
        if abs(other - fig.value) <= fig.tolerance:
            return {"value": value, "class": METHOD, "row": row,
                    "rows": {"ours": row, "theirs": other_row},
                    **_reason("why_method", rule=_rules([alt], "en"), rule_ja=_rules([alt], "ja"),
                              value=format_value(other), **_rows_args(row, other_row))}
    found = _beyond_publisher(pub, fig, as_of, home, value, row, data_as_of)
    if found:
        b = fig.breakdown
        return {"value": value, "class": REVISED, "row": row, "rows": found,
                **_reason("why_revised_after_snapshot", value=format_value(value),
                          data_as_of=data_as_of, published=format_value(fig.value),
                          snapshot=str(pub.data_as_of), extra=found["extra"],
                          printed_in=b.printed_in, printed_in_ja=b.printed_in_ja or b.printed_in,
                          rows=_beyond_text(found, "en"), rows_ja=_beyond_text(found, "ja"))}
    return {"value": value, "class": NOT_REPRODUCED, "row": row,
            **_reason("why_not_reproduced" if fig.alternatives else "why_not_reproduced_no_alt",
                      value=format_value(value), published=format_value(fig.value), tolerance=tol,
                      rules=_rules(fig.alternatives, "en"), rules_ja=_rules(fig.alternatives, "ja"))}


def reconcile_figure(pub: Publication, fig: Figure, home=None) -> dict[str, Any]:
    """One published figure recomputed on its vintage and on today's data, both classified.

    Today's class is 'differs because the data was revised' when the vintage explains the figure
    and today's data does not; the explain rows that changed between the two are listed.
    """
    then, now = _on(pub, fig, pub.vintage, home), _on(pub, fig, None, home)
    # a figure explained on its vintage (reproduced, by another rule, or by rows added after the
    # publisher's snapshot) that today's data moves away from: the rows that moved are listed
    if then["class"] in (REPRODUCED, METHOD, REVISED) and now["class"] in (NOT_REPRODUCED, METHOD) \
            and now["value"] != then["value"]:
        cell = {k: v for k, v in (now["row"] or {}).items() if k in fig.compute.where}
        rows = rows_only_in(fig.compute.indicator, fig.compute.params, cell, pub.vintage, None,
                            home, ROWS_SHOWN)
        args = {"then": format_value(then["value"]), "vintage": str(pub.vintage),
                "now": format_value(now["value"])}
        now = now | {"class": REVISED, "rows": rows,
                     **(_reason("why_revised", **args, only_then=rows["only_in_a"],
                                only_now=rows["only_in_b"]) if "only_in_a" in rows
                        else _reason("why_revised_unexplained", **args, detail=rows.get("reason", "")))}
    return {"id": fig.id, "figure": fig.figure, "figure_ja": fig.figure_ja or fig.figure,
            "published": fig.value, "as_printed": fig.as_printed,
            "unit": fig.unit, "publisher": pub.publisher, "url": pub.url,
            "published_on": pub.published.isoformat(), "read_in": pub.reported_by[fig.read_in],
            "vintage": pub.vintage.isoformat(), "tolerance": fig.tolerance,
            "on_vintage": {k: v for k, v in then.items() if k != "row"},
            "today": {k: v for k, v in now.items() if k != "row"}}


def reconcile(home=None) -> list[dict[str, Any]]:
    """Every curated published figure, reconciled."""
    return [reconcile_figure(pub, fig, home) for pub in publications() for fig in pub.figures]


def markdown(rows: list[dict[str, Any]]) -> str:
    """The reconciliation as a Markdown page (docs/reconcile.md, regenerated by `make docs`)."""
    out = ["# Reconciling published figures", "",
           "Generated by `python -m aiatlas.report.reconcile --golden docs/reconcile.md` from the "
           "data mirror (`make docs`). Each figure another publisher printed is recomputed on the "
           "vintage its publisher could have used and on today's data; the classes are "
           f"*{REPRODUCED}* (within the stated tolerance), *{REVISED}* (explained on the vintage, "
           "not today, with the rows only one holds; or, where the publisher states a data "
           "snapshot older than the export and prints its own split of the figure, e.g. per "
           "organization, the rows beyond that split, which must add up to the whole difference), "
           f"*{METHOD}* (another rule, named, reproduces it; the row it reads instead is shown), "
           f"*{NOT_REPRODUCED}* and *{CANNOT}* (what is missing is said). Figures and sources: "
           "`src/aiatlas/curated/published/`.", "",
           "| figure | published | vintage | on the vintage | today | read in |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        cell = lambda side: (f"{format_value(side['value'])}: **{side['class']}** ({side['why']})"  # noqa: E731
                             if side["value"] is not None else f"**{side['class']}** ({side['why']})")
        out.append(f"| {r['figure']} (`{r['id']}`) | {r['as_printed']} ({r['unit']}, "
                   f"± {r['tolerance']:g}) | {r['vintage']} | {cell(r['on_vintage'])} | "
                   f"{cell(r['today'])} | [{r['publisher']}]({r['url']}), {r['published_on']}; "
                   f"[as reported]({r['read_in']}) |")
    return "\n".join(out) + "\n"


def build_mirror_home(home: Path, mirror: str) -> None:
    """Fetch the mirror into `home` and build today's warehouse and each publication's vintage."""
    api.fetch(mirror=mirror, home=home)
    api.build(home=home)
    for pub in publications():
        api.build(home=home, as_of=pub.vintage)


def main() -> None:
    """Write the golden reconciliation page from the data mirror (AIATLAS_MIRROR)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--golden", type=Path, required=True, help="Markdown file to write")
    args = parser.parse_args()
    mirror = os.environ.get("AIATLAS_MIRROR")
    if not mirror:
        raise SystemExit("set AIATLAS_MIRROR to the data mirror")
    with tempfile.TemporaryDirectory() as tmp:
        build_mirror_home(Path(tmp), mirror)
        args.golden.write_text(markdown(reconcile(home=tmp)), encoding="utf-8")


if __name__ == "__main__":
    main()
