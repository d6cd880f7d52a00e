"""The steps of a management review beyond plain register edits: how often a system is
reviewed, compiling the inputs from the registers, assessing each input, and the review's one
transition function (held, minutes approved and frozen, cancelled). Each runs in one
transaction, reads its row under a lock, and records its activity entry."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import canonical, jsonable, record_activity, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.records.rules import ensure_open
from pdca.core.registers.services import create_entry
from pdca.reviews.inputs import Window, inputs_for
from pdca.reviews.inputs.registry import months_before
from pdca.reviews.models import ManagementReview, ReviewInput, ReviewOutput, ReviewPlan
from pdca.reviews.rules import top_managers
from pdca.reviews.selectors import last_review
from pdca.system.models import AdoptedStandard, ManagementSystem

if TYPE_CHECKING:
    from pdca.accounts.models import User

Status = ManagementReview.Status
MAX_ASSESSMENT = 10_000


# --- the schedule -------------------------------------------------------------------------


@transaction.atomic
def set_review_interval(system: ManagementSystem, *, actor: User, months: int) -> ReviewPlan:
    """Set how many months may pass between two reviews of `system` (1 to 36)."""
    plan, _ = ReviewPlan.objects.get_or_create(
        system=system, defaults={"organization": system.organization}
    )
    lock_for_update(plan)
    require(actor, "change", plan)
    if not isinstance(months, int) or not 1 <= months <= 36:
        raise ValidationFailed.single("interval_months", "Give 1 to 36 months.", "out_of_range")
    before = snapshot(plan)
    plan.interval_months = months
    save_changed(plan)
    record_update(actor=actor, obj=plan, before=before, message=f"Reviewed every {months} months.")
    return plan


# --- inputs -------------------------------------------------------------------------------


def adopted_codes(system: ManagementSystem, on: dt.date) -> tuple[str, ...]:
    """Codes of the standards the system had adopted on `on`."""
    rows = AdoptedStandard.objects.filter(system=system, adopted_on__lte=on).exclude(
        dropped_on__lte=on
    )
    return tuple(sorted(rows.values_list("standard__code", flat=True)))


def window_for(review: ManagementReview) -> Window:
    """The period a review looks at: from the previous held review's data date (or one
    interval back) to this review's data date."""
    as_of = review.as_of
    previous = last_review(review.system, before=review.meeting_date)
    if previous is not None and previous.pk != review.pk:
        start = previous.as_of
    else:
        plan = ReviewPlan.objects.filter(system=review.system).first()
        start = months_before(as_of, plan.interval_months if plan else 12)
    return Window(
        organization=review.organization,
        system=review.system,
        review=review,
        as_of=as_of,
        start=min(start, as_of),
        standards=adopted_codes(review.system, as_of),
    )


def _check_editable(review: ManagementReview) -> None:
    if review.status not in (Status.PLANNED, Status.HELD):
        raise Conflict(
            f"This review is {review.get_status_display().lower()}; its inputs stay as they are.",
            code="review_frozen",
        )
    ensure_open(review)


@transaction.atomic
def compile_inputs(review: ManagementReview, *, actor: User) -> list[ReviewInput]:
    """Compile every input the system's standards ask for from the registers as of the
    review's data date. Written assessments are kept; an input no longer asked for (a standard
    dropped) goes unless it was assessed."""
    lock_for_update(review)
    require(actor, "compile", review)
    _check_editable(review)
    window = window_for(review)
    now = timezone.now()
    existing = {i.key: i for i in review.inputs.all()}
    wanted = inputs_for(window.standards)
    kept = []
    for position, definition in enumerate(wanted):
        data = jsonable(definition.compile(window))
        row = existing.pop(definition.key, None) or ReviewInput(
            organization=review.organization, review=review, key=definition.key
        )
        row.position = position
        row.title = definition.title
        row.clauses = definition.clauses
        row.standard_code = ",".join(definition.standards)
        row.figures = data
        row.compiled_at = now
        row.save()
        kept.append(row)
    for stale in existing.values():
        if stale.assessment.strip():
            kept.append(stale)
        else:
            stale.delete()
    before = snapshot(review)
    review.compiled_at = now
    save_changed(review)
    record_update(
        actor=actor,
        obj=review,
        before=before,
        action="compile",
        message=f"{len(wanted)} inputs compiled from the registers as of {window.as_of:%Y-%m-%d} "
        f"(period {window.period_label}).",
    )
    return kept


