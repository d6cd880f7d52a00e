"""Pages of business continuity beyond the registers: the BIA method (view, edit), the
prioritized activities, an analysis's impact grid, the exercise programme, and the steps of
an exercise (complete, cancel) and of an improvement (send to corrective action). Thin: the
rules live in the services."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from pdca.continuity import pages, selectors, services
from pdca.continuity.durations import duration_label
from pdca.continuity.forms import (
    CancelExerciseForm,
    CompleteExerciseForm,
    MethodForm,
    grid_from,
    grid_initial,
    impact_form,
)
from pdca.continuity.method import services as method_services
from pdca.continuity.models import (
    BiaMethod,
    BusinessImpactAnalysis,
    ContinuityPlan,
    Exercise,
    ExerciseImprovement,
)
from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.permissions import may
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    member_required,
    object_for_page,
    refuse,
    require_page,
)


def _method_errors(form, exc: ServiceError) -> None:
    """Service errors name list items (`categories.1.name`); the form has one field per list."""
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, exc.message)
        return
    for error in exc.errors:
        name = error.field.split(".")[0]
        form.add_error(name if name in form.fields else None, error.message)


@member_required
def method_detail(request):
    org = request.organization
    require_page(request, "view", BiaMethod, organization=org)
    method = method_services.method_for(org)
    return render(
        request,
        "continuity/method_detail.html",
        {
            "method": method,
            "points": method.time_points,
            "limits": [duration_label(x) for x in method.priority_limits],
            "can_change": may(request.user, "change", BiaMethod, organization=org),
            "history": history_of(method, request.user)[:50] if method.pk else [],
        },
    )


@member_required
def method_edit(request):
    org = request.organization
    require_page(request, "change", BiaMethod, organization=org)
    method = method_services.method_for(org)
    form = MethodForm(request.POST or None, initial=MethodForm.initial_for(method))
    if request.method == "POST" and form.is_valid():
        try:
            method_services.update_method(org, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _method_errors(form, exc)
        else:
            messages.success(
                request, "BIA method saved; analyses keep the method they were assessed with."
            )
            return redirect("continuity:method")
    return render(request, "continuity/method_form.html", {"form": form, "method": method})


@member_required
def prioritized(request):
    """The analysed activities, shortest maximum tolerable period of disruption first."""
    org = request.organization
    require_page(request, "view", BusinessImpactAnalysis, organization=org)
    rows = [
        {
            "object": bia,
            "mtpd": duration_label(getattr(bia, "mtpd", None)),
            "chosen": bia.mtpd_hours is not None,
            "rto": duration_label(bia.rto_hours),
            "rpo": duration_label(bia.rpo_hours),
        }
        for bia in selectors.prioritized_activities(request.user, org)
    ]
    return render(request, "continuity/prioritized.html", {"rows": rows})


@member_required
def bia_impacts(request, pk: int):
    """Assess the impact grid on the organization's current method."""
    bia = object_for_page(
        request,
        BusinessImpactAnalysis.objects.filter(organization=request.organization),
        pk,
        "change",
    )
    method = method_services.snapshot_of(method_services.method_for(bia.organization))
    keeps = bia.method_snapshot == method
    Form = impact_form(method, bia.impacts)
    form = Form(request.POST or None, initial=grid_initial(bia.impacts) if keeps else {})
    if request.method == "POST" and form.is_valid():
        try:
            services.assess_impacts(
                BusinessImpactAnalysis.objects.get(pk=bia.pk),
                actor=request.user,
                impacts=grid_from(form.cleaned_data, method),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Impacts assessed.")
            return redirect("continuity:business-impact-analyses-detail", pk=bia.pk)
    grid = [
        {
            "name": c["name"],
            "fields": [form[f"{c['key']}__{i}"] for i in range(len(method["time_points"]))],
        }
        for c in method["categories"]
    ]
    return render(
        request,
        "continuity/bia_impacts.html",
        {"form": form, "object": bia, "method": method, "grid": grid, "keeps": keeps},
    )


@member_required
def programme(request):
    """The exercise programme: every exercise, and the plans not exercised in twelve months."""
    org = request.organization
    require_page(request, "view", Exercise, organization=org)
    plans = (
        selectors.plans_exercised(request.user, org)
        if may(request.user, "view", ContinuityPlan, organization=org)
        else []
    )
    return render(
        request,
        "continuity/programme.html",
        {
            "exercises": list(selectors.exercise_programme(request.user, org)),
            "plans": plans,
            "overdue": [p for p in plans if p.overdue],
            "can_add": may(request.user, "add", Exercise, organization=org),
        },
    )


def _exercise(request, pk: int) -> Exercise:
    return object_for_page(
        request,
        Exercise.objects.filter(organization=request.organization),
        pk,
        "change",
    )


@member_required
def exercise_complete(request, pk: int):
    exercise = _exercise(request, pk)
    form = CompleteExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_exercise(
                Exercise.objects.get(pk=exercise.pk), actor=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"“{exercise}” recorded as done.")
            return redirect("continuity:exercises-detail", pk=exercise.pk)
    return render(
        request,
        "continuity/exercise_step.html",
        {"form": form, "object": exercise, "title": f"Record the results of “{exercise}”"},
    )


@member_required
def exercise_cancel(request, pk: int):
    exercise = _exercise(request, pk)
    form = CancelExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_exercise(
                Exercise.objects.get(pk=exercise.pk), actor=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"“{exercise}” cancelled.")
            return redirect("continuity:exercises-detail", pk=exercise.pk)
    return render(
        request,
        "continuity/exercise_step.html",
        {"form": form, "object": exercise, "title": f"Cancel “{exercise}”"},
    )


@member_required
def improvement_raise(request, pk: int):
    """Confirm, then open the nonconformity an improvement needs."""
    improvement = object_for_page(
        request,
        ExerciseImprovement.objects.filter(organization=request.organization),
        pk,
        "raise_nonconformity",
    )
    detail = reverse("continuity:exercise-improvements-detail", args=[improvement.pk])
    if request.method == "POST":
        try:
            nonconformity = services.raise_nonconformity(
                ExerciseImprovement.objects.get(pk=improvement.pk), actor=request.user
            )
        except ServiceError as exc:
            refuse(request, exc)
            return redirect(detail)
        messages.success(request, f"Nonconformity {nonconformity} opened.")
        return redirect(pages.nonconformity_url(nonconformity.pk))
    return render(
        request,
        "continuity/improvement_raise.html",
        {"object": improvement, "cancel_href": detail},
    )
