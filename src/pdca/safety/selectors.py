"""Read-side queries of the safety app, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from pdca.core.permissions import scope
from pdca.safety.models import Consultation


@dataclass(frozen=True)
class TopicShare:
    topic: str
    label: str
    total: int
    with_workers: int

    @property
    def share(self) -> int | None:
        """Per cent of the consultations with non-managerial workers (None without any)."""
        return round(100 * self.with_workers / self.total) if self.total else None


@dataclass(frozen=True)
class Participation:
    since: dt.date
    until: dt.date
    total: int
    with_workers: int
    by_topic: list[TopicShare] = field(default_factory=list)

    @property
    def share(self) -> int | None:
        return round(100 * self.with_workers / self.total) if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "total": self.total,
            "with_workers": self.with_workers,
            "share": self.share,
            "by_topic": [
                {
                    "topic": t.topic,
                    "label": t.label,
                    "total": t.total,
                    "with_workers": t.with_workers,
                    "share": t.share,
                }
                for t in self.by_topic
            ],
        }


def participation(organization: Any, user: Any, *, today: dt.date | None = None) -> Participation:
    """How many of the consultations held in the last twelve months had non-managerial
    workers taking part, overall and per topic (archived ones left out). One query."""
    until = today or timezone.localdate()
    since = (
        until.replace(year=until.year - 1) + dt.timedelta(days=1)
        if not (until.month == 2 and until.day == 29)
        else until.replace(year=until.year - 1, day=28) + dt.timedelta(days=1)
    )
    rows = (
        scope(Consultation.objects.filter(organization=organization), user)
        .filter(archived_at__isnull=True, held_on__gte=since, held_on__lte=until)
        .values("topic")
        .annotate(total=Count("pk"), with_workers=Count("pk", filter=Q(workers_took_part=True)))
        .order_by("topic")
    )
    labels = dict(Consultation.Topic.choices)
    by_topic = sorted(
        (
            TopicShare(
                r["topic"], str(labels.get(r["topic"], r["topic"])), r["total"], r["with_workers"]
            )
            for r in rows
        ),
        key=lambda t: (-t.total, t.label),
    )
    return Participation(
        since=since,
        until=until,
        total=sum(t.total for t in by_topic),
        with_workers=sum(t.with_workers for t in by_topic),
        by_topic=by_topic,
    )
