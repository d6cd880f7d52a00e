"""Pages of objective tracking: recording, correcting and deleting measurements, the recent
measurements of the organization, the objectives dashboard, and the tracking part of an
objective's own page (`objective_detail_context` with `system/_objective_detail.html`).

Thin: the rules live in `pdca.system.objectives.services`.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pdca.core.exceptions import ServiceError
from pdca.core.permissions import may, scope
from pdca.core.views import (
    add_service_error,
    member_required,
    paginate,
    require_page,
    scoped_or_404,
)
from pdca.system.models import Measurement, Objective
from pdca.system.objectives import services as objectives
from pdca.system.objectives.chart import objective_chart, sparkline
from pdca.system.objectives.forms import MeasurementForm

#: The objective's own page, built by the register framework.
OBJECTIVE_DETAIL = "workspace:objectives-detail"
#: Measurements shown as a sparkline on the dashboard, per objective.
SPARK_POINTS = 12


def objective_page(objective_id: int) -> str:
    """The objective's page; the recent measurements page until the register framework
    provides one."""
    try:
        return reverse(OBJECTIVE_DETAIL, args=[objective_id])
    except NoReverseMatch:
        return reverse("workspace:measurement-list")


def _objective_to_change(request, objective_pk: int) -> Objective:
    """An objective of the current organization (404 otherwise) that the user may change
    (403 otherwise: a member who may not even read objectives is refused, not misled)."""
    objective = get_object_or_404(
        Objective.objects.filter(organization=request.organization), pk=objective_pk
    )
    require_page(request, "change", objective)
    return objective


def _measurement(request, pk: int) -> Measurement:
    """A measurement of the current organization the user may see (404 otherwise) whose
    objective the user may change (403 otherwise)."""
    measurement = scoped_or_404(
        Measurement.objects.filter(organization=request.organization).select_related("objective"),
        request.user,
        pk=pk,
    )
    require_page(request, "change", measurement.objective)
    return measurement


# --- the objective's page -------------------------------------------------------------------


def objective_detail_context(request, objective: Objective) -> dict:
    """What `system/_objective_detail.html` shows under the objective's fields: the tracking
    badge with the expected value and the gap, the chart, the measurements (with edit and
    delete for those allowed) and the form to record one. A fixed number of queries."""
    rows = list(objective.measurements.select_related("recorded_by").order_by("measured_on"))
    today = timezone.localdate()
    status = objectives.tracking(
        objective, rows[-1] if rows else None, today, first=rows[0] if rows else None
    )
    can_change = may(request.user, "change", objective)
    is_open = objective.status not in objectives.CLOSED
    unit = objective.unit or ""
    return {
        "tracking": status,
        "expected": objectives.with_unit(status.expected, unit, places=2)
        if status.expected is not None
        else None,
        "gap": objectives.with_unit(status.gap, unit, places=2) if status.gap is not None else None,
        "latest": objectives.with_unit(status.latest, unit) if status.latest is not None else None,
        "chart": objective_chart(objective, rows),
        "measurements": [
            {"row": m, "value": objectives.with_unit(m.value, unit)} for m in reversed(rows)
        ],
        "can_change": can_change and is_open,
        "form": MeasurementForm(unit=unit) if can_change and is_open else None,
        "create_url": reverse("workspace:measurement-create", args=[objective.pk]),
        "closed": not is_open,
        "stale_days": objectives.STALE_AFTER_DAYS,
    }


# --- measurements ---------------------------------------------------------------------------


@member_required
def measurement_create(request, objective_pk: int):
    objective = _objective_to_change(request, objective_pk)
    form = MeasurementForm(request.POST or None, unit=objective.unit)
    if request.method == "POST" and form.is_valid():
        try:
            measurement = objectives.record_measurement(
                objective, actor=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Measurement of {measurement.measured_on:%Y-%m-%d} recorded for "
                f"“{objective.title}”.",
            )
            return redirect(objective_page(objective.pk))
    return render(
        request,
        "system/measurement_form.html",
        {
            "form": form,
            "objective": objective,
            "target": objectives.with_unit(objective.target, objective.unit),
            "cancel_href": objective_page(objective.pk),
        },
    )


@member_required
def measurement_edit(request, pk: int):
    measurement = _measurement(request, pk)
    objective = measurement.objective
    form = MeasurementForm(
        request.POST or None,
        unit=objective.unit,
        initial=MeasurementForm.initial_for(measurement),
    )
    if request.method == "POST" and form.is_valid():
        # The service gets its own copy: a refused change must not show on this page.
        target = Measurement.objects.select_related("objective").get(pk=measurement.pk)
        try:
            objectives.update_measurement(target, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Measurement saved.")
            return redirect(objective_page(objective.pk))
    return render(
        request,
        "system/measurement_form.html",
        {
            "form": form,
            "objective": objective,
            "measurement": measurement,
            "target": objectives.with_unit(objective.target, objective.unit),
            "cancel_href": objective_page(objective.pk),
        },
    )


@member_required
def measurement_delete(request, pk: int):
    """Asks first (GET), deletes on POST."""
    measurement = _measurement(request, pk)
    back = objective_page(measurement.objective_id)
    if request.method == "POST":
        try:
            objectives.delete_measurement(measurement, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Measurement of {measurement.measured_on:%Y-%m-%d} deleted.")
        return redirect(back)
    return render(
        request,
        "web/confirm_delete.html",
        {"object": f"the measurement {measurement}", "cancel_href": back},
    )


@member_required
def measurement_list(request):
    """The organization's measurements, newest first."""
    org = request.organization
    require_page(request, "view", Measurement, organization=org)
    rows = (
        scope(Measurement.objects.filter(organization=org), request.user)
        .select_related("objective", "recorded_by")
        .order_by("-measured_on", "-id")
    )
    page = paginate(request, rows)
    for m in page.object_list:
        m.shown_value = objectives.with_unit(m.value, m.objective.unit)
        m.objective_url = objective_page(m.objective_id)
        m.can_change = m.objective.status not in objectives.CLOSED and may(
            request.user, "change", m.objective
        )
    return render(request, "system/measurement_list.html", {"page": page})


