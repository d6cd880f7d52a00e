"""Rules of an audit's life: its status steps, its team, its plan and its meetings.

Every write checks the actor's permission first, validates with typed errors naming the field,
and records its activity entry in the same transaction. The audit and audit programme
registers themselves are written by `core.registers.services`; the report (issuing) and the
fieldwork have their own modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.audits.independence import AUDITING_ROLES, check_auditor, is_member, vet
from pdca.audits.models import Audit, AuditMeeting, AuditPlanItem, AuditTeamMember, Finding
from pdca.core.activity import record_activity, record_create, record_delete, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.deletion import lock_for_delete
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.records.rules import ensure_deletable
from pdca.core.validation import apply_fields, validate_instance

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.standards.models import Requirement
    from pdca.system.models import Process
    from pdca.tenancy.models import Site

S = Audit.Status


# --- status -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One move of an audit's status: its name (the activity entry's action), from and to."""

    name: str
    source: str
    target: str
    label: str


STEPS: tuple[Step, ...] = (
    Step("prepare", S.PLANNED, S.PREPARED, "Mark prepared"),
    Step("start", S.PREPARED, S.IN_PROGRESS, "Start fieldwork"),
    Step("finish_fieldwork", S.IN_PROGRESS, S.REPORTING, "Finish fieldwork"),
    Step("issue_report", S.REPORTING, S.REPORT_ISSUED, "Issue the report"),
    Step("close", S.REPORT_ISSUED, S.CLOSED, "Close the audit"),
    Step("back_to_planned", S.PREPARED, S.PLANNED, "Back to planned"),
    Step("back_to_prepared", S.IN_PROGRESS, S.PREPARED, "Back to prepared"),
)
STEP_BY_MOVE = {(s.source, s.target): s for s in STEPS}
#: Once the report is issued the team and plan are part of it; a new revision would be needed.


def steps_from(status: str) -> list[Step]:
    return [s for s in STEPS if s.source == status]


def open_nonconformity_findings(audit: Audit) -> list[Finding]:
    """Major and minor findings that have not opened a nonconformity yet. A certification
    body's findings open none in its own register (the client owns them; the body follows its
    answers), so none of them is waiting."""
    if audit.organization.kind == audit.organization.Kind.CERTIFICATION_BODY:
        return []
    return list(
        audit.findings.filter(
            grade__in=(Finding.Grade.MAJOR, Finding.Grade.MINOR), nonconformity__isnull=True
        ).order_by("number")
    )


def transition_problem(audit: Audit, to: str, *, _from_report: bool = False) -> str | None:
    """Why `audit` may not move to status `to` now, or None when it may."""
    labels = dict(S.choices)
    if to not in labels:
        return f"“{to}” is not a status of an audit."
    step = STEP_BY_MOVE.get((audit.status, to))
    if step is None:
        return (
            f"An audit that is {labels[audit.status].lower()} cannot move to {labels[to].lower()}."
        )
    if step.target == S.PREPARED and step.source == S.PLANNED:
        missing = []
        if not audit.lead_auditor_id:
            missing.append("a lead auditor")
        if not (audit.plan_items.exists() or audit.checklist.exists()):
            missing.append("at least one plan item or checklist item")
        if missing:
            return f"The audit needs {' and '.join(missing)} before it is prepared."
    if step.target == S.REPORT_ISSUED and not _from_report:
        return "The report is issued from the report page, which freezes its content."
    if step.target == S.CLOSED:
        open_ones = open_nonconformity_findings(audit)
        if open_ones:
            names = ", ".join(f"F{f.number} {f.title}" for f in open_ones)
            return (
                "Every major and minor nonconformity must be handed to the corrective-action "
                f"workflow before the audit is closed; no nonconformity opened yet for: {names}."
            )
    return None


def available_steps(audit: Audit) -> list[tuple[Step, str | None]]:
    """The steps from the audit's status, each with the reason it is not available (or None)."""
    return [(step, transition_problem(audit, step.target)) for step in steps_from(audit.status)]


@transaction.atomic
def transition_audit(
    audit: Audit, to: str, *, actor: User, comment: str = "", _from_report: bool = False
) -> Audit:
    """Move the audit to status `to` along one of its steps; a refused move says why
    (Conflict `invalid_transition`). `_from_report` is for `issue_report` only."""
    require(actor, "issue" if to == S.REPORT_ISSUED else "change", audit)
    # Lock the row: two people pressing the same button must not both move it.
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    problem = transition_problem(locked, to, _from_report=_from_report)
    if problem:
        raise Conflict(problem, code="invalid_transition")
    step = STEP_BY_MOVE[(locked.status, to)]
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    audit.status = to
    record_activity(
        actor=actor,
        action=step.name,
        obj=locked,
        changes={"status": [step.source, step.target]},
        message=(comment or "").strip(),
    )
    return audit


