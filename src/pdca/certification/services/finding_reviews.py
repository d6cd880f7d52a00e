"""The certification body's review of its clients' answers to findings (17021-1 9.4.9, 9.4.10).

Every major or minor finding of an audit of a client's programme gets a review (`follow_finding`
is registered into `audits.hooks.finding_graded`), due by the body's own deadlines counted from
the audit's last day. The client answers (correction, cause, corrective action); the body
accepts or rejects the plan (with a reason); then verifies the actions: a major on site or from
documents, a minor possibly at the next audit. A major found at stage 2 must be verified within
six months of its last day, or stage 2 is held again (`needs_new_stage2`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.audits.models import Audit, Finding
from pdca.certification.models import CertificationBodyProfile, CycleAudit, FindingReview
from pdca.certification.services import dates
from pdca.certification.services.profile import get_profile
from pdca.core.activity import record_create, record_delete, record_update, snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.certification.models import CertificationCycle

P = FindingReview.PlanStatus
M = FindingReview.Method
MAJOR = Finding.Grade.MAJOR
MINOR = Finding.Grade.MINOR
TEXT_LIMIT = 20_000


def deadlines(
    profile: CertificationBodyProfile, grade: str, audit_end: dt.date
) -> tuple[dt.date, dt.date | None]:
    """(answer due, actions verified by) for a finding of `grade`, from the audit's last day;
    a minor's actions are verified at the next audit, so it has no closure date."""
    if grade == MAJOR:
        return (
            audit_end + dt.timedelta(days=profile.major_response_days),
            audit_end + dt.timedelta(days=profile.major_closure_days),
        )
    return audit_end + dt.timedelta(days=profile.minor_response_days), None


def _answered(review: FindingReview) -> bool:
    return bool(review.responded_on) or review.plan_status != P.AWAITED


def follow_finding(audit: Audit, finding: Finding, previous_grade: str | None, *, actor) -> None:
    """A finding of a programme audit was raised or regraded: a major or minor gets its
    review (the deadlines follow the grade); regraded below a nonconformity, the review goes
    while the client has not answered, and the change is refused once they have."""
    if not CycleAudit.objects.filter(audit_id=audit.pk).exists():
        return
    review = FindingReview.objects.select_for_update().filter(finding=finding).first()
    if not finding.is_nonconformity:
        if review is None:
            return
        if _answered(review):
            raise ValidationFailed.single(
                "grade",
                f"The client has answered F{finding.number} as a nonconformity: it stays one "
                "(the certification body's review of the answer is under way).",
                "review_answered",
            )
        record_delete(actor=actor, obj=review, message=f"F{finding.number} is no longer a NC.")
        review.delete()
        return
    profile = get_profile(audit.organization_id)
    response_due, closure_due = deadlines(profile, finding.grade, audit.end_date)
    if review is None:
        review = FindingReview.objects.create(
            organization_id=audit.organization_id,
            finding=finding,
            response_due=response_due,
            closure_due=closure_due,
        )
        record_create(actor=actor, obj=review)
        return
    if (review.response_due, review.closure_due) != (response_due, closure_due):
        before = snapshot(review)
        review.response_due = response_due
        review.closure_due = closure_due
        review.save(update_fields=["response_due", "closure_due", "updated_at"])
        record_update(
            actor=actor,
            obj=review,
            before=before,
            message=f"Deadlines follow the grade of F{finding.number}.",
        )


def forget_finding(finding: Finding, *, actor) -> None:
    """A finding is being deleted: its review goes with it while the client has not answered;
    after an answer the deletion is refused."""
    review = FindingReview.objects.select_for_update().filter(finding=finding).first()
    if review is None:
        return
    if _answered(review):
        raise Conflict(
            f"The client has answered F{finding.number}: the finding stays.",
            code="review_answered",
        )
    record_delete(actor=actor, obj=review, message="The finding was deleted.")
    review.delete()