@transaction.atomic
def assess_input(review_input: ReviewInput, *, actor: User, assessment: str) -> ReviewInput:
    """Write top management's assessment of one input."""
    lock_for_update(review_input)
    require(actor, "change", review_input)
    _check_editable(review_input.review)
    text = (assessment or "").strip()
    if len(text) > MAX_ASSESSMENT:
        raise ValidationFailed.single(
            "assessment", f"Keep the assessment under {MAX_ASSESSMENT} characters.", "too_long"
        )
    before = snapshot(review_input)
    review_input.assessment = text
    review_input.assessed_by = actor if text else None
    save_changed(review_input)
    record_update(actor=actor, obj=review_input, before=before, action="assess")
    return review_input


# --- the workflow -------------------------------------------------------------------------

#: to → (from states, permission action).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Status.HELD: ((Status.PLANNED,), "hold"),
    Status.APPROVED: ((Status.HELD,), "approve"),
    Status.CANCELLED: ((Status.PLANNED,), "cancel"),
}


def hold_problems(review: ManagementReview) -> list[FieldError]:
    """What stops the review from being recorded as held."""
    problems = []
    if review.meeting_date > timezone.localdate():
        problems.append(
            FieldError("meeting_date", "The meeting has not taken place yet.", "future")
        )
    people = [review.chair, *review.attendees.all()]
    if not top_managers(review.organization, people):
        problems.append(
            FieldError(
                "attendees",
                "Top management must take part: name a member of top management as chair or "
                "attendee.",
                "no_top_management",
            )
        )
    if review.compiled_at is None:
        problems.append(FieldError("inputs", "Compile the inputs first.", "not_compiled"))
    return problems


def approval_problems(review: ManagementReview) -> list[FieldError]:
    """What stops the minutes from being approved: every input considered, conclusions
    written."""
    problems = hold_problems(review)
    missing = [i.title for i in review.inputs.all() if not i.assessment.strip()]
    if missing:
        problems.append(
            FieldError(
                "inputs",
                "Write top management's assessment of every input; missing: "
                + "; ".join(missing)
                + ".",
                "input_not_assessed",
            )
        )
    if not review.conclusions.strip():
        problems.append(
            FieldError(
                "conclusions",
                "Write the conclusions on the system's suitability, adequacy and effectiveness.",
                "required",
            )
        )
    return problems


def minutes_of(review: ManagementReview) -> dict[str, Any]:
    """The minutes as plain JSON: what approval freezes and what the page, PDF and DOCX show."""
    attendees = sorted(str(u) for u in review.attendees.all())
    content: dict[str, Any] = jsonable(
        {
            "review": review.pk,
            "organization": review.organization.name,
            "system": review.system.name,
            "title": review.title,
            "meeting_date": review.meeting_date,
            "data_as_of": review.as_of,
            "chair": str(review.chair) if review.chair else "",
            "attendees": attendees,
            "other_attendees": [
                line.strip() for line in review.other_attendees.splitlines() if line.strip()
            ],
            "agenda": review.agenda,
            "previous": (
                {"id": review.previous_id, "title": str(review.previous)}
                if review.previous_id
                else None
            ),
            "inputs": [
                {
                    "key": i.key,
                    "title": i.title,
                    "clauses": i.clauses,
                    "figures": i.figures,
                    "compiled_at": i.compiled_at,
                    "assessment": i.assessment,
                }
                for i in review.inputs.all()
            ],
            "conclusions": review.conclusions,
            "outputs": [
                {
                    "id": o.pk,
                    "kind": o.kind,
                    "kind_label": o.get_kind_display(),
                    "title": o.title,
                    "description": o.description,
                    "owner": str(o.owner) if o.owner else "",
                    "due_date": o.due_date,
                }
                for o in review.outputs.filter(archived_at__isnull=True).select_related("owner")
            ],
            "approved_by": str(review.approved_by) if review.approved_by else "",
            "approved_at": review.approved_at,
        }
    )
    return content


def minutes_hash(minutes: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(minutes).encode()).hexdigest()


def minutes_intact(review: ManagementReview) -> bool:
    """Whether frozen minutes still match the hash taken when they were approved."""
    return bool(review.minutes_sha256) and minutes_hash(review.minutes) == review.minutes_sha256