# --- helpers ------------------------------------------------------------------------------------


def _check_not_frozen(audit: Audit, what: str) -> None:
    if audit.report_frozen:
        raise Conflict(
            f"The audit's report is issued ({audit.get_status_display().lower()}): its {what} "
            "can no longer change.",
            code="audit_frozen",
        )


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.email) if user else ""


# --- team ---------------------------------------------------------------------------------------


def _sync_lead(audit: Audit, user: User | None, *, actor: User) -> None:
    """Make `user` (or nobody) the audit's lead auditor, recording the change."""
    new_id = getattr(user, "pk", None)
    if audit.lead_auditor_id == new_id:
        return
    old_id = audit.lead_auditor_id
    audit.lead_auditor = user
    audit.save(update_fields=["lead_auditor", "updated_at"])
    record_activity(
        actor=actor, action="update", obj=audit, changes={"lead_auditor": [old_id, new_id]}
    )


def _demote_other_leads(audit: Audit, keep_pk: int, *, actor: User) -> None:
    for other in audit.team.filter(role=AuditTeamMember.Role.LEAD).exclude(pk=keep_pk):
        other.role = AuditTeamMember.Role.AUDITOR
        other.save(update_fields=["role", "updated_at"])
        record_activity(
            actor=actor,
            action="update",
            obj=other,
            changes={"role": ["lead", "auditor"]},
            message="Another person became lead auditor.",
        )


def _check_role(role: str) -> None:
    if role not in AuditTeamMember.Role.values:
        choices = ", ".join(AuditTeamMember.Role.values)
        raise ValidationFailed.single("role", f"Choose one of: {choices}.")


@transaction.atomic
def add_team_member(audit: Audit, user: User | None, role: str, *, actor: User) -> AuditTeamMember:
    """Put a member of the organization on the audit's team. Auditors (lead or not) of an
    internal audit must be independent of its processes; a lead becomes the audit's lead
    auditor (an earlier lead stays on the team as auditor)."""
    require(actor, "add", AuditTeamMember, organization=audit.organization_id)
    _check_not_frozen(audit, "team")
    _check_role(role)
    if user is None:
        raise ValidationFailed.single("user", "Choose a member of the organization.")
    if not is_member(audit.organization_id, user):
        raise ValidationFailed.single(
            "user", f"{_person(user)} is not a member of this organization.", "not_member"
        )
    if audit.team.filter(user=user).exists():
        raise ValidationFailed.single("user", f"{_person(user)} is already on the team.")
    if role in AUDITING_ROLES:
        check_auditor(audit, user)
    vet(audit, user, role, field="user")
    member = AuditTeamMember.objects.create(
        organization_id=audit.organization_id, audit=audit, user=user, role=role
    )
    record_create(actor=actor, obj=member)
    if role == AuditTeamMember.Role.LEAD:
        _demote_other_leads(audit, member.pk, actor=actor)
        _sync_lead(audit, user, actor=actor)
    return member


@transaction.atomic
def update_team_member(member: AuditTeamMember, *, actor: User, role: str) -> AuditTeamMember:
    """Change a team member's role (the lead role moves the audit's lead auditor with it)."""
    lock_for_update(member)
    require(actor, "change", member)
    audit = member.audit
    _check_not_frozen(audit, "team")
    _check_role(role)
    if role == member.role:
        return member
    if role in AUDITING_ROLES and member.role not in AUDITING_ROLES:
        check_auditor(audit, member.user, field="role")
    vet(audit, member.user, role, field="role")
    before = snapshot(member)
    was_lead = member.role == AuditTeamMember.Role.LEAD
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    record_activity(
        actor=actor,
        action="update",
        obj=member,
        changes={"role": [before["role"], role]},
    )
    if role == AuditTeamMember.Role.LEAD:
        _demote_other_leads(audit, member.pk, actor=actor)
        _sync_lead(audit, member.user, actor=actor)
    elif was_lead and audit.lead_auditor_id == member.user_id:
        _sync_lead(audit, None, actor=actor)
    return member


@transaction.atomic
def remove_team_member(member: AuditTeamMember, *, actor: User) -> None:
    """Take someone off the team; refused while plan items still name them as auditor."""
    require(actor, "delete", member)
    lock_for_delete(member, parent="audit")
    audit = member.audit
    _check_not_frozen(audit, "team")
    planned = audit.plan_items.filter(auditor_id=member.user_id).count()
    if planned:
        raise Conflict(
            f"{_person(member.user)} audits {planned} item(s) of the plan; give them to "
            "someone else first.",
            code="in_use",
        )
    ensure_deletable(member)
    record_delete(actor=actor, obj=member)
    if member.role == AuditTeamMember.Role.LEAD and audit.lead_auditor_id == member.user_id:
        _sync_lead(audit, None, actor=actor)
    member.delete()


