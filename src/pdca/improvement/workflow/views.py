"""Pages of the corrective-action workflow: reporting a nonconformity, its steps and
corrective actions (posted from its register page), a person's tasks and the policy.

Thin: the rules are in `improvement.workflow`, `improvement.actions` and `improvement.policy`.
A refused post shows the nonconformity's page again with the form and its errors (422, or
409 when the state refuses); a role that may not act gets 403; another organization's rows
do not exist (404). Uploaded files and the step they support are written in one transaction,
so a refused step leaves no file record behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pdca.core.exceptions import PermissionDenied, ServiceError, ValidationFailed
from pdca.core.permissions import may
from pdca.core.views import add_service_error, member_required, object_for_page, scoped_or_404
from pdca.documents.evidence.services import store_evidence
from pdca.documents.models import EvidenceFile
from pdca.improvement import actions as action_services
from pdca.improvement.detail import FORMS_ATTR, form_key
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.improvement.policy import policy_for, update_capa_policy
from pdca.improvement.reporting import report_nonconformity
from pdca.improvement.selectors import capa_tasks
from pdca.improvement.workflow.forms import (
    STEP_FORMS,
    ActionForm,
    CancelActionForm,
    CapaForm,
    ImplementActionForm,
    PolicyForm,
    ReportForm,
)
from pdca.improvement.workflow.services import STEPS, transition_nonconformity

if TYPE_CHECKING:
    from pdca.tenancy.middleware import MemberRequest

DETAIL = "improvement:nonconformities-detail"


# --- helpers ---------------------------------------------------------------------------------


def _nonconformity(request: MemberRequest, pk: int, action: str = "view") -> Nonconformity:
    return object_for_page(
        request,
        Nonconformity.objects.filter(organization=request.organization).select_related(
            "organization"
        ),
        pk,
        action,
    )


def _action(request: MemberRequest, pk: int) -> CorrectiveAction:
    return scoped_or_404(
        CorrectiveAction.objects.filter(organization=request.organization).select_related(
            "nonconformity__organization", "owner"
        ),
        request.user,
        pk=pk,
    )


def _refuse_page(exc: PermissionDenied):
    raise DjangoPermissionDenied(exc.message)


def _show_error(form: CapaForm, exc: ServiceError) -> None:
    """The service's refusal on the form; a refused file (`file`) goes on the files field."""
    if isinstance(exc, ValidationFailed) and "evidence" in form.fields:
        exc = ValidationFailed(
            [type(e)("evidence", e.message, e.code) if e.field == "file" else e for e in exc.errors]
        )
    add_service_error(form, exc)


def _stored(request: MemberRequest, form: CapaForm) -> list[EvidenceFile]:
    """The form's files in the evidence store (call inside the transaction of the step)."""
    return [
        store_evidence(request.organization, upload, actor=request.user)
        for upload in form.uploads()
    ]


def render_with_errors(
    request: MemberRequest, nonconformity: Nonconformity, key: str, form: CapaForm, status: int
) -> HttpResponse:
    """The nonconformity's register page again, with `form` (bound, with its errors) in place
    of the empty one."""
    from pdca.core.registers.views import detail_view
    from pdca.improvement.registers import NONCONFORMITIES

    setattr(request, FORMS_ATTR, {key: form})
    response = detail_view(NONCONFORMITIES)(request, pk=nonconformity.pk)
    response.status_code = status
    return response


