"""The nonconformity's own part of its register page: where it stands in the workflow, its
deadlines, correction, cause analysis, corrective actions of every round, effectiveness
checks, and the forms of the steps that follow from its state (template
`improvement/nonconformity_detail_part.html`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from pdca.core.permissions import may, scope
from pdca.core.records.rules import closed_reason
from pdca.improvement.actions import PLANNING
from pdca.improvement.deadlines import pending_deadline
from pdca.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from pdca.improvement.reporter import REPORTER_RELATED, reporter
from pdca.improvement.workflow.forms import (
    STEP_FORMS,
    ActionForm,
    CancelActionForm,
    ImplementActionForm,
)
from pdca.improvement.workflow.services import available_steps, check_opens_on
from pdca.risks.models import Risk

S = Nonconformity.Status
#: The states of the main path, in order (dismissed is off it).
PATH = [
    S.REPORTED,
    S.TRIAGED,
    S.CONTAINED,
    S.CAUSE_ANALYSED,
    S.ACTION_PLANNED,
    S.IMPLEMENTED,
    S.VERIFIED,
    S.CLOSED,
]
#: Bound forms with errors, which a refused POST hands back to this page (see
#: workflow_views.render_with_errors), keyed as in `form_key`.
FORMS_ATTR = "capa_forms"


def form_key(kind: str, ident: int | str | None = None) -> str:
    """ "step:triage", "action" (a new action), "implement:12" (action 12)…"""
    return f"{kind}:{ident}" if ident is not None else kind


def stepper(nonconformity: Nonconformity) -> list[dict[str, Any]]:
    """The states of the path, each done, current or to come (a dismissed report shows
    reported, then dismissed)."""
    if nonconformity.status == S.DISMISSED:
        return [
            {"value": S.REPORTED, "label": S.REPORTED.label, "state": "done"},
            {"value": S.DISMISSED, "label": S.DISMISSED.label, "state": "current"},
        ]
    at = PATH.index(S(nonconformity.status))
    return [
        {
            "value": status,
            "label": status.label,
            "state": "done" if i < at else "current" if i == at else "todo",
        }
        for i, status in enumerate(PATH)
    ]


def _visible_link(user, obj, url_name: str) -> str | None:
    return reverse(url_name, args=[obj.pk]) if obj is not None and may(user, "view", obj) else None


def _actions(nonconformity: Nonconformity, user, bound: dict, today) -> list[dict[str, Any]]:
    """The actions grouped by round, the current round first, with their forms."""
    # Scoped: an employee who reported it sees only the actions they own, as in the API.
    actions = list(
        scope(CorrectiveAction.objects.filter(nonconformity=nonconformity), user)
        .select_related("owner", "implemented_by", "document_version__document")
        .prefetch_related("evidence")
        .order_by("-round", "due_date", "pk")
    )
    can_plan = nonconformity.status in PLANNING and may(user, "change", nonconformity)
    org = nonconformity.organization
    rounds: dict[int, list[CorrectiveAction]] = {}
    for row in actions:
        action: Any = row  # given what the template shows
        planned = action.status == CorrectiveAction.Status.PLANNED
        current = action.round == nonconformity.round
        action.overdue = planned and action.due_date < today
        action.can_edit = can_plan and planned and current
        action.can_implement = (
            planned
            and current
            and nonconformity.status == S.ACTION_PLANNED
            and may(user, "implement", action)
        )
        action.document_version_url = (
            reverse("documents:version-detail", args=[action.document_version_id])
            if action.document_version_id
            else None
        )
        if action.can_edit:
            action.cancel_form = bound.get(form_key("cancel", action.pk)) or CancelActionForm(
                organization=org, prefix=f"cancel-{action.pk}"
            )
        if action.can_implement:
            action.implement_form = bound.get(
                form_key("implement", action.pk)
            ) or ImplementActionForm(organization=org, prefix=f"implement-{action.pk}")
        rounds.setdefault(action.round, []).append(action)
    return [
        {"round": number, "current": number == nonconformity.round, "actions": items}
        for number, items in sorted(rounds.items(), reverse=True)
    ]


def _steps(nonconformity: Nonconformity, user, bound: dict) -> list[dict[str, Any]]:
    org = nonconformity.organization
    steps = []
    for step in available_steps(nonconformity, user):
        form = None
        if step.allowed:
            form = bound.get(form_key("step", step.name)) or STEP_FORMS[step.name](
                organization=org, prefix=step.name, initial=_initial(nonconformity, step.name)
            )
        steps.append(
            {
                "step": step,
                "form": form,
                "url": reverse(
                    "improvement:nonconformity-step", args=[nonconformity.pk, step.name]
                ),
                "multipart": step.name in ("contain", "verify"),
            }
        )
    return steps


def _initial(nonconformity: Nonconformity, step: str) -> dict[str, Any]:
    """What the triage form starts from: what the report or the register already says."""
    if step == "triage":
        return {
            "severity": nonconformity.severity,
            "owner": nonconformity.owner_id,
            "process": nonconformity.process_id,
            "site": nonconformity.site_id,
            "requirements": list(nonconformity.requirements.values_list("pk", flat=True)),
        }
    if step == "analyse" and nonconformity.cause_method:
        # A new round starts from the last analysis, to be corrected rather than retyped.
        return {
            "method": nonconformity.cause_method,
            "whys": "\n".join(nonconformity.whys or []),
            "categories": nonconformity.cause_categories,
            "root_cause": nonconformity.root_cause,
        }
    return {}


def nonconformity_detail_context(request, nonconformity: Nonconformity) -> dict[str, Any]:
    """What the nonconformity's page shows besides its fields, and the forms the user may use."""
    user = request.user
    today = timezone.localdate()
    bound = getattr(request, FORMS_ATTR, {})
    nc = (
        Nonconformity.objects.select_related(
            "organization", "risk", "recurrence_of", "owner", *REPORTER_RELATED
        )
        .prefetch_related("attachments", "correction_evidence")
        .get(pk=nonconformity.pk)
    )
    deadline = pending_deadline(nc)
    checks = list(
        scope(EffectivenessCheck.objects.filter(nonconformity=nc), user)
        .select_related("checked_by")
        .prefetch_related("evidence")
        .order_by("-round", "-checked_at")
    )
    recurrences = list(
        scope(Nonconformity.objects.filter(recurrence_of=nc), user).order_by("created_at", "pk")
    )
    # The audit finding that opened it, if one did (a reverse one-to-one: absent raises).
    finding = nc.finding if hasattr(nc, "finding") else None
    can_plan = nc.status in PLANNING and may(user, "change", nc)
    opens = check_opens_on(nc) if nc.status == S.IMPLEMENTED else None
    return {
        "nc": nc,
        "reporter": reporter(nc),
        "stepper": stepper(nc),
        "deadline": (
            {"what": deadline[0], "date": deadline[1], "overdue": deadline[1] < today}
            if deadline
            else None
        ),
        "overdue": bool(nc.is_open and nc.due_date and nc.due_date < today),
        "escalated": nc.escalated_at is not None and nc.is_open,
        "recurrence_of": nc.recurrence_of,
        "recurrence_of_url": _visible_link(
            user, nc.recurrence_of, "improvement:nonconformities-detail"
        ),
        "recurrences": [
            (r, reverse("improvement:nonconformities-detail", args=[r.pk])) for r in recurrences
        ],
        "attachments": list(nc.attachments.all()),
        "correction_evidence": list(nc.correction_evidence.all()),
        "categories": [Nonconformity.CauseCategory(c).label for c in nc.cause_categories or []],
        "rounds": _actions(nc, user, bound, today),
        "checks": checks,
        "check_opens_on": opens,
        "steps": _steps(nc, user, bound),
        "add_action_form": (
            (
                bound.get(form_key("action"))
                or ActionForm(organization=nc.organization, prefix="action")
            )
            if can_plan
            else None
        ),
        "add_action_url": reverse("improvement:action-create", args=[nc.pk]),
        "risk": nc.risk,
        "can_raise_risk": (
            nc.risk_id is None
            and closed_reason(nc) is None
            and may(user, "change", nc)
            and may(user, "add", Risk, organization=nc.organization)
        ),
        "risk_url": _visible_link(user, nc.risk, "risks:risks-detail"),
        "finding": finding,
        "finding_url": _visible_link(user, finding, "audits:finding"),
        "audit_url": (
            reverse("audits:audits-detail", args=[finding.audit_id])
            if finding is not None and may(user, "view", finding.audit)
            else None
        ),
    }
