"""The job page: a progress bar polled with htmx while the job runs, the download when done,
the error with a Retry button when it failed; 404 for anyone but its requester and managers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pdca.core.jobs.models import Job
from pdca.core.jobs.services import enqueue_job
from pdca.core.roles import MANAGERS, ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import ROLES, login

pytestmark = pytest.mark.django_db

SEES = {Role.EMPLOYEE} | (MANAGERS & ORGANIZATION_ROLES)


def _job(personas, kind="test_count", **params) -> Job:
    return enqueue_job(kind, organization=personas.org, actor=personas.employee, params=params)


def page(job: Job) -> str:
    return reverse("jobs:detail", args=[job.pk])


@pytest.mark.parametrize("role", ROLES)
def test_the_page_is_for_the_requester_and_the_managers(client, personas, role):
    job = _job(personas)
    login(client, personas.users[role])
    for url in (page(job), reverse("jobs:download", args=[job.pk])):
        assert client.get(url).status_code == (200 if role in SEES else 404), url


def test_an_outsider_and_an_anonymous_visitor_see_nothing(client, personas):
    job = _job(personas)
    assert client.get(page(job))["Location"].startswith("/accounts/login/")
    login(client, personas.outsider)
    assert client.get(page(job)).status_code == 404
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404


def test_a_waiting_job_polls_its_status_and_a_finished_one_stops(client, personas, queued_only):
    job = _job(personas)
    login(client, personas.employee)
    html = client.get(page(job)).content.decode()
    assert f'hx-get="{page(job)}" hx-trigger="every 1s"' in html
    assert "Waiting" in html
    assert 'role="progressbar"' in html
    fragment = client.get(page(job), headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<section id="job-status"')
    assert "<html" not in fragment
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, progress_done=1, progress_total=4, progress_message="Counting"
    )
    fragment = client.get(page(job), headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="25"' in fragment
    assert "Counting" in fragment
    from pdca.core.jobs.runner import execute

    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    execute(job.pk)
    fragment = client.get(page(job), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment
    assert reverse("jobs:download", args=[job.pk]) in fragment


def test_a_done_job_offers_its_download(client, personas):
    job = _job(personas, n=2)
    login(client, personas.manager)
    html = client.get(page(job)).content.decode()
    assert 'id="job-download"' in html
    assert "Download count.txt" in html
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.content == b"1\n2"
    assert response["Content-Disposition"] == 'attachment; filename="count.txt"'


def test_a_failed_job_shows_why_lists_the_cells_and_offers_a_retry(client, personas):
    job = _job(personas, kind="test_fail", how="cells", until=2)
    login(client, personas.employee)
    html = client.get(page(job)).content.decode()
    assert "2 problems in the input; nothing was changed." in html
    assert "Items!E2" in html
    assert "status &#x27;maybe&#x27; is not a status." in html
    assert 'id="job-retry"' in html
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response["Location"] == page(job)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)


def test_a_colleague_who_sees_nothing_may_not_retry(client, personas):
    job = _job(personas, kind="test_fail")
    login(client, personas.users[Role.PROCESS_OWNER])
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.attempts == 1


def test_the_list_shows_own_jobs_and_a_managers_shows_everyones(client, personas):
    mine = _job(personas)
    theirs = enqueue_job("test_count", organization=personas.org, actor=personas.manager)
    login(client, personas.employee)
    html = client.get(reverse("jobs:list")).content.decode()
    assert page(mine) in html
    assert page(theirs) not in html
    login(client, personas.manager)
    html = client.get(reverse("jobs:list")).content.decode()
    assert page(mine) in html
    assert page(theirs) in html
