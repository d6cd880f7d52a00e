"""Findings: the three-part statement, numbering, the nonconformity a major or minor one
opens (and how it follows the grade), freezing once the report is issued, and the permission
matrix of their pages and API. Also the factories the report tests share."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pdca.audits import findings as services
from pdca.audits.models import Audit, Finding
from pdca.audits.permissions import AUDITORS, INSIDERS
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from pdca.improvement.models import Nonconformity
from pdca.standards.models import Requirement, Standard
from pdca.system.models import Process

pytestmark = pytest.mark.django_db

ISO9001 = "iso9001-2015"
ISO14001 = "iso14001-2015"


# --- factories shared by the report tests -----------------------------------------------


def requirement(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def make_audit(org, reference: str = "IA-2026-01", *, standards=(ISO9001,), **fields) -> Audit:
    values = {
        "title": "Production audit",
        "start_date": dt.date(2026, 3, 2),
        "end_date": dt.date(2026, 3, 3),
        "status": Audit.Status.REPORTING,
        **fields,
    }
    audit = Audit.objects.create(organization=org, reference=reference, **values)
    audit.standards.set(Standard.objects.filter(code__in=standards))
    return audit


def host_audit(org) -> Audit:
    """One draft audit per organization holding the bundles' findings."""
    return Audit.objects.filter(organization=org, reference="F-HOST").first() or make_audit(
        org, "F-HOST"
    )


def make_finding(audit: Audit, index: int = 0, **fields) -> Finding:
    """A finding written directly (a factory, not the service): no nonconformity."""
    number = fields.pop("number", None) or (audit.findings.count() + 1)
    values = {
        "grade": Finding.Grade.OBSERVATION,
        "title": f"Work instruction outdated {index}",
        "requirement_statement": "Documented information is kept current.",
        "evidence": f"WI-{index:03d} revision 2 at the press; revision 3 is published.",
        "statement": "An outdated work instruction was in use.",
        **fields,
    }
    return Finding.objects.create(
        organization=audit.organization, audit=audit, number=number, **values
    )


THREE_PARTS = {
    "requirement_statement": "Measuring equipment is calibrated at planned intervals.",
    "evidence": "Gauge G-12 at line 2: calibration label expired 2026-01-15.",
    "statement": "A gauge past its calibration date was used to release product.",
}


def ready_to_issue(audit) -> Audit:
    """Make the report complete (summary, conclusion, both meetings, every checklist item
    answered, every nonconformity tied to a requirement), as issuing demands."""
    from django.utils import timezone

    from pdca.audits.models import AuditMeeting

    audit.summary = audit.summary or "The system is implemented."
    audit.conclusion = audit.conclusion or "The system conforms, apart from the findings."
    audit.save(update_fields=["summary", "conclusion"])
    for kind in ("opening", "closing"):
        if not audit.meetings.filter(kind=kind).exists():
            AuditMeeting.objects.create(
                organization=audit.organization,
                audit=audit,
                kind=kind,
                held_at=timezone.make_aware(
                    dt.datetime(2026, 3, 2, 8 if kind == "opening" else 17)
                ),
                attendees="Ann Lee, plant manager",
            )
    audit.checklist.filter(result="").update(result="conforming")
    fallback = requirement(ISO9001, "8.7.1")
    for finding in audit.findings.filter(grade__in=("major", "minor"), requirements=None):
        finding.requirements.set([fallback])
    return audit


def raise_minor(audit, actor, **fields):
    return services.raise_finding(
        audit,
        actor=actor,
        **{"grade": "minor", "title": "Gauge out of calibration", **THREE_PARTS, **fields},
    )


