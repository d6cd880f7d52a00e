"""What each person has to do in corrective action, overdue first: their actions, the
nonconformities they own, the effectiveness checks they may make, the reports waiting for
triage, and what they reported themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils import timezone

from pdca.core.permissions import may
from pdca.improvement.deadlines import overdue_since
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.improvement.policy import policy_for
from pdca.improvement.reporter import REPORTER_RELATED, reporter
from pdca.improvement.workflow.services import barred_from_checking, check_opens_on

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

S = Nonconformity.Status
OPEN = [s for s in S.values if s not in (S.CLOSED, S.DISMISSED)]
#: The next thing the owner does, by state.
NEXT_STEP: dict[str, str] = {
    S.TRIAGED: "Record the correction (containment)",
    S.CONTAINED: "Analyse the cause",
    S.CAUSE_ANALYSED: "Plan the corrective actions",
    S.ACTION_PLANNED: "Get the actions implemented",
}


@dataclass
class Tasks:
    """One person's corrective-action tasks in one organization."""

    actions: list[CorrectiveAction] = field(default_factory=list)
    nonconformities: list[Nonconformity] = field(default_factory=list)
    verifications: list[Nonconformity] = field(default_factory=list)
    triage: list[Nonconformity] = field(default_factory=list)
    reported: list[Nonconformity] = field(default_factory=list)
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def count(self) -> int:
        return (
            len(self.actions)
            + len(self.nonconformities)
            + len(self.verifications)
            + len(self.triage)
        )

    @property
    def overdue(self) -> int:
        late_actions = sum(1 for a in self.actions if a.due_date < self.today)
        return late_actions + sum(1 for n in self.nonconformities if overdue_since(n, self.today))


def _late_since(item: Any, today: dt.date) -> dt.date | None:
    if isinstance(item, Nonconformity):
        return overdue_since(item, today)
    return item.due_date if item.due_date and item.due_date < today else None


def _overdue_first(items: list, today: dt.date) -> list:
    """Overdue first (most overdue first), then by due date; no date last."""
    far = dt.date.max

    def key(item: Any) -> tuple:
        late = _late_since(item, today)
        return (0, late, item.pk) if late else (1, item.due_date or far, item.pk)

    return sorted(items, key=key)


def capa_tasks(user: User, organization: Organization, *, today: dt.date | None = None) -> Tasks:
    """The person's tasks in the organization (a fixed number of queries, however many)."""
    today = today or timezone.localdate()
    tasks = Tasks(today=today)
    tasks.actions = _overdue_first(
        list(
            CorrectiveAction.objects.filter(
                organization=organization,
                owner=user,
                status=CorrectiveAction.Status.PLANNED,
                nonconformity__status__in=OPEN,
            ).select_related("nonconformity")
        ),
        today,
    )
    tasks.nonconformities = _overdue_first(
        list(
            Nonconformity.objects.filter(
                organization=organization, owner=user, status__in=list(NEXT_STEP)
            ).select_related("process")
        ),
        today,
    )
    for nc in tasks.nonconformities:
        shown: Any = nc  # with what the template shows
        shown.next_step = NEXT_STEP[nc.status]
    if may(user, "verify", Nonconformity, organization=organization):
        current = Prefetch(
            "actions",
            queryset=CorrectiveAction.objects.exclude(status=CorrectiveAction.Status.CANCELLED),
            to_attr="all_actions",
        )
        candidates = (
            Nonconformity.objects.filter(organization=organization, status=S.IMPLEMENTED)
            .select_related("organization")
            .prefetch_related(current)
        )
        policy = policy_for(organization)
        opens: dict[int, dt.date] = {}
        for nc in candidates:
            actions = [a for a in nc.all_actions if a.round == nc.round]
            if user.pk in barred_from_checking(actions):
                continue
            check_from = check_opens_on(nc, policy)
            assert check_from is not None  # implemented, so the wait has a start
            opens[nc.pk] = check_from
            shown = nc
            shown.check_from = check_from
            shown.check_ready = check_from <= today
            tasks.verifications.append(nc)
        tasks.verifications.sort(key=lambda n: (opens[n.pk], n.pk))
    if may(user, "triage", Nonconformity, organization=organization):
        tasks.triage = list(
            Nonconformity.objects.filter(organization=organization, status=S.REPORTED)
            .select_related(*REPORTER_RELATED)
            .order_by("created_at", "pk")
        )
        for row in tasks.triage:
            shown = row  # the task list names who reported it
            shown.reporter = reporter(row)
    tasks.reported = list(
        Nonconformity.objects.filter(organization=organization, reported_by=user).order_by(
            "-created_at", "-pk"
        )[:20]
    )
    return tasks
