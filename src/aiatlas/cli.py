"""The aiatlas command line: one verb per user task, Rich tables and progress."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import typer

from aiatlas import api, compiled, standing
from aiatlas import composite_index as _composite
from aiatlas.commands import data as _data
from aiatlas.commands import entities as _entities
from aiatlas.commands import openalex as _openalex
from aiatlas.commands import publish as _publish
from aiatlas.commands._output import check_format, console, fmt, print_table, run, write_result
from aiatlas.commands.check import check as _check
from aiatlas.commands.chips import app as _chips_app
from aiatlas.commands.diff import diff as _diff
from aiatlas.commands.diff import reconcile as _reconcile
from aiatlas.commands.facts import facts as _facts
from aiatlas.commands.fetch import fetch as _fetch
from aiatlas.errors import UsageError
from aiatlas.results import dumps

app = typer.Typer(help="aiatlas: an open, reproducible index of the global AI race.",
                  no_args_is_help=True, add_completion=False)

HomeOpt = typer.Option(None, "--home", help="Data home (default: $AIATLAS_HOME or the user data dir)")
BackendOpt = typer.Option(None, "--backend", help="Engine: duckdb (default) or pyspark")
ParamOpt = typer.Option(None, "-p", "--param", help="Indicator parameter as key=value (repeatable)")
FormatOpt = typer.Option("table", "--format", "-f", help="table, csv, json or parquet")
AsOfOpt = typer.Option(None, "--as-of", metavar="DATE",
                       help="Read the vintage built for DATE (`aiatlas build --as-of DATE`)")


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{what} {item!r} is not key=value")
        out[key.strip()] = value
    return out

app.command("fetch")(_fetch)
app.command("facts")(_facts)

app.command("build")(_data.build)
app.command("rejects")(_data.rejects)
app.command("verify")(_data.verify)
app.command("builds")(_data.builds)
app.command("diff")(_diff)
app.command("reconcile")(_reconcile)

app.add_typer(_chips_app, name="chips")
app.command("check")(_check)


@app.command("list")
def list_cmd(chapter: str | None = typer.Option(None, help="Only this chapter"),
             format: str = typer.Option("table", "--format", "-f", help="table or json")) -> None:
    """List the indicators: id, title, unit, chapter, grain, parameters."""
    if format not in ("table", "json"):
        raise UsageError(f"unknown format {format!r} for list (expected table or json)")
    every = api.list_indicators()
    found = [i for i in every if chapter in (None, i["chapter"])]
    if not found:
        chapters = sorted({i["chapter"] for i in every})
        raise UsageError(f"no chapter {chapter!r} (chapters: {', '.join(chapters)})")
    if format == "json":
        sys.stdout.write(dumps(found, indent=2) + "\n")
        return
    rows = [{"id": i["id"], "title": i["title"], "unit": i["unit"], "chapter": i["chapter"],
             "grain": ", ".join(i["grain"]),
             "parameters": ", ".join(f"{p['name']}={p['default']}" for p in i["parameters"])}
            for i in found]
    print_table(rows, title="indicators")


@app.command()
def show(id: str, param: list[str] | None = ParamOpt, format: str = FormatOpt,
         out: Path | None = typer.Option(None, "--out", "-o"), home: Path | None = HomeOpt,
         backend: str | None = BackendOpt, as_of: str | None = AsOfOpt) -> None:
    """Compute one indicator and print or save it."""
    check_format(format, out)
    params = _pairs(param, "parameter")
    result = api.compute(id, home=home, backend=backend, as_of=as_of, **params)
    write_result(result, format, out)
    if as_of is None:
        # for the next process's fast path; a full disk must not fail a printed answer
        with contextlib.suppress(OSError):
            compiled.remember(id, params, result, home=home)


@app.command()
def explain(id: str, where: list[str] | None = typer.Option(None, "--where", "-w",
                                                               help="Grain filter col=value"),
            param: list[str] | None = ParamOpt, format: str = FormatOpt,
            out: Path | None = typer.Option(None, "--out", "-o"), home: Path | None = HomeOpt,
            backend: str | None = BackendOpt, as_of: str | None = AsOfOpt) -> None:
    """Show the source rows behind an indicator's values."""
    check_format(format, out)
    result = api.explain(id, where=_pairs(where, "--where"), home=home, backend=backend,
                         as_of=as_of, **_pairs(param, "parameter"))
    write_result(result, format, out)



def _lag_text(lag: dict) -> str:
    if lag.get("status") != "ok":
        return f"{lag['follower']} behind {lag['leader']}: {lag.get('status')}"
    low, high = lag["interval"]
    closing = {True: "closing", False: "not closing", None: "cannot tell"}[lag["closing"]]
    spread = ("not yet matched by the data's last month, so a lower bound" if lag["at_least"]
              else f"5-95%: {low:.1f} to {high:.1f}")
    return (f"{lag['follower']} behind {lag['leader']} (ECI, {lag['month']}): "
            f"{'at least ' if lag['at_least'] else ''}{lag['lag_months']:.1f} months ({spread}); "
            f"vs a year before: {closing}")


def _wrote_json(format: str, command: str, make) -> object | None:
    """Check a table|json format; with json, write make()'s result and return None, else return it."""
    if format not in ("table", "json"):
        raise UsageError(f"unknown format {format!r} for {command} (expected table or json)")
    value = make()
    if format == "json":
        sys.stdout.write(dumps(value, indent=2) + "\n")
        return None
    return value