# --- services -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "audit_type", "source"),
    [
        ("major", "internal", "internal_audit"),
        ("minor", "stage2", "certification_audit"),
        ("minor", "supplier", "supplier_audit"),
    ],
)
def test_a_nonconformity_opens_one_for_the_auditee(personas, catalog, grade, audit_type, source):
    audit = make_audit(personas.org, audit_type=audit_type)
    process = Process.objects.create(organization=personas.org, code="P-01", name="Production")
    clause = requirement(ISO9001, "7.1.5")
    finding = raise_minor(
        audit, personas.manager, grade=grade, requirements=[clause], process=process
    )
    nc = Nonconformity.objects.get()
    assert finding.number == 1
    assert finding.nonconformity == nc
    assert nc.reference == "IA-2026-01-F1"
    assert nc.title == "Gauge out of calibration"
    assert nc.source == source
    assert nc.severity == grade
    assert nc.status == "reported"
    assert nc.process == process
    assert list(nc.requirements.all()) == [clause]
    assert nc.description == (
        "Requirement: Measuring equipment is calibrated at planned intervals.\n\n"
        "Evidence: Gauge G-12 at line 2: calibration label expired 2026-01-15.\n\n"
        "Finding: A gauge past its calibration date was used to release product."
    )
    entries = ActivityEntry.objects.filter(object_type="improvement.nonconformity")
    # A certification finding's nonconformity then gets the body's deadlines (default terms:
    # the minor's plan within 30 days of the audit's end, verified at the next audit).
    certification = source == "certification_audit"
    assert list(entries.order_by("seq").values_list("action", flat=True)) == (
        ["create", "update"] if certification else ["create"]
    )
    if certification:
        assert nc.response_due == audit.end_date + dt.timedelta(days=30)
        assert nc.closure_due is None
        assert nc.due_date == nc.response_due
    else:
        assert (nc.response_due, nc.closure_due) == (None, None)
    assert ActivityEntry.objects.filter(object_type="audits.finding", action="create").count() == 1


@pytest.mark.parametrize("grade", ["observation", "ofi", "strength"])
def test_other_grades_open_no_nonconformity(personas, catalog, grade):
    audit = make_audit(personas.org)
    finding = services.raise_finding(
        audit, actor=personas.manager, grade=grade, title="Good practice", statement="Seen."
    )
    assert finding.nonconformity is None
    assert not Nonconformity.objects.exists()


def test_findings_are_numbered_per_audit(personas, catalog):
    first, second = make_audit(personas.org), make_audit(personas.org, "IA-2026-02")
    numbers = [
        raise_minor(first, personas.manager).number,
        raise_minor(first, personas.manager).number,
        raise_minor(second, personas.manager).number,
    ]
    assert numbers == [1, 2, 1]
    assert sorted(Nonconformity.objects.values_list("reference", flat=True)) == [
        "IA-2026-01-F1",
        "IA-2026-01-F2",
        "IA-2026-02-F1",
    ]


@pytest.mark.parametrize("missing", ["requirement_statement", "evidence", "statement"])
def test_a_nonconformity_needs_all_three_parts(personas, catalog, missing):
    audit = make_audit(personas.org)
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        raise_minor(audit, personas.manager, **{missing: "  "})
    assert [e.field for e in caught.value.errors] == [missing]
    assert "three parts" in caught.value.errors[0].message
    assert not Finding.objects.exists()
    assert not Nonconformity.objects.exists()
    assert ActivityEntry.objects.count() == entries


def test_requirements_must_belong_to_the_audit_standards(personas, catalog):
    audit = make_audit(personas.org)
    with pytest.raises(ValidationFailed) as caught:
        raise_minor(audit, personas.manager, requirements=[requirement(ISO14001, "6.1.2")])
    assert [e.field for e in caught.value.errors] == ["requirements"]
    assert "6.1.2" in caught.value.errors[0].message
    assert not Finding.objects.exists()
    assert not Nonconformity.objects.exists()


def test_bad_grade_and_missing_title_name_their_fields(personas, catalog):
    audit = make_audit(personas.org)
    with pytest.raises(ValidationFailed) as caught:
        services.raise_finding(
            audit, actor=personas.manager, grade="fatal", title="", statement="x"
        )
    assert {e.field for e in caught.value.errors} == {"grade", "title"}


@pytest.mark.parametrize("role", sorted(ALL_ROLES - AUDITORS - {Role.CB_MANAGER}))
def test_only_auditors_raise_findings(personas, catalog, role):
    audit = make_audit(personas.org)
    with pytest.raises(PermissionDenied):
        raise_minor(audit, personas.users[role])
    assert not Finding.objects.exists()
    assert not Nonconformity.objects.exists()


