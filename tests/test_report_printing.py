"""The PDF printer: a print document and the chart files it refers to, converted in a worker."""
from __future__ import annotations

import io
import re

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
