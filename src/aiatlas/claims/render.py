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
    line = sep.join(f"{words.VERDICT[lang][k]} {n}" if lang == "ja" else f"{n} {words.VERDICT[lang][k]}"
                    for k, n in c.items())
    if report.dated:  # what 'last year' was counted from
        line += f"（{words.LABELS[lang]['dated']}: {report.dated}）" if lang == "ja" else \
            f"; {words.LABELS[lang]['dated']} {report.dated}"
    return line


def _lang(s) -> str:
    return "ja" if s.lang in ("ja", "zh") else "en"


def rows(report: Report) -> list[dict]:
    """One row per claim (sentence number, claim, subject, year, measure, data with as-of,
    verdict, reason and allowance in the sentence's language), and one per sentence without a
    claim."""
    lang = report_lang(report)
    head = words.COLUMNS[lang]
    keys = ("claim", "subject", "year", "measure", "data", "verdict", "reason", "tolerance")
    out = []
    for s in report.sentences:
        for c in s.claims:
            d = words.describe(c)
            out.append({head["#"]: s.index + 1, **{head[k]: d[k] for k in keys}})
        if not s.claims:
            out.append({head["#"]: s.index + 1, **dict.fromkeys((head[k] for k in keys), ""),
                        head["claim"]: s.text[:60], head["verdict"]: words.VERDICT[lang]["skipped"],
                        head["reason"]: words.note([k.reason for k in s.skipped], lang)})
    return out


def title(report: Report) -> str:
    """The terminal table's title: 'claims in FILE' / '数値の主張: FILE'."""
    lang = report_lang(report)
    sep = ": " if lang == "ja" else " "
    return f"{words.LABELS[lang]['claims_in']}{sep}{report.source}"


def to_json(report: Report) -> str:
    return results.dumps(report.to_dict(), indent=2) + "\n"


def to_markdown(report: Report) -> str:
    """A Markdown report: counts, then each sentence with its claims and skipped numbers."""
    label = words.LABELS[report_lang(report)]
    out = [f"# {label['title']}: {report.source}", "", counts_line(report), ""]
    for s in report.sentences:
        lang, lab = _lang(s), words.LABELS[_lang(s)]
        out.append(f"**{s.index + 1}.** {s.text}")
        out.append("")
        for cc in s.claims:
            v = cc.verdict
            d = words.describe(cc)
            line = (f"- `{cc.claim.text}` — **{_mark(v.verdict, words.lang_of(cc))}**: "
                    f"{_bound(d)}{d['reason']}")
            if d["tolerance"]:
                line += f" ({lab['tolerance']}: {d['tolerance']})"
            out.append(line)
            for e in v.evidence:
                out.append(f"  - {lab['evidence']}: {_evidence_md(e, lang)}")
        for sk in s.skipped:
            out.append(f"- {lab['skipped']} `{sk.text}`: {words.skipped(sk.reason, lang)}")
        if s.note:
            out.append(f"- {words.note([k.reason for k in s.skipped], lang)}")
        out.append("")
    return "\n".join(out)


def to_html(report: Report) -> str:
    """A self-contained HTML page; its JSON twin is `--format json`."""
    esc = html.escape
    rlang = report_lang(report)
    body = [f"<h1>{esc(words.LABELS[rlang]['title'])}: {esc(report.source)}</h1>",
            f"<p>{esc(counts_line(report))}</p>"]
    for s in report.sentences:
        lang, lab = _lang(s), words.LABELS[_lang(s)]
        items = []
        for cc in s.claims:
            v = cc.verdict
            ev = "".join(f'<li>{esc(lab["evidence"])}: {_evidence_html(e, lang)}</li>'
                         for e in v.evidence)
            d = words.describe(cc)
            tol = (f" <small>({esc(lab['tolerance'])}: {esc(d['tolerance'])})</small>"
                   if d["tolerance"] else "")
            items.append(f'<li class="{v.verdict}"><mark class="claim">{esc(cc.claim.text)}</mark> '
                         f"<b>{esc(_mark(v.verdict, words.lang_of(cc)))}</b>: "
                         f"{esc(_bound(d) + d['reason'])}{tol}<ul>{ev}</ul></li>")
        items += [f'<li class="skipped">{esc(lab["skipped"])} <code>{esc(k.text)}</code>: '
                  f"{esc(words.skipped(k.reason, lang))}</li>" for k in s.skipped]
        if s.note:
            items.append(f'<li class="skipped">{esc(words.note([k.reason for k in s.skipped], lang))}</li>')
        body.append(f'<section lang="{esc(s.lang)}"><p class="sentence">{s.index + 1}. {esc(s.text)}</p>'
                    f"<ul>{''.join(items)}</ul></section>")
    style = (".supported b{color:#1a7f37}.contradicted b{color:#cf222e}.revised b{color:#0550ae}.unverifiable b{color:#9a6700}"
             ".skipped{color:#666}body{font-family:sans-serif;max-width:60em;margin:auto;padding:0 .5em}"
             "li,code,cite{overflow-wrap:anywhere}")
    return (f'<!doctype html><html lang="{rlang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(words.LABELS[rlang]['title'])}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def _bound(d: dict[str, str]) -> str:
    """'notable AI models by country · China · 2024 — ' : what the figure was bound to."""
    parts = [x for x in (d["measure"], d["subject"], d["year"]) if x]
    return " · ".join(parts) + " — " if parts else ""


def _evidence_parts(e, lang: str) -> tuple[str, str]:
    """(words, quoted part): a fact's label and citation, or a command and its row count."""
    lab = words.LABELS[lang]
    if e.kind == "fact":
        cite = e.citation or {}
        parts = [cite.get("publisher"), cite.get("title"), cite.get("url"), cite.get("published")]
        return f"{lab['fact']} {e.ref}", ", ".join(str(p) for p in parts if p)
    snaps = f"; {lab['snapshots']} {', '.join(e.snapshots)}" if e.snapshots else ""
    return e.command, f"{e.row_count} {lab['rows']}{snaps}"


def _evidence_md(e, lang: str) -> str:
    first, rest = _evidence_parts(e, lang)
    if e.kind == "fact":
        return f"{first}: {rest}"
    return f"`{first}` ({rest})"


def _evidence_html(e, lang: str) -> str:
    """Commands and citations are quoted as written (code, cite), never translated."""
    esc = html.escape
    first, rest = _evidence_parts(e, lang)
    if e.kind == "fact":
        return f'{esc(first.split(" ")[0])} <code>{esc(e.ref)}</code>: <cite>{esc(rest)}</cite>'
    return f"<code>{esc(first)}</code> ({esc(rest)})"
