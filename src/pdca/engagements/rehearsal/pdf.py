"""One run of the stage 1 rehearsal as an A4 PDF (WeasyPrint, from
`engagements/rehearsal/pdf.html`), in the house style of the other PDFs: the predicted
findings by grade with the requirement, the rule and where to fix it, the comparison with the
previous run, and the rules' digest."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from pdca.engagements.models import Rehearsal
from pdca.engagements.rehearsal.report import Report, report_for


def filename(rehearsal: Rehearsal) -> str:
    system = slugify(rehearsal.system.name)[:40] or f"system-{rehearsal.system_id}"
    return f"stage1-rehearsal-{system}-{timezone.localtime(rehearsal.run_at):%Y-%m-%d-%H%M}.pdf"


def rehearsal_html(report: Report, *, base_url: str = "") -> str:
    return render_to_string(
        "engagements/rehearsal/pdf.html",
        {
            "report": report,
            "r": report.rehearsal,
            "base_url": base_url,
            "generated_at": timezone.localtime().replace(microsecond=0),
        },
    )


def rehearsal_pdf(rehearsal: Rehearsal, *, base_url: str = "") -> bytes:
    """The run as PDF; `base_url` (the site's address) makes the "fix it" links absolute."""
    from weasyprint import HTML

    html = rehearsal_html(report_for(rehearsal), base_url=base_url)
    return bytes(HTML(string=html).write_pdf())
