"""Findings that flow both ways across a certification engagement.

The certification body releases an audit of its linked client: the client then sees the audit's
plan, findings and (once issued) report. Each major or minor finding of a released audit opens
a nonconformity in the client's register (owned by the client, with the body's deadlines); a
later regrade follows, and a finding the client's register holds cannot be deleted. The client
works the nonconformity with its own corrective-action workflow and sends the plan (correction,
cause, corrective actions) to the body, whose review of it (accepted, rejected with a reason,
verified) stays on the body's side, in `certification.services.finding_reviews`, and feeds the
certification decision checklist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.audits.findings import finding_reference, three_part_statement
from pdca.audits.models import Audit, Finding
from pdca.certification.models import CycleAudit, FindingReview
from pdca.certification.services.finding_reviews import record_linked_answer
from pdca.core.activity import record_activity
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from pdca.core.permissions import memberships
from pdca.engagements.access import PROVIDER, client_org_id, require_side
from pdca.engagements.models import AuditRelease, Engagement, FindingLink
from pdca.engagements.permissions import AUDITORS, GRANTORS
from pdca.engagements.services.logging import record_both
from pdca.improvement.deadlines import Deadlines
from pdca.improvement.finding_link import (
    dismiss_linked,
    follow_linked_grade,
    open_linked_nonconformity,
)
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.improvement.workflow.services import current_actions

if TYPE_CHECKING:
    from pdca.accounts.models import User

NC_GRADES = (Finding.Grade.MAJOR, Finding.Grade.MINOR)


def audits_of(engagement: Engagement) -> list[Audit]:
    """The body's scheduled audits of the engagement's client record, latest first."""
    if engagement.client_id is None:
        return []
    return list(
        Audit.objects.filter(
            certification_audit__cycle__client_id=engagement.client_id,
            organization_id=engagement.organization_id,
        )
        .select_related("client_release")
        .order_by("-start_date", "-pk")
    )


def _deadlines(finding: Finding) -> tuple[Any, Any]:
    review = FindingReview.objects.filter(finding=finding).first()
    if review is None:
        return None, None
    return review.response_due, review.closure_due


def _recorded_by_hand(engagement: Engagement, finding: Finding) -> Nonconformity | None:
    """The open nonconformity the client recorded by hand for this finding before the link
    (same title and grade, from a certification audit, not linked yet), if there is one."""
    return (
        Nonconformity.objects.filter(
            organization_id=client_org_id(engagement),
            source=Nonconformity.Source.CERTIFICATION_AUDIT,
            title=finding.title[:200],
            severity=finding.grade,
            certification_link__isnull=True,
        )
        .exclude(status__in=[Nonconformity.Status.CLOSED, Nonconformity.Status.DISMISSED])
        .order_by("pk")
        .first()
    )


def _open(engagement: Engagement, audit: Audit, finding: Finding, *, actor: Any) -> FindingLink:
    """Open the client's nonconformity for `finding`, or link the one the client already
    recorded by hand for it (no second copy)."""
    adopted = _recorded_by_hand(engagement, finding)
    if adopted is not None:
        return _link(engagement, audit, finding, adopted, actor=actor, adopted=True)
    response_due, closure_due = _deadlines(finding)
    nonconformity = open_linked_nonconformity(
        engagement.client_organization,
        reference=finding_reference(audit, finding.number),
        title=finding.title,
        description=three_part_statement(finding),
        severity=finding.grade,
        requirement_ids=[r.pk for r in finding.requirements.all()],
        response_due=response_due,
        closure_due=closure_due,
        body=str(engagement.organization),
        actor=actor,
    )
    return _link(engagement, audit, finding, nonconformity, actor=actor, adopted=False)


def _link(
    engagement: Engagement,
    audit: Audit,
    finding: Finding,
    nonconformity: Nonconformity,
    *,
    actor: Any,
    adopted: bool,
) -> FindingLink:
    link = FindingLink.objects.create(
        organization_id=client_org_id(engagement),
        engagement=engagement,
        finding=finding,
        nonconformity=nonconformity,
    )
    what = "is answered by the client's own" if adopted else "opened"
    record_both(
        engagement,
        link,
        actor=actor,
        action="create",
        message=f"F{finding.number} of {audit} {what} {nonconformity} in the client's register.",
    )
    return link


@transaction.atomic
def release_audit(engagement: Engagement, audit: Audit, *, actor: User) -> AuditRelease:
    """Release the body's audit of the linked client: the client sees its plan, findings and
    report from now on, and every major or minor finding opens a nonconformity on its side."""
    require_side(actor, engagement, PROVIDER, AUDITORS)
    lock_for_update(engagement, check=False)
    if not engagement.is_active or engagement.kind != Engagement.Kind.CERTIFICATION:
        raise Conflict("Audits are released on an active certification link.", code="not_active")
    client_id = engagement.client_id
    if (
        client_id is None
        or audit.organization_id != engagement.organization_id
        or not CycleAudit.objects.filter(audit=audit, cycle__client_id=client_id).exists()
    ):
        raise ValidationFailed.single("audit", "Not an audit of this client's programme.")
    if AuditRelease.objects.filter(audit=audit).exists():
        raise Conflict(f"{audit} is already released.", code="already_released")
    release = AuditRelease.objects.create(
        organization_id=engagement.organization_id,
        engagement=engagement,
        audit=audit,
        released_by=actor,
    )
    record_both(engagement, release, actor=actor, action="release", message=f"{audit} released.")
    for finding in (
        Finding.objects.filter(audit=audit, grade__in=NC_GRADES)
        .exclude(client_link__isnull=False)
        .prefetch_related("requirements")
        .order_by("number")
    ):
        _open(engagement, audit, finding, actor=actor)
    return release


def _release_of(audit: Audit) -> AuditRelease | None:
    return (
        AuditRelease.objects.select_related("engagement", "engagement__client_organization")
        .filter(audit_id=audit.pk)
        .first()
    )


def follow_finding(audit: Audit, finding: Finding, previous_grade: str | None, *, actor) -> None:
    """`audits.hooks.finding_graded`, after the body's own review follows the grade: a finding
    of a released audit opens, regrades or (unanswered) dismisses the client's nonconformity."""
    release = _release_of(audit)
    if release is None or not release.engagement.is_active:
        return
    engagement = release.engagement
    link = FindingLink.objects.select_related("nonconformity").filter(finding=finding).first()
    if finding.grade in NC_GRADES:
        if link is None:
            _open(engagement, audit, finding, actor=actor)
            return
        nonconformity = link.nonconformity
        if nonconformity.status == Nonconformity.Status.DISMISSED:
            raise ValidationFailed.single(
                "grade",
                f"The client dismissed {nonconformity} after an earlier regrade; raise a new "
                "finding instead.",
                "client_dismissed",
            )
        response_due, closure_due = _deadlines(finding)
        follow_linked_grade(
            nonconformity,
            severity=finding.grade,
            response_due=response_due,
            closure_due=closure_due,
            actor=actor,
        )
        return
    if link is not None and link.nonconformity.status != Nonconformity.Status.DISMISSED:
        if link.plan_sent_at is not None:
            raise ValidationFailed.single(
                "grade",
                f"The client has sent its plan for F{finding.number}: it stays a nonconformity.",
                "review_answered",
            )
        dismiss_linked(
            link.nonconformity,
            reason=f"{engagement.organization} regraded F{finding.number} as "
            f"{finding.get_grade_display().lower()}.",
            actor=actor,
        )


