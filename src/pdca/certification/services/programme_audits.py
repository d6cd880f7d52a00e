"""The audits of a client's programme, conducted with the audits capability: scheduling one
creates an audit of the certification body (its plan, checklist, findings and report work as
for any audit); a stage 1's outcome gates stage 2; the days delivered are compared with those
planned. A programme audit's status is derived from its audit and its due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.audits.models import Audit
from pdca.audits.registers import AUDITS
from pdca.audits.services import add_team_member
from pdca.certification.models import CertificationCycle, CycleAudit
from pdca.certification.services import cycles, transitions
from pdca.core.activity import record_update, snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.registers.services import create_entry

if TYPE_CHECKING:
    from pdca.accounts.models import User

K = CycleAudit.Kind
A = Audit.Status

#: The derived status of a programme audit, in the order the calendar sorts them.
STATUSES: tuple[tuple[str, str], ...] = (
    ("overdue", "Overdue"),
    ("due", "Due"),
    ("scheduled", "Scheduled"),
    ("in_progress", "In progress"),
    ("reported", "Reported"),
    ("cancelled", "Cancelled"),
)
STATUS_LABELS = dict(STATUSES)
SCHEDULED = (A.PLANNED, A.PREPARED)
IN_PROGRESS = (A.IN_PROGRESS, A.REPORTING)
REPORTED = (A.REPORT_ISSUED, A.CLOSED)

AUDIT_TYPE: dict[str, str] = {
    K.STAGE1: Audit.Type.STAGE1,
    K.STAGE2: Audit.Type.STAGE2,
    K.SURVEILLANCE: Audit.Type.SURVEILLANCE,
    K.RECERTIFICATION: Audit.Type.RECERTIFICATION,
    K.SPECIAL: Audit.Type.SPECIAL,
    K.SHORT_NOTICE: Audit.Type.SPECIAL,
    K.TRANSITION: Audit.Type.SPECIAL,
}
SHORT_CODE: dict[str, str] = {
    K.STAGE1: "S1",
    K.STAGE2: "S2",
    K.SURVEILLANCE: "SV",
    K.RECERTIFICATION: "RC",
    K.SPECIAL: "SP",
    K.SHORT_NOTICE: "SN",
    K.TRANSITION: "TR",
}


def status_of(item: CycleAudit, today: dt.date | None = None) -> str:
    """due, overdue, scheduled, in_progress, reported or cancelled (reads `item.audit`)."""
    if item.cancelled_reason:
        return "cancelled"
    if item.audit_id is None:
        return "overdue" if item.due_date < (today or timezone.localdate()) else "due"
    assert item.audit is not None
    if item.audit.status in REPORTED:
        return "reported"
    if item.audit.status in IN_PROGRESS:
        return "in_progress"
    return "scheduled"


def label_of(item: CycleAudit) -> str:
    label = item.get_kind_display()
    if item.kind == K.SURVEILLANCE or item.sequence > 1:
        label = f"{label} {item.sequence}"
    return label


def is_late(item: CycleAudit) -> bool:
    """Scheduled (or held) after the date it was due by."""
    return item.audit is not None and item.audit.start_date > item.due_date


@dataclass
class Scheduled:
    """A scheduled programme audit, its audit, and what the scheduler should know."""

    cycle_audit: CycleAudit
    audit: Audit
    warnings: list[str] = field(default_factory=list)


def stage2_problem(item: CycleAudit) -> str | None:
    """Why this stage 2 may not be scheduled yet, or None: the cycle's latest stage 1 must
    have found the client ready (possibly with areas of concern)."""
    stage1 = (
        CycleAudit.objects.filter(cycle_id=item.cycle_id, kind=K.STAGE1, cancelled_reason="")
        .order_by("-sequence")
        .first()
    )
    if stage1 is None:
        return None
    if stage1.stage1_outcome in (
        CycleAudit.Stage1Outcome.READY,
        CycleAudit.Stage1Outcome.CONCERNS,
    ):
        return None
    if stage1.stage1_outcome == CycleAudit.Stage1Outcome.NOT_READY:
        return (
            f"{label_of(stage1)} found the client not ready for stage 2: add and hold a new "
            "stage 1 first."
        )
    return (
        f"Stage 2 waits for the outcome of {label_of(stage1).lower()} (ready, or ready with "
        "areas of concern), recorded once its report is issued."
    )


def _check_dates(start_date: Any, end_date: Any) -> None:
    errors: list[FieldError] = []
    if not isinstance(start_date, dt.date):
        errors.append(FieldError("start_date", "Give the audit's first day."))
    if not isinstance(end_date, dt.date):
        errors.append(FieldError("end_date", "Give the audit's last day."))
    if not errors and end_date < start_date:
        errors.append(FieldError("end_date", "The audit ends before it starts."))
    if errors:
        raise ValidationFailed(errors)


def _code(item: CycleAudit) -> str:
    """S1, S2, SV1, SV2, RC, SP1, TR1...; a repeated stage 2 is S2-2."""
    code = SHORT_CODE[item.kind]
    if item.kind in (K.SURVEILLANCE, K.SPECIAL, K.SHORT_NOTICE, K.TRANSITION):
        return f"{code}{item.sequence}"
    return code if item.sequence == 1 else f"{code}-{item.sequence}"


def _audit_fields(item: CycleAudit, cycle: CertificationCycle) -> dict[str, Any]:
    """The audit's fields; a transition audit (or one combined with a transition) audits the
    new editions in place of the old ones."""
    client = cycle.client
    label = label_of(item)
    standards = transitions.audited_standards(item)
    targets = list(item.transition_to.all())
    days = f", {item.planned_days} auditor-days planned" if item.planned_days is not None else ""
    objectives = f"{label} of {client.name}, certification cycle {cycle.number}{days}."
    if targets:
        names = ", ".join(s.full_name for s in targets)
        if item.kind != K.TRANSITION:
            label = f"{label} and transition"
        objectives += f" Transition to {names}: the system's conformity to the new edition."
    return {
        "reference": f"{client.reference}-{cycle.number}-{_code(item)}"[:30],
        "title": f"{label}: {client.name}"[:200],
        "audit_type": AUDIT_TYPE[item.kind],
        "standards": standards,
        "scope": cycle.scope,
        "objectives": objectives[:2000],
        "criteria": ", ".join(s.full_name for s in standards),
    }


@transaction.atomic
def schedule_audit(
    cycle_audit: CycleAudit,
    *,
    start_date: dt.date,
    end_date: dt.date,
    lead_auditor: User | None = None,
    actor: User,
) -> Scheduled:
    """Schedule a programme audit: an audit of the certification body is created (type,
    client, scope, standards and planned days) with its lead auditor, through the audits app's
    own services. A stage 2 waits for a stage 1 that found the client ready. Scheduling after
    the due date is allowed with a warning."""
    require(actor, "change", cycle_audit)
    lock_for_update(cycle_audit)
    if cycle_audit.cancelled_reason:
        raise Conflict("This programme audit is cancelled.", code="cancelled")
    if cycle_audit.audit_id is not None:
        raise Conflict(
            f"{label_of(cycle_audit)} is already scheduled as audit {cycle_audit.audit}.",
            code="already_scheduled",
        )
    _check_dates(start_date, end_date)
    cycle = CertificationCycle.objects.select_related("client").get(pk=cycle_audit.cycle_id)
    if cycle.status == CertificationCycle.Status.ENDED:
        raise Conflict("The cycle has ended.", code="cycle_ended")
    if cycle_audit.kind == K.STAGE2:
        problem = stage2_problem(cycle_audit)
        if problem:
            raise Conflict(problem, code="stage1_outcome_needed")
    audit = create_entry(
        AUDITS,
        cycle.organization,
        actor=actor,
        start_date=start_date,
        end_date=end_date,
        **_audit_fields(cycle_audit, cycle),
    )
    before = snapshot(cycle_audit)
    cycle_audit.audit = audit
    cycle_audit.save(update_fields=["audit", "updated_at"])
    record_update(actor=actor, obj=cycle_audit, before=before, message=f"Scheduled as {audit}.")
    if lead_auditor is not None:
        # After the link, so a conflict check sees which client the audit is of.
        try:
            add_team_member(audit, lead_auditor, "lead", actor=actor)
        except ValidationFailed as exc:
            raise ValidationFailed(
                [FieldError("lead_auditor", e.message, e.code) for e in exc.errors]
            ) from None
    warnings: list[str] = []
    if start_date > cycle_audit.due_date:
        warnings.append(
            f"{label_of(cycle_audit)} was due by {cycle_audit.due_date:%Y-%m-%d}; it is "
            f"scheduled from {start_date:%Y-%m-%d}."
        )
    if cycle_audit.kind == K.STAGE1:
        cycles.follow_stage1(cycle, end_date, actor=actor)
    elif cycle_audit.kind == K.SURVEILLANCE and cycle_audit.sequence == 1:
        cycles.follow_first_surveillance(cycle, end_date, actor=actor)
    return Scheduled(cycle_audit, audit, warnings)


@transaction.atomic
def record_stage1_outcome(
    cycle_audit: CycleAudit, outcome: str, concerns: str, *, actor: User
) -> CycleAudit:
    """Record what a stage 1 found, once its report is issued: ready for stage 2, ready with
    areas of concern (named), or not ready (why; a new stage 1 is then needed). Stage 2 is due
    six months after stage 1's last day."""
    require(actor, "change", cycle_audit)
    lock_for_update(cycle_audit)
    errors: list[FieldError] = []
    if outcome not in CycleAudit.Stage1Outcome.values:
        errors.append(FieldError("outcome", "Choose ready, concerns or not_ready."))
    concerns = (concerns or "").strip()
    if outcome in (CycleAudit.Stage1Outcome.CONCERNS, CycleAudit.Stage1Outcome.NOT_READY) and (
        not concerns
    ):
        errors.append(
            FieldError("concerns", "Name the areas of concern (or why the client is not ready).")
        )
    if errors:
        raise ValidationFailed(errors)
    if cycle_audit.kind != K.STAGE1:
        raise Conflict(
            f"{label_of(cycle_audit)} is not a stage 1: only a stage 1 has this outcome.",
            code="not_stage1",
        )
    if cycle_audit.stage1_outcome:
        raise Conflict(
            f"The outcome of {label_of(cycle_audit).lower()} is already recorded "
            f"({cycle_audit.get_stage1_outcome_display().lower()}).",
            code="outcome_recorded",
        )
    audit = Audit.objects.filter(pk=cycle_audit.audit_id).first() if cycle_audit.audit_id else None
    if audit is None or audit.status not in REPORTED:
        raise Conflict(
            f"The outcome of {label_of(cycle_audit).lower()} is recorded once its audit report "
            "is issued.",
            code="report_not_issued",
        )
    before = snapshot(cycle_audit)
    cycle_audit.stage1_outcome = outcome
    cycle_audit.stage1_concerns = concerns
    cycle_audit.save(update_fields=["stage1_outcome", "stage1_concerns", "updated_at"])
    record_update(actor=actor, obj=cycle_audit, before=before)
    cycles.follow_stage1(cycle_audit.cycle, audit.end_date, actor=actor)
    return cycle_audit


