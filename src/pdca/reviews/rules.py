"""Rules of the review registers that the register framework calls on every write (page,
API, spreadsheet import or CLI)."""

from __future__ import annotations

from typing import Any

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.roles import Role
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.tenancy.models import Membership

#: Outputs are recorded while a review is prepared or held, not after its minutes are frozen.
OPEN_FOR_OUTPUTS = (ManagementReview.Status.PLANNED, ManagementReview.Status.HELD)


def top_managers(organization: Any, users: list[Any]) -> list[Any]:
    """Those of `users` who are top management of `organization` (one query)."""
    ids = set(
        Membership.objects.filter(
            organization=organization,
            user__in=[u for u in users if u is not None],
            role=Role.TOP_MANAGEMENT,
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )
    return [u for u in users if u is not None and u.pk in ids]


def validate_review(review: ManagementReview, related: dict[str, list[Any]]) -> None:
    errors: list[FieldError] = []
    if review.chair_id is not None and not top_managers(review.organization, [review.chair]):
        errors.append(
            FieldError(
                "chair", "The chair must be a member of top management.", "not_top_management"
            )
        )
    if review.data_as_of and review.data_as_of > review.meeting_date:
        errors.append(
            FieldError(
                "data_as_of", "The data cannot be read after the meeting date.", "after_meeting"
            )
        )
    if review.system_id and review.system.organization_id != review.organization_id:
        errors.append(FieldError("system", "Choose a system of this organization."))
    if review.status == ManagementReview.Status.HELD:
        errors += [
            FieldError(name, "The review was held on its data: this can no longer change.", "held")
            for name in _changed_basis(review)
        ]
    if errors:
        raise ValidationFailed(errors)


#: What the inputs are compiled from: changing one makes the compiled figures wrong.
BASIS = ("system_id", "meeting_date", "data_as_of")


def _changed_basis(review: ManagementReview) -> list[str]:
    locked = getattr(review, "_locked_values", None)  # set by lock_for_update on an update
    if review.pk is None or locked is None:
        return []
    return [name.removesuffix("_id") for name in BASIS if getattr(review, name) != locked.get(name)]


def fill_review(review: ManagementReview) -> None:
    """A new review follows the latest earlier review of the same system that was held; a
    planned review whose system or dates change must be compiled again."""
    if review.pk is None and review.previous_id is None:
        review.previous = (
            ManagementReview.objects.filter(
                system_id=review.system_id,
                meeting_date__lt=review.meeting_date,
                status__in=(ManagementReview.Status.HELD, ManagementReview.Status.APPROVED),
            )
            .order_by("-meeting_date", "-pk")
            .first()
        )
    if _changed_basis(review):
        review.compiled_at = None


def validate_output(output: ReviewOutput, related: dict[str, list[Any]]) -> None:
    errors: list[FieldError] = []
    if output.pk is None and output.review_id and output.review.status not in OPEN_FOR_OUTPUTS:
        errors.append(
            FieldError(
                "review",
                f"This review is {output.review.get_status_display().lower()}: its outputs can "
                "no longer be added to. Record the action in the next review.",
                "review_closed",
            )
        )
    if output.kind in (ReviewOutput.Kind.ACTION, ReviewOutput.Kind.IMPROVEMENT):
        if output.owner_id is None:
            errors.append(FieldError("owner", "An action needs an owner.", "required"))
        if output.due_date is None:
            errors.append(FieldError("due_date", "An action needs a due date.", "required"))
    if errors:
        raise ValidationFailed(errors)
