"""The corrective-action workflow of a nonconformity: one transition function for every step.

reported → triaged → contained → cause analysed → action planned → implemented → verified →
closed; a report that is not a nonconformity is dismissed at triage. Each step is refused, with
the reason, when its preconditions are missing. An effectiveness check that finds the actions
did not work sends the nonconformity back to "contained" for a new round of analysis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import check_version
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import may, require
from pdca.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from pdca.improvement.policy import policy_for
from pdca.improvement.validation import (
    check_evidence,
    check_member,
    check_text,
    clean_requirements,
)

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.improvement.models import CapaPolicy

S = Nonconformity.Status

#: step: (states it starts from, state it leads to, permission, button label)
STEPS: dict[str, tuple[frozenset[str], str, str, str]] = {
    "triage": (frozenset({S.REPORTED}), S.TRIAGED, "triage", "Triage"),
    "dismiss": (frozenset({S.REPORTED, S.TRIAGED}), S.DISMISSED, "triage", "Dismiss"),
    "contain": (frozenset({S.TRIAGED}), S.CONTAINED, "change", "Record the correction"),
    "analyse": (frozenset({S.CONTAINED}), S.CAUSE_ANALYSED, "change", "Record the root cause"),
    "plan": (frozenset({S.CAUSE_ANALYSED}), S.ACTION_PLANNED, "change", "Confirm the plan"),
    "implement": (frozenset({S.ACTION_PLANNED}), S.IMPLEMENTED, "change", "Mark implemented"),
    "verify": (frozenset({S.IMPLEMENTED}), S.VERIFIED, "verify", "Check effectiveness"),
    "close": (frozenset({S.VERIFIED}), S.CLOSED, "close", "Close"),
}
MAX_WHYS = 10
TEXT_LIMIT = 20_000


@dataclass(frozen=True)
class Step:
    """A step as a page or the API offers it: allowed, or why not."""

    name: str
    label: str
    allowed: bool
    reason: str = ""


def today() -> dt.date:
    return timezone.localdate()


def current_actions(nonconformity: Nonconformity) -> list[CorrectiveAction]:
    """This round's actions that still count (cancelled ones do not)."""
    return [
        a
        for a in nonconformity.actions.all()
        if a.round == nonconformity.round and a.status != CorrectiveAction.Status.CANCELLED
    ]


def barred_from_checking(actions: list[CorrectiveAction]) -> set[int]:
    """Who may not check these (current, not cancelled) actions: their owners and whoever
    carried them out."""
    return {a.owner_id for a in actions} | {
        a.implemented_by_id for a in actions if a.implemented_by_id
    }


def check_opens_on(
    nonconformity: Nonconformity, policy: CapaPolicy | None = None
) -> dt.date | None:
    """The first day the effectiveness check may be made: the waiting period for the
    nonconformity's severity after its actions were implemented (`policy` saves its read when
    the caller holds it)."""
    if nonconformity.implemented_at is None:
        return None
    policy = policy or policy_for(nonconformity.organization_id)
    wait = policy.wait_days(nonconformity.severity)
    implemented = timezone.localdate(nonconformity.implemented_at)
    return implemented + dt.timedelta(days=wait)


def from_audit_finding(nonconformity: Nonconformity) -> bool:
    """Whether an audit finding raised it: one of the organization's own audits, or a linked
    certification body's (whose review of the finding holds its deadlines)."""
    from pdca.audits.models import Finding
    from pdca.improvement import hooks

    if Finding.objects.filter(nonconformity_id=nonconformity.pk).exists():
        return True
    return nonconformity.source == Nonconformity.Source.CERTIFICATION_AUDIT and any(
        answer is not None for answer in hooks.body_deadlines.call(nonconformity)
    )


def _precondition(nonconformity: Nonconformity, step: str, actor: User) -> str:
    """Why `step` cannot be taken now, whatever is entered; "" when it can."""
    if step == "dismiss" and from_audit_finding(nonconformity):
        return (
            "It was raised by an audit finding: the auditor regrades the finding instead; "
            "the auditee does not dismiss it."
        )
    if step == "plan" and not current_actions(nonconformity):
        return "Add at least one corrective action, with its owner and due date, first."
    if step == "implement":
        actions = current_actions(nonconformity)
        planned = [a for a in actions if a.status == CorrectiveAction.Status.PLANNED]
        if planned:
            names = ", ".join(a.title for a in planned[:3])
            return f"{len(planned)} action(s) not implemented yet: {names}."
        if not actions:
            return "No corrective action was implemented in this round."
    if step == "verify":
        if actor.pk in barred_from_checking(current_actions(nonconformity)):
            return (
                "You own or carried out one of its corrective actions: the check that they "
                "worked is made by someone else."
            )
        opens = check_opens_on(nonconformity)
        if opens is not None and today() < opens:
            return (
                f"The waiting period for a {nonconformity.severity or 'nonconformity'} runs "
                f"until {opens}: check then, when the actions have had time to show their "
                "effect."
            )
    return ""


