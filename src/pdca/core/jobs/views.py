"""The job page: what a job is doing (an htmx-polled progress bar), its download when done, and
why it failed with a Retry button. Its requester and the organization's managers see it;
for anyone else it does not exist (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pdca.core.exceptions import ServiceError
from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import get_kind
from pdca.core.jobs.services import read_result, retry_job
from pdca.core.permissions import may, scope
from pdca.core.views import file_response

#: How often the page asks how far a running job got, in seconds.
POLL_SECONDS = 1

#: Content types shown in the browser rather than saved.
INLINE_TYPES = {"application/pdf"}


def _job(request: HttpRequest, pk: int) -> Job:
    jobs = scope(Job.objects.select_related("requested_by"), request.user)
    return get_object_or_404(jobs, pk=pk)


def _link(job: Job) -> tuple[str, str] | None:
    try:
        link = get_kind(job.kind).link
    except LookupError:
        return None
    return link(job) if link else None


def job_context(request: HttpRequest, job: Job) -> dict:
    """What the job page and its polled fragment show."""
    return {
        "job": job,
        "poll_seconds": POLL_SECONDS,
        "may_retry": job.status == Job.Status.FAILED and may(request.user, "retry", job),
        "back": _link(job),
        "errors": job.result.get("errors", []) if job.status == Job.Status.FAILED else [],
        "error_count": job.result.get("error_count", 0),
    }


@never_cache
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job page; an htmx request gets only the status part, which it polls while the job
    waits or runs."""
    job = _job(request, pk)
    htmx = request.headers.get("HX-Request") == "true"
    template = "jobs/_job_status.html" if htmx else "jobs/job_detail.html"
    return render(request, template, job_context(request, job))


@never_cache
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The latest jobs the user may see: their own, and their organization's for managers."""
    jobs = scope(Job.objects.select_related("requested_by"), request.user)
    organization = getattr(request, "organization", None)
    if organization is not None:
        jobs = jobs.filter(organization=organization)
    sees_all = organization is not None and may(
        request.user, "view", Job, organization=organization
    )
    return render(request, "jobs/job_list.html", {"jobs": jobs[:50], "sees_all": sees_all})


@require_POST
@login_required
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        retry_job(job, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file the job made (PDFs open in the browser)."""
    job = _job(request, pk)
    try:
        content = read_result(job)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("jobs:detail", pk=job.pk)
    return file_response(
        content,
        job.result_content_type or "application/octet-stream",
        job.result_name,
        inline=job.result_content_type in INLINE_TYPES,
    )
