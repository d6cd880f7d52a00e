"""A client's certification cycle and its three-year programme: opening a cycle from an
accepted application (stage 1 and stage 2 of an initial audit, or the recertification audit),
planning the surveillance audits once certification is granted, special and short-notice
audits, and repeating a stage 1 or stage 2. The dates come from `services.dates`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from pdca.certification.models import Application, CertificationCycle, CycleAudit
from pdca.certification.services import dates
from pdca.core.activity import record_activity, record_create, record_update, snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require

if TYPE_CHECKING:
    from pdca.accounts.models import User

K = CycleAudit.Kind

#: Ours (no rule sets it): the stage 1 of an initial audit is due this many months after the
#: application is accepted.
STAGE1_DUE_MONTHS = 3
#: Ours: a recertification's stage 1 (when significant changes call for one) is due this many
#: days before the recertification audit.
RECERTIFICATION_STAGE1_LEAD_DAYS = 30


def _days(application: Application, column: str) -> Decimal | None:
    """The sum of `column` over the application's audit-time calculations (None when it has
    none yet)."""
    total = application.calculations.aggregate(total=Sum(column))["total"]
    return Decimal(total) if total is not None else None


def _add_audit(
    cycle: CertificationCycle,
    kind: str,
    due: dt.date,
    *,
    actor: User,
    sequence: int = 1,
    planned_days: Decimal | None = None,
    reason: str = "",
    earliest: dt.date | None = None,
) -> CycleAudit:
    item = CycleAudit.objects.create(
        organization_id=cycle.organization_id,
        cycle=cycle,
        kind=kind,
        sequence=sequence,
        due_date=due,
        earliest_date=earliest,
        planned_days=planned_days,
        reason=reason,
    )
    record_create(actor=actor, obj=item)
    return item


def accepted_on(application: Application) -> dt.date:
    reviewed = application.reviewed_at
    return timezone.localtime(reviewed).date() if reviewed else timezone.localdate()


def current_cycle(client) -> CertificationCycle | None:
    """The client's latest cycle that is not ended."""
    return (
        CertificationCycle.objects.filter(client=client)
        .exclude(status=CertificationCycle.Status.ENDED)
        .order_by("-number")
        .first()
    )


def _previous_for(application: Application) -> CertificationCycle:
    previous = (
        CertificationCycle.objects.filter(client=application.client, expiry_date__isnull=False)
        .order_by("-number")
        .first()
    )
    if previous is None:
        raise Conflict(
            f"{application.client} has no certified cycle to renew: a recertification needs "
            "one (open an initial cycle instead).",
            code="no_cycle_to_renew",
        )
    if CertificationCycle.objects.filter(previous=previous).exists():
        raise Conflict(
            f"Cycle {previous.number} of {application.client} is already renewed by another cycle.",
            code="already_renewed",
        )
    return previous


