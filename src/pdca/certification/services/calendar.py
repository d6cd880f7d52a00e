"""The programme calendar: every programme audit across the client base that is due or
scheduled in a window of months, with the overdue ones (past due, not scheduled) always shown,
filtered by auditor (lead or team member), standard, month, status and client. A read-side
selector: the pages, the API, the CLI and the exports share it, with a constant number of
queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from pdca.audits.models import AuditTeamMember
from pdca.certification.models import CertificationCycle, CycleAudit
from pdca.certification.services import dates
from pdca.certification.services.programme_audits import (
    IN_PROGRESS,
    REPORTED,
    SCHEDULED,
    STATUS_LABELS,
)
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.standards.models import Standard

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 24


@dataclass(frozen=True)
class CalendarFilters:
    """What the calendar shows: a window of `months` from `start` (the current month by
    default), or one `month` ("2027-03"); `overdue` alone shows every overdue audit."""

    start: dt.date | None = None
    months: int = 3
    month: str = ""
    auditor: int | None = None
    standard: int | None = None
    status: str = ""
    client: int | None = None
    overdue: bool = False

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        if self.month:
            match = MONTH.match(self.month)
            assert match  # checked by `check`
            first = dt.date(int(match[1]), int(match[2]), 1)
            return first, dates.add_months(first, 1) - dt.timedelta(days=1)
        first = (self.start or today).replace(day=1)
        return first, dates.add_months(first, self.months) - dt.timedelta(days=1)

    def check(self) -> CalendarFilters:
        errors: list[FieldError] = []
        if self.month:
            match = MONTH.match(self.month)
            if not match or not 1 <= int(match[2]) <= 12 or not 1900 < int(match[1]) < 9999:
                errors.append(FieldError("month", "Give a month as YYYY-MM, e.g. 2027-03."))
        if not 1 <= self.months <= MAX_MONTHS:
            errors.append(FieldError("months", f"Show 1 to {MAX_MONTHS} months."))
        if self.status and self.status not in STATUS_LABELS:
            errors.append(FieldError("status", f"Choose one of: {', '.join(STATUS_LABELS)}."))
        if errors:
            raise ValidationFailed(errors)
        return self


def status_q(status: str, today: dt.date) -> Q:
    live = Q(cancelled_reason="")
    unscheduled = live & Q(audit__isnull=True)
    return {
        "overdue": unscheduled & Q(due_date__lt=today),
        "due": unscheduled & Q(due_date__gte=today),
        "scheduled": live & Q(audit__status__in=SCHEDULED),
        "in_progress": live & Q(audit__status__in=IN_PROGRESS),
        "reported": live & Q(audit__status__in=REPORTED),
        "cancelled": ~Q(cancelled_reason=""),
    }[status]


def standard_id(value: Any) -> int | None:
    """A standard given by id or catalog code (None when unknown)."""
    if value in (None, ""):
        return None
    if isinstance(value, int) or str(value).isdigit():
        return int(value)
    found = Standard.objects.filter(code=str(value)).values_list("pk", flat=True).first()
    return found if found is not None else -1


def calendar_rows(
    queryset: QuerySet[CycleAudit], filters: CalendarFilters, today: dt.date | None = None
) -> QuerySet[CycleAudit]:
    """The calendar's rows from `queryset` (already scoped to what the user may see), by the
    date they are held (or due), with their client, audit, lead auditor and standards."""
    today = today or timezone.localdate()
    filters.check()
    first, last = filters.window(today)
    qs = queryset.annotate(when=Coalesce("audit__start_date", "due_date"))
    overdue = status_q("overdue", today)
    if filters.overdue:
        qs = qs.filter(overdue)
    else:
        in_window = Q(due_date__range=(first, last)) | Q(audit__start_date__range=(first, last))
        qs = qs.filter(in_window if filters.month else in_window | overdue)
    if filters.status:
        qs = qs.filter(status_q(filters.status, today))
    if filters.client is not None:
        qs = qs.filter(cycle__client_id=filters.client)
    if filters.auditor is not None:
        on_team = AuditTeamMember.objects.filter(
            audit_id=OuterRef("audit_id"), user_id=filters.auditor
        )
        qs = qs.filter(Q(audit__lead_auditor_id=filters.auditor) | Exists(on_team))
    if filters.standard is not None:
        through = CertificationCycle.standards.through
        qs = qs.filter(
            Exists(
                through.objects.filter(
                    certificationcycle_id=OuterRef("cycle_id"), standard_id=filters.standard
                )
            )
        )
    return (
        qs.select_related("cycle__client", "audit", "audit__lead_auditor")
        .prefetch_related(
            Prefetch("cycle__standards", queryset=Standard.objects.order_by("code")),
            Prefetch("transition_to", queryset=Standard.objects.order_by("code")),
        )
        .order_by("when", "cycle__client__name", "pk")
    )
