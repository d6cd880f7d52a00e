"""An audit's status steps: which moves are allowed, why the others are refused, and the
activity entry each move writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.audits import services
from pdca.audits.models import Audit, AuditPlanItem, ChecklistItem, Finding
from pdca.core.exceptions import Conflict, PermissionDenied
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import Nonconformity
from tests.audits.test_audit_register import AUDITORS, make_audit

pytestmark = pytest.mark.django_db
S = Audit.Status


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def plan_slot(audit: Audit) -> AuditPlanItem:
    return AuditPlanItem.objects.create(
        organization=audit.organization,
        audit=audit,
        starts_at=at(audit.start_date, 9),
        ends_at=at(audit.start_date, 10),
        activity="Opening meeting",
    )


def make_finding(audit: Audit, number: int, grade: str, **fields) -> Finding:
    values = {
        "title": f"Finding {number}",
        "requirement_statement": "Calibrated equipment",
        "evidence": "Gauge 12 overdue",
        "statement": "Not calibrated",
        **fields,
    }
    return Finding.objects.create(
        organization=audit.organization, audit=audit, number=number, grade=grade, **values
    )


def ready_audit(personas, status=S.PLANNED) -> Audit:
    audit = make_audit(personas.org, lead_auditor=personas.users[Role.INTERNAL_AUDITOR])
    plan_slot(audit)
    if status != S.PLANNED:
        Audit.objects.filter(pk=audit.pk).update(status=status)
        audit.refresh_from_db()
    return audit


def move(audit, to, actor, **kw):
    return services.transition_audit(audit, to, actor=actor, **kw)


def test_the_whole_way_with_an_entry_per_step(personas):
    manager = personas.manager
    audit = ready_audit(personas)
    move(audit, S.PREPARED, manager, comment="Plan sent to auditees")
    move(audit, S.IN_PROGRESS, manager)
    move(audit, S.REPORTING, manager)
    move(audit, S.REPORT_ISSUED, manager, _from_report=True)
    move(audit, S.CLOSED, manager)
    audit.refresh_from_db()
    assert audit.status == S.CLOSED
    entries = ActivityEntry.objects.filter(object_type="audits.audit", object_id=str(audit.pk))
    assert [(e.action, e.changes, e.message) for e in entries.order_by("seq")] == [
        ("prepare", {"status": ["planned", "prepared"]}, "Plan sent to auditees"),
        ("start", {"status": ["prepared", "in_progress"]}, ""),
        ("finish_fieldwork", {"status": ["in_progress", "reporting"]}, ""),
        ("issue_report", {"status": ["reporting", "report_issued"]}, ""),
        ("close", {"status": ["report_issued", "closed"]}, ""),
    ]


def test_back_steps(personas):
    audit = ready_audit(personas, S.IN_PROGRESS)
    move(audit, S.PREPARED, personas.manager)
    move(audit, S.PLANNED, personas.manager)
    audit.refresh_from_db()
    assert audit.status == S.PLANNED
    entries = ActivityEntry.objects.filter(object_type="audits.audit", object_id=str(audit.pk))
    assert [(e.action, e.changes) for e in entries.order_by("-seq")[:2]][::-1] == [
        ("back_to_prepared", {"status": ["in_progress", "prepared"]}),
        ("back_to_planned", {"status": ["prepared", "planned"]}),
    ]


def _refused(audit, to, actor, message, **kw):
    status = Audit.objects.get(pk=audit.pk).status
    entries = ActivityEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        move(audit, to, actor, **kw)
    assert exc.value.code == "invalid_transition"
    assert exc.value.message == message
    assert Audit.objects.get(pk=audit.pk).status == status
    assert ActivityEntry.objects.count() == entries


def test_preparing_needs_a_lead_auditor_and_a_plan_or_checklist(personas):
    audit = make_audit(personas.org)
    _refused(
        audit,
        S.PREPARED,
        personas.manager,
        "The audit needs a lead auditor and at least one plan item or checklist item before it "
        "is prepared.",
    )
    audit.lead_auditor = personas.users[Role.INTERNAL_AUDITOR]
    audit.save()
    _refused(
        audit,
        S.PREPARED,
        personas.manager,
        "The audit needs at least one plan item or checklist item before it is prepared.",
    )
    ChecklistItem.objects.create(
        organization=personas.org, audit=audit, question="Is the policy known?", sort_key="1"
    )
    move(audit, S.PREPARED, personas.manager)
    assert audit.status == S.PREPARED


@pytest.mark.parametrize(
    ("status", "to", "message"),
    [
        (S.PLANNED, S.IN_PROGRESS, "An audit that is planned cannot move to in progress."),
        (S.PLANNED, S.CLOSED, "An audit that is planned cannot move to closed."),
        (S.REPORTING, S.IN_PROGRESS, "An audit that is reporting cannot move to in progress."),
        (S.CLOSED, S.PLANNED, "An audit that is closed cannot move to planned."),
        (S.PREPARED, "done", "“done” is not a status of an audit."),
        (
            S.REPORTING,
            S.REPORT_ISSUED,
            "The report is issued from the report page, which freezes its content.",
        ),
    ],
)
def test_refused_moves_say_why(personas, status, to, message):
    _refused(ready_audit(personas, status), to, personas.manager, message)


def test_closing_needs_every_nonconformity_handed_over(personas):
    audit = ready_audit(personas, S.REPORT_ISSUED)
    make_finding(audit, 1, Finding.Grade.MAJOR, title="Calibration")
    make_finding(audit, 2, Finding.Grade.MINOR, title="Training records")
    make_finding(audit, 3, Finding.Grade.OBSERVATION, title="Labels")
    _refused(
        audit,
        S.CLOSED,
        personas.manager,
        "Every major and minor nonconformity must be handed to the corrective-action workflow "
        "before the audit is closed; no nonconformity opened yet for: F1 Calibration, "
        "F2 Training records.",
    )
    for finding in Finding.objects.filter(grade__in=["major", "minor"]):
        finding.nonconformity = Nonconformity.objects.create(
            organization=personas.org,
            title=finding.title,
            description="From the audit",
            source="internal_audit",
        )
        finding.save()
    move(audit, S.CLOSED, personas.manager)
    assert Audit.objects.get(pk=audit.pk).status == S.CLOSED


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_who_may_move_an_audit(personas, role):
    audit = ready_audit(personas)
    user = personas.users[role]
    if role in AUDITORS:
        move(audit, S.PREPARED, user)
        assert Audit.objects.get(pk=audit.pk).status == S.PREPARED
    else:
        with pytest.raises(PermissionDenied):
            move(audit, S.PREPARED, user)
        assert Audit.objects.get(pk=audit.pk).status == S.PLANNED


def test_available_steps_give_their_reasons(personas):
    audit = make_audit(personas.org)
    steps = services.available_steps(audit)
    assert [(s.name, reason) for s, reason in steps] == [
        (
            "prepare",
            "The audit needs a lead auditor and at least one plan item or checklist item "
            "before it is prepared.",
        )
    ]
    audit = ready_audit(personas, S.IN_PROGRESS)
    assert [(s.name, r) for s, r in services.available_steps(audit)] == [
        ("finish_fieldwork", None),
        ("back_to_prepared", None),
    ]


# --- API and page ------------------------------------------------------------------------------


def test_api_transition(client, personas):
    audit = ready_audit(personas)
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    url = f"/api/v1/audits/{audit.pk}/transition/"
    response = client.post(url, {"to": "prepared"}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "prepared"
    assert [s["to"] for s in body["steps"]] == ["in_progress", "planned"]
    response = client.post(url, {"to": "closed"}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["detail"] == "An audit that is prepared cannot move to closed."
    response = client.post(url, {"to": "nope"}, content_type="application/json")
    assert response.status_code == 422
    login(client, personas.employee)
    response = client.post(url, {"to": "in_progress"}, content_type="application/json")
    assert response.status_code == 403
    login(client, personas.outsider)
    response = client.post(url, {"to": "in_progress"}, content_type="application/json")
    assert response.status_code == 404
    assert Audit.objects.get(pk=audit.pk).status == S.PREPARED


def test_transition_page(client, personas):
    audit = ready_audit(personas)
    url = f"/audits/{audit.pk}/transition/"
    login(client, personas.employee)
    assert client.post(url, {"to": "prepared"}).status_code == 403
    login(client, personas.outsider)
    assert client.post(url, {"to": "prepared"}).status_code == 404
    login(client, personas.manager)
    page = client.get(f"/audits/{audit.pk}/")
    assert "Mark prepared" in page.content.decode()
    response = client.get(f"{url}?to=prepared")
    assert response.status_code == 200
    response = client.post(url, {"to": "prepared", "comment": "Ready"})
    assert response.status_code == 302
    assert response["Location"] == f"/audits/{audit.pk}/"
    assert Audit.objects.get(pk=audit.pk).status == S.PREPARED
    response = client.post(url, {"to": "closed"}, follow=True)
    assert "An audit that is prepared cannot move to closed." in response.content.decode()
    assert Audit.objects.get(pk=audit.pk).status == S.PREPARED
