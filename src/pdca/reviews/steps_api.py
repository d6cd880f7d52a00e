"""API of management review beyond the registers: the schedule per system, compiling and
assessing inputs, the review's transition (held, approved, cancelled) and its minutes as JSON,
PDF and DOCX. Thin endpoints over `services` and `selectors`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from pdca.core.api import Input, Text, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.permissions import require, scope
from pdca.core.views import file_response
from pdca.reviews import minutes as minutes_files
from pdca.reviews import selectors, services
from pdca.reviews.models import ManagementReview, ReviewInput, ReviewOutput, ReviewPlan
from pdca.system.models import ManagementSystem

router = Router()
TAG = "management reviews"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReviewOrganizationQuery(Schema):
    organization: str | None = Field(None, description="Organization slug (when you have several)")


class ScheduleOut(Schema):
    system: int
    system_name: str
    interval_months: int
    last_held: dt.date | None = Field(description="Meeting date of the last review held")
    next_planned: dt.date | None = Field(description="The next planned review, if any")
    next_due: dt.date = Field(description="One interval after the last review held")
    overdue: bool
    due_soon: bool = Field(description="Due within a month with no review planned in time")


class IntervalIn(Input):
    interval_months: int = Field(..., ge=1, le=36)


class FigureOut(Schema):
    label: str
    value: Any = Field(description="A number, or null when there is nothing to compute")
    url: str
    tone: str = Field(description='"bad" asks for attention, "good" reassures, "" neither')


class RowOut(Schema):
    label: str
    detail: str
    url: str


class InputOut(Schema):
    id: int
    key: str
    title: str
    clauses: str
    standard_code: str
    figures: list[FigureOut]
    rows: list[RowOut]
    note: str
    compiled_at: dt.datetime | None
    assessment: str
    assessed_by: str | None


class AssessmentIn(Input):
    assessment: Text = Field("", max_length=services.MAX_ASSESSMENT)


class TransitionIn(Input):
    to: Literal["held", "approved", "cancelled"]
    reason: Text = Field("", max_length=500, description="Required to cancel")


class ReviewStateOut(Schema):
    id: int
    status: str
    held_at: dt.datetime | None
    approved_at: dt.datetime | None
    approved_by: str | None
    minutes_sha256: str
    status_note: str


class MinutesOut(Schema):
    id: int
    status: str
    frozen: bool = Field(description="True once approved: the content below is the frozen copy")
    sha256: str = Field(description="SHA-256 of the frozen minutes (empty before approval)")
    intact: bool | None = Field(description="Whether the frozen copy still matches its hash")
    content: dict


def _input_out(item: ReviewInput) -> dict[str, Any]:
    data = item.figures or {}
    return {
        "id": item.pk,
        "key": item.key,
        "title": item.title,
        "clauses": item.clauses,
        "standard_code": item.standard_code,
        "figures": data.get("figures", []),
        "rows": data.get("rows", []),
        "note": data.get("note", ""),
        "compiled_at": item.compiled_at,
        "assessment": item.assessment,
        "assessed_by": str(item.assessed_by) if item.assessed_by else None,
    }


def _state_out(review: ManagementReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "status": review.status,
        "held_at": review.held_at,
        "approved_at": review.approved_at,
        "approved_by": str(review.approved_by) if review.approved_by else None,
        "minutes_sha256": review.minutes_sha256,
        "status_note": review.status_note,
    }


def _review(request, review_id: int) -> ManagementReview:
    return get_object_or_404(
        scope(ManagementReview.objects.select_related("organization", "system"), request.auth),
        pk=review_id,
    )


@router.get("/management-reviews/schedule/", response=responses(list[ScheduleOut]), tags=[TAG])
def get_review_schedule(request, filters: Query[ReviewOrganizationQuery]):
    """Each management system with its review interval, the last review held and when the
    next one is due (overdue ones flagged)."""
    organization = organization_for(request.auth, filters.organization, may_view=ManagementReview)
    systems = selectors.visible_systems(request.auth, organization)
    return [row.as_dict() for row in selectors.schedules(systems)]


@router.put(
    "/management-reviews/schedule/{int:system_id}/", response=responses(ScheduleOut), tags=[TAG]
)
def put_review_interval(request, system_id: int, payload: IntervalIn):
    """Set how many months may pass between two reviews of a system (1 to 36)."""
    system = get_object_or_404(scope(ManagementSystem.objects.all(), request.auth), pk=system_id)
    require(request.auth, "change", ReviewPlan, organization=system.organization)
    services.set_review_interval(system, actor=request.auth, months=payload.interval_months)
    return selectors.schedule_of(system).as_dict()


@router.get(
    "/management-reviews/{int:review_id}/inputs/", response=responses(list[InputOut]), tags=[TAG]
)
def list_review_inputs(request, review_id: int):
    """The review's inputs as last compiled, with their figures and assessments."""
    review = _review(request, review_id)
    return [_input_out(i) for i in review.inputs.select_related("assessed_by")]


