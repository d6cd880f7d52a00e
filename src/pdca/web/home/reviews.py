"""Home sections about management review: reviews due, minutes waiting for top management's
approval, and the review actions a person owns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pdca.core.permissions import may, scope
from pdca.reviews import selectors
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.web.home.items import Item, Section, due_note, link, section, url


def reviews_due(user: Any, org: Any, today: dt.date) -> Section | None:
    """Each system whose review is overdue, due within a month, or planned: what to do is to
    plan it (those who may), or to prepare for the planned meeting."""
    if not may(user, "view", ManagementReview, organization=org):
        return None
    can_plan = may(user, "add", ManagementReview, organization=org)
    plan_url = url("reviews:management-reviews-create") if can_plan else url("reviews:schedule")
    items = []
    for row in selectors.schedules(selectors.visible_systems(user, org), today=today):
        if row.next_planned is not None and row.next_planned <= row.next_due:
            items.append(
                Item(
                    f"Management review of {row.system.name}",
                    url("reviews:management-reviews-list") + f"?system={row.system.pk}",
                    "Planned",
                    "info",
                    f"meeting on {row.next_planned:%Y-%m-%d}",
                    row.next_planned,
                )
            )
        elif row.overdue or row.due_soon:
            last = f"last held {row.last_held:%Y-%m-%d}" if row.last_held else "never held"
            items.append(
                Item(
                    f"Management review of {row.system.name}",
                    plan_url,
                    "Plan it" if can_plan else "Due",
                    "danger" if row.overdue else "warning",
                    f"{due_note(row.next_due, today)} · {last}",
                    row.next_due,
                    row.overdue,
                )
            )
    return section(
        "reviews-due",
        "Management reviews",
        items,
        link=link("Review schedule", "reviews:schedule"),
        empty="No management review is due within a month.",
    )


def minutes_to_approve(user: Any, org: Any) -> Section | None:
    """Reviews that were held and whose minutes wait for top management's approval."""
    if not may(user, "approve", ManagementReview, organization=org):
        return None
    rows = scope(
        ManagementReview.objects.filter(
            organization=org,
            status=ManagementReview.Status.HELD,
            archived_at__isnull=True,
        ),
        user,
    ).select_related("system")
    items = [
        Item(
            review.title,
            url("reviews:management-reviews-detail", review.pk),
            "Approve",
            "primary",
            f"{review.system.name} · held {review.meeting_date:%Y-%m-%d}",
            review.meeting_date,
        )
        for review in rows.order_by("meeting_date", "pk")
    ]
    return section(
        "minutes",
        "Minutes to approve",
        items,
        link=link("Management reviews", "reviews:management-reviews-list", query="?status=held"),
        empty="No minutes wait for your approval.",
        ordered=True,
    )


def review_actions(user: Any, org: Any, today: dt.date) -> Section | None:
    """The open review actions the person owns, the earliest due first."""
    rows = list(scope(selectors.open_actions(user, org), user))
    reader = may(user, "view", ReviewOutput, organization=org)
    if not rows and not reader:
        # An employee sees the section only when a review gave them an action.
        return None
    items = [
        Item(
            action.title,
            url("reviews:review-actions-detail", action.pk),
            action.get_kind_display(),
            "primary",
            f"from {action.review.title}"
            + (f" · {due_note(action.due_date, today)}" if action.due_date else ""),
            action.due_date,
            bool(action.due_date and action.due_date < today),
        )
        for action in rows
    ]
    return section(
        "review-actions",
        "My review actions",
        items,
        # An employee reads their own actions, not the register.
        link=link(
            "Review actions", "reviews:review-actions-list", query=f"?owner={user.pk}&status=open"
        )
        if reader
        else None,
        empty="No open action from a management review.",
    )
