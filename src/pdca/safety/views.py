"""Pages of the safety app beyond its registers: the hazard scoring method, worker
participation, reporting an incident, and an incident's investigation and workflow steps.
Thin: the rules live in the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.core.exceptions import PermissionDenied, ServiceError, ValidationFailed
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import add_service_error, member_required, object_for_page, require_page
from pdca.safety import scoring
from pdca.safety.forms import InvestigationForm, MethodForm, ReportForm
from pdca.safety.models import Consultation, HazardMethod, Incident
from pdca.safety.selectors import participation as participation_summary
from pdca.safety.services import incidents as incident_services
from pdca.safety.services import method as method_services

INCIDENT_DETAIL = "safety:incidents-detail"


@member_required
def method_detail(request):
    """The hazard scoring method: scales, score rule, acceptable level and the matrix."""
    org = request.organization
    require_page(request, "view", HazardMethod, organization=org)
    method = method_services.method_for(org)
    snap = scoring.snapshot_of(method)
    matrix = [
        {
            "level": level,
            "label": label,
            "cells": [
                {
                    "score": (value := scoring.score(method.score_rule, level, severity)),
                    "acceptable": scoring.is_acceptable(snap, value),
                }
                for severity in range(1, len(method.severity_labels) + 1)
            ],
        }
        for level, label in reversed(list(enumerate(method.likelihood_labels, start=1)))
    ]
    return render(
        request,
        "safety/method_detail.html",
        {
            "method": method,
            "max_score": scoring.max_score(snap),
            "matrix": matrix,
            "severity_labels": list(enumerate(method.severity_labels, start=1)),
            "can_change": may(request.user, "change", HazardMethod, organization=org),
            "history": history_of(method, request.user)[:50] if method.pk else [],
        },
    )


@member_required
def method_edit(request):
    org = request.organization
    require_page(request, "change", HazardMethod, organization=org)
    method = method_services.method_for(org)
    form = MethodForm(request.POST or None, initial=MethodForm.initial_for(method))
    if request.method == "POST" and form.is_valid():
        try:
            method_services.update_method(org, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            if isinstance(exc, ValidationFailed):
                for error in exc.errors:
                    name = error.field.split(".")[0]
                    form.add_error(name if name in form.fields else None, error.message)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                "Hazard scoring saved. Hazards scored earlier keep their method until re-rated.",
            )
            return redirect("safety:method")
    return render(request, "safety/method_form.html", {"form": form, "method": method})


@member_required
def participation(request):
    """How often non-managerial workers took part in consultations, by topic."""
    org = request.organization
    require_page(request, "view", Consultation, organization=org)
    return render(
        request,
        "safety/participation.html",
        {"summary": participation_summary(org, request.user)},
    )


@member_required
def incident_report(request):
    """The form any member fills in to report an incident, and the incidents they reported."""
    org = request.organization
    if not may(request.user, "report", Incident, organization=org):
        raise DjangoPermissionDenied("Your role does not allow this.")
    form = ReportForm(request.POST or None, organization=org)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                incident = incident_services.report_incident(
                    org, actor=request.user, **form.service_data()
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Thank you: {incident.reference} is reported and will be investigated.",
                )
                return redirect(INCIDENT_DETAIL, pk=incident.pk)
        status = 422
    mine = scope(Incident.objects.filter(organization=org, reported_by=request.user), request.user)
    return render(
        request,
        "safety/incident_report.html",
        {"form": form, "mine": mine.order_by("-occurred_at")[:50]},
        status=status,
    )


@require_POST
@member_required
def incident_investigate(request, pk: int):
    incident = object_for_page(
        request, Incident.objects.filter(organization=request.organization), pk
    )
    form = InvestigationForm(request.POST, organization=request.organization)
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[name].label or name}: {' '.join(str(e) for e in errors)}"
            )
        return redirect(INCIDENT_DETAIL, pk=pk)
    try:
        incident_services.investigate_incident(incident, actor=request.user, **form.cleaned_data)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "Investigation recorded.")
    return redirect(INCIDENT_DETAIL, pk=pk)


@require_POST
@member_required
def incident_transition(request, pk: int):
    incident = object_for_page(
        request, Incident.objects.filter(organization=request.organization), pk
    )
    try:
        incident_services.transition_incident(
            incident, request.POST.get("to", ""), actor=request.user
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        _flash(request, exc)
    else:
        messages.success(
            request, f"{incident.reference} is {incident.get_status_display().lower()}."
        )
    return redirect(INCIDENT_DETAIL, pk=pk)


def _flash(request, exc: ServiceError) -> None:
    if isinstance(exc, ValidationFailed):
        for error in exc.errors:
            messages.error(request, error.message)
    else:
        messages.error(request, exc.message)
