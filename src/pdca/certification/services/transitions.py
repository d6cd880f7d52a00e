"""Moving a certified client to a new edition of a standard (reference 8): the transition
audit in the programme, and the transfer of the certificate once it is decided.

A cycle is in transition when one of its standards is replaced by a newer edition in the
catalog (`services.editions`). Its transition audit is due by the end of the transition (the
new edition's `transition_ends`). It is either combined with a surveillance or recertification
audit of the cycle already due before that date (the usual way, offered first by
`transition_options`), or a separate audit of kind `transition`. pdca adds no audit time for
it: the reference gives no rule, so the body enters the days it plans, as for a special audit.

The audit covers the new editions (`CycleAudit.transition_to`): scheduling it audits them in
place of the old ones, and its team needs transition training for them (`impartiality`).
Once its report is issued, a granted decision of kind `transition` transfers the certificate
in force through `transition_certificate` (its one workflow function) and moves the cycle's
standards along; the certificate's history keeps the editions before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pdca.certification.models import (
    Certificate,
    CertificationCycle,
    CertificationDecision,
    CycleAudit,
)
from pdca.certification.services.editions import (
    EditionTransition,
    standards_query,
    transitions_of,
)
from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.standards.models import Standard

K = CycleAudit.Kind
#: The programme audits a transition may be combined with.
COMBINABLE = (K.SURVEILLANCE, K.RECERTIFICATION)
REASON_MAX = 20_000


def cycle_transitions(cycle: CertificationCycle) -> list[EditionTransition]:
    """The transitions of the cycle's standards, most urgent first (one query)."""
    return transitions_of(standards_query().filter(pk__in=cycle.standards.values("pk")))


def deadline_of(found: Iterable[EditionTransition]) -> dt.date | None:
    """The earliest end among `found` (None when none has a date)."""
    ends = [t.ends for t in found if t.ends is not None]
    return min(ends) if ends else None


def swapped(standards: Iterable[Standard], targets: Iterable[Standard]) -> list[Standard]:
    """`standards` with each edition that one of `targets` replaces swapped for it."""
    by_replaced = {t.replaces_id: t for t in targets if t.replaces_id}
    return [by_replaced.get(s.pk, s) for s in standards]


def audited_standards(item: CycleAudit) -> list[Standard]:
    """The standards an audit of the programme covers: the cycle's, with the new editions of a
    transition audit in place of the old ones."""
    current = list(item.cycle.standards.order_by("code"))
    targets = list(item.transition_to.all())
    return sorted(swapped(current, targets), key=lambda s: s.code) if targets else current


def transition_audits(cycle: CertificationCycle) -> list[CycleAudit]:
    """The cycle's programme audits that carry a transition, not cancelled, by due date."""
    return list(
        CycleAudit.objects.filter(cycle=cycle, transition_to__isnull=False, cancelled_reason="")
        .distinct()
        .select_related("audit")
        .prefetch_related("transition_to")
        .order_by("due_date", "pk")
    )


def latest_transition_audit(cycle: CertificationCycle) -> CycleAudit | None:
    """The transition audit a transition decision rests on: the latest one of the cycle."""
    found = transition_audits(cycle)
    return max(found, key=lambda a: (a.due_date, a.sequence, a.pk)) if found else None


def transition_options(
    cycle: CertificationCycle, found: list[EditionTransition] | None = None
) -> list[CycleAudit]:
    """The surveillance and recertification audits of the cycle a transition may be combined
    with: not cancelled, not yet scheduled, carrying no transition yet, and due by the end of
    the transition."""
    found = cycle_transitions(cycle) if found is None else found
    if not found:
        return []
    rows = CycleAudit.objects.filter(
        cycle=cycle, kind__in=COMBINABLE, cancelled_reason="", audit__isnull=True
    ).exclude(pk__in=CycleAudit.objects.filter(cycle=cycle, transition_to__isnull=False))
    deadline = deadline_of(found)
    if deadline is not None:
        rows = rows.filter(due_date__lte=deadline)
    return list(rows.order_by("due_date", "pk"))


def _targets(found: list[EditionTransition], to: Iterable[Any] | None) -> list[EditionTransition]:
    if to is None:
        return found
    wanted = [getattr(s, "code", s) for s in to]
    by_code = {t.successor.code: t for t in found}
    unknown = [str(code) for code in wanted if code not in by_code]
    if unknown or not wanted:
        offered = ", ".join(sorted(by_code)) or "none"
        raise ValidationFailed.single(
            "to",
            f"Not a new edition of the cycle's standards: {', '.join(unknown) or 'none given'} "
            f"(the cycle's are: {offered}).",
            "not_a_successor",
        )
    return [by_code[code] for code in dict.fromkeys(wanted)]