def test_an_internal_auditor_raises_and_opens_the_nonconformity(personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_minor(audit, personas.users[Role.INTERNAL_AUDITOR])
    assert finding.raised_by == personas.users[Role.INTERNAL_AUDITOR]
    assert finding.nonconformity.severity == "minor"


def test_raising_the_grade_opens_a_nonconformity_and_minor_to_major_follows(personas, catalog):
    audit = make_audit(personas.org)
    finding = services.raise_finding(
        audit, actor=personas.manager, grade="observation", title="Gauge", **THREE_PARTS
    )
    services.update_finding(finding, actor=personas.manager, grade="minor")
    finding.refresh_from_db()
    nc = finding.nonconformity
    assert nc.severity == "minor"
    services.update_finding(finding, actor=personas.users[Role.INTERNAL_AUDITOR], grade="major")
    nc.refresh_from_db()
    assert nc.severity == "major"
    assert Nonconformity.objects.count() == 1


def test_lowering_to_an_observation_is_refused_while_the_nonconformity_is_reported(
    personas, catalog
):
    audit = make_audit(personas.org)
    finding = raise_minor(audit, personas.manager)
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.update_finding(finding, actor=personas.manager, grade="observation")
    assert caught.value.errors[0].field == "grade"
    assert "still reported" in caught.value.errors[0].message
    finding.refresh_from_db()
    assert finding.grade == "minor"
    assert ActivityEntry.objects.count() == entries
    # Once triaged, the auditor may lower it; the nonconformity stays on record.
    Nonconformity.objects.update(status="triaged")
    services.update_finding(finding, actor=personas.manager, grade="observation")
    finding.refresh_from_db()
    assert finding.grade == "observation"
    assert finding.nonconformity is not None


def test_update_records_the_change_and_refuses_unknown_fields(personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_minor(audit, personas.manager)
    services.update_finding(finding, actor=personas.manager, title="Gauge G-12 overdue")
    entry = ActivityEntry.objects.filter(object_type="audits.finding", action="update").get()
    assert entry.changes == {"title": ["Gauge out of calibration", "Gauge G-12 overdue"]}
    with pytest.raises(ValidationFailed) as caught:
        services.update_finding(finding, actor=personas.manager, number=7)
    assert caught.value.errors[0].field == "number"


def test_delete_is_for_drafts_and_refused_while_its_nonconformity_is_open(personas, catalog):
    audit = make_audit(personas.org)
    observation = make_finding(audit)
    services.delete_finding(observation, actor=personas.manager)
    assert not Finding.objects.filter(pk=observation.pk).exists()
    minor = raise_minor(audit, personas.manager)
    with pytest.raises(Conflict) as caught:
        services.delete_finding(minor, actor=personas.manager)
    assert caught.value.code == "nonconformity_open"
    assert Finding.objects.filter(pk=minor.pk).exists()


@pytest.mark.parametrize("status", [Audit.Status.REPORT_ISSUED, Audit.Status.CLOSED])
def test_findings_are_frozen_once_the_report_is_issued(personas, catalog, status):
    audit = make_audit(personas.org, status=status)
    finding = make_finding(audit)
    for attempt in (
        lambda: raise_minor(audit, personas.manager),
        lambda: services.update_finding(finding, actor=personas.manager, title="Changed"),
        lambda: services.delete_finding(finding, actor=personas.manager),
    ):
        with pytest.raises(Conflict) as caught:
            attempt()
        assert caught.value.code == "report_issued"
        assert "new report revision" in caught.value.message
    finding.refresh_from_db()
    assert finding.title == "Work instruction outdated 0"
    assert Finding.objects.count() == 1


# --- API ----------------------------------------------------------------------------------


class TestFindingApi(ApiBundle):
    model = Finding
    url = "/api/v1/findings/"
    view_roles = INSIDERS
    add_roles = change_roles = delete_roles = AUDITORS
    update_payload = {"title": "Outdated instruction at press 3"}
    invalid_payloads = [
        ({"title": ""}, "title"),
        ({"grade": "fatal"}, "grade"),
        ({"process": 999999}, "process"),
    ]

    def make(self, org, index=0):
        return make_finding(host_audit(org), index)

    def create_payload(self, org):
        return {
            "audit": host_audit(org).pk,
            "grade": "observation",
            "title": "Labels hard to read",
            "statement": "Labels at the store are faded.",
        }


def test_api_creates_a_minor_with_its_nonconformity_and_nested_routes(client, personas, catalog):
    audit = make_audit(personas.org)
    login(client, personas.manager)
    clause = requirement(ISO9001, "7.1.5")
    body = {"grade": "minor", "title": "Gauge", "requirements": [clause.pk], **THREE_PARTS}
    response = client.post(
        f"/api/v1/audits/{audit.pk}/findings/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    nc = Nonconformity.objects.get()
    assert (data["number"], data["nonconformity"]) == (1, nc.pk)
    assert data["requirements"] == [{"id": clause.pk, "standard": ISO9001, "number": "7.1.5"}]
    listed = client.get(f"/api/v1/audits/{audit.pk}/findings/").json()
    assert [row["id"] for row in listed["items"]] == [data["id"]]
    # A part missing: 422 naming it, nothing written.
    response = client.post(
        f"/api/v1/audits/{audit.pk}/findings/",
        {**body, "evidence": ""},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["evidence"]
    assert Finding.objects.count() == 1


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.PROCESS_OWNER])
def test_auditees_do_not_see_findings_through_the_api(client, personas, catalog, role):
    audit = make_audit(personas.org)
    make_finding(audit)
    login(client, personas.users[role])
    assert client.get(f"/api/v1/audits/{audit.pk}/findings/").status_code == 404
    assert client.get("/api/v1/findings/").json()["count"] == 0


def test_api_refuses_changes_once_issued(client, personas, catalog):
    audit = make_audit(personas.org, status=Audit.Status.REPORT_ISSUED)
    finding = make_finding(audit)
    login(client, personas.manager)
    response = client.patch(
        f"/api/v1/findings/{finding.pk}/", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "report_issued"


# --- pages --------------------------------------------------------------------------------


class TestFindingPages(ViewBundle):
    model = Finding
    list_url = "/audits/"
    view_roles = INSIDERS
    add_roles = change_roles = delete_roles = AUDITORS
    invalid_form_data = [
        ({"grade": "minor", "title": "Gauge", "statement": "Found."}, "evidence"),
        ({"grade": "observation", "title": "", "statement": "Found."}, "title"),
    ]

    def make(self, org, index=0):
        return make_finding(host_audit(org), index)

    def list_url_for(self, obj):
        return f"/audits/{obj.audit_id}/findings/"

    def create_url_for(self, org):
        return f"/audits/{host_audit(org).pk}/findings/new/"

    def list_text(self, obj):
        return obj.title

    def detail_url(self, obj):
        return f"/findings/{obj.pk}/"

    def edit_url(self, obj):
        return f"/findings/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/findings/{obj.pk}/delete/"

    def form_data(self, org):
        return {"grade": "observation", "title": "Faded labels", "statement": "Labels faded."}

    def edit_data(self, obj):
        return {"grade": obj.grade, "title": "Changed title", "statement": obj.statement}


def test_the_finding_page_shows_three_parts_and_links_its_nonconformity(client, personas, catalog):
    audit = make_audit(personas.org)
    finding = raise_minor(audit, personas.manager)
    login(client, personas.users[Role.TOP_MANAGEMENT])
    html = client.get(f"/findings/{finding.pk}/").content.decode()
    for part in THREE_PARTS.values():
        assert part in html
    assert f'href="/nonconformities/{finding.nonconformity_id}/"' in html
    listing = client.get(f"/audits/{audit.pk}/findings/").content.decode()
    assert f'href="/nonconformities/{finding.nonconformity_id}/"' in listing


def test_findings_page_query_count_does_not_grow(client, personas, catalog):
    audit = make_audit(personas.org)
    login(client, personas.manager)
    for i in range(2):
        raise_minor(audit, personas.manager, title=f"Gauge {i}")
    small, _ = count_queries(lambda: client.get(f"/audits/{audit.pk}/findings/"))
    for i in range(2, 12):
        raise_minor(audit, personas.manager, title=f"Gauge {i}")
    large, response = count_queries(lambda: client.get(f"/audits/{audit.pk}/findings/"))
    assert len(re.findall(r'href="/nonconformities/\d+/"', response.content.decode())) == 12
    assert small == large