# --- dashboard ------------------------------------------------------------------------------


@member_required
def objective_dashboard(request):
    """Every active objective with its tracking badge and a sparkline, grouped by process."""
    org = request.organization
    require_page(request, "view", Objective, organization=org)
    recent = Measurement.objects.order_by("objective_id", "-measured_on")[:SPARK_POINTS]
    rows = list(
        objectives.with_latest(
            scope(
                Objective.objects.filter(organization=org, status=Objective.Status.ACTIVE),
                request.user,
            )
        )
        .select_related("process", "owner")
        .prefetch_related(Prefetch("measurements", queryset=recent, to_attr="recent"))
        .order_by("process__name", "process_id", "due_date", "title")
    )
    counts: dict[str, int] = {}
    for row in rows:
        objective: Any = row  # annotated by `with_latest`, and given what the template shows
        objective.status_now = objective.tracking
        objective.spark = sparkline(objective, objective.recent)
        objective.url = objective_page(objective.pk)
        objective.latest_shown = (
            objectives.with_unit(objective.latest_value, objective.unit)
            if objective.latest_value is not None
            else None
        )
        objective.target_shown = objectives.with_unit(objective.target, objective.unit)
        counts[objective.status_now.status] = counts.get(objective.status_now.status, 0) + 1
    groups = [
        {"process": process, "objectives": list(items)}
        for process, items in groupby(rows, key=lambda o: o.process)
    ]
    summary = [
        {"label": objectives.LABELS[s], "css": objectives.BADGES[s], "count": counts[s]}
        for s in (
            objectives.OFF_TRACK,
            objectives.AT_RISK,
            objectives.ON_TRACK,
            objectives.ACHIEVED,
            objectives.NO_DATA,
        )
        if counts.get(s)
    ]
    return render(
        request,
        "system/objective_dashboard.html",
        {
            "groups": groups,
            "summary": summary,
            "total": len(rows),
            "stale_days": objectives.STALE_AFTER_DAYS,
        },
    )
