"""Pages of management review beyond the registers: the schedule of reviews per system,
compiling a review's inputs, assessing one input, the review's steps (held, approved,
cancelled) and its minutes as a page, PDF and DOCX. Thin: the rules live in the services."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pdca.core.exceptions import ServiceError
from pdca.core.permissions import may, scope
from pdca.core.views import file_response, member_required, object_for_page, refuse, require_page
from pdca.reviews import minutes as minutes_files
from pdca.reviews import selectors, services
from pdca.reviews.forms import AssessmentForm, CloseOutputForm, IntervalForm, TransitionForm
from pdca.reviews.models import ManagementReview, ReviewInput, ReviewOutput, ReviewPlan
from pdca.system.models import ManagementSystem


def _review(request, pk: int, action: str = "view") -> ManagementReview:
    return object_for_page(
        request,
        ManagementReview.objects.select_related("organization", "system", "chair", "approved_by"),
        pk,
        action,
    )


def _detail(review: ManagementReview):
    return redirect("reviews:management-reviews-detail", pk=review.pk)


@member_required
def schedule(request):
    org = request.organization
    require_page(request, "view", ManagementReview, organization=org)
    rows = selectors.schedules(selectors.visible_systems(request.user, org))
    return render(
        request,
        "reviews/schedule.html",
        {
            "rows": rows,
            "can_change": may(request.user, "change", ReviewPlan, organization=org),
            "can_add": may(request.user, "add", ManagementReview, organization=org),
        },
    )


@member_required
def schedule_edit(request, system_pk: int):
    org = request.organization
    system = get_object_or_404(
        scope(ManagementSystem.objects.filter(organization=org), request.user), pk=system_pk
    )
    require_page(request, "change", ReviewPlan, organization=org)
    current = selectors.schedule_of(system)
    form = IntervalForm(request.POST or None, initial={"interval_months": current.interval_months})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_review_interval(
                system, actor=request.user, months=form.cleaned_data["interval_months"]
            )
        except ServiceError as exc:
            refuse(request, exc)
        else:
            messages.success(
                request,
                f"{system} is reviewed every {form.cleaned_data['interval_months']} months.",
            )
            return redirect("reviews:schedule")
    return render(request, "reviews/schedule_edit.html", {"form": form, "system": system})


@require_POST
@member_required
def review_compile(request, pk: int):
    review = _review(request, pk, "compile")
    try:
        rows = services.compile_inputs(review, actor=request.user)
    except ServiceError as exc:
        refuse(request, exc)
    else:
        messages.success(
            request,
            f"{len(rows)} inputs compiled from the registers as of {review.as_of:%Y-%m-%d}.",
        )
    return _detail(review)


@require_POST
@member_required
def input_assess(request, pk: int, input_pk: int):
    review = _review(request, pk, "change")
    item = get_object_or_404(ReviewInput, review=review, pk=input_pk)
    form = AssessmentForm(request.POST, prefix=f"input-{item.pk}")
    if not form.is_valid():
        messages.error(
            request, "; ".join(str(e) for errors in form.errors.values() for e in errors)
        )
        return _detail(review)
    try:
        services.assess_input(item, actor=request.user, assessment=form.cleaned_data["assessment"])
    except ServiceError as exc:
        refuse(request, exc)
    else:
        messages.success(request, f"Assessment of “{item.title}” saved.")
    return redirect(
        f"{reverse('reviews:management-reviews-detail', args=[review.pk])}#input-{item.pk}"
    )


@require_POST
@member_required
def review_transition(request, pk: int):
    review = _review(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose held, approved or cancelled.")
        return _detail(review)
    to = form.cleaned_data["to"]
    try:
        services.transition_review(
            review, actor=request.user, to=to, reason=form.cleaned_data["reason"]
        )
    except ServiceError as exc:
        refuse(request, exc)
    else:
        done = {
            "held": "recorded as held",
            "approved": "approved: its minutes are frozen",
            "cancelled": "cancelled",
        }
        messages.success(request, f"“{review}” {done[to]}.")
    return _detail(review)


@require_POST
@member_required
def output_close(request, pk: int):
    output = object_for_page(
        request, ReviewOutput.objects.select_related("organization", "review"), pk, "change"
    )
    form = CloseOutputForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what was done, or why the action is cancelled.")
    else:
        try:
            services.transition_output(
                output,
                actor=request.user,
                to=form.cleaned_data["to"],
                outcome=form.cleaned_data["outcome"],
            )
        except ServiceError as exc:
            refuse(request, exc)
        else:
            messages.success(request, f"“{output}” is {output.get_status_display().lower()}.")
    return redirect("reviews:review-actions-detail", pk=output.pk)


@member_required
def minutes(request, pk: int):
    review = _review(request, pk)
    return render(
        request,
        "reviews/minutes.html",
        {
            "object": review,
            "minutes": minutes_files.content_of(review),
            "intact": services.minutes_intact(review) if review.minutes_sha256 else None,
        },
    )


@member_required
def minutes_pdf(request, pk: int):
    review = _review(request, pk)
    services.record_download(review, actor=request.user, fmt="PDF")
    return file_response(
        minutes_files.minutes_pdf(review), "application/pdf", minutes_files.filename(review, "pdf")
    )


@member_required
def minutes_docx(request, pk: int):
    review = _review(request, pk)
    services.record_download(review, actor=request.user, fmt="DOCX")
    return file_response(
        minutes_files.minutes_docx(review),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        minutes_files.filename(review, "docx"),
    )
