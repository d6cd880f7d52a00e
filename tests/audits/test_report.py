"""The audit report: its content, the PDF's text, issuing (frozen content, stored PDF and its
SHA-256), revisions, who sees the draft and who the issued report, tampered PDFs, and query
counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess

import pytest
from django.utils import timezone

from pdca.audits import findings as services
from pdca.audits.models import Audit, AuditMeeting, AuditReport, AuditTeamMember
from pdca.audits.report import issue as report_issue
from pdca.audits.report import rendering as reports
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.jobs.models import Job
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from pdca.documents.evidence.services import blob_name, evidence_storage
from pdca.documents.models import EvidenceFile
from pdca.tenancy.models import Membership
from tests.audits.test_findings import (
    ISO9001,
    ISO14001,
    THREE_PARTS,
    make_audit,
    raise_minor,
    requirement,
)

pytestmark = pytest.mark.django_db

AUDITEES = [Role.EMPLOYEE, Role.PROCESS_OWNER]


def pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


@pytest.fixture
def stage2(personas, catalog):
    """A stage 2 audit of 9001 and 14001 in reporting, with a team, meetings and findings."""
    audit = make_audit(
        personas.org,
        "S2-2026-07",
        standards=(ISO9001, ISO14001),
        audit_type=Audit.Type.STAGE2,
        scope="Design and manufacture of hydraulic valves",
        criteria="The two standards and the quality manual QM-01",
        summary="The system is implemented and effective, with one lapse.",
        conclusion="The management system conforms, subject to one minor nonconformity.",
        recommendation=Audit.Recommendation.AFTER_CLOSURE,
        lead_auditor=personas.users[Role.INTERNAL_AUDITOR],
    )
    AuditTeamMember.objects.create(
        organization=personas.org, audit=audit, user=personas.manager, role="auditor"
    )
    audit.auditees.set([personas.users[Role.PROCESS_OWNER]])
    AuditMeeting.objects.create(
        organization=personas.org,
        audit=audit,
        kind="opening",
        held_at=timezone.make_aware(dt.datetime(2026, 3, 2, 8, 30)),
        attendees="Ann Lee, plant manager\nBo Chen, quality",
        notes="Plan confirmed.",
    )
    raise_minor(
        audit,
        personas.manager,
        requirements=[requirement(ISO9001, "7.1.5.1"), requirement(ISO14001, "7.1")],
    )
    services.raise_finding(
        audit,
        actor=personas.manager,
        grade="strength",
        title="Housekeeping",
        statement="Shop floor orderly and clean.",
        requirements=[requirement(ISO14001, "8.1")],
    )
    AuditMeeting.objects.create(
        organization=personas.org,
        audit=audit,
        kind="closing",
        held_at=timezone.make_aware(dt.datetime(2026, 3, 3, 16, 0)),
        attendees="Ann Lee, plant manager",
    )
    return audit


# --- content ------------------------------------------------------------------------------


def test_report_content(stage2, personas):
    content = reports.report_content(stage2)
    assert content["organization"] == "Org A"
    assert (content["reference"], content["type"], content["certification"]) == (
        "S2-2026-07",
        "stage2",
        True,
    )
    assert (content["start_date"], content["end_date"]) == ("2026-03-02", "2026-03-03")
    assert [s["code"] for s in content["standards"]] == [ISO14001, ISO9001]
    assert content["lead_auditor"] == "Internal Auditor A"
    assert content["team"] == [
        {"name": "System Manager A", "role": "auditor", "role_label": "Auditor"}
    ]
    assert content["auditees"] == ["Process Owner A"]
    assert {g["grade"]: g["count"] for g in content["by_grade"]} == {
        "major": 0,
        "minor": 1,
        "observation": 0,
        "ofi": 0,
        "strength": 1,
    }
    # F1 cites 7.1.5.1 and 7.1 (clause 7 once), F2 cites 8.1.
    assert content["by_clause"] == [{"clause": "7", "count": 1}, {"clause": "8", "count": 1}]
    assert content["nonconformities"] == 1
    first = content["findings"][0]
    assert first["statement"] == THREE_PARTS["statement"]
    assert first["nonconformity"] == "S2-2026-07-F1"
    assert content["meetings"][0]["attendees"] == ["Ann Lee, plant manager", "Bo Chen, quality"]
    assert content["recommendation"] == "after_closure"
    assert content["revision"] is None


def test_an_internal_audit_carries_no_recommendation(personas, catalog):
    audit = make_audit(personas.org, recommendation=Audit.Recommendation.GRANT)
    content = reports.report_content(audit)
    assert (content["certification"], content["recommendation"]) == (False, "")
    assert "Recommendation" not in reports.render_html(content)


def test_report_content_query_count_does_not_grow(personas, catalog):
    audit = make_audit(personas.org)
    clause = requirement(ISO9001, "8.5.1")
    for _i in range(2):
        raise_minor(audit, personas.manager, requirements=[clause])
    small, _ = count_queries(lambda: reports.report_content(audit))
    for _i in range(10):
        raise_minor(audit, personas.manager, requirements=[clause])
    large, content = count_queries(lambda: reports.report_content(audit))
    assert len(content["findings"]) == 12
    assert small == large


# --- issuing ------------------------------------------------------------------------------


def test_issue_freezes_content_and_stores_the_pdf(stage2, personas):
    report = report_issue.issue_report(stage2, actor=personas.manager)
    stage2.refresh_from_db()
    assert stage2.status == Audit.Status.REPORT_ISSUED
    assert report.revision == 1
    stored = evidence_storage().open(blob_name(report.sha256)).read()
    assert hashlib.sha256(stored).hexdigest() == report.sha256 == report.pdf.sha256
    assert report.content["revision"] == 1
    assert report.content["findings"][0]["title"] == "Gauge out of calibration"
    text = pdf_text(stored)
    assert "S2-2026-07" in text
    assert "A gauge past its calibration date was used to release" in text
    assert "Recommended once nonconformities are closed" in text
    assert "Page 2 of" in text
    assert "revision 1" in text
    assert ActivityEntry.objects.filter(
        object_type="audits.auditreport", action="create", actor=personas.manager
    ).exists()


def test_a_change_after_issue_is_refused_and_a_revision_issues_rev_2(stage2, personas):
    first = report_issue.issue_report(stage2, actor=personas.manager)
    first_hash, first_content = first.sha256, first.content
    finding = stage2.findings.get(number=2)
    with pytest.raises(Conflict):
        services.update_finding(finding, actor=personas.manager, title="Clean floors")
    with pytest.raises(ValidationFailed) as caught:
        report_issue.issue_report(stage2, actor=personas.manager)  # rev 2 needs a reason
    assert caught.value.errors[0].field == "reason"
    with pytest.raises(ValidationFailed) as caught:
        report_issue.start_revision(stage2, actor=personas.manager, reason=" ")
    assert caught.value.errors[0].field == "reason"
    report_issue.start_revision(
        stage2, actor=personas.manager, reason="Client asked for F2 wording"
    )
    services.update_finding(finding, actor=personas.manager, title="Clean floors")
    second = report_issue.issue_report(stage2, actor=personas.manager)
    assert second.revision == 2
    assert second.reason == "Client asked for F2 wording"
    assert second.sha256 != first_hash
    assert second.content["findings"][1]["title"] == "Clean floors"
    first.refresh_from_db()
    assert (first.sha256, first.content) == (first_hash, first_content)
    old = evidence_storage().open(blob_name(first_hash)).read()
    assert hashlib.sha256(old).hexdigest() == first_hash
    assert "Housekeeping" in pdf_text(old)


def test_issue_needs_reporting_and_the_issue_permission(personas, catalog):
    audit = make_audit(personas.org, status=Audit.Status.IN_PROGRESS)
    with pytest.raises(Conflict) as caught:
        report_issue.issue_report(audit, actor=personas.manager)
    assert caught.value.code == "not_reporting"
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.REPORTING)
    for role in (Role.TOP_MANAGEMENT, Role.EMPLOYEE, Role.PROCESS_OWNER, Role.ADMIN):
        with pytest.raises(PermissionDenied):
            report_issue.issue_report(audit, actor=personas.users[role])
    assert not AuditReport.objects.exists()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.REPORTING


def test_a_tampered_pdf_is_not_handed_out(stage2, personas, client):
    report = report_issue.issue_report(stage2, actor=personas.manager)
    storage = evidence_storage()
    storage.delete(blob_name(report.sha256))
    from django.core.files.base import ContentFile

    storage.save(blob_name(report.sha256), ContentFile(b"%PDF-1.7 forged"))
    with pytest.raises(Conflict):
        report_issue.read_report_pdf(report, actor=personas.manager)
    login(client, personas.employee)
    assert client.get(f"/audit-reports/{report.pk}/pdf/").status_code == 409
    assert client.get(f"/api/v1/audit-reports/{report.pk}/pdf/").status_code == 409


# --- who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("role", AUDITEES)
def test_auditees_see_the_issued_report_but_not_the_draft(stage2, personas, client, role):
    login(client, personas.users[role])
    page = client.get(f"/audits/{stage2.pk}/report/").content.decode()
    assert "No report has been issued yet" in page
    assert THREE_PARTS["statement"] not in page
    assert client.get(f"/audits/{stage2.pk}/findings/").status_code == 404
    assert client.post(f"/audits/{stage2.pk}/report/draft/pdf/").status_code == 404
    assert not Job.objects.exists()
    assert client.get(f"/api/v1/audits/{stage2.pk}/report/").status_code == 404
    report = report_issue.issue_report(stage2, actor=personas.manager)
    page = client.get(f"/audits/{stage2.pk}/report/").content.decode()
    assert THREE_PARTS["statement"] in page
    assert report.sha256 in page
    response = client.get(f"/audit-reports/{report.pk}/pdf/")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == report.sha256
    data = client.get(f"/api/v1/audits/{stage2.pk}/report/").json()
    assert (data["draft"], data["revision"], data["sha256"]) == (False, 1, report.sha256)
    # Still no working papers for them after issue.
    assert client.get(f"/audits/{stage2.pk}/findings/").status_code == 404


@pytest.mark.parametrize("role", [Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR])
def test_insiders_read_the_draft(stage2, personas, client, role):
    login(client, personas.users[role])
    page = client.get(f"/audits/{stage2.pk}/report/").content.decode()
    assert "Draft:" in page
    assert THREE_PARTS["statement"] in page
    data = client.get(f"/api/v1/audits/{stage2.pk}/report/").json()
    assert (data["draft"], data["revision"]) == (True, None)
    # The draft PDF is made by a job; its page offers the download.
    response = client.post(f"/audits/{stage2.pk}/report/draft/pdf/")
    job = Job.objects.get(kind="audit_report_draft_pdf")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "succeeded"
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert "DRAFT" in pdf_text(response.content)
    assert job.result_sha256 == hashlib.sha256(response.content).hexdigest()


def test_the_outsider_gets_404_everywhere(stage2, personas, client):
    report = report_issue.issue_report(stage2, actor=personas.manager)
    login(client, personas.outsider)
    for url in (
        f"/audits/{stage2.pk}/report/",
        f"/audit-reports/{report.pk}/pdf/",
        f"/api/v1/audits/{stage2.pk}/report/",
        f"/api/v1/audit-reports/{report.pk}/",
        f"/api/v1/audit-reports/{report.pk}/pdf/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/audits/{stage2.pk}/report/draft/pdf/").status_code == 404
    assert client.post(f"/audits/{stage2.pk}/report/revise/", {"reason": "x"}).status_code == 404
    response = client.post(
        f"/api/v1/audits/{stage2.pk}/report/issue/", {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert AuditReport.objects.count() == 1


def test_issue_and_revise_through_the_pages(stage2, personas, client):
    login(client, personas.employee)
    assert client.post(f"/audits/{stage2.pk}/report/issue/").status_code == 403
    assert not AuditReport.objects.exists()
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    response = client.post(f"/audits/{stage2.pk}/report/issue/", {"reason": ""})
    assert response.status_code == 302
    report = AuditReport.objects.get()
    response = client.post(f"/audits/{stage2.pk}/report/revise/", {"reason": "Typo in F1"})
    stage2.refresh_from_db()
    assert stage2.status == Audit.Status.REPORTING
    page = client.get(f"/audits/{stage2.pk}/report/").content.decode()
    assert report.sha256 in page
    assert "Issue the report" in page


def test_issue_through_the_api(stage2, personas, client):
    login(client, personas.users[Role.EMPLOYEE])
    url = f"/api/v1/audits/{stage2.pk}/report/issue/"
    assert client.post(url, {}, content_type="application/json").status_code == 403
    login(client, personas.manager)
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["revision"], data["content"]["reference"]) == (1, "S2-2026-07")
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    response = client.post(
        url, {"reason": "Recommendation clarified"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["revision"] == 2
    pdf = client.get(f"/api/v1/audit-reports/{data['id']}/pdf/")
    assert hashlib.sha256(pdf.content).hexdigest() == data["sha256"]


def test_report_page_query_count_does_not_grow(personas, catalog, client):
    audit = make_audit(personas.org)
    login(client, personas.manager)
    for _i in range(2):
        raise_minor(audit, personas.manager, requirements=[requirement(ISO9001, "8.5.1")])
    small, _ = count_queries(lambda: client.get(f"/audits/{audit.pk}/report/"))
    for _i in range(10):
        raise_minor(audit, personas.manager, requirements=[requirement(ISO9001, "9.1.1")])
    large, response = count_queries(lambda: client.get(f"/audits/{audit.pk}/report/"))
    assert response.content.decode().count("Gauge out of calibration") == 12
    assert small == large


# --- bundles over issued revisions (rows written directly, without rendering PDFs) --------


def report_host(org) -> Audit:
    return Audit.objects.filter(organization=org, reference="R-HOST").first() or make_audit(
        org, "R-HOST", status=Audit.Status.REPORT_ISSUED
    )


def make_report(org, index: int = 0) -> AuditReport:
    audit = report_host(org)
    revision = audit.reports.count() + 1
    sha = hashlib.sha256(f"{org.pk}-{revision}".encode()).hexdigest()
    uploader = Membership.objects.filter(organization=org).first().user
    pdf = EvidenceFile.objects.create(
        organization=org,
        sha256=sha,
        size=10,
        content_type="application/pdf",
        original_name=f"r{revision}.pdf",
        uploaded_by=uploader,
    )
    return AuditReport.objects.create(
        organization=org,
        audit=audit,
        revision=revision,
        issued_at=timezone.now(),
        issued_by=uploader,
        content={**reports.report_content(audit), "revision": revision},
        pdf=pdf,
        sha256=sha,
    )


class TestAuditReportApi(ApiBundle):
    model = AuditReport
    url = "/api/v1/audit-reports/"
    view_roles = ALL_ROLES
    creates = updates = deletes = False

    def make(self, org, index=0):
        return make_report(org, index)


class TestAuditReportPages(ViewBundle):
    model = AuditReport
    list_url = "/audits/"
    view_roles = ALL_ROLES

    def make(self, org, index=0):
        return make_report(org, index)

    def list_url_for(self, obj):
        return f"/audits/{obj.audit_id}/report/"

    def list_text(self, obj):
        return obj.sha256
