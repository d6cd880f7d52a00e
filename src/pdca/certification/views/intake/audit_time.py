"""An application's audit-time page: the form (adjustments up or down, each with its reason;
the stage 1 share; entered days for standards without a table; the multi-site sample), and
the kept result of every standard with each step that reached it, provisional facts flagged;
its PDF. Thin: the rules are in `certification.services.audit_time`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from pdca.certification.forms import AuditTimeForm
from pdca.certification.models import Application
from pdca.certification.services.audit_time import (
    OPEN_STATUSES,
    calculate_application_time,
    scheme_of,
    site_sample,
)
from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.permissions import may
from pdca.core.views import file_response, member_required, object_for_page


def _application(request, pk: int) -> Application:
    return object_for_page(
        request,
        Application.objects.filter(organization=request.organization).select_related(
            "client", "organization"
        ),
        pk,
    )


def time_context(application: Application) -> dict[str, Any]:
    """What the page and the PDF show: each kept calculation with its result, the sample."""
    calculations = list(
        application.calculations.select_related("standard", "calculated_by").order_by(
            "standard__code"
        )
    )
    sampling = next(
        (c.inputs.get("sampling") for c in calculations if c.inputs.get("sampling")), None
    )
    return {
        "application": application,
        "calculations": calculations,
        "sampling": sampling,
        "provisional": any(c.result.get("provisional") for c in calculations)
        or bool(sampling and sampling.get("provisional")),
    }


def _form_errors(form: AuditTimeForm, exc: ValidationFailed) -> None:
    for error in exc.errors:
        field = error.field
        if field.startswith("adjustments["):
            index = field[len("adjustments[") :].split("]")[0]
            part = "reason" if field.endswith(".reason") else "percent"
            field = f"adjustment_{index}_{part}"
        elif "." in field and field.split(".", 1)[0] in ("days", "justification"):
            head, code = field.split(".", 1)
            field = f"{head}_{code}"
        elif field in ("stage", "risk_increase", "chosen"):
            field = {"stage": "sampling_stage"}.get(field, field)
        form.add_error(field if field in form.fields else None, error.message)


@member_required
def audit_time(request, pk: int):
    application = _application(request, pk)
    can_change = may(request.user, "change", application) and application.status in OPEN_STATUSES
    standards = list(application.standards.order_by("code"))
    entered = [s for s in standards if scheme_of(s)[0] == "entered"]
    form = AuditTimeForm(request.POST or None, entered=entered)
    status = 200
    if request.method == "POST":
        if not can_change:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("Only the body's manager calculates, before the review.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                sample = site_sample(
                    application,
                    stage=data.get("sampling_stage") or "initial",
                    risk_increase=data.get("risk_increase") or 0,
                    seed=data.get("seed"),
                )
                calculate_application_time(
                    application,
                    actor=request.user,
                    adjustments=form.adjustments(),
                    stage1_share=float(data["stage1_share"]),
                    days=form.days(),
                    justification=form.justifications(),
                    sample=sample,
                )
            except ValidationFailed as exc:
                _form_errors(form, exc)
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Audit time of {application.reference} calculated.")
                return redirect("certification:applications-time", pk=pk)
        status = 422
    return render(
        request,
        "certification/intake/audit_time.html",
        {
            **time_context(application),
            "form": form,
            "can_change": can_change,
            "sample_preview": None if application.calculations.exists() else _preview(application),
        },
        status=status,
    )


def _preview(application: Application):
    try:
        return site_sample(application)
    except ServiceError:
        return None


def audit_time_html(application: Application) -> str:
    return render_to_string(
        "certification/intake/audit_time_pdf.html",
        {
            **time_context(application),
            "organization": application.organization,
            "generated_at": timezone.localtime().replace(microsecond=0),
        },
    )


def audit_time_pdf_bytes(application: Application) -> bytes:
    """The audit time of an application as an A4 PDF, every step with its basis."""
    from weasyprint import HTML

    return HTML(string=audit_time_html(application)).write_pdf()


def pdf_filename(application: Application) -> str:
    name = application.reference.replace("/", "-").replace('"', "")
    return f"audit-time-{name}.pdf"


@member_required
def audit_time_pdf(request, pk: int):
    application = _application(request, pk)
    if not application.calculations.exists():
        messages.error(request, "Calculate the audit time first.")
        return redirect("certification:applications-time", pk=pk)
    return file_response(
        audit_time_pdf_bytes(application), "application/pdf", pdf_filename(application)
    )
