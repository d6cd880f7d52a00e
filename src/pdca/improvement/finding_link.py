"""What corrective action does when an auditor grades a finding (registered into
`pdca.audits.hooks` when the app starts): a major or minor nonconformity opens a Nonconformity
for the auditee, and its severity and deadlines follow the grade; an opportunity for improvement
(OFI) opens an ImprovementOpportunity, which goes again while nobody has taken it up. All of it
runs in the finding service's transaction."""

from __future__ import annotations

from django.utils import timezone

from pdca.audits import hooks
from pdca.audits.findings import (
    OFI,
    finding_reference,
    nonconformity_source,
    three_part_statement,
)
from pdca.audits.models import Audit, Finding
from pdca.core.activity import record_create, record_delete, record_update, snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.registers.services import create_entry
from pdca.improvement.deadlines import refresh_deadlines
from pdca.improvement.models import ImprovementOpportunity, Nonconformity
from pdca.improvement.registers import NONCONFORMITIES, OPPORTUNITIES
from pdca.system.selectors import requirement_choices


def _adopted_requirements(audit: Audit, finding: Finding) -> list:
    """The finding's requirements the improvement registers accept: those of the standards the
    organization adopted (a supplier or certification audit may cite others, which the
    finding keeps)."""
    wanted = [r.pk for r in finding.requirements.all()]
    return list(requirement_choices(audit.organization).filter(pk__in=wanted))


def _open_nonconformity(audit: Audit, finding: Finding, *, actor):
    """Open the auditee's Nonconformity for a major or minor finding (same transaction)."""
    requirements = _adopted_requirements(audit, finding)
    nonconformity = create_entry(
        NONCONFORMITIES,
        audit.organization,
        actor=actor,
        reference=finding_reference(audit, finding.number),
        title=finding.title,
        description=three_part_statement(finding),
        source=nonconformity_source(audit),
        severity=finding.grade,
        process=finding.process,
        site=finding.site,
        requirements=requirements,
    )
    finding.nonconformity = nonconformity
    finding.save(update_fields=["nonconformity", "updated_at"])
    refresh_deadlines(
        nonconformity,
        audit,
        actor=actor,
        message="Deadlines from the certification body's terms, counted from the audit's end.",
    )
    return nonconformity


def _open_opportunity(audit: Audit, finding: Finding, *, actor):
    """Open the auditee's ImprovementOpportunity for an OFI finding (same transaction), unless
    the finding opened one already (graded OFI before)."""
    if ImprovementOpportunity.objects.filter(finding=finding).exists():
        return None
    opportunity = create_entry(
        OPPORTUNITIES,
        audit.organization,
        actor=actor,
        reference=finding_reference(audit, finding.number),
        title=finding.title,
        description=finding.statement,
        source=ImprovementOpportunity.Source.AUDIT,
        process=finding.process,
        requirements=_adopted_requirements(audit, finding),
    )
    opportunity.finding = finding
    opportunity.save(update_fields=["finding", "updated_at"])
    return opportunity


def _withdraw_opportunity(finding: Finding, *, actor, reason: str) -> None:
    """Delete the opportunity an OFI finding opened when nobody has taken it up yet (still
    open, not promoted); once the auditee works on it, it stays in their register."""
    opportunity = ImprovementOpportunity.objects.select_for_update().filter(finding=finding).first()
    if (
        opportunity is None
        or opportunity.status != ImprovementOpportunity.Status.OPEN
        or opportunity.promoted_to_id is not None
    ):
        return
    record_delete(
        actor=actor,
        obj=opportunity,
        message=f"Withdrawn with audit finding F{finding.number}: {reason}",
    )
    opportunity.delete()


