"""Read-side queries of management reviews: the schedule (last review, next one due) of each
system, the open actions of a person, the reviews a user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from pdca.core.permissions import scope
from pdca.reviews.inputs.registry import months_before
from pdca.reviews.models import DEFAULT_INTERVAL_MONTHS, ManagementReview, ReviewOutput, ReviewPlan
from pdca.system.models import ManagementSystem

if TYPE_CHECKING:
    from pdca.accounts.models import User

HELD = (ManagementReview.Status.HELD, ManagementReview.Status.APPROVED)


def add_months(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


@dataclass(frozen=True)
class Schedule:
    """When a system was last reviewed and when the next review is due."""

    system: ManagementSystem
    interval_months: int
    last_held: dt.date | None
    next_planned: dt.date | None
    next_due: dt.date
    today: dt.date

    @property
    def overdue(self) -> bool:
        return self.next_due < self.today

    @property
    def due_soon(self) -> bool:
        """Due within a month, and no review planned before it is due."""
        unplanned = self.next_planned is None or self.next_planned > self.next_due
        return not self.overdue and unplanned and self.next_due <= add_months(self.today, 1)

    @property
    def never_held(self) -> bool:
        return self.last_held is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.system.pk,
            "system_name": self.system.name,
            "interval_months": self.interval_months,
            "last_held": self.last_held,
            "next_planned": self.next_planned,
            "next_due": self.next_due,
            "overdue": self.overdue,
            "due_soon": self.due_soon,
        }


def schedules(
    systems: QuerySet[ManagementSystem] | list[ManagementSystem], *, today: dt.date | None = None
) -> list[Schedule]:
    """The schedule of each system in two queries, whatever the number of reviews: the next
    review is due one interval after the last one held, or one interval after the system was
    created when none was held yet."""
    today = today or timezone.localdate()
    systems = list(systems)
    ids = [s.pk for s in systems]
    plans = dict(
        ReviewPlan.objects.filter(system_id__in=ids).values_list("system_id", "interval_months")
    )
    dates = {
        row["system_id"]: row
        for row in ManagementReview.objects.filter(system_id__in=ids, archived_at__isnull=True)
        .values("system_id")
        .annotate(
            last_held=Max("meeting_date", filter=Q(status__in=HELD)),
            next_planned=Max(
                "meeting_date",
                filter=Q(status=ManagementReview.Status.PLANNED, meeting_date__gte=today),
            ),
        )
        .order_by()
    }
    result = []
    for system in systems:
        interval = plans.get(system.pk, DEFAULT_INTERVAL_MONTHS)
        row = dates.get(system.pk, {})
        last = row.get("last_held")
        base = last or timezone.localtime(system.created_at).date()
        result.append(
            Schedule(
                system, interval, last, row.get("next_planned"), add_months(base, interval), today
            )
        )
    return result


def schedule_of(system: ManagementSystem, *, today: dt.date | None = None) -> Schedule:
    return schedules([system], today=today)[0]


def visible_systems(user: User, organization: Any) -> QuerySet[ManagementSystem]:
    return scope(ManagementSystem.objects.filter(organization=organization), user).order_by("name")


def chosen_system(
    systems: list[ManagementSystem], wanted: str | int | None
) -> ManagementSystem | None:
    """The system with id `wanted` (as typed in `?system=`) among those the user sees
    (LookupError when none is), or the first one when none is asked for (None when the
    organization has no system)."""
    if wanted is None or wanted == "":
        return systems[0] if systems else None
    for system in systems:
        if str(system.pk) == str(wanted).strip():
            return system
    raise LookupError(wanted)


def open_actions(user: User, organization: Any) -> QuerySet[ReviewOutput]:
    """The review actions `user` owns that are still open, the earliest due first."""
    return (
        ReviewOutput.objects.filter(
            organization=organization,
            owner=user,
            status=ReviewOutput.Status.OPEN,
            archived_at__isnull=True,
        )
        .select_related("review")
        .order_by("due_date", "pk")
    )


def last_review(
    system: ManagementSystem, *, before: dt.date | None = None
) -> ManagementReview | None:
    """The latest review of `system` that was held (optionally before a date)."""
    rows = ManagementReview.objects.filter(system=system, status__in=HELD, archived_at__isnull=True)
    if before is not None:
        rows = rows.filter(meeting_date__lt=before)
    return rows.order_by("-meeting_date", "-pk").first()
