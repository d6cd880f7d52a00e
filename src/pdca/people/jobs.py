"""The daily training reminders, started once a day by the workers (`core.jobs.schedule`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobOutcome, Progress, job_kind
from pdca.core.jobs.schedule import daily

REMINDERS_KIND = "training_reminders"


@job_kind(REMINDERS_KIND, title="Training reminders")
def run_reminders(job: Job, progress: Progress) -> JobOutcome:
    from pdca.people.reminders import send_training_reminders

    day = job.params.get("day")
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    progress(0, 1, "Sending the reminders")
    result = send_training_reminders(today=today, organization=job.organization)
    return JobOutcome(
        summary={"day": today.isoformat(), "people": result.people, "owners": result.owners},
        message=str(result),
    )


daily(REMINDERS_KIND, kind=REMINDERS_KIND, at="06:00", title="Training reminders")
