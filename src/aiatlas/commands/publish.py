"""`aiatlas report` and `aiatlas serve`: the static report and the HTTP API with its dashboard."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from aiatlas.commands._output import console

OutOpt = typer.Option(Path("out/report"), "--out", help="Directory to write the site into")
LangOpt = typer.Option("en", "--lang", help="en, ja, or both as en,ja (built together, each into OUT/<lang>/)")
PdfOpt = typer.Option(False, "--pdf", help="Also write report-<lang>.pdf (WeasyPrint)")
HomeOpt = typer.Option(None, "--home", help="Data home")
HostOpt = typer.Option("127.0.0.1", "--host")
PortOpt = typer.Option(8000, "--port")
WorkersOpt = typer.Option(None, "--workers", min=1,
                          help="Server processes (default: one per core; 1: a single process)")


def report(out: Path = OutOpt, lang: str = LangOpt, pdf: bool = PdfOpt,
           home: Path | None = HomeOpt,
           as_of: str | None = typer.Option(None, "--as-of", metavar="DATE",
                                            help="Report on the vintage built for DATE")) -> None:
    """Write the static report (HTML, CSV/JSON twins, optional PDF) and print the headline numbers."""
    from aiatlas.report.build import build_reports
    from aiatlas.report.headlines import format_value
    from aiatlas.report.i18n import Text

    langs = [x.strip() for x in lang.split(",") if x.strip()]
    results = build_reports(out, langs=langs, pdf=pdf, home=home, as_of=as_of)
    result, text = results[langs[0]], Text(langs[0])
    table = Table(title=text("headlines"))
    for col in ("headline", "value", "indicator"):
        table.add_column(col, overflow="fold")
    for h in result["headlines"]:
        value = (", ".join(f"{v['label']} {format_value(v['value'])}" if v["label"]
                           else format_value(v["value"]) for v in h["values"])
                 + (f" {h['unit']}" if h.get("unit") else "")
                 if h["available"] else f"[yellow]{text('not_available')}[/yellow] ({h['reason']})")
        period = f" ({h['period']})" if h.get("period") is not None else ""
        basis = f"; {text(h['basis']['key'], **h['basis']['args'])}" if h.get("basis") else ""
        table.add_row(text.headline(h["key"]) + period + basis, value, h["indicator"])
    console.print(table)
    for reason, ids in not_shown(result["failed"]).items():  # one line per reason, not per id
        console.print(f"[yellow]{len(ids)} indicator{'s' * (len(ids) > 1)} not shown[/yellow] "
                      f"({', '.join(ids)}): {reason}", highlight=False)
    for done in results.values():
        console.print(f"report: {done['index'].resolve()}")
        if done["pdf"]:
            console.print(f"pdf: {done['pdf'].resolve()}")


def not_shown(failed: dict[str, object]) -> dict[str, list[str]]:
    """The indicators a report left out, grouped by their reason (each error's own 'id: ' prefix
    dropped): six OpenAlex indicators missing for one reason are one line."""
    groups: dict[str, list[str]] = {}
    for id, error in failed.items():
        reason = str(error).removeprefix(f"{id}: ")
        groups.setdefault(reason, []).append(id)
    return groups


def serve(host: str = HostOpt, port: int = PortOpt, home: Path | None = HomeOpt,
          workers: int | None = WorkersOpt,
          access_log: bool = typer.Option(True, "--access-log/--no-access-log",
                                          help="A log line per request (default: on)")) -> None:
    """Serve the read-only HTTP API (/api, /docs) and the dashboard."""
    from aiatlas.web import serving

    serving.run(host=host, port=port, home=home, workers=workers, access_log=access_log)


def register(app: typer.Typer) -> None:
    """Add the publish commands to the main CLI."""
    app.command("report")(report)
    app.command("serve")(serve)
