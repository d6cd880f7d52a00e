"""The registers of management review, declared once: `core.registers` builds their pages,
API, spreadsheets and CLI. The steps beyond plain edits (compiling inputs, holding, approving
and freezing minutes) are in `services`; the parts of their pages beyond the fields in
`pages`."""

from __future__ import annotations

from typing import Any

from pdca.core.registers.spec import RegisterSpec
from pdca.reviews import rules
from pdca.reviews.models import ManagementReview, ReviewOutput


def _context(name: str):
    def context(request: Any, obj: Any) -> dict[str, Any]:
        from pdca.reviews import pages

        return getattr(pages, name)(request, obj)

    return context


MANAGEMENT_REVIEWS = RegisterSpec(
    model=ManagementReview,
    slug="management-reviews",
    namespace="reviews",
    fields=(
        "system",
        "title",
        "meeting_date",
        "data_as_of",
        "chair",
        "attendees",
        "other_attendees",
        "agenda",
        "conclusions",
    ),
    columns=("title", "system", "meeting_date", "chair", "status"),
    filters=("system", "status", "chair"),
    search=("title", "agenda", "conclusions"),
    ordering=("meeting_date", "title", "status"),
    user_fields=("chair", "attendees"),
    clauses=("9.3", "9.3.1", "9.3.2", "9.3.3"),
    validate=rules.validate_review,
    before_save=rules.fill_review,
    select_related=("system", "chair"),
    detail_template="reviews/_review_detail.html",
    detail_context=_context("review_context"),
    list_links=(("Review schedule", "schedule"), ("Review actions", "review-actions-list")),
    requirements_label="Requirements it answers",
    intro=(
        "Management reviews (9.3): top management reviews each management system at planned "
        "intervals. pdca compiles the inputs every adopted standard asks for from the "
        "registers as of the review's date; top management assesses each one, concludes, and "
        "decides actions that are followed up until the next review. Approved minutes are "
        "frozen with their SHA-256."
    ),
)

REVIEW_ACTIONS = RegisterSpec(
    model=ReviewOutput,
    slug="review-actions",
    namespace="reviews",
    fields=("review", "kind", "title", "description", "owner", "due_date"),
    columns=("title", "kind", "review", "owner", "due_date", "status"),
    filters=("review", "kind", "status", "owner"),
    search=("title", "description"),
    ordering=("due_date", "title", "status"),
    validate=rules.validate_output,
    select_related=("review", "owner"),
    detail_template="reviews/_output_detail.html",
    detail_context=_context("output_context"),
    list_links=(("Management reviews", "management-reviews-list"),),
    intro=(
        "Decisions and actions of management reviews (9.3.3): improvements, changes to the "
        "system, needs for resources and actions, each with an owner and a due date, followed "
        "up as the owner's tasks; the next review opens with their status."
    ),
)

SPECS: tuple[RegisterSpec, ...] = (MANAGEMENT_REVIEWS, REVIEW_ACTIONS)
