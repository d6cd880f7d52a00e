"""The audit plan: the permission matrix of its API and pages, its rules (within the audit's
dates, end after start, auditor on the team and not elsewhere at the time), the timetable page
and the PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.audits import services
from pdca.audits.models import Audit, AuditPlanItem, AuditTeamMember
from pdca.core.exceptions import ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle, count_queries
from pdca.core.testing.api_bundle import login
from tests.audits.test_audit_register import (
    AUDITORS,
    END,
    START,
    host_audit,
    make_audit,
    make_process,
)
from tests.audits.test_states import at

pytestmark = pytest.mark.django_db


def make_plan_item(org, index: int = 0, audit: Audit | None = None, **fields) -> AuditPlanItem:
    audit = audit or host_audit(org)
    day = START + dt.timedelta(days=index % 3)
    hour = 8 + index // 3
    values = {
        "starts_at": at(day, hour),
        "ends_at": at(day, hour) + dt.timedelta(minutes=50),
        "activity": f"Interview {index:02d}",
        **fields,
    }
    return AuditPlanItem.objects.create(organization=org, audit=audit, **values)


class TestPlanItemApi(ApiBundle):
    model = AuditPlanItem
    url = "/api/v1/audit-plan-items/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = AUDITORS
    update_payload = {"activity": "Production line 2", "auditee": "Shift lead"}
    invalid_payloads = [
        ({"activity": ""}, "activity"),
        ({"activity": None}, "activity"),
        ({"ends_at": "2026-03-02T07:00:00+00:00"}, "ends_at"),
        ({"starts_at": "2026-02-01T07:00:00+00:00"}, "starts_at"),
        ({"site": 999999}, "site"),
        ({"requirements": [99999999]}, "requirements"),
        ({"auditee": "a\x00b"}, "auditee"),
    ]

    def make(self, org, index=0):
        return make_plan_item(org, index)

    def create_payload(self, org):
        return {
            "audit": host_audit(org).pk,
            "starts_at": "2026-03-03T13:00:00",
            "ends_at": "2026-03-03T14:00:00",
            "activity": "Purchasing",
        }


class TestPlanItemPages(ViewBundle):
    model = AuditPlanItem
    list_url = "/audits/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = AUDITORS
    invalid_form_data = [
        (
            {"starts_at": "2026-03-02T10:00", "ends_at": "2026-03-02T09:00", "activity": "X"},
            "ends_at",
        ),
        (
            {"starts_at": "2026-04-02T10:00", "ends_at": "2026-04-02T11:00", "activity": "X"},
            "starts_at",
        ),
        (
            {"starts_at": "2026-03-02T10:00", "ends_at": "2026-03-02T11:00", "activity": ""},
            "activity",
        ),
    ]

    def make(self, org, index=0):
        return make_plan_item(org, index)

    def list_url_for(self, obj):
        return f"/audits/{obj.audit_id}/plan/"

    def list_text(self, obj):
        return obj.activity

    def create_url_for(self, org):
        return f"/audits/{host_audit(org).pk}/plan/new/"

    def form_data(self, org):
        return {
            "starts_at": "2026-03-03T13:00",
            "ends_at": "2026-03-03T14:00",
            "activity": "Purchasing",
        }

    def edit_data(self, obj):
        return {
            "starts_at": timezone.localtime(obj.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(obj.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "activity": "Changed activity",
        }

    def edit_url(self, obj):
        return f"/audits/plan-items/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/audits/plan-items/{obj.pk}/delete/"


# --- rules ---------------------------------------------------------------------------------------


@pytest.fixture
def team(personas):
    audit = make_audit(personas.org)
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    AuditTeamMember.objects.create(
        organization=personas.org, audit=audit, user=auditor, role="lead"
    )
    return audit, auditor


def add(audit, actor, **fields):
    values = {
        "starts_at": at(START, 9),
        "ends_at": at(START, 10),
        "activity": "Production",
        **fields,
    }
    return services.add_plan_item(audit, actor=actor, **values)


def _refused(call, field, message):
    entries = ActivityEntry.objects.count()
    items = AuditPlanItem.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert [(e.field, e.message) for e in exc.value.errors] == [(field, message)]
    assert AuditPlanItem.objects.count() == items
    assert ActivityEntry.objects.count() == entries


def test_slot_rules(personas, team):
    audit, auditor = team
    manager = personas.manager
    _refused(
        lambda: add(audit, manager, ends_at=at(START, 9)),
        "ends_at",
        "The slot must end after it starts.",
    )
    _refused(
        lambda: add(
            audit,
            manager,
            starts_at=at(END + dt.timedelta(days=1), 9),
            ends_at=at(END + dt.timedelta(days=1), 10),
        ),
        "starts_at",
        "Plan the slot within the audit's dates (2026-03-02 to 2026-03-04).",
    )
    _refused(
        lambda: add(audit, manager, auditor=personas.employee),
        "auditor",
        "Employee A is not on the audit's team; add them first.",
    )
    item = add(audit, manager, auditor=auditor)
    entry = ActivityEntry.objects.get(object_type="audits.auditplanitem", action="create")
    assert entry.changes["activity"] == [None, "Production"]
    assert entry.changes["auditor"] == [None, auditor.pk]
    other = make_audit(personas.org, 2, reference="IA-OTHER")
    AuditTeamMember.objects.create(organization=personas.org, audit=other, user=auditor)
    local = timezone.localtime(item.starts_at)
    _refused(
        lambda: add(
            other,
            manager,
            auditor=auditor,
            starts_at=at(START, 9) + dt.timedelta(minutes=30),
            ends_at=at(START, 11),
            activity="Dispatch",
        ),
        "starts_at",
        f"Internal Auditor A is already planned then: “Production” (IA-2026-00 Production audit 0) "
        f"from {local:%Y-%m-%d %H:%M}.",
    )
    # Back to back is fine.
    add(other, manager, auditor=auditor, starts_at=at(START, 10), ends_at=at(START, 11))


def test_an_auditor_may_not_be_planned_on_a_process_they_own(personas, team):
    audit, auditor = team
    process = make_process(personas.org, 1, name="Calibration", owner=auditor)
    _refused(
        lambda: add(audit, personas.manager, auditor=auditor, process=process),
        "auditor",
        "Internal Auditor A may not audit P-01 Calibration: they own this process; an internal "
        "auditor may not audit their own work.",
    )


def test_update_and_delete_record_their_changes(personas, team):
    audit, auditor = team
    item = add(audit, personas.manager)
    services.update_plan_item(item, actor=personas.manager, activity="Warehouse", auditor=auditor)
    entry = ActivityEntry.objects.get(object_type="audits.auditplanitem", action="update")
    assert entry.changes == {"activity": ["Production", "Warehouse"], "auditor": [None, auditor.pk]}
    services.delete_plan_item(item, actor=personas.manager)
    assert not AuditPlanItem.objects.exists()


def test_plan_page_groups_by_day_with_constant_queries(client, personas, team):
    audit, auditor = team
    login(client, personas.employee)  # auditees see the plan
    url = f"/audits/{audit.pk}/plan/"
    for i in range(2):
        make_plan_item(personas.org, i, audit=audit, auditor=auditor)
    n_small, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    for i in range(2, 12):
        make_plan_item(
            personas.org, i, audit=audit, auditor=auditor, process=make_process(personas.org, i)
        )
    n_large, response = count_queries(lambda: client.get(url))
    assert n_large == n_small
    days = response.context["days"]
    assert [d for d, _ in days] == [START, START + dt.timedelta(days=1), END]
    assert [len(items) for _, items in days] == [4, 4, 4]
    html = response.content.decode()
    assert "Interview 11" in html
    assert "Add a slot" not in html  # an employee reads only


def test_plan_pdf(client, personas, team):
    audit, auditor = team
    make_plan_item(personas.org, 0, audit=audit, auditor=auditor, activity="Opening meeting")
    login(client, personas.employee)
    response = client.get(f"/audits/{audit.pk}/plan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="audit-plan-IA-2026-00.pdf"'
    assert response.content.startswith(b"%PDF")
    login(client, personas.outsider)
    assert client.get(f"/audits/{audit.pk}/plan.pdf").status_code == 404


def test_plan_pdf_text(personas, team):
    from pdca.audits.plan.pdf import plan_html

    audit, auditor = team
    make_plan_item(personas.org, 0, audit=audit, auditor=auditor, activity="Opening meeting")
    html = plan_html(audit)
    assert "Audit plan: IA-2026-00 Production audit 0" in html
    assert "Opening meeting" in html
    assert "Internal Auditor A (lead auditor)" in html


def test_nested_plan_endpoints(client, personas, team):
    audit, auditor = team
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    url = f"/api/v1/audits/{audit.pk}/plan/"
    body = {
        "starts_at": "2026-03-02T09:00:00+00:00",
        "ends_at": "2026-03-02T10:00:00+00:00",
        "activity": "Opening meeting",
        "auditor": auditor.pk,
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    item = AuditPlanItem.objects.get()
    assert response.json()["id"] == item.pk
    assert response.json()["auditor"] == auditor.pk
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts_at"
    assert [r["id"] for r in client.get(url).json()["items"]] == [item.pk]
    login(client, personas.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, body, content_type="application/json").status_code == 404