@app.command()
def country(code: str, per: str | None = typer.Option(None, "--per", help="capita or million"),
            format: str = typer.Option("table", "--format", "-f", help="table or json"),
            home: Path | None = HomeOpt) -> None:
    """A country's profile: every indicator's latest value, rank, trend and the rows behind it."""
    p = _wrote_json(format, "country", lambda: standing.profile(code, home=home, per=per))
    if p is None:
        return
    rows = [{"indicator": e["id"], "period": " ".join((e.get("period") or {}).values()),
             "value": e.get("value"), "unit": e["unit"],
             "rank": f"{e['rank']} of {e['of']}" if e.get("rank") else "",
             "trend": e.get("trend") or "", "change %": e.get("change_pct"),
             "rows": (e.get("rows") or {}).get("cli") or e.get("status")} for e in p["indicators"]]
    print_table(rows, title=f"{p['names']['en']} ({p['names']['ja']}) {p['country']}")
    console.print(_lag_text(p["lag"]), highlight=False)


_CLOSING = {True: "yes", False: "no", None: "cannot tell"}


@app.command()
def compare(codes: list[str], per: str | None = typer.Option(None, "--per", help="capita or million"),
            format: str = typer.Option("table", "--format", "-f", help="table or json"),
            home: Path | None = HomeOpt) -> None:
    """Countries head to head: who leads each dimension, by how much, and whether the gap closes."""
    c = _wrote_json(format, "compare", lambda: standing.compare(codes, home=home, per=per))
    if c is None:
        return
    rows, notes = [], []
    for d in c["dimensions"]:
        row = {"indicator": d["id"], "period": " ".join((d.get("period") or {}).values())}
        for code in c["countries"]:
            value, thin = (d.get("values") or {}).get(code), (d.get("thin") or {}).get(code)
            row[code] = ("no data" if code in d.get("absent", ()) else value if thin is None
                         else f"{fmt(value)} (n={thin}, too few to lead)")
        row["leader"] = d.get("leader") or d.get("status")
        notes += [f"{d['id']}: {code}'s own latest value is of {' '.join(p.values())}; the table "
                  "compares the newest period every country has" for code, p in (d.get("newer") or {}).items()]
        gaps = d.get("gaps") or {}
        row["ratio"] = "; ".join(f"{k} {g['ratio']:.3g}x" for k, g in gaps.items() if g["ratio"])
        row["gap closing"] = "; ".join(f"{k} {_CLOSING[g['closing']]}" for k, g in gaps.items())
        rows.append(row)
    print_table(rows, title=" vs ".join(c["countries"]))
    for note in notes:
        console.print(note, highlight=False)
    for lag in c["lags"]:
        console.print(_lag_text(lag), highlight=False)


@app.command()
def composite(weight: list[str] | None = typer.Option(None, "--weight", "-w",
                                                         help="pillar=weight (repeatable), e.g. compute=0.5"),
              per: str | None = typer.Option(None, "--per", help="capita or million"),
              draws: int = typer.Option(1000, help="Dirichlet weight draws for rank ranges"),
              country: str | None = typer.Option(None, "--country", "-c",
                                                    help="Show how this country's score adds up"),
              format: str = typer.Option("table", "--format", "-f", help="table or json"),
              home: Path | None = HomeOpt) -> None:
    """The composite index: score, rank and its range under random weights, missing pillars."""
    try:
        user = {k: float(v) for k, v in _pairs(weight, "--weight").items()}
    except ValueError:
        raise UsageError("--weight expects pillar=number, e.g. compute=0.5") from None
    c = _wrote_json(format, "composite",
                    lambda: _composite.composite(weights_=user, per=per, draws=draws, home=home))
    if c is None:
        return
    if country:
        code = standing.country_code(country)
        row = next((r for r in c["countries"] if r["country"] == code), None)
        if row is None:
            raise UsageError(f"{code} has no data in any pillar of the composite")
        print_table([{"pillar": p, "weight": c["weights"][p], "pillar score": row["pillar_scores"].get(p),
                      "contribution": row["contributions"].get(p),
                      "indicators": ", ".join(f"{i}={v['raw'].get(code)}" for i, v in c["inputs"][p].items())}
                     for p in c["weights"]],
                    title=f"{code}: score {row['score']:.4f} = sum of contributions" if row["score"] is not None
                    else f"{code}: no score ({row['unranked']})")
        return
    print_table([{"rank": r["rank"] or "", "country": r["country"], "score": r["score"],
                  "rank 5-95%": f"{r['rank_p5']}-{r['rank_p95']}" if "rank_p5" in r else "",
                  "coverage": r["coverage"], "missing pillars": ", ".join(r["missing_pillars"]),
                  "note": r.get("unranked", "")} for r in c["countries"]],
                title="composite index (weights: " + ", ".join(f"{k}={v:.2f}" for k, v in c["weights"].items()) + ")")



app.add_typer(_entities.app, name="entities")
app.add_typer(_openalex.app, name="openalex")
app.add_typer(_openalex.synth_app, name="synth")


_publish.register(app)


def main() -> None:
    """Entry point: run the app, turning aiatlas errors into one-line messages and exit codes."""
    run(app, prog_name="aiatlas")  # as `aiatlas check` names itself, however started