def team_user_ids(audit: Audit) -> set[int]:
    ids = set(audit.team.values_list("user_id", flat=True))
    if audit.lead_auditor_id:
        ids.add(audit.lead_auditor_id)
    return ids


# --- plan -------------------------------------------------------------------------------------

PLAN_FIELDS = ("starts_at", "ends_at", "site", "process", "activity", "auditor", "auditee")


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _check_plan_item(item: AuditPlanItem, requirements: list | None) -> None:
    audit = item.audit
    errors: list[FieldError] = []
    try:
        validate_instance(item, exclude=["requirements", "organization", "audit"])
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if item.starts_at and item.ends_at:
        if item.ends_at <= item.starts_at:
            errors.append(FieldError("ends_at", "The slot must end after it starts."))
        if not audit.start_date <= _local_date(item.starts_at) <= audit.end_date:
            errors.append(
                FieldError(
                    "starts_at",
                    f"Plan the slot within the audit's dates ({audit.start_date:%Y-%m-%d} to "
                    f"{audit.end_date:%Y-%m-%d}).",
                )
            )
        elif _local_date(item.ends_at) > audit.end_date:
            errors.append(FieldError("ends_at", f"The audit ends on {audit.end_date:%Y-%m-%d}."))
    for name in ("site", "process"):
        value = getattr(item, name)
        if value is not None and value.organization_id != item.organization_id:
            errors.append(FieldError(name, f"Choose a {name} of this organization."))
    if requirements:
        standard_ids = set(audit.standards.values_list("pk", flat=True))
        bad = [r for r in requirements if standard_ids and r.standard_id not in standard_ids]
        if bad:
            errors.append(
                FieldError(
                    "requirements",
                    "Not a requirement of the audit's standards: "
                    f"{', '.join(str(r) for r in bad[:5])}.",
                )
            )
    if item.auditor_id and not errors:
        if item.auditor_id not in team_user_ids(audit):
            errors.append(
                FieldError(
                    "auditor",
                    f"{_person(item.auditor)} is not on the audit's team; add them first.",
                )
            )
        else:
            if item.process_id:
                try:
                    check_auditor(audit, item.auditor, processes=[item.process], field="auditor")
                except ValidationFailed as exc:
                    errors.extend(exc.errors)
            clash = (
                AuditPlanItem.objects.filter(
                    organization_id=item.organization_id,
                    auditor_id=item.auditor_id,
                    starts_at__lt=item.ends_at,
                    ends_at__gt=item.starts_at,
                )
                .exclude(pk=item.pk)
                .select_related("audit")
                .order_by("starts_at")
                .first()
            )
            if clash is not None:
                when = timezone.localtime(clash.starts_at)
                errors.append(
                    FieldError(
                        "starts_at",
                        f"{_person(item.auditor)} is already planned then: “{clash.activity}” "
                        f"({clash.audit}) from {when:%Y-%m-%d %H:%M}.",
                        "overlap",
                    )
                )
    if errors:
        raise ValidationFailed(errors)


def _requirement_ids(item: AuditPlanItem) -> list[int]:
    return sorted(item.requirements.values_list("pk", flat=True)) if item.pk else []


@transaction.atomic
def add_plan_item(
    audit: Audit,
    *,
    actor: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    activity: str,
    site: Site | None = None,
    process: Process | None = None,
    requirements: Iterable[Requirement] | None = None,
    auditor: User | None = None,
    auditee: str = "",
) -> AuditPlanItem:
    """Add a slot to the audit plan: within the audit's dates, ending after it starts, audited
    by someone on the team who is not planned elsewhere at the same time."""
    require(actor, "add", AuditPlanItem, organization=audit.organization_id)
    _check_not_frozen(audit, "plan")
    item = AuditPlanItem(organization_id=audit.organization_id, audit=audit)
    apply_fields(
        item,
        {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "activity": activity or "",
            "site": site,
            "process": process,
            "auditor": auditor,
            "auditee": auditee or "",
        },
        PLAN_FIELDS,
    )
    chosen = list(dict.fromkeys(requirements or []))
    _check_plan_item(item, chosen)
    item.save()
    item.requirements.set(chosen)
    changes = {k: [None, v] for k, v in snapshot(item).items() if v not in (None, "", [], {})}
    if chosen:
        changes["requirements"] = [[], _requirement_ids(item)]
    record_activity(actor=actor, action="create", obj=item, changes=changes)
    return item