def body_deadlines(nonconformity: Nonconformity) -> Deadlines | None:
    """`improvement.hooks.body_deadlines`: the deadlines of a nonconformity a linked body's
    finding opened, from the body's review of that finding."""
    link = FindingLink.objects.filter(nonconformity_id=nonconformity.pk).first()
    if link is None:
        return None
    review = FindingReview.objects.filter(finding_id=link.finding_id).first()
    if review is None:
        return None
    before = (
        "Correction and corrective action reviewed, accepted and verified by the body."
        if review.closure_due
        else "The plan for correction and corrective action accepted by the body."
    )
    return Deadlines(review.response_due, review.closure_due, before)


def forget_finding(finding: Finding, *, actor) -> None:
    """`audits.hooks.finding_deleted`: a finding that opened a nonconformity in the client's
    register stays (the client relies on it); regrade it instead."""
    if FindingLink.objects.filter(finding=finding).exists():
        raise Conflict(
            f"F{finding.number} opened a nonconformity in the client's register: it stays. "
            "Regrade it if it was raised in error.",
            code="finding_linked",
        )


def _client_role_for(link: FindingLink, actor: User) -> str:
    role = memberships(actor).get(link.organization_id)
    if role is None:
        raise NotFound("No such nonconformity.")
    return role


def plan_text(nonconformity: Nonconformity, actions: list[CorrectiveAction]) -> str:
    """The corrective actions as the body reads them: one line each, owner and due date."""
    return "\n".join(
        f"- {a.title} (owner {a.owner.full_name or a.owner.email}, due {a.due_date:%Y-%m-%d})"
        + (f": {a.description}" if a.description else "")
        for a in actions
    )


@transaction.atomic
def send_plan(link: FindingLink, *, actor: User) -> FindingReview:
    """The client sends its correction, root cause and corrective actions for a linked finding
    to the body, which reviews it. Sent again after a rejection; refused once accepted."""
    role = _client_role_for(link, actor)
    nonconformity = link.nonconformity
    if role not in GRANTORS and nonconformity.owner_id != actor.pk:
        raise PermissionDenied("The nonconformity's owner or a system manager sends the plan.")
    engagement = link.engagement
    if not engagement.is_active:
        raise Conflict("The link with the certification body has ended.", code="not_active")
    lock_for_update(link, check=False)
    review = FindingReview.objects.filter(finding_id=link.finding_id).first()
    if review is None:
        raise Conflict("The body does not review answers to this finding.", code="no_review")
    actions = current_actions(nonconformity)
    missing = []
    if not nonconformity.correction.strip():
        missing.append("the correction")
    if not nonconformity.root_cause.strip():
        missing.append("the root cause")
    if not actions:
        missing.append("at least one corrective action")
    if missing:
        raise ValidationFailed.single(
            "nonconformity",
            f"Record {', '.join(missing)} before sending the plan.",
            "plan_incomplete",
        )
    answered = record_linked_answer(
        review,
        nonconformity.correction,
        nonconformity.root_cause,
        plan_text(nonconformity, actions),
        actor=actor,
    )
    link.plan_sent_at = timezone.now()
    link.plan_sent_by = actor
    link.times_sent += 1
    link.save(update_fields=["plan_sent_at", "plan_sent_by", "times_sent", "updated_at"])
    record_activity(
        actor=actor,
        action="send_plan",
        obj=nonconformity,
        message=f"Plan sent to {engagement.organization} for its review.",
    )
    return answered