@transaction.atomic
def open_cycle(
    application: Application, *, actor: User, with_stage1: bool = False
) -> CertificationCycle:
    """Open the certification cycle of an accepted application: its standards, scope and
    sites copied, and its programme planned. An initial (or transfer) cycle gets a stage 1 due
    three months after acceptance (our default) and a stage 2 due six months after stage 1; a
    recertification cycle renews the client's last certified cycle and gets the recertification
    audit, due before that cycle's certificate expires (with a stage 1 first when
    `with_stage1`: significant changes). Planned days come from the audit-time calculations."""
    require(actor, "add", CertificationCycle, organization=application.organization_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.ACCEPTED:
        raise Conflict(
            f"Application {application.reference} is {application.get_status_display().lower()}"
            ": a cycle is opened only for an accepted application.",
            code="application_not_accepted",
        )
    if application.kind == Application.Kind.EXTENSION:
        raise Conflict(
            "A scope extension is audited within the client's current cycle: add a special "
            "audit to it instead of opening a cycle.",
            code="extension_not_a_cycle",
        )
    if application.cycles.exclude(status=CertificationCycle.Status.ENDED).exists():
        raise Conflict(
            f"Application {application.reference} already has an open cycle.",
            code="cycle_already_open",
        )
    previous = None
    if application.kind == Application.Kind.RECERTIFICATION:
        previous = _previous_for(application)
        number = previous.number + 1
    else:
        last = CertificationCycle.objects.filter(client=application.client).aggregate(
            n=Max("number")
        )["n"]
        number = (last or 0) + 1
    if CertificationCycle.objects.filter(client=application.client, number=number).exists():
        raise Conflict(
            f"{application.client} already has a cycle {number}.", code="cycle_number_taken"
        )
    cycle = CertificationCycle.objects.create(
        organization_id=application.organization_id,
        client=application.client,
        application=application,
        previous=previous,
        number=number,
        scope=application.scope,
    )
    cycle.standards.set(list(application.standards.all()))
    cycle.sites.set(list(application.sites.all()))
    record_activity(
        actor=actor,
        action="create",
        obj=cycle,
        changes={
            **{k: [None, v] for k, v in snapshot(cycle).items() if v not in (None, "", [], {})},
            "standards": [[], sorted(cycle.standards.values_list("pk", flat=True))],
            "sites": [[], sorted(cycle.sites.values_list("pk", flat=True))],
        },
        message=f"Opened from application {application.reference}.",
    )
    if previous is None:
        stage1_due = dates.add_months(accepted_on(application), STAGE1_DUE_MONTHS)
        _add_audit(
            cycle, K.STAGE1, stage1_due, actor=actor, planned_days=_days(application, "stage1_days")
        )
        _add_audit(
            cycle,
            K.STAGE2,
            dates.stage2_due(stage1_due),
            actor=actor,
            planned_days=_days(application, "stage2_days"),
        )
    else:
        assert previous.expiry_date is not None  # _previous_for chose a certified cycle
        due = dates.recertification_due(previous.expiry_date)
        days = _days(application, "recertification_days")
        _take_over_recertification(cycle, previous, due, days, actor=actor)
        if with_stage1:
            _add_audit(
                cycle,
                K.STAGE1,
                due - dt.timedelta(days=RECERTIFICATION_STAGE1_LEAD_DAYS),
                actor=actor,
                planned_days=_days(application, "stage1_days"),
                reason="Significant changes since the last audit.",
            )
    return cycle


def _take_over_recertification(
    cycle: CertificationCycle,
    previous: CertificationCycle,
    due: dt.date,
    days: Decimal | None,
    *,
    actor: User,
) -> None:
    """The recertification audit planned in the previous cycle moves to the new one (so the
    calendar shows it once); without one, it is planned now."""
    planned = (
        CycleAudit.objects.select_for_update()
        .filter(cycle=previous, kind=K.RECERTIFICATION, cancelled_reason="")
        .order_by("-sequence")
        .first()
    )
    if planned is None:
        _add_audit(cycle, K.RECERTIFICATION, due, actor=actor, planned_days=days)
        return
    before = snapshot(planned)
    planned.cycle = cycle
    planned.due_date = due
    if days is not None:
        planned.planned_days = days
    planned.save(update_fields=["cycle", "due_date", "planned_days", "updated_at"])
    record_update(
        actor=actor,
        obj=planned,
        before=before,
        message=f"Carried by cycle {cycle.number}, opened for the recertification.",
    )


def programme_anchor(cycle: CertificationCycle) -> dt.date | None:
    """The date the cycle's programme counts from: the initial decision, or for a renewed
    cycle the day after the previous certificate expired (a renewal keeps the rhythm)."""
    if cycle.previous_id and cycle.previous and cycle.previous.expiry_date:
        return cycle.previous.expiry_date + dt.timedelta(days=1)
    return cycle.decision_date


def _calculation_days(cycle: CertificationCycle, column: str) -> Decimal | None:
    return _days(cycle.application, column) if cycle.application is not None else None


@transaction.atomic
def plan_surveillance(
    cycle: CertificationCycle, *, actor: User, checked: bool = False
) -> list[CycleAudit]:
    """After certification is granted: surveillance 1 (within twelve months), surveillance 2
    (the calendar year after the first, within 24 months) and the recertification audit (before
    expiry), from the programme's dates; days from the audit-time calculations. What is
    planned already is left alone; returns what was added."""
    if not checked:  # the decision authorized its decider already
        require(actor, "change", cycle)
    anchor = programme_anchor(cycle)
    if anchor is None:
        raise Conflict(
            "The cycle has no certification decision yet: surveillance is planned from it.",
            code="not_certified",
        )
    planned = dates.programme_dates(anchor)
    existing = {
        (a.kind, a.sequence)
        for a in CycleAudit.objects.filter(cycle=cycle, cancelled_reason="").only(
            "kind", "sequence"
        )
    }
    added: list[CycleAudit] = []
    surveillance = _calculation_days(cycle, "surveillance_days")
    for sequence, key in ((1, "surveillance_1"), (2, "surveillance_2")):
        if (K.SURVEILLANCE, sequence) not in existing:
            added.append(
                _add_audit(
                    cycle,
                    K.SURVEILLANCE,
                    planned[key],
                    actor=actor,
                    sequence=sequence,
                    planned_days=surveillance,
                )
            )
    if not any(kind == K.RECERTIFICATION for kind, _ in existing):
        added.append(
            _add_audit(
                cycle,
                K.RECERTIFICATION,
                planned["recertification"],
                actor=actor,
                planned_days=_calculation_days(cycle, "recertification_days"),
            )
        )
    return added


def follow_first_surveillance(cycle: CertificationCycle, held: dt.date, *, actor: User) -> None:
    """Surveillance 2's due date follows the date surveillance 1 is held: in the next calendar
    year at the latest, and within 24 months of the decision."""
    anchor = programme_anchor(cycle)
    second = (
        CycleAudit.objects.select_for_update()
        .filter(cycle=cycle, kind=K.SURVEILLANCE, sequence=2, cancelled_reason="")
        .first()
    )
    if anchor is None or second is None:
        return
    due = dates.second_surveillance_due(anchor, held)
    if second.due_date != due:
        before = snapshot(second)
        second.due_date = due
        second.save(update_fields=["due_date", "updated_at"])
        record_update(
            actor=actor,
            obj=second,
            before=before,
            message=f"Follows surveillance 1, held on {held:%Y-%m-%d}.",
        )


def follow_stage1(cycle: CertificationCycle, stage1_end: dt.date, *, actor: User) -> None:
    """The stage 2 not yet scheduled is due six months after stage 1's last day."""
    due = dates.stage2_due(stage1_end)
    for stage2 in CycleAudit.objects.select_for_update().filter(
        cycle=cycle, kind=K.STAGE2, audit__isnull=True, cancelled_reason=""
    ):
        if stage2.due_date != due:
            before = snapshot(stage2)
            stage2.due_date = due
            stage2.save(update_fields=["due_date", "updated_at"])
            record_update(
                actor=actor,
                obj=stage2,
                before=before,
                message=f"Due six months after stage 1 ended on {stage1_end:%Y-%m-%d}.",
            )


SPECIAL_KINDS = (K.SPECIAL, K.SHORT_NOTICE)


@transaction.atomic
def add_special_audit(
    cycle: CertificationCycle, kind: str, due_date: dt.date | None, reason: str, *, actor: User
) -> CycleAudit:
    """A special or short-notice audit (a complaint, a change, a suspended client's follow-up,
    a scope extension), due by `due_date`, with its reason."""
    require(actor, "add", CycleAudit, organization=cycle.organization_id)
    lock_for_update(cycle, check=False)
    errors: list[FieldError] = []
    if kind not in SPECIAL_KINDS:
        errors.append(FieldError("kind", "Choose special or short_notice."))
    if not isinstance(due_date, dt.date):
        errors.append(FieldError("due_date", "Give the date the audit is due by."))
    reason = (reason or "").strip()
    if not reason:
        errors.append(FieldError("reason", "Say why this audit is needed."))
    if cycle.status == CertificationCycle.Status.ENDED:
        errors.append(FieldError("", "The cycle has ended.", "cycle_ended"))
    if errors:
        raise ValidationFailed(errors)
    assert due_date is not None
    sequence = _next_sequence(cycle, kind)
    return _add_audit(cycle, kind, due_date, actor=actor, sequence=sequence, reason=reason)


def _next_sequence(cycle: CertificationCycle, kind: str) -> int:
    last = CycleAudit.objects.filter(cycle=cycle, kind=kind).aggregate(n=Max("sequence"))["n"]
    return (last or 0) + 1


@transaction.atomic
def repeat_audit(
    cycle: CertificationCycle, kind: str, *, actor: User, reason: str = ""
) -> CycleAudit:
    """A new stage 1 (the last one found the client not ready) or a new stage 2 (a major was
    not verified within six months of stage 2), with the next sequence number."""
    require(actor, "add", CycleAudit, organization=cycle.organization_id)
    lock_for_update(cycle, check=False)
    if kind not in (K.STAGE1, K.STAGE2):
        raise ValidationFailed.single("kind", "Only a stage 1 or a stage 2 is repeated.")
    if cycle.status == CertificationCycle.Status.ENDED:
        raise Conflict("The cycle has ended.", code="cycle_ended")
    if CycleAudit.objects.filter(
        cycle=cycle, kind=kind, audit__isnull=True, cancelled_reason=""
    ).exists():
        raise Conflict(
            f"A {K(kind).label.lower()} of this cycle is still to be scheduled: schedule that one.",
            code="already_planned",
        )
    # Ours: a repeated stage is due within the same three months as a first stage 1.
    due = dates.add_months(timezone.localdate(), STAGE1_DUE_MONTHS)
    days_column = "stage1_days" if kind == K.STAGE1 else "stage2_days"
    return _add_audit(
        cycle,
        kind,
        due,
        actor=actor,
        sequence=_next_sequence(cycle, kind),
        planned_days=_calculation_days(cycle, days_column),
        reason=(reason or "").strip(),
    )


def cycle_audits(cycles: Iterable[CertificationCycle]) -> dict[int, list[CycleAudit]]:
    """{cycle id: its programme audits by due date}, one query."""
    found: dict[int, list[CycleAudit]] = {}
    rows = (
        CycleAudit.objects.filter(cycle__in=list(cycles))
        .select_related("audit", "audit__lead_auditor")
        .order_by("due_date", "pk")
    )
    for row in rows:
        found.setdefault(row.cycle_id, []).append(row)
    return found
