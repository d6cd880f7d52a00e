"""Pages of the food safety method, PRP verifications, monitoring deviations and a failed
exercise's nonconformity. Thin: the rules live in `method_services` and `services`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from pdca.core.exceptions import ServiceError
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    member_required,
    object_for_page,
    paginate,
    refuse,
    require_page,
)
from pdca.food import method_services, pages, services
from pdca.food.forms import DeviationForm, MethodForm, VerificationForm
from pdca.food.models import (
    FoodSafetyMethod,
    HazardControlPlan,
    MonitoringDeviation,
    PrerequisiteProgramme,
    PrpVerification,
    TraceabilityExercise,
)

# --- the method -------------------------------------------------------------------------------


@member_required
def method_detail(request):
    org = request.organization
    require_page(request, "view", FoodSafetyMethod, organization=org)
    method = method_services.method_for(org)
    matrix = [
        {
            "label": label,
            "cells": [
                {"score": n * s, "significant": n * s >= method.significance_threshold}
                for s in range(1, len(method.severity_labels) + 1)
            ],
        }
        for n, label in reversed(list(enumerate(method.likelihood_labels, start=1)))
    ]
    return render(
        request,
        "food/method_detail.html",
        {
            "method": method,
            "matrix": matrix,
            "can_change": may(request.user, "change", FoodSafetyMethod, organization=org),
            "history": history_of(method, request.user)[:50] if method.pk else [],
        },
    )


@member_required
def method_edit(request):
    org = request.organization
    require_page(request, "change", FoodSafetyMethod, organization=org)
    method = method_services.method_for(org)
    form = MethodForm(request.POST or None, initial=MethodForm.initial_for(method))
    if request.method == "POST" and form.is_valid():
        try:
            method_services.update_method(org, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Food safety method saved.")
            return redirect("food:method")
    return render(request, "food/method_form.html", {"form": form, "method": method})


# --- PRP verifications ------------------------------------------------------------------------


@member_required
def verification_list(request):
    org = request.organization
    require_page(request, "view", PrpVerification, organization=org)
    rows = (
        scope(PrpVerification.objects.filter(organization=org), request.user)
        .select_related("programme__site", "verifier")
        .order_by("-verified_on", "-pk")
    )
    page = paginate(request, rows)
    for v in page:
        v.nc_url = pages.nonconformity_url(v)
    return render(request, "food/verification_list.html", {"page": page})


def _programme(request, pk: int) -> PrerequisiteProgramme:
    require_page(request, "view", PrpVerification, organization=request.organization)
    programme = (
        scope(PrerequisiteProgramme.objects.filter(organization=request.organization), request.user)
        .filter(pk=pk)
        .first()
    )
    if programme is None:
        raise Http404("No such programme.")
    if not services.may_record(request.user, programme):
        raise DjangoPermissionDenied("Your role does not allow this.")
    return programme


@member_required
def verification_create(request, pk: int):
    programme = _programme(request, pk)
    form = VerificationForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.record_prp_verification(
                programme, actor=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if verification.nonconformity_id:
                messages.warning(
                    request, "Verification recorded; it did not conform, so a nonconformity opened."
                )
            else:
                messages.success(request, "Verification recorded.")
            return redirect("food:verification-detail", pk=verification.pk)
    return render(
        request,
        "food/record_form.html",
        {
            "form": form,
            "title": "Record a verification",
            "about": programme,
            "about_url": reverse("food:prerequisite-programmes-detail", args=[programme.pk]),
        },
    )


@member_required
def verification_detail(request, pk: int):
    verification = object_for_page(
        request,
        PrpVerification.objects.filter(organization=request.organization).select_related(
            "programme", "verifier"
        ),
        pk,
    )
    return render(
        request,
        "food/verification_detail.html",
        {
            "object": verification,
            "nc_url": pages.nonconformity_url(verification),
            "history": history_of(verification, request.user)[:50],
        },
    )


# --- monitoring deviations --------------------------------------------------------------------


@member_required
def deviation_list(request):
    org = request.organization
    require_page(request, "view", MonitoringDeviation, organization=org)
    rows = (
        scope(MonitoringDeviation.objects.filter(organization=org), request.user)
        .select_related("plan", "recorded_by")
        .order_by("-occurred_on", "-pk")
    )
    page = paginate(request, rows)
    for d in page:
        d.nc_url = pages.nonconformity_url(d)
    return render(request, "food/deviation_list.html", {"page": page})


def _plan(request, pk: int) -> HazardControlPlan:
    require_page(request, "view", MonitoringDeviation, organization=request.organization)
    plan = (
        scope(HazardControlPlan.objects.filter(organization=request.organization), request.user)
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404("No such plan entry.")
    if not services.may_record(request.user, plan):
        raise DjangoPermissionDenied("Your role does not allow this.")
    return plan


@member_required
def deviation_create(request, pk: int):
    plan = _plan(request, pk)
    form = DeviationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deviation = services.record_deviation(plan, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.warning(request, "Deviation recorded; a nonconformity opened for it.")
            return redirect("food:deviation-detail", pk=deviation.pk)
    return render(
        request,
        "food/record_form.html",
        {
            "form": form,
            "title": "Record a monitoring deviation",
            "about": plan,
            "about_url": reverse("food:hazard-control-plan-detail", args=[plan.pk]),
            "limits": plan.limits_text or plan.action_criteria,
        },
    )


@member_required
def deviation_detail(request, pk: int):
    deviation = object_for_page(
        request,
        MonitoringDeviation.objects.filter(organization=request.organization).select_related(
            "plan", "recorded_by"
        ),
        pk,
    )
    return render(
        request,
        "food/deviation_detail.html",
        {
            "object": deviation,
            "nc_url": pages.nonconformity_url(deviation),
            "history": history_of(deviation, request.user)[:50],
        },
    )


# --- a failed exercise ------------------------------------------------------------------------


@member_required
def exercise_raise(request, pk: int):
    exercise = object_for_page(
        request,
        TraceabilityExercise.objects.filter(organization=request.organization),
        pk,
        "change",
    )
    if request.method == "POST":
        try:
            nonconformity = services.raise_exercise_nonconformity(exercise, actor=request.user)
        except ServiceError as exc:
            refuse(request, exc)
        else:
            messages.success(request, "A nonconformity opened for the failed exercise.")
            return redirect(f"/nonconformities/{nonconformity.pk}/")
    return redirect("food:traceability-exercises-detail", pk=exercise.pk)