def _check_not_planned(cycle: CertificationCycle, targets: list[EditionTransition]) -> None:
    """Refuse a second transition audit for an edition while one is still to be held."""
    from pdca.certification.services.programme_audits import REPORTED, label_of

    successors = {t.successor.pk for t in targets}
    for item in transition_audits(cycle):
        if not successors & {s.pk for s in item.transition_to.all()}:
            continue
        if item.audit is None or item.audit.status not in REPORTED:
            raise Conflict(
                f"{label_of(item)} (due by {item.due_date:%Y-%m-%d}) already carries the "
                "transition: hold that one.",
                code="already_planned",
            )


@transaction.atomic
def plan_transition_audit(
    cycle: CertificationCycle,
    *,
    actor: User,
    combine_with: CycleAudit | int | None = None,
    due_date: dt.date | None = None,
    to: Iterable[Any] | None = None,
    reason: str = "",
) -> CycleAudit:
    """Plan the audit of the client's move to the new editions of its standards (`to`, by
    default every one the catalog has): combined with the surveillance or recertification
    audit `combine_with` (one of `transition_options`), or a separate transition audit due by
    `due_date` (by default the end of the transition). Refused after the transition ended
    (`transition_ended`), for a cycle not certified or with no standard replaced
    (`not_certified`, `no_transition`), or when a transition audit is still to be held
    (`already_planned`); a date after the deadline names the field (`after_deadline`)."""
    if combine_with is None:
        require(actor, "add", CycleAudit, organization=cycle.organization_id)
    else:
        require(actor, "change", CycleAudit, organization=cycle.organization_id)
    lock_for_update(cycle, check=False)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationFailed.single("reason", f"At most {REASON_MAX} characters.", "too_long")
    if cycle.status == CertificationCycle.Status.ENDED:
        raise Conflict("The cycle has ended.", code="cycle_ended")
    if cycle.decision_date is None:
        raise Conflict(
            "The cycle is not certified yet: its certification decision can be taken to the "
            "new edition directly (audit against it).",
            code="not_certified",
        )
    found = cycle_transitions(cycle)
    if not found:
        raise Conflict(
            "No standard of the cycle is replaced by a newer edition in the catalog.",
            code="no_transition",
        )
    targets = _targets(found, to)
    deadline = deadline_of(targets)
    today = timezone.localdate()
    if deadline is not None and today > deadline:
        raise Conflict(
            f"The transition ended on {deadline:%Y-%m-%d}: the certificate can no longer be "
            "transferred (it is proposed for expiry); the client needs a new certification.",
            code="transition_ended",
        )
    _check_not_planned(cycle, targets)
    if combine_with is not None:
        if due_date is not None:
            raise ValidationFailed.single(
                "due_date", "A combined audit keeps its own due date: leave it out.", "invalid"
            )
        item = _combine(cycle, combine_with, deadline)
        return _add_transition(item, targets, actor=actor, created=False, reason=reason)
    due = due_date or deadline
    errors: list[FieldError] = []
    if due is None:
        errors.append(
            FieldError(
                "due_date",
                "The catalog gives no end to this transition: give the date the audit is due by.",
                "required",
            )
        )
    elif due < today:
        errors.append(FieldError("due_date", "The date is in the past.", "past"))
    elif deadline is not None and due > deadline:
        errors.append(
            FieldError(
                "due_date",
                f"After the end of the transition ({deadline:%Y-%m-%d}): the audit must be "
                "held before it.",
                "after_deadline",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    assert due is not None
    last = CycleAudit.objects.filter(cycle=cycle, kind=K.TRANSITION).aggregate(n=Max("sequence"))
    names = "; ".join(f"{t.standard.full_name} to {t.successor.full_name}" for t in targets)
    item = CycleAudit.objects.create(
        organization_id=cycle.organization_id,
        cycle=cycle,
        kind=K.TRANSITION,
        sequence=(last["n"] or 0) + 1,
        due_date=due,
        reason=reason or f"Transition from {names}.",
    )
    return _add_transition(item, targets, actor=actor, created=True, reason=reason)


def _combine(
    cycle: CertificationCycle, combine_with: CycleAudit | int, deadline: dt.date | None
) -> CycleAudit:
    from pdca.certification.services.programme_audits import label_of

    pk: int = combine_with.pk if isinstance(combine_with, CycleAudit) else int(combine_with)
    item = CycleAudit.objects.filter(pk=pk, cycle=cycle).first()
    if item is None:
        raise ValidationFailed.single(
            "combine_with", "Not a programme audit of this cycle.", "not_in_cycle"
        )
    lock_for_update(item)
    problem = ""
    code = "not_combinable"
    if item.kind not in COMBINABLE:
        problem = f"{label_of(item)} is not a surveillance or recertification audit."
    elif item.cancelled_reason:
        problem, code = f"{label_of(item)} is cancelled.", "cancelled"
    elif item.audit_id is not None:
        problem = f"{label_of(item)} is already scheduled: plan a separate transition audit."
        code = "already_scheduled"
    elif deadline is not None and item.due_date > deadline:
        problem = (
            f"{label_of(item)} is due by {item.due_date:%Y-%m-%d}, after the end of the "
            f"transition ({deadline:%Y-%m-%d}): plan a separate transition audit before it."
        )
        code = "after_deadline"
    if problem:
        raise ValidationFailed.single("combine_with", problem, code)
    return item


def _add_transition(
    item: CycleAudit,
    targets: list[EditionTransition],
    *,
    actor: User,
    created: bool,
    reason: str,
) -> CycleAudit:
    codes = sorted(t.successor.code for t in targets)
    before = [] if created else sorted(s.code for s in item.transition_to.all())
    item.transition_to.add(*[t.successor for t in targets])
    if created:
        changes = {k: [None, v] for k, v in snapshot(item).items() if v not in (None, "", [], {})}
    else:
        item.save(update_fields=["updated_at"])
        changes = {}
    changes["transition_to"] = [before, sorted({*before, *codes})]
    names = ", ".join(t.successor.full_name for t in targets)
    message = (
        f"Transition audit to {names}"
        if created
        else f"Combined with the transition to {names}" + (f": {reason}" if reason else "")
    )
    deadline = deadline_of(targets)
    if deadline is not None:
        message += f", due by the end of the transition ({deadline:%Y-%m-%d})"
    record_activity(
        actor=actor,
        action="create" if created else "plan_transition",
        obj=item,
        changes=changes,
        message=message + ".",
    )
    return item


# --- the decision's side ------------------------------------------------------------------


def transfer_certificate(decision: CertificationDecision, *, actor: User) -> Certificate:
    """Move the cycle's certificate in force (and the cycle's standards) to the new editions
    of its latest transition audit, for a granted transition decision (called by the decision
    service inside its transaction, which has checked the decider)."""
    from pdca.certification.services.certificate_transitions import transition_certificate
    from pdca.certification.services.certificates import current_certificate

    cycle = CertificationCycle.objects.get(pk=decision.cycle_id)
    item = latest_transition_audit(cycle)
    if item is None:
        raise Conflict("The cycle has no transition audit.", code="no_transition_audit")
    targets = list(item.transition_to.all())
    certificate = current_certificate(cycle)
    if certificate is None:
        raise Conflict(
            "The cycle has no certificate to transfer.", code="no_certificate_to_replace"
        )
    current = list(standards_query().filter(pk__in=certificate.standards.values("pk")))
    new = swapped(current, targets)
    moved = [(old, n) for old, n in zip(current, new, strict=True) if old.pk != n.pk]
    names = "; ".join(f"{old.full_name} to {n.full_name}" for old, n in moved)
    reason = f"Transferred from {names} on the transition decision of {decision.decided_on}"
    transition_certificate(
        certificate,
        certificate.status,
        actor=actor,
        reason=reason,
        on=decision.decided_on,
        standards=new,
        decision=decision,
    )
    lock_for_update(cycle, check=False)
    before = sorted(s.code for s in cycle.standards.all())
    cycle_new = swapped(list(cycle.standards.all()), targets)
    cycle.standards.set(cycle_new)
    after = sorted(s.code for s in cycle_new)
    if before != after:
        cycle.save(update_fields=["updated_at"])
        record_activity(
            actor=actor,
            action="transfer",
            obj=cycle,
            changes={"standards": [before, after]},
            message=reason,
        )
    decision.certificate = certificate
    CertificationDecision.objects.filter(pk=decision.pk).update(certificate=certificate)
    return certificate
