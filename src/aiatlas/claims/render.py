"""A check Report as JSON, Markdown, HTML or flat rows for a terminal table."""
from __future__ import annotations

import html

from aiatlas import results
from aiatlas.claims.judge import human
from aiatlas.claims.model import Report

_MARK = {"supported": "✔ supported", "contradicted": "✘ contradicted", "unverifiable": "? unverifiable"}


def rows(report: Report) -> list[dict]:
    """One row per claim, and one per sentence that has a number but no claim."""
    out = []
    for s in report.sentences:
        for c in s.claims:
            v = c.verdict
            out.append({"#": s.index + 1, "claim": c.claim.text, "kind": c.claim.quantity.kind,
                        "verdict": v.verdict, "data": "" if v.actual is None else human(v.actual),
                        "tolerance": v.tolerance, "reason": v.reason})
        if not s.claims:
            out.append({"#": s.index + 1, "claim": s.text[:60], "kind": "", "verdict": "skipped",
                        "data": "", "tolerance": "", "reason": s.note})
    return out


def to_json(report: Report) -> str:
    return results.dumps(report.to_dict(), indent=2) + "\n"


def to_markdown(report: Report) -> str:
    """A Markdown report: counts, then each sentence with its claims and skipped numbers."""
    c = report.counts()
    out = [f"# Claim check: {report.source}", "",
           (f"{c['supported']} supported, {c['contradicted']} contradicted, "
            f"{c['unverifiable']} unverifiable."), ""]
    for s in report.sentences:
        out.append(f"**{s.index + 1}.** {s.text}")
        out.append("")
        for cc in s.claims:
            v = cc.verdict
            line = f"- `{cc.claim.text}` — **{_MARK[v.verdict]}**: {v.reason}"
            if v.tolerance:
                line += f" (tolerance: {v.tolerance})"
            out.append(line)
            for e in v.evidence:
                out.append(f"  - evidence: {_evidence_text(e)}")
        for sk in s.skipped:
            out.append(f"- skipped `{sk.text}`: {sk.reason}")
        if s.note:
            out.append(f"- {s.note}")
        out.append("")
    return "\n".join(out)


def to_html(report: Report) -> str:
    """A self-contained HTML page; its JSON twin is `--format json`."""
    esc = html.escape
    c = report.counts()
    body = [f"<h1>Claim check: {esc(report.source)}</h1>",
            (f"<p>{c['supported']} supported, {c['contradicted']} contradicted, "
             f"{c['unverifiable']} unverifiable.</p>")]
    for s in report.sentences:
        items = []
        for cc in s.claims:
            v = cc.verdict
            ev = "".join(f"<li>evidence: {esc(_evidence_text(e))}</li>" for e in v.evidence)
            tol = f" <small>(tolerance: {esc(v.tolerance)})</small>" if v.tolerance else ""
            items.append(f'<li class="{v.verdict}"><mark>{esc(cc.claim.text)}</mark> '
                         f"<b>{esc(_MARK[v.verdict])}</b>: {esc(v.reason)}{tol}<ul>{ev}</ul></li>")
        items += [f'<li class="skipped">skipped <code>{esc(k.text)}</code>: {esc(k.reason)}</li>'
                  for k in s.skipped]
        if s.note:
            items.append(f'<li class="skipped">{esc(s.note)}</li>')
        body.append(f'<section lang="{esc(s.lang)}"><p>{s.index + 1}. {esc(s.text)}</p>'
                    f"<ul>{''.join(items)}</ul></section>")
    style = (".supported b{color:#1a7f37}.contradicted b{color:#cf222e}.unverifiable b{color:#9a6700}"
             ".skipped{color:#666}body{font-family:sans-serif;max-width:60em;margin:auto}")
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>Claim check</title>'
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def _evidence_text(e) -> str:
    if e.kind == "fact":
        cite = e.citation or {}
        parts = [cite.get("publisher"), cite.get("title"), cite.get("url"), cite.get("published")]
        return f"fact {e.ref}: " + ", ".join(str(p) for p in parts if p)
    snaps = f"; snapshots {', '.join(e.snapshots)}" if e.snapshots else ""
    return f"{e.command} ({e.row_count} rows{snaps})"
