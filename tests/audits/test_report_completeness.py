"""A report is issued complete, or with exceptions the lead auditor confirms and the report
states: the rule, the page, the API, and nothing half-written when it is refused."""

from __future__ import annotations

import pytest

from pdca.audits.models import Audit, AuditMeeting, AuditReport, ChecklistItem
from pdca.audits.report import issue as report_issue
from pdca.audits.report import rendering as reports
from pdca.audits.report.completeness import missing_for_issue
from pdca.core.exceptions import ValidationFailed
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.documents.models import EvidenceFile
from tests.audits.test_findings import ISO9001, make_audit, raise_minor, requirement
from tests.audits.test_report import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def incomplete(personas, catalog):
    """IA-2026-02 as the trial found it: no summary, no conclusion, no meetings, one checklist
    item unanswered, one marked not audited, and a minor nonconformity naming no requirement."""
    lead = personas.users[Role.INTERNAL_AUDITOR]
    audit = make_audit(personas.org, "IA-2026-02", lead_auditor=lead)
    for question, result in (("Is the calibration plan kept?", ""), ("Shift 3?", "not_audited")):
        ChecklistItem.objects.create(
            organization=personas.org,
            audit=audit,
            question=question,
            sort_key=question,
            result=result,
        )
    raise_minor(audit, personas.manager)
    raise_minor(
        audit, personas.manager, title="Linked", requirements=[requirement(ISO9001, "7.1.5.1")]
    )
    return audit


def codes(audit: Audit) -> list[str]:
    return [m.code for m in missing_for_issue(audit)]


def test_everything_missing_is_listed_in_reading_order(incomplete):
    item = incomplete.checklist.get(result="")
    finding = incomplete.findings.get(title="Gauge out of calibration")
    assert codes(incomplete) == [
        "summary",
        "conclusion",
        "opening_meeting",
        "closing_meeting",
        f"checklist_item_{item.pk}",
        f"finding_{finding.pk}",
    ]
    messages = [m.message for m in missing_for_issue(incomplete)]
    assert "Is the calibration plan kept?" in messages[4]
    assert messages[5] == (
        "F1 Gauge out of calibration is a minor nonconformity that names no requirement."
    )


def test_an_incomplete_report_is_refused_naming_each_item_and_nothing_is_written(
    incomplete, personas
):
    with pytest.raises(ValidationFailed) as caught:
        report_issue.issue_report(incomplete, actor=personas.manager)
    errors = caught.value.errors
    assert [e.field for e in errors] == codes(incomplete)
    assert {e.code for e in errors} == {"missing"}
    assert "The report cannot be issued yet" in caught.value.message
    assert not AuditReport.objects.exists()
    assert not EvidenceFile.objects.exists()
    incomplete.refresh_from_db()
    assert incomplete.status == Audit.Status.REPORTING


def test_the_lead_auditor_issues_with_stated_exceptions(incomplete, personas):
    lead = personas.users[Role.INTERNAL_AUDITOR]
    incomplete.summary, incomplete.conclusion = "Implemented.", "Conforms but for F1."
    incomplete.save()
    exceptions = {code: f"Waived: {code}" for code in codes(incomplete)}
    report = report_issue.issue_report(incomplete, actor=lead, exceptions=exceptions)
    stated = report.content["exceptions"]
    assert [e["code"] for e in stated] == list(exceptions)
    assert all(e["confirmed_by"] == lead.full_name for e in stated)
    assert stated[0]["missing"] == "No opening meeting is recorded."
    text = pdf_text(reports.render_pdf(report.content))
    assert "Issued with exceptions" in text
    assert "Waived: closing_meeting" in text


def test_only_the_lead_auditor_confirms_and_only_what_is_missing(incomplete, personas):
    exceptions = {code: "Cannot be had." for code in codes(incomplete)}
    with pytest.raises(ValidationFailed) as caught:
        report_issue.issue_report(incomplete, actor=personas.manager, exceptions=exceptions)
    assert "not_lead_auditor" in {e.code for e in caught.value.errors}
    lead = personas.users[Role.INTERNAL_AUDITOR]
    with pytest.raises(ValidationFailed) as caught:
        report_issue.issue_report(
            incomplete, actor=lead, exceptions={**exceptions, "summary_of_nothing": "x"}
        )
    assert [e.field for e in caught.value.errors] == ["exceptions.summary_of_nothing"]
    # A blank statement confirms nothing: the item is still missing.
    with pytest.raises(ValidationFailed) as caught:
        report_issue.issue_report(incomplete, actor=lead, exceptions={**exceptions, "summary": " "})
    assert [e.field for e in caught.value.errors] == ["summary"]
    assert not AuditReport.objects.exists()


def test_a_complete_report_issues_without_exceptions(incomplete, personas):
    incomplete.summary, incomplete.conclusion = "Implemented.", "Conforms but for F1."
    incomplete.save()
    for kind in ("opening", "closing"):
        AuditMeeting.objects.create(
            organization=personas.org,
            audit=incomplete,
            kind=kind,
            held_at="2026-03-02T09:00:00Z",
            attendees="Ann Lee",
        )
    incomplete.checklist.filter(result="").update(result="conforming")
    incomplete.findings.get(number=1).requirements.set([requirement(ISO9001, "8.7.1")])
    assert codes(incomplete) == []
    report = report_issue.issue_report(incomplete, actor=personas.manager)
    assert report.content["exceptions"] == []
    assert "Issued with exceptions" not in pdf_text(reports.render_pdf(report.content))


def test_the_page_lists_what_is_missing_and_the_lead_confirms_exceptions(
    incomplete, personas, client
):
    login(client, personas.manager)
    page = client.get(f"/audits/{incomplete.pk}/report/").content.decode()
    assert 'id="report-missing"' in page
    assert "No closing meeting is recorded." in page
    assert 'name="exception-summary"' not in page  # not the lead auditor
    response = client.post(f"/audits/{incomplete.pk}/report/issue/", {"reason": ""}, follow=True)
    assert "The report cannot be issued yet" in response.content.decode()
    assert not AuditReport.objects.exists()

    lead = personas.users[Role.INTERNAL_AUDITOR]
    login(client, lead)
    page = client.get(f"/audits/{incomplete.pk}/report/").content.decode()
    assert 'name="exception-summary"' in page
    data = {f"exception-{code}": "Agreed with the auditee" for code in codes(incomplete)}
    response = client.post(f"/audits/{incomplete.pk}/report/issue/", data)
    assert response.status_code == 302
    report = AuditReport.objects.get()
    assert len(report.content["exceptions"]) == len(data)
    page = client.get(f"/audits/{incomplete.pk}/report/").content.decode()
    assert 'id="report-exceptions"' in page


def test_the_api_tells_what_is_missing_and_takes_exceptions(incomplete, personas, client):
    url = f"/api/v1/audits/{incomplete.pk}/report/missing/"
    login(client, personas.outsider)
    assert client.get(url).status_code == 404
    login(client, personas.employee)
    assert client.get(url).status_code == 403
    login(client, personas.manager)
    response = client.get(url)
    assert response.status_code == 200
    missing = response.json()
    assert [m["code"] for m in missing] == codes(incomplete)

    issue = f"/api/v1/audits/{incomplete.pk}/report/issue/"
    response = client.post(issue, {}, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == codes(incomplete)
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    exceptions = {m["code"]: "Agreed with the auditee" for m in missing}
    response = client.post(issue, {"exceptions": exceptions}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert len(response.json()["content"]["exceptions"]) == len(missing)
