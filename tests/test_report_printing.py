"""The PDF printer: a print document and the chart files it refers to, converted in a worker."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from aiatlas.report import printing


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(out, format="PNG")
    return out.getvalue()


def test_a_print_documents_chart_files_reach_the_pdf_and_nothing_is_left_beside_it(tmp_path):
    pdf = tmp_path / "report-en.pdf"
    (tmp_path / "index.html").write_text("a page already written", encoding="utf-8")
    html = ('<html><body><p>Two charts</p><img src="report-en.charts/1.png" alt="one">'
            '<img src="report-en.charts/2.png" alt="two"></body></html>')
    printing.print_all({pdf: (html, {"report-en.charts/1.png": _png("red"),
                                     "report-en.charts/2.png": _png("blue")})})
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # a missing file prints no image (WeasyPrint only warns): both are in the PDF
    assert len(re.findall(rb"/Subtype\s*/Image", data)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "report-en.pdf"]


@pytest.mark.slow  # a WeasyPrint process
def test_a_pdf_not_written_is_named_with_weasyprints_last_line_and_its_files_removed(tmp_path):
    pdf = tmp_path / "report-ja.pdf"
    pdf.mkdir()  # WeasyPrint cannot write the PDF where a folder is
    with pytest.raises(RuntimeError, match=r"PDF not written: report-ja\.pdf: IsADirectoryError"):
        printing.print_all({pdf: ("<p>x</p>", {"report-ja.charts/1.png": _png("red")})})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-ja.pdf"]


def test_an_error_in_the_build_while_printing_stops_the_printer_and_removes_its_files(tmp_path):
    pdf = tmp_path / "report-en.pdf"
    with pytest.raises(KeyError), printing.Printer() as printer:
        printer.start({pdf: ("<p>x</p>", {"report-en.charts/1.png": _png("red")})})
        proc = printer.running[0][2]
        raise KeyError("the build failed while the PDF was printing")
    assert proc.returncode is not None and printer.running == []
    assert list(tmp_path.iterdir()) == []
