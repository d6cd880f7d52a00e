"""Reading the files pdca writes, for tests that check what they say, not only their type."""

from __future__ import annotations

import io
import shutil
import subprocess


def pdf_text(data: bytes) -> str:
    """The text of a PDF, laid out as on the page (poppler's pdftotext, installed by CI)."""
    assert data.startswith(b"%PDF-"), data[:20]
    program = shutil.which("pdftotext")
    assert program, "pdftotext is missing: apt-get install poppler-utils"
    done = subprocess.run(  # noqa: S603  (a fixed program on our own bytes)
        [program, "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def docx_text(data: bytes) -> str:
    """The paragraphs and table cells of a DOCX, one per line."""
    from docx import Document

    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)
