"""The audit plan as an A4 PDF (WeasyPrint, from `audits/plan_pdf.html`), to send to the
auditees: the audit's scope, criteria, dates and team, and the timetable by day."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from pdca.audits.models import Audit


def plan_filename(audit: Audit) -> str:
    name = (audit.reference or f"audit-{audit.pk}").replace("/", "-").replace('"', "")
    return f"audit-plan-{name}.pdf"


def plan_html(audit: Audit) -> str:
    from pdca.audits.plan.views import plan_days

    return render_to_string(
        "audits/plan_pdf.html",
        {
            "audit": audit,
            "organization": audit.organization,
            "standards": list(audit.standards.order_by("name")),
            "sites": list(audit.sites.order_by("name")),
            "processes": list(audit.processes.order_by("code")),
            "team": list(audit.team.select_related("user").order_by("role", "pk")),
            "auditees": list(audit.auditees.order_by("full_name", "email")),
            "days": plan_days(audit),
            "generated_at": timezone.localtime().replace(microsecond=0),
        },
    )


def plan_pdf(audit: Audit) -> bytes:
    """The audit plan as an A4 PDF."""
    from weasyprint import HTML

    return HTML(string=plan_html(audit)).write_pdf()
