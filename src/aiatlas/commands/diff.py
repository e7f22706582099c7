"""`aiatlas diff A B`: what changed between two builds, per table and per headline number."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from aiatlas import api
from aiatlas.commands._output import console, print_table
from aiatlas.errors import UsageError
from aiatlas.report.changes import headline_changes
from aiatlas.report.headlines import format_value
from aiatlas.report.reconcile import markdown
from aiatlas.report.reconcile import reconcile as run

SHOWN = 15  # names listed per kind in the terminal; --format json has them all (up to 500)
# The attributes whose change moves the headline numbers: said row by row in the terminal.
WATCHED = {"model_identity": ("country", "openness"), "models": ("countries", "open_weights")}


def diff(a: str = typer.Argument(..., help="Build A: 'latest', a vintage date or a build id"),
         b: str = typer.Argument("latest", help="Build B (default: latest)"),
         table: list[str] | None = typer.Option(None, "--table", "-t",
                                                   help="Only this table (repeatable)"),
         headlines: bool = typer.Option(True, "--headlines/--no-headlines",
                                        help="Also compare the report's headline numbers"),
         format: str = typer.Option("table", "--format", "-f", help="table or json"),
         home: Path | None = typer.Option(None, "--home", help="Data home")) -> None:
    """Rows added, removed and changed per table from build A to build B, and each headline's
    value in A and B with the source rows that explain the change."""
    if format not in ("table", "json"):
        raise UsageError(f"unknown format {format!r} for diff (expected table or json)")
    result = api.diff(a, b, home=home, tables=table)
    if headlines:
        result["headlines"] = headline_changes(result["a"]["as_of"], result["b"]["as_of"], home=home)
    if format == "json":
        sys.stdout.write(json.dumps(result, indent=2, default=str, ensure_ascii=False) + "\n")
        return
    _print(result)


def _label(build: dict[str, Any]) -> str:
    name = "latest" if build["as_of"] is None else f"vintage {build['as_of']}"
    return f"{name} (build {(build['build_id'] or '?')[:8]})"


def _print(result: dict[str, Any]) -> None:
    console.print(f"A = {_label(result['a'])}   B = {_label(result['b'])}", highlight=False)
    print_table([{"table": t["table"], "key": ", ".join(t["key"]) or "(whole row)",
                  "rows A": t["rows_a"], "rows B": t["rows_b"], "added": t["added"],
                  "removed": t["removed"], "changed": t["changed"]}
                 for t in result["tables"]], title="rows from A to B")
    for t in result["tables"]:
        if t["table"] not in WATCHED:
            continue
        for kind in ("added", "removed"):
            names = [r.get("name") or r.get(t["key"][0]) for r in t[f"{kind}_rows"]]
            if names:
                more = f" ... ({t[kind] - SHOWN} more)" if t[kind] > SHOWN else ""
                console.print(f"{t['table']} {kind} ({t[kind]}): "
                              + "; ".join(map(str, names[:SHOWN])) + more, highlight=False)
        moved = [(r, {c: v for c, v in r["changes"].items() if c in WATCHED[t["table"]]})
                 for r in t["changed_rows"]]
        moved = [(r, ch) for r, ch in moved if ch]
        if moved:
            print_table([{"model": r.get("name"), **{c: f"{ch[c][0]} -> {ch[c][1]}" if c in ch
                                                      else "" for c in WATCHED[t["table"]]}}
                         for r, ch in moved], title=f"{t['table']}: "
                        f"{' or '.join(WATCHED[t['table']])} changed ({len(moved)})", limit=SHOWN)
    if result.get("headlines"):
        print_table([_headline_row(h) for h in result["headlines"]], title="headlines, A -> B")


def _headline_row(h: dict[str, Any]) -> dict[str, Any]:
    def shown(side):
        if side["values"] is None:
            return f"n/a ({side['reason']})"
        return ", ".join(f"{v['label']} {format_value(v['value'])}" if v["label"]
                         else format_value(v["value"]) for v in side["values"])

    ex = h["explaining"] or {}
    cells = [c for c in ex.get("cells", []) if "only_in_a" in c]
    why = ex.get("reason") or (f"{sum(c['only_in_a'] for c in cells)} rows only in A, "
                               f"{sum(c['only_in_b'] for c in cells)} only in B" if cells else "")
    def period(p):
        return f" ({p})" if p is not None else ""
    return {"headline": h["key"], "A": shown(h["a"]) + period(h["period_a"]),
            "B": shown(h["b"]) + period(h["period_b"]),
            "changed": "yes" if h["changed"] else "", "rows explaining it": why}


def reconcile(format: str = typer.Option("table", "--format", "-f", help="table, json or md"),
              home: Path | None = typer.Option(None, "--home", help="Data home")) -> None:
    """Recompute figures others published (src/aiatlas/curated/published/) on the vintage their
    publisher could have used and on today's data, and classify each (reproduced / differs
    because the data was revised / differs by method / not reproduced / cannot be computed).
    Build the vintages first: aiatlas build --as-of DATE."""
    if format not in ("table", "json", "md"):
        raise UsageError(f"unknown format {format!r} for reconcile (expected table, json or md)")
    rows = run(home=home)
    if format == "json":
        sys.stdout.write(json.dumps(rows, indent=2, default=str, ensure_ascii=False) + "\n")
        return
    if format == "md":
        sys.stdout.write(markdown(rows))
        return
    shown = lambda s: (f"{format_value(s['value'])} " if s["value"] is not None else "") + s["class"]  # noqa: E731
    print_table([{"figure": r["id"], "published": r["as_printed"], "vintage": r["vintage"],
                  "on the vintage": shown(r["on_vintage"]), "today": shown(r["today"]),
                  "why (today)": r["today"]["why"]} for r in rows], title="published figures")