def _back(nonconformity: Nonconformity, anchor: str = "") -> HttpResponse:
    url = reverse(DETAIL, args=[nonconformity.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _run(request, nonconformity, key, form, write) -> HttpResponse | None:
    """Run `write(evidence)` with the form's files stored in the same transaction; on a
    refusal, the page with the form's errors (or 403); None when it is done."""
    try:
        with transaction.atomic():
            write(_stored(request, form))
    except PermissionDenied as exc:
        _refuse_page(exc)
    except ValidationFailed as exc:
        _show_error(form, exc)
        return render_with_errors(request, nonconformity, key, form, exc.status)
    except ServiceError as exc:
        # A refusal by the state (a step that no longer follows, the waiting period): said at
        # the top of the page, since the step's form may not be shown any more.
        messages.error(request, exc.message)
        return render_with_errors(request, nonconformity, key, form, exc.status)
    return None


# --- reporting -------------------------------------------------------------------------------


@member_required
def report(request: MemberRequest) -> HttpResponse:
    """The short form any member fills in to report a nonconformity."""
    org = request.organization
    if not may(request.user, "report", Nonconformity, organization=org):
        raise DjangoPermissionDenied("Your role does not allow this.")
    can_upload = may(request.user, "add", EvidenceFile, organization=org)
    form = ReportForm(
        request.POST or None, request.FILES or None, organization=org, can_upload=can_upload
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    nc = report_nonconformity(
                        org,
                        actor=request.user,
                        evidence=_stored(request, form),
                        **form.service_data(),
                    )
            except PermissionDenied as exc:
                _refuse_page(exc)
            except ServiceError as exc:
                _show_error(form, exc)
            else:
                messages.success(
                    request, f"Thank you: {nc.reference} is reported and waits for triage."
                )
                return redirect(DETAIL, pk=nc.pk)
        status = 422
    return render(
        request,
        "improvement/report.html",
        {"form": form, "can_upload": can_upload},
        status=status,
    )


# --- the workflow's steps --------------------------------------------------------------------


@member_required
@require_POST
def nonconformity_step(request: MemberRequest, pk: int, step: str) -> HttpResponse:
    """Take one step of the workflow (POST from the nonconformity's page)."""
    if step not in STEP_FORMS:
        raise Http404("No such step.")
    nc = _nonconformity(request, pk)
    # The role is checked before anything is read or stored: a refused role gets 403 at once.
    if not may(request.user, STEPS[step][2], nc):
        raise DjangoPermissionDenied("Your role may not take this step on this nonconformity.")
    form = STEP_FORMS[step](request.POST, request.FILES, organization=nc.organization, prefix=step)
    key = form_key("step", step)
    if not form.is_valid():
        return render_with_errors(request, nc, key, form, 422)
    has_files = "evidence" in form.fields

    def write(evidence):
        extra: dict[str, Any] = {"evidence": evidence} if has_files else {}
        transition_nonconformity(nc, step, actor=request.user, **form.service_data(), **extra)

    refused = _run(request, nc, key, form, write)
    if refused is not None:
        return refused
    nc.refresh_from_db()
    messages.success(request, f"{STEPS[step][3]}: {nc.reference} is now {nc.get_status_display()}.")
    return _back(nc)


# --- corrective actions ----------------------------------------------------------------------


@member_required
@require_POST
def action_create(request: MemberRequest, pk: int) -> HttpResponse:
    """Add a corrective action to the nonconformity's current round."""
    nc = _nonconformity(request, pk, "change")
    form = ActionForm(request.POST, organization=nc.organization, prefix="action")
    if not form.is_valid():
        return render_with_errors(request, nc, form_key("action"), form, 422)

    def write(_evidence):
        action_services.add_corrective_action(nc, actor=request.user, **form.service_data())

    refused = _run(request, nc, form_key("action"), form, write)
    if refused is not None:
        return refused
    messages.success(request, f"Corrective action “{form.cleaned_data['title']}” added.")
    return _back(nc, "corrective-actions")


@member_required
def action_edit(request: MemberRequest, pk: int) -> HttpResponse:
    """Change a planned corrective action (its own page)."""
    action = _action(request, pk)
    nc = action.nonconformity
    if not may(request.user, "change", nc):
        raise DjangoPermissionDenied("Your role may not change this nonconformity's actions.")
    initial = {
        "title": action.title,
        "description": action.description,
        "owner": action.owner_id,
        "due_date": action.due_date,
    }
    form = ActionForm(request.POST or None, organization=nc.organization, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                action_services.update_corrective_action(
                    action, actor=request.user, **form.service_data()
                )
            except PermissionDenied as exc:
                _refuse_page(exc)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"Corrective action “{form.cleaned_data['title']}” saved."
                )
                return _back(nc, "corrective-actions")
        status = 422
    return render(
        request,
        "improvement/action_form.html",
        {
            "form": form,
            "action": action,
            "nc": nc,
            "cancel_href": reverse(DETAIL, args=[nc.pk]),
            "can_list": may(request.user, "view", Nonconformity, organization=nc.organization_id),
        },
        status=status,
    )


@member_required
@require_POST
def action_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    """Drop a planned action from the plan, with the reason."""
    action = _action(request, pk)
    nc = action.nonconformity
    if not may(request.user, "change", nc):
        raise DjangoPermissionDenied("Your role may not change this nonconformity's actions.")
    form = CancelActionForm(request.POST, organization=nc.organization, prefix=f"cancel-{pk}")
    key = form_key("cancel", action.pk)
    if not form.is_valid():
        return render_with_errors(request, nc, key, form, 422)

    def write(_evidence):
        action_services.cancel_corrective_action(
            action, actor=request.user, reason=form.cleaned_data["reason"]
        )

    refused = _run(request, nc, key, form, write)
    if refused is not None:
        return refused
    messages.success(request, f"Corrective action “{action.title}” cancelled.")
    return _back(nc, "corrective-actions")


@member_required
@require_POST
def action_implement(request: MemberRequest, pk: int) -> HttpResponse:
    """The action's owner records it done, with evidence or the changed document's version."""
    action = _action(request, pk)
    nc = action.nonconformity
    if not may(request.user, "implement", action):
        raise DjangoPermissionDenied("Only the action's owner or an implementer records it done.")
    form = ImplementActionForm(
        request.POST, request.FILES, organization=nc.organization, prefix=f"implement-{pk}"
    )
    key = form_key("implement", action.pk)
    if not form.is_valid():
        return render_with_errors(request, nc, key, form, 422)

    def write(evidence):
        action_services.implement_corrective_action(
            action,
            actor=request.user,
            note=form.cleaned_data["note"],
            evidence=evidence,
            document_version=form.cleaned_data["document_version"],
        )

    refused = _run(request, nc, key, form, write)
    if refused is not None:
        return refused
    messages.success(request, f"Corrective action “{action.title}” implemented.")
    return _back(nc, "corrective-actions")


# --- tasks and policy ------------------------------------------------------------------------


@member_required
def tasks(request: MemberRequest) -> HttpResponse:
    """My corrective-action tasks, overdue first."""
    org = request.organization
    if not may(request.user, "report", Nonconformity, organization=org):
        raise DjangoPermissionDenied("Your role has no corrective-action tasks here.")
    found = capa_tasks(request.user, org)
    for nc in found.nonconformities:
        shown: Any = nc  # with what the template shows
        shown.late = bool(nc.due_date and nc.due_date < found.today)
    # The owner of an action reads its nonconformity (a reader field), so every row links.
    return render(
        request,
        "improvement/tasks.html",
        {
            "tasks": found,
            "today": found.today,
            "can_list": may(request.user, "view", Nonconformity, organization=org),
        },
    )


@member_required
def policy(request: MemberRequest) -> HttpResponse:
    """The corrective-action policy: every member reads it, implementers change it."""
    org = request.organization
    current = policy_for(org)
    if not may(request.user, "view", current):
        raise DjangoPermissionDenied("Your role does not allow this.")
    can_change = may(request.user, "change", current)
    if request.method == "POST" and not can_change:
        raise DjangoPermissionDenied("Only the system manager or a consultant changes the policy.")
    initial = {name: getattr(current, name) for name in PolicyForm.base_fields}
    form = PolicyForm(request.POST or None, organization=org, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_capa_policy(org, actor=request.user, **form.service_data())
            except PermissionDenied as exc:
                _refuse_page(exc)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Corrective-action policy saved.")
                return redirect("improvement:policy")
        status = 422
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "improvement/policy.html",
        {
            "form": form,
            "policy": current,
            "can_change": can_change,
            "can_list": may(request.user, "view", Nonconformity, organization=org),
        },
        status=status,
    )


@member_required
@require_POST
def raise_risk_page(request: MemberRequest, pk: int) -> HttpResponse:
    """Open a risk from the nonconformity, then go to the risk's form to rate it."""
    from pdca.improvement.risk_link import raise_risk

    nc = _nonconformity(request, pk, "change")
    try:
        risk = raise_risk(nc, actor=request.user)
    except PermissionDenied as exc:
        _refuse_page(exc)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _back(nc)
    messages.success(request, f"Risk {risk.code} raised: rate it on the risk method.")
    return redirect("risks:risks-edit", pk=risk.pk)
