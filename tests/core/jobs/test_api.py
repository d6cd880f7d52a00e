"""The jobs API: the requester and the organization's managers see a job, download its file
and retry it; everyone else gets 404."""

from __future__ import annotations

import pytest

from pdca.core.jobs.models import Job
from pdca.core.jobs.services import enqueue_job
from pdca.core.roles import MANAGERS, ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import ROLES, login

pytestmark = pytest.mark.django_db

#: Who sees a job the employee of organization A asked for.
SEES = {Role.EMPLOYEE} | (MANAGERS & ORGANIZATION_ROLES)


def _job(personas, kind="test_count", **params) -> Job:
    return enqueue_job(kind, organization=personas.org, actor=personas.employee, params=params)


@pytest.mark.parametrize("role", ROLES)
def test_a_job_is_seen_by_its_requester_and_the_managers_only(client, personas, role):
    job = _job(personas)
    login(client, personas.users[role])
    response = client.get(f"/api/v1/jobs/{job.pk}/")
    listed = {row["id"] for row in client.get("/api/v1/jobs/").json()["items"]}
    if role in SEES:
        assert response.status_code == 200, response.content
        assert listed == {job.pk}
    else:
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert listed == set()


def test_a_job_says_how_far_it_got_and_links_its_file(client, personas):
    job = _job(personas, n=3)
    login(client, personas.employee)
    data = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert data == {
        "id": job.pk,
        "kind": "test_count",
        "title": "Count",
        "status": "succeeded",
        "organization": "org-a",
        "requested_by": personas.employee.email,
        "progress": {"done": 3, "total": 3, "percent": 100, "message": "Counted to 3."},
        "error": "",
        "errors": [],
        "result": {},
        "file": {
            "name": "count.txt",
            "content_type": "text/plain",
            "size": 5,
            "sha256": job.result_sha256,
        },
        "attempts": 1,
        "created_at": data["created_at"],
        "started_at": data["started_at"],
        "finished_at": data["finished_at"],
        "links": {
            "self": f"/api/v1/jobs/{job.pk}/",
            "page": f"/jobs/{job.pk}/",
            "result": f"/api/v1/jobs/{job.pk}/result/",
            "retry": None,
        },
    }
    result = client.get(f"/api/v1/jobs/{job.pk}/result/")
    assert result.status_code == 200
    assert result["Content-Type"] == "text/plain"
    assert result.content == b"1\n2\n3"


def test_a_failed_job_lists_its_errors_and_offers_a_retry(client, personas):
    job = _job(personas, kind="test_fail", how="cells")
    login(client, personas.manager)
    data = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert data["status"] == "failed"
    assert data["error"] == "2 problems in the input; nothing was changed."
    assert [e["field"] for e in data["errors"]] == ["Items!E2", "Items!F3"]
    assert data["file"] is None
    assert data["links"]["retry"] == f"/api/v1/jobs/{job.pk}/retry/"
    missing = client.get(f"/api/v1/jobs/{job.pk}/result/")
    assert missing.status_code == 409
    assert missing.json()["code"] == "job_has_no_file"


@pytest.mark.parametrize("role", ROLES)
def test_retry_by_role(client, personas, role):
    job = _job(personas, kind="test_fail", until=2)
    login(client, personas.users[role])
    response = client.post(f"/api/v1/jobs/{job.pk}/retry/")
    job.refresh_from_db()
    if role in SEES:
        assert response.status_code == 202, response.content
        assert response["Location"] == f"/api/v1/jobs/{job.pk}/"
        assert response.json()["status"] == "succeeded"
        assert job.attempts == 2
    else:
        assert response.status_code == 404
        assert job.attempts == 1


def test_retrying_a_job_that_did_not_fail_is_a_conflict(client, personas):
    job = _job(personas)
    login(client, personas.employee)
    response = client.post(f"/api/v1/jobs/{job.pk}/retry/")
    assert response.status_code == 409
    assert response.json()["code"] == "job_not_failed"


def test_the_list_filters_by_status_and_kind(client, personas):
    done = _job(personas)
    failed = _job(personas, kind="test_fail")
    login(client, personas.manager)

    def ids(query):
        return {row["id"] for row in client.get(f"/api/v1/jobs/{query}").json()["items"]}

    assert ids("") == {done.pk, failed.pk}
    assert ids("?status=failed") == {failed.pk}
    assert ids("?kind=test_count") == {done.pk}
    assert client.get("/api/v1/jobs/?status=lost").status_code == 422


def test_anonymous_is_refused(client, personas):
    job = _job(personas)
    assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 401
    assert client.post(f"/api/v1/jobs/{job.pk}/retry/").status_code == 401


def test_platform_jobs_are_seen_by_nobody_through_the_api(client, personas):
    job = enqueue_job("test_count", organization=None, actor=None)
    login(client, personas.users[Role.ADMIN])
    assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
