"""What a reader takes away from an indicator view: the citation (plain and BibTeX, en/ja), and
the download zip holding the CSV of exactly the rows shown, a metadata JSON and a README."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from aiatlas.report import sources as source_lines
from aiatlas.report.build import footnotes, source_info
from aiatlas.report.i18n import LANGS, Text
from aiatlas.results import Result, dumps
from aiatlas.sources import registry
from aiatlas.web.security import redact

# The zip is built in memory: a view whose CSV is larger than this is refused (413) with the
# hint to narrow it by country or time. The largest indicator CSV of a full build is ~2 MB.
MAX_CSV_BYTES = 32 * 1024 * 1024
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times: the same view gives the same bytes (ETag)
PROJECT = "aiatlas"


class TooLarge(ValueError):
    """The view is too large to zip in memory."""


def sources(provenance: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The files read, with publisher, licence and citation; no folders of this machine."""
    notes = footnotes(provenance or [], source_info())
    return [{k: (redact(str(v)) if k == "url" and v else v) for k, v in n.items()} for n in notes]


def citation(*, title: str, indicator: str, build: dict[str, Any], as_of: dt.date | None,
             url: str, publishers: list[str], lang: str) -> dict[str, str]:
    """The plain citation line in the reader's language, and a BibTeX entry."""
    text = Text(lang)
    built = build.get("built_at")
    year = built.year if isinstance(built, dt.datetime) else dt.date.today().year
    build_id = str(build.get("build_id") or "")
    date = as_of.isoformat() if as_of else text("as_of_unknown")
    data = ", ".join(p for p in publishers if p) or PROJECT
    plain = text("cite_plain", project=PROJECT, year=year, title=title, build=build_id[:12],
                 date=date, data=data, url=url)
    key = re.sub(r"\W+", "_", f"{PROJECT}_{indicator}_{year}")
    bibtex = (f"@misc{{{key},\n  author = {{{{{PROJECT}}}}},\n  title = {{{_bib(title)}}},\n"
              f"  year = {{{year}}},\n  howpublished = {{\\url{{{url}}}}},\n"
              f"  note = {{Build {build_id[:12]}; data as of {date}; data: {_bib(data)}}}\n}}")
    return {"plain": plain, "bibtex": bibtex}


def _bib(s: str) -> str:
    return re.sub(r"([{}%&$#_])", r"\\\1", s)


def metadata(result: Result, *, meta: dict[str, Any], title: str, build: dict[str, Any],
             url: str, cite: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What the CSV is: indicator, parameters, view, build, data as-of, sources with licences."""
    rm = result.meta
    as_of = registry.data_as_of(result.provenance)
    return {"indicator": meta["id"], "title": title, "unit": rm.get("unit") or meta.get("unit"),
            "description": meta.get("description"), "grain": meta.get("grain"),
            "parameters": rm.get("params", {}), "view": rm.get("view", {}),
            "rows": result.table.num_rows, "columns": result.table.column_names,
            "build_id": build.get("build_id"), "built_at": build.get("built_at"),
            "aiatlas_version": build.get("aiatlas_version"), "vintage": rm.get("vintage"),
            "data_as_of": as_of.isoformat() if as_of else None, "url": url,
            "sources": sources(result.provenance), "citation": cite}


def package(result: Result, meta: dict[str, Any], build: dict[str, Any], url: str) -> bytes:
    """The zip of a view: its rows (already narrowed to the view), metadata and citations."""
    as_of = registry.data_as_of(result.provenance)
    publishers = [line["publisher"] for line in source_lines.lines(sources(result.provenance))]
    cites = {lang: citation(title=Text(lang).title(meta), indicator=meta["id"], build=build,
                            as_of=as_of, url=url, publishers=publishers, lang=lang) for lang in LANGS}
    md = metadata(result, meta=meta, title=meta["title"], build=build, url=url, cite=cites)
    return zip_bytes(result, md)


def readme(md: dict[str, Any], csv_name: str) -> str:
    """A README for the zip: what the file holds, how it was made, how to cite it."""
    lines = [f"# {md['title']}", "", f"`{csv_name}`: {md['rows']} rows of the view at {md['url']}",
             f"(indicator `{md['indicator']}`, unit: {md['unit']}).", "", md.get("description") or "", "",
             f"- Build: {md['build_id']} ({md['built_at']}), data as of {md['data_as_of'] or 'unknown'}",
             f"- Parameters: {dumps({k: v for k, v in md['parameters'].items() if v is not None})}", f"- View: {dumps(md['view'])}", "",
             "## Sources", ""]
    for line in source_lines.lines(md["sources"]):
        lic = ", ".join(line["licences"]) or "licence not stated (attribution requested)"
        lines.append(f"- {line['publisher']}: {'; '.join(line['datasets'])} ({lic}; as of {line['as_of']})")
    lines += ["", "Every file read, with its checksum, is listed in `metadata.json`.", "",
              "## Cite as", ""]
    lines += [md["citation"][lang]["plain"] + "\n" for lang in LANGS]
    lines += ["```bibtex", md["citation"]["en"]["bibtex"], "```", ""]
    return "\n".join(lines)


def zip_bytes(result: Result, md: dict[str, Any]) -> bytes:
    """The zip: <id>.csv (the API's CSV of the same view), metadata.json, README.md."""
    csv = result.to_csv().encode("utf-8")
    if len(csv) > MAX_CSV_BYTES:
        raise TooLarge(f"the view's CSV is {len(csv)} bytes, over the zip's {MAX_CSV_BYTES}; "
                         "narrow it with country= or time=")
    name = f"{md['indicator']}.csv"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for fname, body in ((name, csv), ("metadata.json", dumps(md, indent=2).encode("utf-8")),
                            ("README.md", readme(md, name).encode("utf-8"))):
            info = zipfile.ZipInfo(fname, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
    return buf.getvalue()