def follow_grade(audit: Audit, finding: Finding, previous_grade: str | None, *, actor) -> None:
    """Bring the auditee's registers in line with the finding's grade (`previous_grade` None for
    a new finding). Not for a certification body's audits: the body reviews its client's answer
    to the finding (its own register is not where the client's nonconformity lives)."""
    if audit.organization.kind == audit.organization.Kind.CERTIFICATION_BODY:
        return
    if previous_grade == OFI and finding.grade != OFI:
        _withdraw_opportunity(
            finding, actor=actor, reason=f"regraded {finding.get_grade_display().lower()}."
        )
    elif finding.grade == OFI and previous_grade != OFI:
        _open_opportunity(audit, finding, actor=actor)
    if not finding.is_nonconformity:
        return
    nonconformity = finding.nonconformity
    if nonconformity is None:
        _open_nonconformity(audit, finding, actor=actor)
    elif nonconformity.severity != finding.grade:
        # The grade is the auditor's call: the nonconformity's severity follows it.
        before = snapshot(nonconformity)
        nonconformity.severity = finding.grade
        nonconformity.save(update_fields=["severity", "updated_at"])
        record_update(
            actor=actor,
            obj=nonconformity,
            before=before,
            message=f"Severity follows the grade of audit finding F{finding.number}.",
        )
        refresh_deadlines(
            nonconformity,
            audit,
            actor=actor,
            message=f"Deadlines follow the grade of audit finding F{finding.number}.",
        )


def forget_finding(finding: Finding, *, actor) -> None:
    """An OFI finding is being deleted: its opportunity goes too while nobody took it up."""
    if finding.grade == OFI:
        _withdraw_opportunity(finding, actor=actor, reason="the finding was deleted.")


def register() -> None:
    hooks.finding_graded.register(follow_grade)
    hooks.finding_deleted.register(forget_finding)


def open_linked_nonconformity(
    organization,
    *,
    reference: str,
    title: str,
    description: str,
    severity: str,
    requirement_ids: list[int],
    response_due,
    closure_due,
    body: str,
    actor,
):
    """Open, in the client `organization`'s register, the nonconformity that answers a linked
    certification body's major or minor finding, with the body's own deadlines. The body's
    auditor raised it, not a member of the client: the link the client accepted is the
    authority, which `pdca.engagements` checks before calling this. Recorded in the client's
    activity log with the auditor as actor."""
    requirements = list(requirement_choices(organization).filter(pk__in=requirement_ids))
    nonconformity = Nonconformity.objects.create(
        organization=organization,
        reference=reference,
        title=title[:200],
        description=description,
        source=Nonconformity.Source.CERTIFICATION_AUDIT,
        severity=severity,
        response_due=response_due,
        closure_due=closure_due,
        due_date=closure_due or response_due,
    )
    nonconformity.requirements.set(requirements)
    record_create(actor=actor, obj=nonconformity, message=f"Raised by {body} at its audit.")
    return nonconformity


def follow_linked_grade(nonconformity, *, severity: str, response_due, closure_due, actor) -> None:
    """A linked body regraded its finding (still a nonconformity): severity and deadlines of
    the client's nonconformity follow it."""
    lock_for_update(nonconformity, check=False)
    before = snapshot(nonconformity)
    previous_due = nonconformity.closure_due or nonconformity.response_due
    nonconformity.severity = severity
    nonconformity.response_due = response_due
    nonconformity.closure_due = closure_due
    if nonconformity.due_date is None or nonconformity.due_date == previous_due:
        nonconformity.due_date = closure_due or response_due
    nonconformity.save(
        update_fields=["severity", "response_due", "closure_due", "due_date", "updated_at"]
    )
    record_update(
        actor=actor,
        obj=nonconformity,
        before=before,
        message="Severity and deadlines follow the certification body's regraded finding.",
    )


def dismiss_linked(nonconformity, *, reason: str, actor) -> None:
    """A linked body regraded its finding below a nonconformity before the client answered:
    the client's nonconformity is dismissed with the reason (kept as a record)."""

    lock_for_update(nonconformity, check=False)
    before = snapshot(nonconformity)
    nonconformity.status = nonconformity.Status.DISMISSED
    nonconformity.closure_note = reason
    nonconformity.closed_at = timezone.now()
    nonconformity.save(update_fields=["status", "closure_note", "closed_at", "updated_at"])
    record_update(actor=actor, obj=nonconformity, before=before, message=reason)