MAX_DAYS = Decimal("9999.99")


def _parse_days(days: Any) -> Decimal:
    try:
        value = Decimal(str(days))
    except (InvalidOperation, ValueError):
        raise ValidationFailed.single("days", "Give a number of auditor-days.") from None
    if not value.is_finite() or value < 0 or value > MAX_DAYS:
        raise ValidationFailed.single("days", "Give a number of auditor-days from 0 to 9999.99.")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed.single("days", "Give the days to two decimals at most.")
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def record_delivered_days(
    cycle_audit: CycleAudit, days: Any, reason: str, *, actor: User
) -> CycleAudit:
    """Record the auditor-days an audit took; when they differ from those planned, the
    reason is required (the decision checks that the deviation is justified)."""
    require(actor, "change", cycle_audit)
    lock_for_update(cycle_audit)
    value = _parse_days(days)
    reason = (reason or "").strip()
    if cycle_audit.planned_days is not None and value != cycle_audit.planned_days and not reason:
        raise ValidationFailed.single(
            "reason",
            f"{value} days delivered differ from the {cycle_audit.planned_days} planned: say why.",
            "deviation_reason_needed",
        )
    if cycle_audit.audit_id is None:
        raise Conflict(
            f"{label_of(cycle_audit)} is not scheduled yet: days are recorded once it is held.",
            code="not_scheduled",
        )
    before = snapshot(cycle_audit)
    cycle_audit.delivered_days = value
    cycle_audit.deviation_reason = reason
    cycle_audit.save(update_fields=["delivered_days", "deviation_reason", "updated_at"])
    record_update(actor=actor, obj=cycle_audit, before=before)
    return cycle_audit
