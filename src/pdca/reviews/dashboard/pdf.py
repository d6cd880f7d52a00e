"""The dashboard as an A4 PDF (WeasyPrint, from `reviews/dashboard_pdf.html`): the same
figures and charts as the page, in the house style of the other PDFs, to print for a
management meeting."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from pdca.reviews.dashboard.charts import charts
from pdca.reviews.dashboard.figures import Dashboard


def filename(dashboard: Dashboard) -> str:
    system = slugify(dashboard.system_name)[:40] or f"system-{dashboard.system_id}"
    return f"dashboard-{system}-{dashboard.today:%Y-%m-%d}.pdf"


def dashboard_html(dashboard: Dashboard) -> str:
    return render_to_string(
        "reviews/dashboard_pdf.html",
        {
            "d": dashboard,
            **charts(dashboard),
            "generated_at": timezone.localtime().replace(microsecond=0),
        },
    )


def dashboard_pdf(dashboard: Dashboard) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=dashboard_html(dashboard)).write_pdf())
