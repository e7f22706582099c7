"""The PDF: each language's print document converted by WeasyPrint in its own process, so the
languages of one build print at the same time (WeasyPrint is pure Python: one core each)."""
from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from aiatlas.errors import UsageError
from aiatlas.report import drawing

HTML_NAME = "print.html"  # the print document, kept beside the PDF only while it is converted


def check() -> None:
    """A UsageError saying how to get WeasyPrint, when it is not installed."""
    if importlib.util.find_spec("weasyprint") is None:
        raise UsageError("--pdf needs WeasyPrint (not installed)", hint="pip install 'aiatlas[pdf]'")


def convert(html_path: Path, pdf_path: Path) -> None:
    """One print document to PDF, its links resolved beside it (run in a worker process)."""
    import weasyprint

    weasyprint.HTML(filename=str(html_path), base_url=str(html_path.parent),
                    encoding="utf-8").write_pdf(pdf_path)


def main(argv: list[str] | None = None) -> None:
    """A worker: `convert(HTML, PDF)` for the two paths given."""
    html_path, pdf_path = (argv or sys.argv[1:])[:2]
    convert(Path(html_path), Path(pdf_path))


def print_all(jobs: dict[Path, tuple[str, dict[str, bytes]]]) -> None:
    """Write each PDF (path -> its print HTML and the files it refers to, by path relative to
    the PDF's folder) in worker processes, as many at once as there are cores; a failure names
    the PDF and WeasyPrint's last line. The print HTML and its files are written beside the PDF
    and removed once converted."""
    check()
    todo = list(jobs.items())
    running: list[tuple[Path, list[Path], subprocess.Popen]] = []
    errors = []
    while todo or running:
        while todo and len(running) < max(1, os.cpu_count() or 1):
            pdf_path, (html, files) = todo.pop(0)
            html_path = pdf_path.with_name(f"{pdf_path.stem}.{HTML_NAME}")
            written = [html_path] + [pdf_path.parent / name for name in files]
            for path, data in zip(written[1:], files.values(), strict=True):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            html_path.write_text(html, encoding="utf-8")
            running.append((pdf_path, written, subprocess.Popen(
                drawing.python("from aiatlas.report.printing import main; main()",
                               str(html_path), str(pdf_path)),
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)))
        pdf_path, written, proc = running.pop(0)
        _, err = proc.communicate()
        _remove(written, pdf_path.parent)
        if proc.returncode != 0:
            last = next((ln for ln in reversed(err.strip().splitlines()) if ln.strip()), "")
            errors.append(f"{pdf_path.name}: {last or f'exit code {proc.returncode}'}")
    if errors:
        raise RuntimeError("PDF not written: " + "; ".join(errors))


def _remove(paths: list[Path], root: Path) -> None:
    """Remove the files and then the folders under root they leave empty."""
    for path in paths:
        path.unlink(missing_ok=True)
    for folder in sorted({p.parent for p in paths if p.parent != root}, key=lambda p: -len(p.parts)):
        with contextlib.suppress(OSError):  # (not empty: something else is in it)
            folder.rmdir()
