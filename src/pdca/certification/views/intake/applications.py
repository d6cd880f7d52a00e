"""Application pages: the list (filters by status, kind, standard and client), a draft's
form, the page with the contract review's checks and decision, and the moves between
statuses. Thin: the rules are in `certification.services.applications`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.certification.forms import ApplicationForm, TransitionForm
from pdca.certification.models import Application, CertificationCycle, Client
from pdca.certification.services.applications import (
    catalog_standards,
    create_application,
    review_checks,
    transition_application,
    transition_problem,
    update_application,
)
from pdca.certification.services.audit_time import site_sample
from pdca.core.exceptions import ServiceError
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    member_required,
    object_for_page,
    paginate,
    require_page,
)

S = Application.Status
FILTERS = ("status", "kind", "standard", "client")


def applications_for(request):
    """The body's applications the user may see, with what the list and API show."""
    return (
        scope(Application.objects.filter(organization=request.organization), request.user)
        .select_related("client", "reviewed_by")
        .prefetch_related("standards")
    )


def filter_applications(rows, values: dict[str, Any]):
    """`rows` narrowed by the filters given (status, kind, standard id, client id)."""
    if values.get("status"):
        rows = rows.filter(status=values["status"])
    if values.get("kind"):
        rows = rows.filter(kind=values["kind"])
    if values.get("standard"):
        rows = rows.filter(standards__pk=values["standard"]).distinct()
    if values.get("client"):
        rows = rows.filter(client_id=values["client"])
    return rows


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@member_required
def application_list(request):
    org = request.organization
    require_page(request, "view", Application, organization=org)
    values = {
        "status": request.GET.get("status") if request.GET.get("status") in S.values else None,
        "kind": request.GET.get("kind")
        if request.GET.get("kind") in Application.Kind.values
        else None,
        "standard": _int(request.GET.get("standard")),
        "client": _int(request.GET.get("client")),
    }
    rows = filter_applications(applications_for(request), values).order_by("-created_at", "-pk")
    page = paginate(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "certification/intake/application_list.html",
        {
            "page": page,
            "values": values,
            "statuses": S.choices,
            "kinds": Application.Kind.choices,
            "standards": list(catalog_standards().order_by("code")),
            "clients": list(
                Client.objects.filter(organization=org, archived_at__isnull=True).order_by("name")
            ),
            "query": query.urlencode(),
            "can_add": may(request.user, "add", Application, organization=org),
        },
    )


def _application(request, pk: int, action: str = "view") -> Application:
    return object_for_page(
        request,
        Application.objects.filter(organization=request.organization).select_related(
            "client", "reviewed_by", "organization"
        ),
        pk,
        action,
    )


@member_required
def application_detail(request, pk: int):
    application = _application(request, pk)
    can_change = may(request.user, "change", application)
    calculations = list(
        application.calculations.select_related("standard").order_by("standard__code")
    )
    moves = [
        (to, label, transition_problem(application, to))
        for to, label in (
            (S.SUBMITTED, "Submit for review"),
            # Accepting and declining are the contract review's, with its notes and reasons.
            (S.WITHDRAWN, "Withdraw"),
        )
        if (application.status, to) in _moves()
    ]
    reasons = dict(Application.DeclineReason.choices)
    return render(
        request,
        "certification/intake/application_detail.html",
        {
            "application": application,
            "standards": list(application.standards.order_by("code")),
            "sites": list(application.sites.order_by("-is_central", "name")),
            "calculations": calculations,
            "checks": review_checks(application) if application.status == S.SUBMITTED else None,
            "moves": moves,
            "can_change": can_change,
            "can_edit": can_change and application.status == S.DRAFT,
            "can_review": can_change and application.status == S.SUBMITTED,
            "review_form": TransitionForm(initial={"to": S.DECLINED}),
            "decline_reasons": [reasons[r] for r in application.decline_reasons if r in reasons],
            "sample": _sample(application),
            "history": history_of(application, request.user)[:50],
            "cycles": list(application.cycles.order_by("number")),
            "may_open_cycle": application.status == S.ACCEPTED
            and application.kind != Application.Kind.EXTENSION
            and may(
                request.user,
                "add",
                CertificationCycle,
                organization=application.organization_id,
            ),
        },
    )


def _sample(application: Application):
    try:
        return site_sample(application)
    except ServiceError:
        return None


def _moves():
    from pdca.certification.services.applications import STEPS

    return STEPS


def _form_page(request, form, application=None):
    return render(
        request,
        "certification/intake/application_form.html",
        {"form": form, "application": application},
    )


@member_required
def application_create(request):
    org = request.organization
    require_page(request, "add", Application, organization=org)
    initial = {k: v for k, v in request.GET.items() if k in ("client", "kind")}
    form = ApplicationForm(request.POST or None, initial=initial, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            application = create_application(org, actor=request.user, **form.service_data())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Application {application.reference} written.")
            return redirect("certification:applications-detail", pk=application.pk)
    return _form_page(request, form)


@member_required
def application_edit(request, pk: int):
    application = _application(request, pk, "change")
    if application.status != S.DRAFT:
        messages.error(
            request,
            f"{application.reference} is {application.get_status_display().lower()}: only a "
            "draft may change.",
        )
        return redirect("certification:applications-detail", pk=pk)
    form = ApplicationForm(
        request.POST or None,
        instance=Application.objects.get(pk=application.pk),
        organization=request.organization,
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_application(application, actor=request.user, **form.service_data())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Application {application.reference} saved.")
            return redirect("certification:applications-detail", pk=pk)
    return _form_page(request, form, application)


@member_required
@require_POST
def application_transition(request, pk: int):
    """Submit, accept, decline or withdraw (the contract review's decision with its notes
    and reasons); a refusal is shown on the application's page."""
    application = _application(request, pk)
    if not may(request.user, "change", application):
        raise DjangoPermissionDenied("Only the body's manager moves an application.")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        )
        return redirect("certification:applications-detail", pk=pk)
    try:
        transition_application(
            application,
            form.cleaned_data["to"],
            actor=request.user,
            # The page's decline reasons come pre-ticked from the checks: they go with a decline.
            reasons=form.cleaned_data["reasons"] if form.cleaned_data["to"] == S.DECLINED else (),
            notes=form.cleaned_data["notes"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{application.reference} is now {application.get_status_display().lower()}."
        )
    return redirect("certification:applications-detail", pk=pk)
