"""What the review pages show beyond the register fields: the inputs with their figures and
assessments, the outputs, and which steps the user may take now."""

from __future__ import annotations

from typing import Any

from pdca.core.permissions import may
from pdca.reviews import services
from pdca.reviews.forms import AssessmentForm
from pdca.reviews.models import ManagementReview, ReviewOutput

Status = ManagementReview.Status


def review_context(request: Any, review: ManagementReview) -> dict[str, Any]:
    user = request.user
    editable = review.status in (Status.PLANNED, Status.HELD)
    inputs: list[Any] = list(review.inputs.select_related("assessed_by"))
    for item in inputs:  # each input's form, for the template only
        item.form = AssessmentForm(
            initial={"assessment": item.assessment}, prefix=f"input-{item.pk}"
        )
    outputs = list(review.outputs.filter(archived_at__isnull=True).select_related("owner"))
    problems = []
    if review.status == Status.PLANNED:
        problems = services.hold_problems(review)
    elif review.status == Status.HELD:
        problems = services.approval_problems(review)
    return {
        "inputs": inputs,
        "outputs": outputs,
        "assessed": sum(1 for i in inputs if i.assessment.strip()),
        "can_compile": editable and may(user, "compile", review),
        "can_assess": editable and may(user, "change", review),
        "can_hold": review.status == Status.PLANNED and may(user, "hold", review),
        "can_approve": review.status == Status.HELD and may(user, "approve", review),
        "can_cancel": review.status == Status.PLANNED and may(user, "cancel", review),
        "can_add_output": editable
        and may(user, "add", ReviewOutput, organization=review.organization),
        "problems": problems,
        "intact": services.minutes_intact(review) if review.status == Status.APPROVED else None,
    }


def output_context(request: Any, output: ReviewOutput) -> dict[str, Any]:
    from pdca.reviews.forms import CloseOutputForm

    can_close = (
        output.status == ReviewOutput.Status.OPEN
        and not output.archived_at
        and may(request.user, "change", output)
    )
    return {
        "review": output.review,
        "opportunity": output.opportunity,
        "close_form": CloseOutputForm() if can_close else None,
    }
