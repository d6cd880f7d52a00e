"""The daily certificate check, started once a day by the workers (`core.jobs.schedule`):
certificates past their last valid day are expired (the one proposal carried out without a
person); the other proposals wait on the certificate list for a manager."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobOutcome, Progress, job_kind
from pdca.core.jobs.schedule import daily

EXPIRY_KIND = "certificate_expiry"


@job_kind(EXPIRY_KIND, title="Certificate expiry")
def run_certificate_expiry(job: Job, progress: Progress) -> JobOutcome:
    from pdca.certification.models import Certificate
    from pdca.certification.services.certificate_proposals import expire_certificates
    from pdca.tenancy.models import Organization

    day = job.params.get("day")
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    bodies = (
        [job.organization]
        if job.organization is not None
        else list(
            Organization.objects.filter(
                pk__in=Certificate.objects.values("organization_id")
            ).order_by("pk")
        )
    )
    expired: list[str] = []
    for index, body in enumerate(bodies):
        progress(index, len(bodies), f"Checking {body}")
        expired.extend(cert.number for cert in expire_certificates(body, today))
    progress(len(bodies), len(bodies), "Done")
    return JobOutcome(
        summary={"day": today.isoformat(), "expired": expired},
        message=f"Expired {len(expired)} certificate{'s' if len(expired) != 1 else ''}.",
    )


daily(EXPIRY_KIND, kind=EXPIRY_KIND, at="00:30", title="Certificate expiry")
