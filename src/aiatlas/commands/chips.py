"""`aiatlas chips`: accelerators under US export controls, classified by rule set and date."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import typer

from aiatlas import api
from aiatlas.commands._output import console, err, print_table
from aiatlas.errors import UsageError

app = typer.Typer(help="Accelerators under US export-control rule sets (ECCN 3A090).",
                  no_args_is_help=True, add_completion=False)

RulesOpt = typer.Option(None, "--rules", help="Rule set id (see `aiatlas chips rules`)")
RulesAsOfOpt = typer.Option(None, "--rules-as-of",
                           help="Use the rule set in force on this date (YYYY-MM-DD)")
# --as-of means the data vintage on every other command; here it once meant the rule date and
# still does, with a notice (hidden from --help so new scripts use --rules-as-of)
OldAsOfOpt = typer.Option(None, "--as-of", hidden=True,
                          help="Old name of --rules-as-of (the rule date, not a data vintage)")
VintageOpt = typer.Option(None, "--data-as-of",
                          help="Read the chips from the data vintage built for this date "
                               "(aiatlas build --as-of); default: the current warehouse")
DestOpt = typer.Option(None, "--destination", help="Destination country (ISO code or name)")
FormatOpt = typer.Option("table", "--format", "-f", help="table, csv or json")
HomeOpt = typer.Option(None, "--home", help="Data home")

# The terminal table keeps what fits; csv and json carry every field (Epoch TPP, basis, ...).
LIST_COLUMNS = ("name", "maker_country", "release_date", "tpp", "tpp_mismatch", "pd", "status",
                "licence_required", "reason")


def _rules_date(rules_as_of: str | None, old_as_of: str | None) -> str | None:
    """The rule date from --rules-as-of, or from the old --as-of with a notice saying so."""
    if old_as_of is None:
        return rules_as_of
    if rules_as_of is not None and rules_as_of != old_as_of:
        raise UsageError("give the rule date once: --rules-as-of (--as-of is its old name)")
    err.print("note: on `aiatlas chips`, --as-of is the old name of --rules-as-of (the rule "
                  f"set in force on {old_as_of}); elsewhere --as-of picks a data vintage, so use "
                  "--rules-as-of here", style="yellow", highlight=False)
    return old_as_of


def _flat(value: Any) -> Any:
    """Lists become '; '-joined text for tables and CSV."""
    return "; ".join(map(str, value)) if isinstance(value, list) else value


def _emit(rows: list[dict[str, Any]], fmt: str, meta: dict[str, Any], columns=None,
          title: str = "") -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps({"meta": meta, "rows": rows}, indent=2, default=str,
                                    ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: _flat(v) for k, v in r.items()} for r in rows)
        return
    if fmt != "table":
        raise UsageError(f"unknown format {fmt!r} (expected table, csv or json)")
    cols = columns or (list(rows[0]) if rows else [])
    print_table([{c: _flat(r.get(c)) for c in cols} for r in rows], title=title)


@app.command("list")
def list_chips(rules: str | None = RulesOpt, rules_as_of: str | None = RulesAsOfOpt,
               destination: str | None = DestOpt, format: str = FormatOpt,
               home: Path | None = HomeOpt, data_as_of: str | None = VintageOpt,
               as_of: str | None = OldAsOfOpt) -> None:
    """Every accelerator: maker, release, computed and Epoch TPP, PD, status, licence, reason."""
    rules_as_of = _rules_date(rules_as_of, as_of)
    rows = api.chips(rules=rules, rules_as_of=rules_as_of, destination=destination, home=home,
                     as_of=data_as_of)
    used = rows[0]["rule_set"] if rows else rules
    cols = LIST_COLUMNS if destination else tuple(c for c in LIST_COLUMNS
                                                  if c != "licence_required")
    _emit(rows, format, {"rules": used, "rules_as_of": rules_as_of, "data_as_of": data_as_of,
                         "destination": destination},
          columns=cols, title=f"accelerators under {used or 'no rule set'}")


@app.command("classify")
def classify(name: str | None = typer.Argument(None, help="Chip name in the hardware table"),
             figure: list[str] | None = typer.Option(
                 None, "--figure", "-F",
                 help="A figure as written, e.g. '1.979 PFLOPS FP8 sparse', '624 TOPS (INT8)', "
                      "'826 mm2', '2 x 750 mm2', '900 GB/s NVLink'; repeat for each"),
             int8_tops: str | None = typer.Option(None, "--int8-tops", help="Dense INT8 TOPS"),
             int4_tops: str | None = typer.Option(None, "--int4-tops", help="Dense INT4 TOPS"),
             int16_tops: str | None = typer.Option(None, "--int16-tops", help="Dense INT16 TOPS"),
             fp4_tflops: str | None = typer.Option(None, "--fp4-tflops"),
             fp8_tflops: str | None = typer.Option(None, "--fp8-tflops"),
             fp16_tflops: str | None = typer.Option(None, "--fp16-tflops",
                                                    help="Dense FP16/BF16 tensor TFLOPS"),
             tf32_tflops: str | None = typer.Option(None, "--tf32-tflops"),
             fp32_tflops: str | None = typer.Option(None, "--fp32-tflops"),
             fp64_tflops: str | None = typer.Option(None, "--fp64-tflops"),
             die_area: str | None = typer.Option(None, "--die-area",
                                                 help="Logic die area of the package, mm^2"),
             io_bandwidth_gbs: str | None = typer.Option(
                 None, "--io-bandwidth-gbs", help="Aggregate bidirectional I/O, GB/s"),
             dies: int | None = typer.Option(
                 None, "--dies", help="Dies in the package: multiplies figures written 'per die'"),
             datacenter: bool | None = typer.Option(
                 None, "--datacenter/--not-datacenter",
                 help="Designed or marketed for data centers (default: unknown)"),
             rules: str | None = RulesOpt, rules_as_of: str | None = RulesAsOfOpt,
             destination: str | None = DestOpt, format: str = FormatOpt,
             home: Path | None = HomeOpt, data_as_of: str | None = VintageOpt,
             as_of: str | None = OldAsOfOpt) -> None:
    """Classify one chip, by name or from its datasheet figures; never guesses a missing one.

    A figure option takes a number in its unit or text with a unit ('1.979 PFLOPS', '1,979',
    '3958 sparse'); a figure marked sparse is halved, one marked per die is multiplied by
    --dies."""
    rules_as_of = _rules_date(rules_as_of, as_of)
    figures = {k: v for k, v in dict(
        int8_tops=int8_tops, int4_tops=int4_tops, int16_tops=int16_tops, fp4_tflops=fp4_tflops,
        fp8_tflops=fp8_tflops, fp16_tflops=fp16_tflops, tf32_tflops=tf32_tflops,
        fp32_tflops=fp32_tflops, fp64_tflops=fp64_tflops, die_area=die_area,
        io_bandwidth_gbs=io_bandwidth_gbs, datacenter=datacenter, figures=figure or None,
        dies=dies).items() if v is not None}
    result = api.classify_chip(name, rules=rules, rules_as_of=rules_as_of,
                               destination=destination, home=home, as_of=data_as_of, **figures)
    if format == "table":
        print_table([{"field": k, "value": _flat(v)} for k, v in result.items()],
                    title=result.get("name") or "chip")
        return
    _emit([result], format, {"rules": result["rule_set"], "rules_as_of": rules_as_of,
                             "data_as_of": data_as_of, "destination": destination})


@app.command("can-export")
def can_export(name: str = typer.Argument(..., help="Chip name in the hardware table, e.g. H20"),
               to: str = typer.Option(..., "--to", help="Destination country (ISO code or name)"),
               on: str | None = typer.Option(None, "--on", help="Date of the export (default today)"),
               format: str = FormatOpt, home: Path | None = HomeOpt,
               data_as_of: str | None = VintageOpt) -> None:
    """Yes / licence required / presumption of denial, with the rule, notice and deciding figures."""
    r = api.can_export(name, to=to, on=on, home=home, as_of=data_as_of)
    if format != "table":
        _emit([r], format, {"name": name, "to": to, "on": r["on"]})
        return
    caveat = " (resting on figures its maker has not confirmed)" if r["unconfirmed_inputs"] else ""
    if r["answer"] != "yes" and r["status"] == "not controlled" and r["notices"]:
        caveat = f" by a notice to its maker, below the 3A090 thresholds{caveat}"
    if r["scope"] and r["answer"] == "cannot tell":
        caveat = f": {r['scope']}{caveat}"
    elif r["scope"]:
        caveat = f"{caveat}, if US rules reach this chip at all (see scope)"
    console.print(f"{r['chip']} to {r['to']} on {r['on']}: [bold]{r['answer']}[/bold]{caveat}",
                  highlight=False)
    rows = [("scope", r["scope"]), ("rule set", f"{r['rule_set']} ({r['rule_citation']})"),
            ("status", r["status"]),
            ("reason", r["reason"]), ("notices", r["notices"]),
            ("review policy", r["policy"] and f"{r['policy']['policy']} ({r['policy']['id']}; "
             f"{'confirmed' if r['policy']['confirmed'] else 'NOT confirmed'}: "
             f"{r['policy']['citation']})"),
            ("figures", ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                                  for k, v in r["figures"].items())),
            ("missing", r["missing"]), ("figures from the supplement", r["figure_sources"]),
            ("not confirmed by the maker", r["unconfirmed_inputs"])]
    print_table([{"field": k, "value": _flat(v)} for k, v in rows if v])


@app.command("rules")
def rules_cmd(format: str = FormatOpt) -> None:
    """The rule sets: dates, whether enforced, licence scope and Federal Register citation."""
    sets = api.export_rule_sets()
    if format == "json":
        _emit(sets, "json", {})
        return
    rows = [{"id": s["id"], "effective": s["effective"], "superseded": s.get("superseded"),
             "enforced": s["enforced"], "licence": s["licence"].get("summary", ""),
             "citation": f"{s['citation']['federal_register']} ({s['citation']['date']})"}
            for s in sets]
    _emit(rows, format, {}, title="export-control rule sets")
