"""Installing the shipped training paths as a job: fifteen courses with their lessons and
quizzes take seconds to write, too long to hold a request. The API (`POST
/training/install/jobs/`) queues it; `pdca training install` runs it with a progress bar."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobOutcome, Progress, job_kind
from pdca.core.jobs.services import enqueue_job
from pdca.core.permissions import require
from pdca.people.models import TrainingPath
from pdca.people.services.course_files import install_shipped_paths

INSTALL_KIND = "training_install"


def _link(job: Job) -> tuple[str, str] | None:
    try:
        return "Training paths", reverse("people:path-list")
    except NoReverseMatch:
        return None


def queue_install(organization: Any, *, actor: Any) -> Job:
    """Queue the installation of the shipped paths in `organization` as `actor` (keepers)."""
    require(actor, "add", TrainingPath, organization=organization)
    return enqueue_job(
        INSTALL_KIND,
        organization=organization,
        actor=actor,
        title="Installing the shipped training paths",
    )


@job_kind(INSTALL_KIND, title="Install the shipped training paths", link=_link)
def run_install(job: Job, progress: Progress) -> JobOutcome:
    """Install the paths written by the pdca project; what the organization has is kept."""
    organization = job.organization
    before = set(
        TrainingPath.objects.filter(organization=organization).values_list("code", flat=True)
    )
    paths = install_shipped_paths(organization, actor=job.requested_by, progress=progress)
    created = [p.code for p in paths if p.code not in before]
    return JobOutcome(
        summary={
            "paths": [{"id": p.pk, "code": p.code, "title": p.title} for p in paths],
            "created": created,
        },
        message=(
            f"Installed {len(created)} new path(s); {len(paths)} shipped paths are available."
        ),
    )
