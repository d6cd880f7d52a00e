"""API of jobs: how far a job got, its result file, and retrying a failed one.

Endpoints that start slow work (`POST …/jobs/` in the apps) answer 202 Accepted with the job
and its address in `Location` (`accepted`); clients poll `GET /jobs/{id}/` until its status is
`succeeded` (then `GET /jobs/{id}/result`) or `failed` (its `error` says why).
"""

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import ERRORS, FieldProblem, Page, Text, responses
from pdca.core.jobs.models import Job
from pdca.core.jobs.services import read_result, retry_job
from pdca.core.permissions import scope
from pdca.core.views import file_response

router = Router(tags=["jobs"])


class JobProgressOut(Schema):
    done: int
    total: int = Field(description="0 while the amount of work is unknown")
    percent: int | None = Field(description="0 to 100; null while unknown")
    message: str


class JobFileOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str


class JobLinksOut(Schema):
    self: str
    page: str = Field(description="The job's page for people")
    result: str | None = Field(description="The file, once the job succeeded with one")
    retry: str | None = Field(description="POST here to retry, once the job failed")


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: Job.Status
    organization: str | None = Field(description="Slug; null for platform jobs")
    requested_by: str | None = Field(description="E-mail of the person who asked for it")
    progress: JobProgressOut
    error: str = Field(description="Why the job failed, empty unless it did")
    errors: list[FieldProblem] = Field(description="The inputs (cells, fields) it names")
    result: dict[str, Any] = Field(description="What the job did, by kind")
    file: JobFileOut | None
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    links: JobLinksOut

    @staticmethod
    def resolve_organization(job: Job) -> str | None:
        return job.organization.slug if job.organization else None

    @staticmethod
    def resolve_requested_by(job: Job) -> str | None:
        return job.requested_by.email if job.requested_by else None

    @staticmethod
    def resolve_progress(job: Job) -> dict[str, Any]:
        return {
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
            "message": job.progress_message,
        }

    @staticmethod
    def resolve_errors(job: Job) -> list[dict[str, str]]:
        return job.result.get("errors", []) if job.status == Job.Status.FAILED else []

    @staticmethod
    def resolve_result(job: Job) -> dict[str, Any]:
        return {} if job.status == Job.Status.FAILED else job.result

    @staticmethod
    def resolve_file(job: Job) -> dict[str, Any] | None:
        if not job.has_file:
            return None
        return {
            "name": job.result_name,
            "content_type": job.result_content_type,
            "size": job.result_size or 0,
            "sha256": job.result_sha256,
        }

    @staticmethod
    def resolve_links(job: Job) -> dict[str, str | None]:
        return {
            "self": reverse("api:get_job", args=[job.pk]),
            "page": reverse("jobs:detail", args=[job.pk]),
            "result": reverse("api:get_job_result", args=[job.pk]) if job.has_file else None,
            "retry": (
                reverse("api:retry_job", args=[job.pk]) if job.status == Job.Status.FAILED else None
            ),
        }


class JobFilter(Schema):
    status: Job.Status | None = None
    kind: Text | None = Field(None, max_length=60)


#: The responses of an endpoint that queues a job.
ACCEPTED: dict[int, Any] = {202: JobOut, **ERRORS}
#: Documents the Location header of a 202 answer.
ACCEPTED_EXTRA = {
    "responses": {
        202: {
            "description": "The job was queued (or the same work was already waiting); poll "
            "its address, given in Location.",
            "headers": {"Location": {"schema": {"type": "string"}, "description": "The job"}},
        }
    }
}


def accepted(response: HttpResponse, job: Job) -> Status:
    """202 Accepted with the job, and its address in `Location`."""
    job = Job.objects.select_related("organization", "requested_by").get(pk=job.pk)
    response["Location"] = reverse("api:get_job", args=[job.pk])
    return Status(202, job)


def _jobs(user):
    return scope(Job.objects.select_related("organization", "requested_by"), user)


@router.get("/jobs/", response=responses(list[JobOut]), url_name="list_jobs")
@paginate(Page)
def list_jobs(request, filters: Query[JobFilter]):
    """Your jobs, and your organizations' jobs where you are a manager; newest first."""
    jobs = _jobs(request.auth)
    if filters.status:
        jobs = jobs.filter(status=filters.status)
    if filters.kind:
        jobs = jobs.filter(kind=filters.kind)
    return jobs


@router.get("/jobs/{job_id}/", response=responses(JobOut), url_name="get_job")
def get_job(request, job_id: int):
    """The job's status, progress, error or result, and links."""
    return get_object_or_404(_jobs(request.auth), pk=job_id)


@router.get("/jobs/{job_id}/result/", response=responses(None), url_name="get_job_result")
def get_job_result(request, job_id: int):
    """The file a succeeded job made, with its own media type (409 while there is none)."""
    job = get_object_or_404(_jobs(request.auth), pk=job_id)
    return file_response(read_result(job), job.result_content_type, job.result_name)


@router.post(
    "/jobs/{job_id}/retry/",
    response=ACCEPTED,
    url_name="retry_job",
    openapi_extra=ACCEPTED_EXTRA,
)
def retry(request, response: HttpResponse, job_id: int):
    """Queue a failed job again (409 unless it failed)."""
    job = get_object_or_404(_jobs(request.auth), pk=job_id)
    return accepted(response, retry_job(job, actor=request.auth))
