"""Daily jobs, started by the workers instead of cron.

Apps declare them when they start (`daily("capa_reminders", kind="capa_reminders",
at="06:00")`). Every `pdca worker` checks the schedule about twice a minute; the first to find a
job due today creates its `ScheduledRun` row for (name, day) and queues the job in the same
transaction, and every other worker, on this machine or another, finds the row and does
nothing. A worker started after the hour still starts that day's job. `PDCA_SCHEDULES`
(`capa_reminders=07:30,prune_jobs=off`) moves a job to another time or turns it off.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from pdca.core.jobs.models import Job, ScheduledRun
from pdca.core.jobs.services import enqueue_job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Daily:
    """A job queued once a day, at or after `at` (local time)."""

    name: str
    kind: str
    at: dt.time
    title: str = ""
    params: dict[str, Any] = field(default_factory=dict)


_schedules: dict[str, Daily] = {}


def daily(name: str, *, kind: str, at: str, title: str = "", **params: Any) -> Daily:
    """Declare (or re-declare) the daily job `name`."""
    entry = Daily(name, kind, dt.time.fromisoformat(at), title, params)
    _schedules[name] = entry
    return entry


def overrides() -> dict[str, str]:
    """{name: "HH:MM" or "off"} from the PDCA_SCHEDULES setting."""
    found: dict[str, str] = {}
    for item in getattr(settings, "PDCA_SCHEDULES", "").split(","):
        name, _, value = item.partition("=")
        if name.strip() and value.strip():
            found[name.strip()] = value.strip().lower()
    return found


def schedules() -> list[Daily]:
    """The daily jobs as configured: times moved and jobs turned off by PDCA_SCHEDULES."""
    configured = []
    changes = overrides()
    for name, entry in sorted(_schedules.items()):
        value = changes.get(name)
        if value == "off":
            continue
        if value:
            try:
                entry = Daily(
                    name, entry.kind, dt.time.fromisoformat(value), entry.title, entry.params
                )
            except ValueError:
                log.warning("PDCA_SCHEDULES: %r is not a time (HH:MM) for %s", value, name)
        configured.append(entry)
    return configured


def run_due(now: dt.datetime | None = None) -> list[Job]:
    """Queue each daily job that is due today and not yet started by any worker."""
    local = timezone.localtime(now or timezone.now())
    day = local.date()
    started: list[Job] = []
    for entry in schedules():
        if local.time() < entry.at:
            continue
        if ScheduledRun.objects.filter(name=entry.name, day=day).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=entry.name, day=day)
                job = enqueue_job(
                    entry.kind,
                    organization=None,
                    actor=None,
                    params={**entry.params, "day": day.isoformat()},
                    title=f"{entry.title or entry.name} ({day.isoformat()})",
                )
                ScheduledRun.objects.filter(pk=run.pk).update(job=job)
        except IntegrityError:
            continue  # another worker started it a moment ago
        log.info("started the daily job %s for %s as job %s", entry.name, day, job.pk)
        started.append(job)
    return started
