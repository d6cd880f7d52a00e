"""The minutes of a review as files: A4 PDF (WeasyPrint, from `reviews/minutes_pdf.html`)
and DOCX (python-docx). Approved minutes are printed from their frozen copy, with its
SHA-256, so a file made years later says exactly what was approved."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from pdca.reviews import services
from pdca.reviews.models import ManagementReview


def content_of(review: ManagementReview) -> dict[str, Any]:
    """The frozen minutes once approved, else the minutes as they stand now."""
    if review.status == ManagementReview.Status.APPROVED and review.minutes:
        return review.minutes
    return services.minutes_of(review)


def filename(review: ManagementReview, extension: str) -> str:
    system = slugify(review.system.name)[:40]
    return f"management-review-{review.meeting_date:%Y-%m-%d}-{system}.{extension}"


def local_time(value: str | None) -> str:
    """A time kept in the frozen minutes (ISO, UTC) as the organization reads it."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _context(review: ManagementReview) -> dict[str, Any]:
    content = content_of(review)
    return {
        "object": review,
        "minutes": content,
        "approved_at": local_time(content.get("approved_at")),
        "status": review.get_status_display(),
        "sha256": review.minutes_sha256,
        "generated_at": timezone.localtime().replace(microsecond=0),
    }


def minutes_html(review: ManagementReview) -> str:
    return render_to_string("reviews/minutes_pdf.html", _context(review))


def minutes_pdf(review: ManagementReview) -> bytes:
    from weasyprint import HTML

    return HTML(string=minutes_html(review)).write_pdf()


def _value(value: Any) -> str:
    return "–" if value is None or value == "" else str(value)


def minutes_docx(review: ManagementReview) -> bytes:
    from docx import Document
    from docx.shared import Pt

    m = content_of(review)
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_paragraph(m["organization"])
    doc.add_heading(f"Management review: {m['title']}", level=0)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Light List"
    for label, value in (
        ("Management system", m["system"]),
        ("Meeting date", m["meeting_date"]),
        ("Data as of", m["data_as_of"]),
        ("Chair", m["chair"]),
        ("Attendees", ", ".join(m["attendees"] + m["other_attendees"])),
        ("Status", review.get_status_display()),
        ("Approved", f"{m['approved_by']} {local_time(m['approved_at'])}".strip()),
        ("SHA-256", review.minutes_sha256),
    ):
        if value:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, str(value)
    if m["agenda"]:
        doc.add_heading("Agenda", level=1)
        doc.add_paragraph(m["agenda"])
    doc.add_heading("Inputs", level=1)
    for item in m["inputs"]:
        doc.add_heading(f"{item['title']} ({item['clauses']})", level=2)
        figures = item["figures"].get("figures", [])
        if figures:
            grid = doc.add_table(rows=0, cols=2)
            grid.style = "Light Grid"
            for fig in figures:
                cells = grid.add_row().cells
                cells[0].text, cells[1].text = fig["label"], _value(fig["value"])
        for line in item["figures"].get("rows", []):
            doc.add_paragraph(f"{line['label']}: {line['detail']}", style="List Bullet")
        if item["figures"].get("note"):
            doc.add_paragraph().add_run(item["figures"]["note"]).italic = True
        assessment = doc.add_paragraph()
        assessment.add_run("Assessment: ").bold = True
        assessment.add_run(item["assessment"] or "not written")
    doc.add_heading("Conclusions", level=1)
    doc.add_paragraph(m["conclusions"] or "not written")
    doc.add_heading("Decisions and actions", level=1)
    if m["outputs"]:
        grid = doc.add_table(rows=1, cols=4)
        grid.style = "Light Grid"
        for cell, text in zip(
            grid.rows[0].cells, ("Kind", "Decision or action", "Owner", "Due"), strict=True
        ):
            cell.text = text
        for out in m["outputs"]:
            cells = grid.add_row().cells
            cells[0].text = out["kind_label"]
            cells[1].text = out["title"] + (f"\n{out['description']}" if out["description"] else "")
            cells[2].text = out["owner"] or "–"
            cells[3].text = _value(out["due_date"])
    else:
        doc.add_paragraph("No decision or action was recorded.")
    buffer = io.BytesIO()
    doc.core_properties.title = f"Management review {m['title']}"
    doc.save(buffer)
    return buffer.getvalue()
