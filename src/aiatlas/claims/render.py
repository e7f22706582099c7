"""A check Report as JSON, Markdown, HTML or flat rows for a terminal table."""
from __future__ import annotations

import html

from aiatlas import results
from aiatlas.claims import words
from aiatlas.claims.model import Report

_SIGN = {"supported": "✔", "contradicted": "✘", "revised": "↻", "unverifiable": "?"}


def _mark(verdict: str, lang: str) -> str:
    return f"{_SIGN[verdict]} {words.VERDICT[lang][verdict]}"


def report_lang(report: Report) -> str:
    """The report's reader language: Japanese when most sentences are Japanese."""
    ja = sum(1 for s in report.sentences if s.lang in ("ja", "zh"))
    return "ja" if ja * 2 > len(report.sentences) else "en"


def counts_line(report: Report) -> str:
    """'3 supported, 1 contradicted, ...' in the report's language."""
    lang, c = report_lang(report), report.counts()
    sep = "、" if lang == "ja" else ", "
    return sep.join(f"{words.VERDICT[lang][k]} {n}" if lang == "ja" else f"{n} {words.VERDICT[lang][k]}"
                    for k, n in c.items())


def rows(report: Report) -> list[dict]:
    """One row per claim (sentence number, claim, subject, year, measure, data with as-of,
    verdict and reason in the sentence's language), and one per sentence without a claim."""
    lang = report_lang(report)
    head = words.COLUMNS[lang]
    out = []
    for s in report.sentences:
        for c in s.claims:
            d = words.describe(c)
            out.append({head["#"]: s.index + 1, **{head[k]: d[k] for k in (
                "claim", "subject", "year", "measure", "data", "verdict", "reason")}})
        if not s.claims:
            out.append({head["#"]: s.index + 1, head["claim"]: s.text[:60], head["subject"]: "",
                        head["year"]: "", head["measure"]: "", head["data"]: "",
                        head["verdict"]: words.VERDICT[lang]["skipped"], head["reason"]: s.note})
    return out


def to_json(report: Report) -> str:
    return results.dumps(report.to_dict(), indent=2) + "\n"


def to_markdown(report: Report) -> str:
    """A Markdown report: counts, then each sentence with its claims and skipped numbers."""
    out = [f"# Claim check: {report.source}", "", counts_line(report) + ".", ""]
    for s in report.sentences:
        out.append(f"**{s.index + 1}.** {s.text}")
        out.append("")
        for cc in s.claims:
            v = cc.verdict
            d = words.describe(cc)
            line = (f"- `{cc.claim.text}` — **{_mark(v.verdict, words.lang_of(cc))}**: "
                    f"{_bound(d)}{d['reason']}")
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
    body = [f"<h1>Claim check: {esc(report.source)}</h1>", f"<p>{esc(counts_line(report))}</p>"]
    for s in report.sentences:
        items = []
        for cc in s.claims:
            v = cc.verdict
            ev = "".join(f"<li>evidence: {esc(_evidence_text(e))}</li>" for e in v.evidence)
            tol = f" <small>(tolerance: {esc(v.tolerance)})</small>" if v.tolerance else ""
            d = words.describe(cc)
            items.append(f'<li class="{v.verdict}"><mark>{esc(cc.claim.text)}</mark> '
                         f"<b>{esc(_mark(v.verdict, words.lang_of(cc)))}</b>: "
                         f"{esc(_bound(d) + d['reason'])}{tol}<ul>{ev}</ul></li>")
        items += [f'<li class="skipped">skipped <code>{esc(k.text)}</code>: {esc(k.reason)}</li>'
                  for k in s.skipped]
        if s.note:
            items.append(f'<li class="skipped">{esc(s.note)}</li>')
        body.append(f'<section lang="{esc(s.lang)}"><p>{s.index + 1}. {esc(s.text)}</p>'
                    f"<ul>{''.join(items)}</ul></section>")
    style = (".supported b{color:#1a7f37}.contradicted b{color:#cf222e}.revised b{color:#0550ae}.unverifiable b{color:#9a6700}"
             ".skipped{color:#666}body{font-family:sans-serif;max-width:60em;margin:auto}")
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>Claim check</title>'
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def _bound(d: dict[str, str]) -> str:
    """'notable AI models by country · China · 2024 — ' : what the figure was bound to."""
    parts = [x for x in (d["measure"], d["subject"], d["year"]) if x]
    return " · ".join(parts) + " — " if parts else ""


def _evidence_text(e) -> str:
    if e.kind == "fact":
        cite = e.citation or {}
        parts = [cite.get("publisher"), cite.get("title"), cite.get("url"), cite.get("published")]
        return f"fact {e.ref}: " + ", ".join(str(p) for p in parts if p)
    snaps = f"; snapshots {', '.join(e.snapshots)}" if e.snapshots else ""
    return f"{e.command} ({e.row_count} rows{snaps})"