def _text(value: Any, name: str, errors: list[FieldError], *, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        errors.append(FieldError(name, "Give a text."))
        return ""
    if required and not text:
        errors.append(FieldError(name, "This is required."))
    if len(text) > TEXT_LIMIT:
        errors.append(FieldError(name, f"At most {TEXT_LIMIT} characters."))
    return text


def _day(value: Any, name: str, errors: list[FieldError]) -> dt.date | None:
    if not isinstance(value, dt.date):
        errors.append(FieldError(name, "Give a date."))
        return None
    if value > timezone.localdate():
        errors.append(FieldError(name, "The date is in the future."))
        return None
    return value


def _locked(review: FindingReview) -> FindingReview:
    lock_for_update(review)
    return review


@transaction.atomic
def record_client_answer(
    review: FindingReview,
    correction: str,
    root_cause: str,
    corrective_action: str,
    responded_on: dt.date,
    *,
    actor: User,
) -> FindingReview:
    """Record the client's answer: correction, root cause and corrective action, and when it
    came. A rejected plan may be answered again; an accepted one is settled."""
    require(actor, "change", review)
    return _answer(review, correction, root_cause, corrective_action, responded_on, actor=actor)


@transaction.atomic
def record_linked_answer(
    review: FindingReview,
    correction: str,
    root_cause: str,
    corrective_action: str,
    *,
    actor: User,
) -> FindingReview:
    """The client's answer sent across a link with the body (`pdca.engagements` checked that
    `actor` answers for the linked client): recorded today, in the body's log, with the client's
    person as actor."""
    return _answer(
        review, correction, root_cause, corrective_action, timezone.localdate(), actor=actor
    )


def _answer(
    review: FindingReview,
    correction: str,
    root_cause: str,
    corrective_action: str,
    responded_on: dt.date,
    *,
    actor: User,
) -> FindingReview:
    _locked(review)
    errors: list[FieldError] = []
    values = {
        "correction": _text(correction, "correction", errors),
        "root_cause": _text(root_cause, "root_cause", errors),
        "corrective_action": _text(corrective_action, "corrective_action", errors),
    }
    day = _day(responded_on, "responded_on", errors)
    if errors:
        raise ValidationFailed(errors)
    if review.plan_status == P.ACCEPTED:
        raise Conflict("The plan is already accepted.", code="plan_accepted")
    before = snapshot(review)
    for name, value in values.items():
        setattr(review, name, value)
    review.responded_on = day
    review.plan_status = P.RECEIVED
    review.save(
        update_fields=[*values, "responded_on", "plan_status", "updated_at"],
    )
    late = day is not None and day > review.response_due
    record_update(
        actor=actor,
        obj=review,
        before=before,
        action="answer",
        message=f"Answered after the deadline ({review.response_due:%Y-%m-%d})." if late else "",
    )
    return review


@transaction.atomic
def review_plan(review: FindingReview, accept: bool, reason: str, *, actor: User) -> FindingReview:
    """Accept the client's plan, or reject it with the reason (the client answers again)."""
    require(actor, "change", review)
    _locked(review)
    errors: list[FieldError] = []
    reason = _text(reason, "reason", errors, required=not accept)
    if not isinstance(accept, bool):
        errors.append(FieldError("accept", "Say whether the plan is accepted."))
    if errors:
        raise ValidationFailed(errors)
    if review.plan_status != P.RECEIVED:
        raise Conflict(
            f"There is no answer to review ({review.get_plan_status_display().lower()}).",
            code="no_answer_to_review",
        )
    before = snapshot(review)
    review.plan_status = P.ACCEPTED if accept else P.REJECTED
    review.plan_reviewed_by = actor
    review.plan_reviewed_on = timezone.localdate()
    review.rejection_reason = "" if accept else reason
    review.save(
        update_fields=[
            "plan_status",
            "plan_reviewed_by",
            "plan_reviewed_on",
            "rejection_reason",
            "updated_at",
        ]
    )
    record_update(
        actor=actor,
        obj=review,
        before=before,
        action="accept_plan" if accept else "reject_plan",
        message=reason,
    )
    return review


@transaction.atomic
def verify_actions(
    review: FindingReview, method: str, notes: str, on: dt.date, *, actor: User
) -> FindingReview:
    """Record that the client's actions were verified, how and when: a major on site or from
    documents; a minor may be verified at the next audit. Only after the plan is accepted."""
    require(actor, "change", review)
    _locked(review)
    finding = Finding.objects.get(pk=review.finding_id)
    errors: list[FieldError] = []
    allowed = [M.ON_SITE, M.DOCUMENTARY] if finding.grade == MAJOR else list(M.values)
    if method not in allowed:
        errors.append(FieldError("method", f"Choose one of: {', '.join(allowed)}."))
    text = _text(notes, "notes", errors)
    day = _day(on, "on", errors)
    if errors:
        raise ValidationFailed(errors)
    assert day is not None
    if review.plan_status != P.ACCEPTED:
        raise Conflict(
            "The actions are verified once the plan is accepted "
            f"({review.get_plan_status_display().lower()}).",
            code="plan_not_accepted",
        )
    if review.verified_on:
        raise Conflict("The actions are already verified.", code="already_verified")
    if review.plan_reviewed_on and day < review.plan_reviewed_on:
        raise ValidationFailed.single(
            "on", f"The plan was accepted on {review.plan_reviewed_on:%Y-%m-%d}; verify after it."
        )
    before = snapshot(review)
    review.verification_method = method
    review.verification_notes = text
    review.verified_on = day
    review.verified_by = actor
    review.save(
        update_fields=[
            "verification_method",
            "verification_notes",
            "verified_on",
            "verified_by",
            "updated_at",
        ]
    )
    record_update(actor=actor, obj=review, before=before, action="verify")
    return review


# --- the six-month rule -------------------------------------------------------------------


def last_stage2(cycle: CertificationCycle) -> CycleAudit | None:
    """The cycle's latest stage 2 (the highest sequence that is not cancelled)."""
    return (
        CycleAudit.objects.filter(cycle=cycle, kind=CycleAudit.Kind.STAGE2, cancelled_reason="")
        .select_related("audit")
        .order_by("-sequence")
        .first()
    )


def late_majors(cycle: CertificationCycle, today: dt.date) -> list[FindingReview]:
    """Majors of the latest held stage 2 not verified within six months of its last day
    (verified later, or still unverified once the six months are over)."""
    stage2 = last_stage2(cycle)
    if stage2 is None or stage2.audit is None or stage2.audit_id is None:
        return []
    deadline = dates.major_verification_deadline(stage2.audit.end_date)
    reviews = FindingReview.objects.filter(
        finding__audit_id=stage2.audit_id, finding__grade=MAJOR
    ).select_related("finding")
    return [
        r
        for r in reviews.order_by("finding__number")
        if (r.verified_on and r.verified_on > deadline) or (not r.verified_on and today > deadline)
    ]


def needs_new_stage2(cycle: CertificationCycle, today: dt.date | None = None) -> bool:
    """Whether a major of the latest stage 2 missed the six-month verification: a new stage 2
    is then held before certification is recommended (reference 4.3, rule NC-02)."""
    return bool(late_majors(cycle, today or timezone.localdate()))