def _open_improvements(review: ManagementReview, actor: User) -> int:
    """Each improvement decided opens an improvement opportunity (source: management review)."""
    from pdca.improvement.registers import OPPORTUNITIES

    opened = 0
    for output in review.outputs.filter(
        kind=ReviewOutput.Kind.IMPROVEMENT, opportunity__isnull=True, archived_at__isnull=True
    ).exclude(status=ReviewOutput.Status.CANCELLED):
        opportunity = create_entry(
            OPPORTUNITIES,
            review.organization,
            actor=actor,
            title=output.title[:200],
            description=output.description or f"Decided by the management review “{review}”.",
            source="management_review",
            owner=output.owner,
            due_date=output.due_date,
        )
        ReviewOutput.objects.filter(pk=output.pk).update(opportunity=opportunity)
        opened += 1
    return opened


@transaction.atomic
def transition_review(
    review: ManagementReview, *, actor: User, to: str, reason: str = ""
) -> ManagementReview:
    """Move a review on: planned → held (top management took part, inputs compiled), held →
    minutes approved (every input assessed, conclusions written; the minutes are frozen with
    their SHA-256 and each improvement decided opens an improvement opportunity), planned →
    cancelled (with a reason)."""
    lock_for_update(review)
    if to not in TRANSITIONS:
        raise ValidationFailed.single(
            "to", "Choose one of: " + ", ".join(TRANSITIONS) + ".", "invalid_choice"
        )
    sources, action = TRANSITIONS[to]
    require(actor, action, review)
    if review.status not in sources:
        raise Conflict(
            f"A review that is {review.get_status_display().lower()} cannot become "
            f"{Status(to).label.lower()}.",
            code="invalid_transition",
        )
    ensure_open(review)
    before = snapshot(review)
    message = ""
    if to == Status.HELD:
        problems = hold_problems(review)
        if problems:
            raise ValidationFailed(problems)
        review.held_at = timezone.now()
    elif to == Status.APPROVED:
        problems = approval_problems(review)
        if problems:
            raise ValidationFailed(problems)
        opened = _open_improvements(review, actor)
        review.approved_by = actor
        review.approved_at = timezone.now()
        review.minutes = minutes_of(review)
        review.minutes_sha256 = minutes_hash(review.minutes)
        message = f"Minutes frozen, SHA-256 {review.minutes_sha256}."
        if opened:
            message += f" {opened} improvement opportunit{'y' if opened == 1 else 'ies'} opened."
    else:
        if not reason.strip():
            raise ValidationFailed.single("reason", "Say why the review is cancelled.", "required")
        review.status_note = reason.strip()[:500]
        message = reason.strip()
    review.status = to
    save_changed(review)
    record_update(actor=actor, obj=review, before=before, action=action, message=message)
    return review


def record_download(review: ManagementReview, *, actor: User, fmt: str) -> None:
    """Log who downloaded the minutes, as for other records."""
    record_activity(actor=actor, action="download", obj=review, message=f"Minutes as {fmt}.")


# --- the actions --------------------------------------------------------------------------

OUTPUT_ENDS = (ReviewOutput.Status.DONE, ReviewOutput.Status.CANCELLED)


@transaction.atomic
def transition_output(output: ReviewOutput, *, actor: User, to: str, outcome: str) -> ReviewOutput:
    """Close a review action: done (saying what was done) or cancelled (saying why). Its
    owner may do it, as may the reviewers; a closed action is read-only, and the next
    review's first input counts it."""
    lock_for_update(output)
    require(actor, "change", output)
    if to not in OUTPUT_ENDS:
        raise ValidationFailed.single("to", "Choose done or cancelled.", "invalid_choice")
    if output.status != ReviewOutput.Status.OPEN:
        raise Conflict(
            f"This action is {output.get_status_display().lower()} already.",
            code="invalid_transition",
        )
    ensure_open(output)
    text = (outcome or "").strip()
    if not text:
        raise ValidationFailed.single(
            "outcome", "Say what was done, or why it is cancelled.", "required"
        )
    before = snapshot(output)
    output.status = to
    output.outcome = text[:MAX_ASSESSMENT]
    output.completed_on = timezone.localdate()
    save_changed(output)
    record_update(actor=actor, obj=output, before=before, action=to, message=text[:500])
    return output