def step_state(nonconformity: Nonconformity, step: str, user: User) -> Step:
    """Whether `user` may take `step` now, and if not, why (for buttons and the API)."""
    sources, _target, permission, label = STEPS[step]
    if nonconformity.status not in sources:
        allowed_from = ", ".join(S(s).label.lower() for s in sorted(sources))
        return Step(
            step,
            label,
            False,
            f"It is {nonconformity.get_status_display().lower()}; this step follows "
            f"{allowed_from}.",
        )
    if not may(user, permission, nonconformity):
        return Step(step, label, False, "Your role may not take this step on this nonconformity.")
    reason = _precondition(nonconformity, step, user)
    return Step(step, label, not reason, reason)


def available_steps(nonconformity: Nonconformity, user: User) -> list[Step]:
    """The steps that follow from the current state, each allowed or with its reason."""
    return [
        step_state(nonconformity, name, user)
        for name, (sources, *_rest) in STEPS.items()
        if nonconformity.status in sources
    ]


# --- the data each step records -------------------------------------------------------------


def _triage(nc: Nonconformity, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    from pdca.improvement.recurrence import find_recurrence

    errors: list[FieldError] = []
    severity = data.get("severity") or nc.severity
    if severity not in Nonconformity.Severity.values:
        errors.append(FieldError("severity", "Choose major or minor.", "required"))
    owner = data.get("owner", nc.owner)
    errors += check_member(nc.organization_id, owner, "owner", required=True, owner=True)
    process = data.get("process", nc.process)
    if process is None:
        errors.append(FieldError("process", "Choose the process it happened in.", "required"))
    elif process.organization_id != nc.organization_id:
        errors.append(FieldError("process", "Choose a process of this organization."))
    site = data.get("site", nc.site)
    if site is not None and site.organization_id != nc.organization_id:
        errors.append(FieldError("site", "Choose a site of this organization."))
    requirements, req_errors = clean_requirements(
        nc.organization, data["requirements"] if "requirements" in data else nc.requirements.all()
    )
    errors += req_errors
    due_date = data.get("due_date") or nc.due_date
    if "due_date" in data and data["due_date"] and data["due_date"] < today():
        errors.append(FieldError("due_date", "The due date cannot be in the past."))
    if errors:
        raise ValidationFailed(errors)
    nc.severity, nc.owner, nc.process, nc.site = severity, owner, process, site
    nc.due_date = due_date
    nc.triaged_at = timezone.now()
    from pdca.improvement.deadlines import apply_deadlines

    # A certification finding without a chosen date is due when its body's deadline falls
    # (the severity is known only now); any other nonconformity by the policy's days.
    apply_deadlines(nc)
    if nc.due_date is None:
        nc.due_date = today() + dt.timedelta(days=policy_for(nc.organization_id).due_days(severity))
    nc.requirements.set(requirements)
    nc.recurrence_of = find_recurrence(nc)
    return {"requirements": sorted(r.pk for r in requirements)}


def _dismiss(nc: Nonconformity, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    reason = check_text(data, "reason", "Say why this is not a nonconformity.", required=True)
    nc.closure_note = reason
    nc.closed_at = timezone.now()
    return {}


def _contain(nc: Nonconformity, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    correction, evidence = "", []
    try:
        correction = check_text(
            data, "correction", "Say what was done to fix the immediate problem.", required=True
        )
    except ValidationFailed as exc:
        errors += exc.errors
    try:
        evidence = check_evidence(nc.organization_id, data.get("evidence") or [], required=True)
    except ValidationFailed as exc:
        errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    nc.correction = correction
    nc.contained_at = timezone.now()
    nc.correction_evidence.add(*evidence)
    return {"correction_evidence": sorted(e.pk for e in evidence)}


def _analyse(nc: Nonconformity, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    method = data.get("method") or ""
    whys = [str(w).strip() for w in (data.get("whys") or []) if str(w).strip()]
    categories = list(dict.fromkeys(data.get("categories") or []))
    if method not in Nonconformity.CauseMethod.values:
        errors.append(
            FieldError(
                "method",
                "Choose the method: five whys, cause categories or free text.",
                "required",
            )
        )
    if method == Nonconformity.CauseMethod.FIVE_WHYS and len(whys) < 2:
        errors.append(
            FieldError("whys", "Ask why at least twice, each answer on its own line.", "required")
        )
    if len(whys) > MAX_WHYS or any(len(w) > 2000 for w in whys):
        errors.append(FieldError("whys", f"Keep to {MAX_WHYS} answers of 2,000 characters."))
    unknown = [c for c in categories if c not in Nonconformity.CauseCategory.values]
    if unknown:
        errors.append(
            FieldError(
                "categories",
                f"Not a cause category: {', '.join(map(str, unknown[:5]))}. Choose from "
                f"{', '.join(Nonconformity.CauseCategory.values)}.",
            )
        )
    elif method == Nonconformity.CauseMethod.CATEGORIES and not categories:
        errors.append(FieldError("categories", "Choose at least one cause category.", "required"))
    try:
        root_cause = check_text(
            data,
            "root_cause",
            "State the root cause: what, once removed, stops it happening again.",
            required=True,
        )
    except ValidationFailed as exc:
        errors += exc.errors
        root_cause = ""
    if errors:
        raise ValidationFailed(errors)
    nc.cause_method, nc.whys, nc.cause_categories = method, whys, categories
    nc.root_cause = root_cause
    nc.analysed_at = timezone.now()
    return {}


def _plan(nc: Nonconformity, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    nc.effectiveness_criteria = check_text(
        data,
        "effectiveness_criteria",
        "Say what will show that the actions worked (what to check, and where).",
        required=True,
    )
    nc.planned_at = timezone.now()
    return {}


def _implement(nc: Nonconformity, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    nc.implemented_at = timezone.now()
    return {}


def _close(nc: Nonconformity, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    nc.closure_note = check_text(data, "note", "", required=False)
    nc.closed_at = timezone.now()
    return {}


def _verify(nc: Nonconformity, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    effective = data.get("effective")
    if not isinstance(effective, bool):
        errors.append(
            FieldError("effective", "Say whether the actions were effective.", "required")
        )
    try:
        notes = check_text(data, "notes", "Say what was checked and what it showed.", required=True)
    except ValidationFailed as exc:
        errors += exc.errors
        notes = ""
    try:
        evidence = check_evidence(nc.organization_id, data.get("evidence") or [])
    except ValidationFailed as exc:
        errors += exc.errors
        evidence = []
    if errors:
        raise ValidationFailed(errors)
    check = EffectivenessCheck.objects.create(
        organization_id=nc.organization_id,
        nonconformity=nc,
        round=nc.round,
        checked_by=actor,
        checked_at=timezone.now(),
        effective=bool(effective),  # a bool, as checked above
        notes=notes,
    )
    check.evidence.set(evidence)
    record_activity(
        actor=actor,
        action="create",
        obj=check,
        changes={
            "effective": [None, effective],
            "round": [None, nc.round],
            "notes": [None, notes],
            "evidence": [[], sorted(e.pk for e in evidence)],
        },
    )
    if effective:
        nc.verified_at = check.checked_at
        return {"check": check.pk}
    # Not effective: the analysis opens again, in a new round with new actions.
    nc.round += 1
    nc.analysed_at = nc.planned_at = nc.implemented_at = None
    return {"check": check.pk, "reopened": True}


_RECORDERS = {
    "triage": _triage,
    "dismiss": _dismiss,
    "contain": _contain,
    "analyse": _analyse,
    "plan": _plan,
    "implement": _implement,
    "verify": _verify,
    "close": _close,
}


def _locked(nonconformity: Nonconformity) -> Nonconformity:
    # Lock the nonconformity's row only: PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer joins that select_related makes for owner, process, site and terms.
    return (
        Nonconformity.objects.select_for_update(of=("self",))
        .select_related("organization", "owner", "process", "site", "certification_terms")
        .get(pk=nonconformity.pk)
    )


@transaction.atomic
def transition_nonconformity(
    nonconformity: Nonconformity, step: str, *, actor: User, **data: Any
) -> Nonconformity:
    """Take `step` on the nonconformity with the data it records; refused (nothing written)
    when the state, the actor's role or a precondition does not allow it, or the data is
    incomplete. Records one activity entry naming the step."""
    from pdca.improvement import notifications

    if step not in STEPS:
        raise ValidationFailed.single("step", f"Unknown step. Choose one of: {', '.join(STEPS)}.")
    nc = _locked(nonconformity)
    check_version(nc)  # a step taken on a page or version that is no longer current is refused
    _sources, target, permission, _label = STEPS[step]
    require(actor, permission, nc)
    state = step_state(nc, step, actor)
    if not state.allowed:
        raise Conflict(state.reason, code=f"cannot_{step}")
    before = snapshot(nc)
    extra = _RECORDERS[step](nc, actor, dict(data))
    reopened = extra.pop("reopened", False)
    nc.status = S.CONTAINED if reopened else target
    nc.save()
    changes = {k: [before.get(k), v] for k, v in snapshot(nc).items() if before.get(k) != v}
    for name, value in extra.items():
        changes[name] = [None, value]
    record_activity(actor=actor, action=step, obj=nc, changes=changes)
    if step == "triage":
        notifications.nonconformity_assigned(nc, actor=actor)
    elif step == "implement":
        opens = check_opens_on(nc)
        assert opens is not None  # the step has just set `implemented_at`
        notifications.check_due(nc, opens, actor=actor)
    elif reopened:
        notifications.analysis_reopened(nc, actor=actor)
    nonconformity.refresh_from_db()
    return nc
