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
LOG_NAME = "print.log"  # WeasyPrint's messages, read when it fails


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
    """Write each PDF (path -> its print HTML and the files it refers to) and wait for them."""
    with Printer() as printer:
        printer.start(jobs)


class Printer:
    """PDFs written in worker processes while the build goes on. `start(jobs)` takes each PDF's
    path -> its print HTML and the files it refers to (by path relative to the PDF's folder),
    writes them beside the PDF and converts them, as many at once as there are cores (the rest as
    those end). Leaving the `with` block waits for every PDF, removes the print files and raises
    naming each PDF not written and WeasyPrint's last line; leaving it on an error stops them."""

    def __init__(self) -> None:
        self.todo: list[tuple[Path, tuple[str, dict[str, bytes]]]] = []
        self.running: list[tuple[Path, list[Path], subprocess.Popen]] = []

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.wait()
            return
        self.todo = []
        for pdf_path, written, proc in self.running:
            proc.kill()
            proc.wait()
            _remove(written, pdf_path.parent)
        self.running = []

    def start(self, jobs: dict[Path, tuple[str, dict[str, bytes]]]) -> None:
        check()
        self.todo.extend(jobs.items())
        self._fill()

    def _fill(self) -> None:
        while self.todo and len(self.running) < max(1, os.cpu_count() or 1):
            pdf_path, (html, files) = self.todo.pop(0)
            html_path = _beside(pdf_path, HTML_NAME)
            written = [html_path, _beside(pdf_path, LOG_NAME)] + [pdf_path.parent / n for n in files]
            for path, data in zip(written[2:], files.values(), strict=True):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            html_path.write_text(html, encoding="utf-8")
            # WeasyPrint's messages go to a file: a pipe nobody reads while the build writes its
            # pages would stop the worker once full
            with written[1].open("wb") as err:  # (the worker holds its own copy)
                self.running.append((pdf_path, written, subprocess.Popen(
                    drawing.python("from aiatlas.report.printing import main; main()",
                                   str(html_path), str(pdf_path)),
                    stdout=subprocess.DEVNULL, stderr=err)))

    def wait(self) -> None:
        """Wait for every PDF (see the class)."""
        errors = []
        while self.running:
            pdf_path, written, proc = self.running.pop(0)
            code = proc.wait()
            lines = _beside(pdf_path, LOG_NAME).read_text(encoding="utf-8", errors="replace").strip().splitlines()
            _remove(written, pdf_path.parent)
            if code != 0:
                last = next((ln for ln in reversed(lines) if ln.strip()), "")
                errors.append(f"{pdf_path.name}: {last or f'exit code {code}'}")
            self._fill()
        if errors:
            raise RuntimeError("PDF not written: " + "; ".join(errors))


def _beside(pdf_path: Path, name: str) -> Path:
    return pdf_path.with_name(f"{pdf_path.stem}.{name}")


def _remove(paths: list[Path], root: Path) -> None:
    """Remove the files and then the folders under root they leave empty."""
    for path in paths:
        path.unlink(missing_ok=True)
    for folder in sorted({p.parent for p in paths if p.parent != root}, key=lambda p: -len(p.parts)):
        with contextlib.suppress(OSError):  # (not empty: something else is in it)
            folder.rmdir()
