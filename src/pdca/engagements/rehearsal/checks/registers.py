"""Management review (MR rules) and objectives (OBJ rules)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.urls import reverse

from pdca.engagements.rehearsal.engine import Context, Hit, check, each_standard, names, param
from pdca.reviews.inputs import inputs_for
from pdca.reviews.models import ManagementReview
from pdca.reviews.selectors import last_review, schedule_of
from pdca.system.models import Measurement, Objective

if TYPE_CHECKING:
    from pdca.engagements.rehearsal.rules import Rule


@check("management_review_missing")
def management_review_missing(ctx: Context, rule: Rule) -> list[Hit]:
    """No management review of the system was held (or its minutes approved), or the last one
    is older than the system's review interval."""
    schedule = schedule_of(ctx.system, today=ctx.today)
    if schedule.last_held is None:
        detail = "No management review of this system has been held yet."
    elif schedule.next_due < ctx.today:
        detail = (
            f"The last review was held on {schedule.last_held:%Y-%m-%d}; the next was due on "
            f"{schedule.next_due:%Y-%m-%d} (every {schedule.interval_months} months)."
        )
    else:
        return []
    return each_standard(ctx, rule, rule.title, detail)


def _last_held(ctx: Context) -> tuple[ManagementReview | None, dict[str, str]]:
    """The latest review held and {input key: assessment} of its inputs (two queries)."""

    def read() -> tuple[ManagementReview | None, dict[str, str]]:
        review = last_review(ctx.system, before=ctx.today + dt.timedelta(days=1))
        if review is None:
            return None, {}
        return review, dict(review.inputs.values_list("key", "assessment"))

    found: tuple[ManagementReview | None, dict[str, str]] = ctx.cached("last-review", read)
    return found


@check("review_inputs_missing", require_assessment=True)
def review_inputs_missing(ctx: Context, rule: Rule) -> list[Hit]:
    """The latest review held lacks inputs the standard asks for: not compiled, or (with
    `require_assessment`) without top management's written assessment. Nothing when no
    review was held (MR-01 says so)."""
    review, inputs = _last_held(ctx)
    if review is None:
        return []
    assessed = param(rule, "require_assessment")
    url = reverse("reviews:management-reviews-detail", args=[review.pk])
    hits = []
    for standard in ctx.standards_for(rule):
        wanted = inputs_for((standard.code,))
        missing = [d.title for d in wanted if d.key not in inputs]
        blank = [d.title for d in wanted if d.key in inputs and not inputs[d.key].strip()]
        parts = []
        if missing:
            parts.append(f"not considered: {names(missing)}")
        if assessed and blank:
            parts.append(f"without an assessment: {names(blank)}")
        if parts:
            hits.append(
                Hit(
                    standard,
                    rule.title,
                    f"“{review.title}” of {review.meeting_date:%Y-%m-%d}, inputs "
                    + "; ".join(parts)
                    + ".",
                    fix_url=url,
                )
            )
    return hits


@check("objectives_missing")
def objectives_missing(ctx: Context, rule: Rule) -> list[Hit]:
    """The organization has no objective that is active, achieved or not achieved."""
    exists = (
        Objective.objects.filter(organization_id=ctx.organization_id, archived_at__isnull=True)
        .exclude(status=Objective.Status.CANCELLED)
        .exists()
    )
    if exists:
        return []
    return each_standard(ctx, rule, rule.title, "The register of objectives is empty.")


@check("objectives_unmeasured", grace_days=90)
def objectives_unmeasured(ctx: Context, rule: Rule) -> list[Hit]:
    """Active objectives that started more than `grace_days` ago with no measurement."""
    started = ctx.today - dt.timedelta(days=param(rule, "grace_days"))
    measured = Measurement.objects.filter(objective=OuterRef("pk"))
    titles = list(
        Objective.objects.filter(
            organization_id=ctx.organization_id,
            archived_at__isnull=True,
            status=Objective.Status.ACTIVE,
            start_date__lte=started,
        )
        .annotate(measured=Exists(measured))
        .filter(measured=False)
        .order_by("due_date", "title")
        .values_list("title", flat=True)
    )
    if not titles:
        return []
    return each_standard(
        ctx,
        rule,
        rule.title,
        f"{len(titles)} active objective{'s' if len(titles) > 1 else ''} never measured: "
        f"{names(titles)}.",
    )
