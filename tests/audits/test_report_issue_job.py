"""Issuing a report runs as a job: what would refuse it is answered before anything is queued,
the worker issues it as the person who asked with every rule checked again, and a page that
queued it follows the job until the revision is there."""

from __future__ import annotations

import pytest

from pdca.audits.models import Audit, AuditReport
from pdca.audits.report import jobs as report_jobs
from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.jobs.models import Job
from pdca.core.jobs.runner import execute
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from tests.audits.test_report_completeness import codes, incomplete  # noqa: F401  (fixture)
from tests.core.jobs.conftest import queued_only  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def waived(audit: Audit) -> dict[str, str]:
    return {code: "Agreed with the auditee" for code in codes(audit)}


def test_a_refused_issue_queues_nothing(incomplete, personas):  # noqa: F811
    with pytest.raises(ValidationFailed):
        report_jobs.queue_issue(incomplete, actor=personas.manager)
    incomplete.status = Audit.Status.IN_PROGRESS
    incomplete.save(update_fields=["status"])
    lead = personas.users[Role.INTERNAL_AUDITOR]
    with pytest.raises(Conflict):
        report_jobs.queue_issue(incomplete, actor=lead, exceptions=waived(incomplete))
    assert not Job.objects.filter(kind=report_jobs.ISSUE_KIND).exists()
    assert not AuditReport.objects.exists()


def test_the_worker_issues_as_the_person_who_asked(incomplete, personas, queued_only):  # noqa: F811
    lead = personas.users[Role.INTERNAL_AUDITOR]
    job = report_jobs.queue_issue(incomplete, actor=lead, exceptions=waived(incomplete))
    assert job.status == Job.Status.QUEUED
    assert not AuditReport.objects.exists()  # nothing is issued until the worker runs it
    # Asking again while it waits is the same job, not a second revision.
    again = report_jobs.queue_issue(incomplete, actor=lead, exceptions=waived(incomplete))
    assert again.pk == job.pk

    execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    report = AuditReport.objects.get()
    assert report.issued_by == lead
    assert job.result == {"report": report.pk, "revision": 1, "sha256": report.sha256}
    assert job.progress_message == f"Revision 1 issued; SHA-256 {report.sha256}."
    incomplete.refresh_from_db()
    assert incomplete.status == Audit.Status.REPORT_ISSUED
    # A second run of the same job finds it taken and issues nothing more.
    execute(job.pk)
    assert AuditReport.objects.count() == 1


def test_a_job_overtaken_by_another_issue_fails_and_says_why(incomplete, personas, queued_only):  # noqa: F811
    lead = personas.users[Role.INTERNAL_AUDITOR]
    first = report_jobs.queue_issue(incomplete, actor=lead, exceptions=waived(incomplete))
    second = report_jobs.queue_issue(
        incomplete, actor=lead, exceptions={**waived(incomplete), "summary": "Said at the close"}
    )
    assert first.pk != second.pk
    execute(first.pk)
    execute(second.pk)
    second.refresh_from_db()
    assert second.status == Job.Status.FAILED
    assert "Say why the report is revised" in second.error
    assert AuditReport.objects.count() == 1


def test_the_page_follows_a_waiting_issue_to_the_report(
    incomplete,  # noqa: F811
    personas,
    client,
    queued_only,  # noqa: F811
):
    lead = personas.users[Role.INTERNAL_AUDITOR]
    login(client, lead)
    data = {f"exception-{code}": text for code, text in waived(incomplete).items()}
    response = client.post(f"/audits/{incomplete.pk}/report/issue/", data)
    job = Job.objects.get(kind=report_jobs.ISSUE_KIND)
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    execute(job.pk)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Revision 1 issued" in page
    assert f'href="/audits/{incomplete.pk}/report/"' in page


def test_the_api_queues_the_issue_with_the_permission_matrix(incomplete, personas, client):  # noqa: F811
    url = f"/api/v1/audits/{incomplete.pk}/report/issue/jobs/"
    body = {"exceptions": waived(incomplete)}
    login(client, personas.outsider)
    assert client.post(url, body, content_type="application/json").status_code == 404
    login(client, personas.employee)
    assert client.post(url, body, content_type="application/json").status_code == 403
    login(client, personas.manager)  # may issue, but only the lead auditor confirms exceptions
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 422
    assert "not_lead_auditor" in {e["code"] for e in response.json()["errors"]}
    assert not Job.objects.filter(kind=report_jobs.ISSUE_KIND).exists()

    login(client, personas.users[Role.INTERNAL_AUDITOR])
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == f"/api/v1/jobs/{job['id']}/"
    assert job["status"] == "succeeded"  # the test backend runs jobs at once
    report = AuditReport.objects.get()
    assert job["result"]["report"] == report.pk
    assert len(report.content["exceptions"]) == len(body["exceptions"])