@transaction.atomic
def update_plan_item(item: AuditPlanItem, *, actor: User, **fields: Any) -> AuditPlanItem:
    """Change the given fields of a plan slot (`requirements` replaces the list)."""
    lock_for_update(item)
    require(actor, "change", item)
    _check_not_frozen(item.audit, "plan")
    before = {**snapshot(item), "requirements": _requirement_ids(item)}
    requirements = fields.pop("requirements", None)
    for name in ("activity", "auditee"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    apply_fields(item, fields, PLAN_FIELDS)
    chosen = list(dict.fromkeys(requirements)) if requirements is not None else None
    _check_plan_item(item, chosen)
    written = save_changed(item)
    if chosen is not None:
        item.requirements.set(chosen)
    after = {**snapshot(item), "requirements": _requirement_ids(item)}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes and not written:
        save_changed(item, touch=True)  # new requirements only: still a new version
    if changes:
        record_activity(actor=actor, action="update", obj=item, changes=changes)
    return item


@transaction.atomic
def delete_plan_item(item: AuditPlanItem, *, actor: User) -> None:
    require(actor, "delete", item)
    lock_for_delete(item, parent="audit")
    _check_not_frozen(item.audit, "plan")
    ensure_deletable(item)
    record_delete(actor=actor, obj=item)
    item.delete()


# --- meetings ---------------------------------------------------------------------------------

MEETING_FIELDS = ("kind", "held_at", "attendees", "notes")


def _check_meeting(meeting: AuditMeeting) -> None:
    audit = meeting.audit
    errors: list[FieldError] = []
    try:
        validate_instance(meeting, exclude=["organization", "audit"])
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if meeting.held_at and _local_date(meeting.held_at) < audit.start_date:
        errors.append(FieldError("held_at", f"The audit starts on {audit.start_date:%Y-%m-%d}."))
    if meeting.kind and not errors:
        if audit.meetings.filter(kind=meeting.kind).exclude(pk=meeting.pk).exists():
            errors.append(
                FieldError(
                    "kind",
                    f"The {meeting.get_kind_display().lower()} is already recorded; edit it.",
                    "duplicate",
                )
            )
        other_kind = (
            AuditMeeting.Kind.OPENING
            if meeting.kind == AuditMeeting.Kind.CLOSING
            else AuditMeeting.Kind.CLOSING
        )
        other = audit.meetings.filter(kind=other_kind).exclude(pk=meeting.pk).first()
        if other is not None:
            opening, closing = (
                (other, meeting) if meeting.kind == AuditMeeting.Kind.CLOSING else (meeting, other)
            )
            if closing.held_at < opening.held_at:
                errors.append(
                    FieldError("held_at", "The closing meeting cannot come before the opening.")
                )
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def record_meeting(
    audit: Audit, *, actor: User, kind: str, held_at: dt.datetime, attendees: str, notes: str = ""
) -> AuditMeeting:
    """Record the audit's opening or closing meeting: when, who attended, what was said."""
    require(actor, "add", AuditMeeting, organization=audit.organization_id)
    if audit.status == S.CLOSED:
        _check_not_frozen(audit, "meetings")
    meeting = AuditMeeting(organization_id=audit.organization_id, audit=audit)
    apply_fields(
        meeting,
        {"kind": kind, "held_at": held_at, "attendees": attendees or "", "notes": notes or ""},
        MEETING_FIELDS,
    )
    _check_meeting(meeting)
    meeting.save()
    record_create(actor=actor, obj=meeting)
    return meeting


@transaction.atomic
def update_meeting(meeting: AuditMeeting, *, actor: User, **fields: Any) -> AuditMeeting:
    lock_for_update(meeting)
    require(actor, "change", meeting)
    if meeting.audit.status == S.CLOSED:
        _check_not_frozen(meeting.audit, "meetings")
    before = snapshot(meeting)
    for name in ("attendees", "notes"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    apply_fields(meeting, fields, MEETING_FIELDS)
    _check_meeting(meeting)
    save_changed(meeting)
    changes = {k: [before.get(k), v] for k, v in snapshot(meeting).items() if before.get(k) != v}
    if changes:
        record_activity(actor=actor, action="update", obj=meeting, changes=changes)
    return meeting


@transaction.atomic
def delete_meeting(meeting: AuditMeeting, *, actor: User) -> None:
    require(actor, "delete", meeting)
    lock_for_delete(meeting, parent="audit")
    if meeting.audit.status == S.CLOSED:
        _check_not_frozen(meeting.audit, "meetings")
    ensure_deletable(meeting)
    record_delete(actor=actor, obj=meeting)
    meeting.delete()