@router.post(
    "/management-reviews/{int:review_id}/compile/",
    response=responses(list[InputOut]),
    tags=[TAG],
)
def compile_review_inputs(request, review_id: int):
    """Compile every input the system's standards ask for from the registers as of the
    review's data date; written assessments are kept. 409 `review_frozen` once approved or
    cancelled."""
    rows = services.compile_inputs(_review(request, review_id), actor=request.auth)
    return [_input_out(i) for i in sorted(rows, key=lambda r: r.position)]


@router.put("/review-inputs/{int:input_id}/", response=responses(InputOut), tags=[TAG])
def put_input_assessment(request, input_id: int, payload: AssessmentIn):
    """Write top management's assessment of one input (If-Match: the input's ETag)."""
    item = get_object_or_404(
        scope(ReviewInput.objects.select_related("organization", "review"), request.auth),
        pk=input_id,
    )
    item = services.assess_input(item, actor=request.auth, assessment=payload.assessment)
    return _input_out(announce(item))


@router.get("/review-inputs/{int:input_id}/", response=responses(InputOut), tags=[TAG])
def get_review_input(request, input_id: int):
    """One input with its figures and assessment (and its ETag)."""
    item = get_object_or_404(
        scope(ReviewInput.objects.select_related("assessed_by"), request.auth), pk=input_id
    )
    return _input_out(announce(item))


@router.post(
    "/management-reviews/{int:review_id}/transition/",
    response=responses(ReviewStateOut),
    tags=[TAG],
)
def transition_management_review(request, review_id: int, payload: TransitionIn):
    """Move the review on: `held` (top management took part, inputs compiled), `approved`
    (top management only; every input assessed and conclusions written; the minutes are
    frozen with their SHA-256), `cancelled` (a planned review, with a reason). 409
    `invalid_transition` from the wrong state; 422 names what is missing."""
    review = services.transition_review(
        _review(request, review_id), actor=request.auth, to=payload.to, reason=payload.reason
    )
    return _state_out(announce(review))


@router.get(
    "/management-reviews/{int:review_id}/minutes/", response=responses(MinutesOut), tags=[TAG]
)
def get_review_minutes(request, review_id: int):
    """The minutes as JSON: the frozen copy once approved (with its SHA-256 and whether it is
    intact), otherwise the minutes as they stand."""
    review = _review(request, review_id)
    approved = review.status == ManagementReview.Status.APPROVED
    return {
        "id": review.pk,
        "status": review.status,
        "frozen": approved,
        "sha256": review.minutes_sha256,
        "intact": services.minutes_intact(review) if approved else None,
        "content": minutes_files.content_of(review),
    }


@router.get(
    "/management-reviews/{int:review_id}/minutes.pdf",
    response=responses(None),
    operation_id="get_review_minutes_pdf",
    tags=[TAG],
)
def get_review_minutes_pdf(request, review_id: int):
    """The minutes as an A4 PDF."""
    review = _review(request, review_id)
    services.record_download(review, actor=request.auth, fmt="PDF")
    return file_response(
        minutes_files.minutes_pdf(review), "application/pdf", minutes_files.filename(review, "pdf")
    )


@router.get(
    "/management-reviews/{int:review_id}/minutes.docx",
    response=responses(None),
    operation_id="get_review_minutes_docx",
    tags=[TAG],
)
def get_review_minutes_docx(request, review_id: int):
    """The minutes as a Word document."""
    review = _review(request, review_id)
    services.record_download(review, actor=request.auth, fmt="DOCX")
    return file_response(
        minutes_files.minutes_docx(review), DOCX, minutes_files.filename(review, "docx")
    )


class CloseOutputIn(Input):
    to: Literal["done", "cancelled"]
    outcome: Text = Field(..., min_length=1, max_length=services.MAX_ASSESSMENT)


class OutputStateOut(Schema):
    id: int
    status: str
    outcome: str
    completed_on: dt.date | None


@router.post(
    "/review-actions/{int:output_id}/close/", response=responses(OutputStateOut), tags=[TAG]
)
def close_review_action(request, output_id: int, payload: CloseOutputIn):
    """Close a review action as done (saying what was done) or cancelled (saying why): its
    owner or a reviewer. 409 `invalid_transition` when it is closed already."""
    output = get_object_or_404(
        scope(ReviewOutput.objects.select_related("organization"), request.auth), pk=output_id
    )
    output = services.transition_output(
        output, actor=request.auth, to=payload.to, outcome=payload.outcome
    )
    announce(output)
    return {
        "id": output.pk,
        "status": output.status,
        "outcome": output.outcome,
        "completed_on": output.completed_on,
    }
