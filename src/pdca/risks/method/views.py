"""Pages of the risk method (view and edit), the risk heat map, and treatment actions (the
organization's open actions, and adding, editing, completing and deleting a risk's actions).
Thin: the rules live in `method_services` and `actions`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    member_required,
    paginate,
    refuse,
    require_page,
    scoped_or_404,
)
from pdca.risks import actions as action_services
from pdca.risks import scoring
from pdca.risks.heatmap import cell_url, grid_rows, risk_heat_map
from pdca.risks.method import services as method_services
from pdca.risks.method.forms import ActionForm, HeatmapFilterForm, MethodForm
from pdca.risks.models import Risk, RiskMethod, TreatmentAction


def risk_url(risk_id: int) -> str:
    """The risk's page (the Risk register's detail page)."""
    return f"/risks/{risk_id}/"


def _method_errors(form, exc: ServiceError) -> None:
    """Service errors name list items (`bands.1.colour`); the form has one field per list."""
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, exc.message)
        return
    for error in exc.errors:
        name = error.field.split(".")[0]
        form.add_error(name if name in form.fields else None, error.message)


# --- the risk method --------------------------------------------------------------------------


def _band_ranges(bands: list[dict]) -> list[dict]:
    """Each band with the lowest score it covers."""
    ranges, low = [], 1
    for band in bands:
        ranges.append({**band, "low": low})
        low = band["up_to"] + 1
    return ranges


@member_required
def method_detail(request):
    """The method: its scales, score rule, threshold, bands, and the matrix they give."""
    org = request.organization
    require_page(request, "view", RiskMethod, organization=org)
    method = method_services.method_for(org)
    return render(
        request,
        "risks/method_detail.html",
        {
            "method": method,
            "max_score": scoring.max_score(method),
            "bands": _band_ranges(method.bands),
            "matrix": grid_rows(scoring.heat_map(method, [])),
            "impact_labels": list(enumerate(method.impact_labels, start=1)),
            "can_change": may(request.user, "change", RiskMethod, organization=org),
            "history": history_of(method, request.user)[:50] if method.pk else [],
        },
    )


@member_required
def method_edit(request):
    org = request.organization
    require_page(request, "change", RiskMethod, organization=org)
    method = method_services.method_for(org)
    form = MethodForm(request.POST or None, initial=MethodForm.initial_for(method))
    if request.method == "POST" and form.is_valid():
        try:
            method_services.update_method(org, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _method_errors(form, exc)
        else:
            messages.success(request, "Risk method saved; every risk was re-scored on it.")
            return redirect("risks:method")
    return render(request, "risks/method_form.html", {"form": form, "method": method})


# --- the heat map -----------------------------------------------------------------------------


@member_required
def heatmap(request):
    """The organization's risks on the heat map; each cell links to the risks in it."""
    org = request.organization
    require_page(request, "view", Risk, organization=org)
    form = HeatmapFilterForm(request.GET or None)
    kind, basis = "", "inherent"
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["kind"]
        basis = form.cleaned_data["basis"] or "inherent"
    grid = risk_heat_map(org, request.user, kind=kind or None, basis=basis)
    rows = grid_rows(
        grid, lambda c: cell_url(c.likelihood, c.impact, basis=basis, kind=kind or None)
    )
    return render(
        request,
        "risks/heatmap.html",
        {
            "form": form,
            "grid": grid,
            "rows": rows,
            "basis": basis,
            "kind": kind,
            "caption": (
                f"{Risk.Kind(kind).label + 's' if kind else 'Risks'} by likelihood and impact, "
                f"{'after' if basis == 'residual' else 'before'} treatment: the number in each "
                "cell links to them"
            ),
        },
    )


# --- treatment actions ------------------------------------------------------------------------


