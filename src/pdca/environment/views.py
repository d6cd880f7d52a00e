"""Pages of this app beyond its registers: the significance method (view, edit), assessing an
aspect, the significant aspects and what they lack, the obligations whose evaluation is due,
and recording an evaluation. Thin: the rules live in `method`, `services` and `selectors`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.permissions import may
from pdca.core.registers.display import person
from pdca.core.selectors import history_of
from pdca.core.views import (
    member_required,
    object_for_page,
    paginate,
    refuse,
    require_page,
)
from pdca.environment import method as method_services
from pdca.environment import selectors, services
from pdca.environment.forms import AssessForm, MethodForm
from pdca.environment.models import (
    Aspect,
    ComplianceEvaluation,
    ComplianceObligation,
    SignificanceMethod,
)
from pdca.environment.significance import as_snapshot, score_range


def _method_errors(form, exc: ServiceError) -> None:
    """Service errors name list items (`criteria.1.max`); the form has one field per list."""
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, exc.message)
        return
    for error in exc.errors:
        name = error.field.split(".")[0]
        form.add_error(name if name in form.fields else None, error.message)


@member_required
def method_detail(request):
    org = request.organization
    require_page(request, "view", SignificanceMethod, organization=org)
    method = method_services.method_for(org)
    low, high = score_range(as_snapshot(method))
    return render(
        request,
        "environment/method_detail.html",
        {
            "method": method,
            "low": low,
            "high": high,
            "can_change": may(request.user, "change", SignificanceMethod, organization=org),
            "history": history_of(method, request.user)[:50] if method.pk else [],
        },
    )


@member_required
def method_edit(request):
    org = request.organization
    require_page(request, "change", SignificanceMethod, organization=org)
    method = method_services.method_for(org)
    form = MethodForm(request.POST or None, initial=MethodForm.initial_for(method))
    if request.method == "POST" and form.is_valid():
        try:
            method_services.update_method(org, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _method_errors(form, exc)
        else:
            messages.success(
                request,
                "Significance method saved. Aspects assessed before keep their result until "
                "they are assessed again.",
            )
            return redirect("environment:significance-method")
    return render(request, "environment/method_form.html", {"form": form, "method": method})


@member_required
def aspect_assess(request, pk: int):
    """Score an aspect on the current method's criteria."""
    aspect = object_for_page(
        request, Aspect.objects.filter(organization=request.organization), pk, "change"
    )
    method = method_services.method_for(request.organization)
    criteria = method.criteria
    initial = {k: v for k, v in (aspect.scores or {}).items()}
    form = AssessForm(request.POST or None, criteria=criteria, initial=initial)
    detail = reverse("environment:aspects-detail", args=[aspect.pk])
    if request.method == "POST" and form.is_valid():
        target = Aspect.objects.get(pk=aspect.pk)
        try:
            services.assess_aspect(target, actor=request.user, scores=form.scores())
        except ServiceError as exc:
            for error in getattr(exc, "errors", []):
                key = error.field.removeprefix("scores.")
                form.add_error(key if key in form.fields else None, error.message)
            if not isinstance(exc, ValidationFailed):
                form.add_error(None, exc.message)
        else:
            verdict = "significant" if target.significant else "not significant"
            messages.success(request, f"Assessed: {verdict} ({target.significance_reason}).")
            return redirect(detail)
    low, high = score_range(as_snapshot(method))
    return render(
        request,
        "environment/aspect_assess.html",
        {
            "form": form,
            "aspect": aspect,
            "method": method,
            "low": low,
            "high": high,
            "detail_url": detail,
        },
        status=422 if form.errors else 200,
    )


@member_required
def significant_list(request):
    """The significant aspects, and those without an objective or an operational control."""
    org = request.organization
    require_page(request, "view", Aspect, organization=org)
    rows = selectors.significant_aspects(org)
    if request.GET.get("unaddressed"):
        rows = selectors.unaddressed_aspects(org)
    page = paginate(request, rows)
    for aspect in page:
        row: Any = aspect
        row.url = reverse("environment:aspects-detail", args=[aspect.pk])
        row.owner_name = person(aspect.owner)
    return render(
        request,
        "environment/significant_list.html",
        {
            "page": page,
            "unaddressed_only": bool(request.GET.get("unaddressed")),
            "n_unaddressed": selectors.unaddressed_aspects(org).count(),
        },
    )


@member_required
def obligations_due(request):
    """Obligations whose evaluation of compliance is due or overdue."""
    org = request.organization
    require_page(request, "view", ComplianceObligation, organization=org)
    page = paginate(request, selectors.due_obligations(org))
    can_evaluate = may(request.user, "add", ComplianceEvaluation, organization=org)
    create = reverse("environment:compliance-evaluations-create")
    for obligation in page:
        row: Any = obligation
        row.url = reverse("environment:compliance-obligations-detail", args=[obligation.pk])
        row.owner_name = person(obligation.owner)
        row.evaluate_url = f"{create}?obligation={obligation.pk}" if can_evaluate else None
    return render(request, "environment/obligations_due.html", {"page": page})


@member_required
def evaluation_record(request, pk: int):
    """Record a draft evaluation (POST); it then becomes a record."""
    evaluation = object_for_page(
        request,
        ComplianceEvaluation.objects.filter(organization=request.organization),
        pk,
        "record",
    )
    detail = reverse("environment:compliance-evaluations-detail", args=[evaluation.pk])
    if request.method != "POST":
        return render(
            request,
            "environment/evaluation_record.html",
            {"evaluation": evaluation, "detail_url": detail},
        )
    try:
        services.record_evaluation(evaluation, actor=request.user)
    except ServiceError as exc:
        refuse(request, exc)
    else:
        if evaluation.nonconformity_id:
            messages.warning(
                request, "Evaluation recorded; a nonconformity was opened for what was found."
            )
        else:
            messages.success(request, "Evaluation recorded.")
    return redirect(detail)