@member_required
def action_list(request):
    """The organization's open treatment actions, overdue ones first."""
    org = request.organization
    require_page(request, "view", TreatmentAction, organization=org)
    today = action_services.today()
    actions = (
        scope(TreatmentAction.objects.filter(organization=org), request.user)
        .filter(status=TreatmentAction.Status.OPEN)
        .select_related("risk", "owner")
        .annotate(
            late=Case(
                When(action_services.overdue_q(today), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("late", "due_date", "pk")
    )
    page = paginate(request, actions)
    for action in page:
        action.overdue = action.late == 0
        action.risk_url = risk_url(action.risk_id)
        action.can_complete = may(request.user, "change", action.risk) or may(
            request.user, "change", action
        )
    return render(request, "risks/action_list.html", {"page": page, "today": today})


def _risk_to_manage(request, risk_pk: int) -> Risk:
    """A risk of the current organization (404 otherwise) whose actions the user may manage
    (403 otherwise)."""
    risk = Risk.objects.filter(organization=request.organization, pk=risk_pk).first()
    if risk is None:
        raise Http404("No such risk.")
    require_page(request, "change", risk)
    return risk


def _action(request, pk: int) -> TreatmentAction:
    return scoped_or_404(
        TreatmentAction.objects.filter(organization=request.organization).select_related(
            "risk", "owner"
        ),
        request.user,
        pk=pk,
    )


def _action_fields(data: dict) -> dict:
    return {name: data[name] for name in action_services.ACTION_FIELDS}


@member_required
def action_create(request, risk_pk: int):
    risk = _risk_to_manage(request, risk_pk)
    form = ActionForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            action_services.add_treatment_action(
                risk, actor=request.user, **_action_fields(form.cleaned_data)
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Treatment action added.")
            return redirect(risk_url(risk.pk))
    return render(
        request,
        "risks/action_form.html",
        {"form": form, "risk": risk, "risk_url": risk_url(risk.pk)},
    )


@member_required
def action_edit(request, pk: int):
    action = _action(request, pk)
    require_page(request, "change", action.risk)
    form = ActionForm(
        request.POST or None,
        organization=request.organization,
        initial=ActionForm.initial_for(action),
    )
    if request.method == "POST" and form.is_valid():
        # The service gets its own copy: a refused change must not show on this page.
        target = TreatmentAction.objects.select_related("risk").get(pk=action.pk)
        try:
            action_services.update_treatment_action(
                target, actor=request.user, **_action_fields(form.cleaned_data)
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Treatment action saved.")
            return redirect(risk_url(action.risk_id))
    return render(
        request,
        "risks/action_form.html",
        {
            "form": form,
            "risk": action.risk,
            "action": action,
            "risk_url": risk_url(action.risk_id),
            "history": history_of(action, request.user)[:50],
        },
    )


@member_required
def action_delete(request, pk: int):
    action = _action(request, pk)
    require_page(request, "change", action.risk)
    if request.method == "POST":
        try:
            action_services.delete_treatment_action(action, actor=request.user)
        except ServiceError as exc:
            refuse(request, exc)
        else:
            messages.success(request, "Treatment action deleted.")
        return redirect(risk_url(action.risk_id))
    return render(
        request,
        "risks/action_confirm.html",
        {
            "title": f"Delete the action “{action.description}”?",
            "explanation": f"It leaves the treatment plan of {action.risk}.",
            "button": "Delete",
            "danger": True,
            "cancel_href": risk_url(action.risk_id),
        },
    )


@member_required
def action_complete(request, pk: int):
    """Mark an open action done today; its owner may do this as well as the risk's keepers."""
    action = _action(request, pk)
    if not (may(request.user, "change", action.risk) or may(request.user, "change", action)):
        raise DjangoPermissionDenied("Your role does not allow this.")
    if request.method == "POST":
        try:
            action_services.complete_treatment_action(action, actor=request.user)
        except ServiceError as exc:
            refuse(request, exc)
        else:
            messages.success(request, "Treatment action done.")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = risk_url(action.risk_id)
        return redirect(target)
    return render(
        request,
        "risks/action_confirm.html",
        {
            "title": f"Mark “{action.description}” done?",
            "explanation": (
                f"It is recorded as completed today, {action_services.today():%Y-%m-%d}."
            ),
            "button": "Mark done",
            "danger": False,
            "cancel_href": risk_url(action.risk_id),
            "next": reverse("risks:action-list"),
        },
    )
