"""The fieldwork API: checklist items, evidence records and saved checklists (the permission
matrix from the bundles), generating and reading an audit's checklist, and query counts."""

from __future__ import annotations

import pytest

from pdca.audits.models import Audit, ChecklistItem, EvidenceRecord, SavedChecklist
from pdca.audits.permissions import AUDITORS, INSIDERS
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ApiBundle, count_queries
from pdca.core.testing.api_bundle import login
from tests.audits.test_checklists import (
    EMS,
    QMS,
    audit_of,
    make_audit,
    make_evidence,
    make_item,
    make_saved,
    make_version,
    req,
)

pytestmark = pytest.mark.usefixtures("catalog")

API = "/api/v1"


class TestChecklistItemApi(ApiBundle):
    model = ChecklistItem
    url = f"{API}/checklist-items/"
    view_roles = INSIDERS
    add_roles = change_roles = delete_roles = AUDITORS
    update_payload = {"result": "conforming", "notes": "Seen the register"}
    invalid_payloads = [
        ({"result": "maybe"}, "result"),
        ({"notes": None}, "notes"),
        ({"question": "Changed?"}, "question"),
    ]

    def make(self, org, index=0):
        return make_item(org, index)

    def create_payload(self, org):
        return {"audit": audit_of(org).pk, "question": "Are the fire exits clear?"}


class TestEvidenceRecordApi(ApiBundle):
    model = EvidenceRecord
    url = f"{API}/evidence-records/"
    view_roles = INSIDERS
    add_roles = change_roles = delete_roles = AUDITORS
    update_payload = {"description": "Seen again, later"}
    invalid_payloads = [
        ({"kind": "record"}, "sample_size"),
        ({"description": ""}, "description"),
        ({"document_version": 999999}, "document_version"),
    ]

    def make(self, org, index=0):
        return make_evidence(org, index)

    def create_payload(self, org):
        item = ChecklistItem.objects.filter(audit=audit_of(org)).first() or make_item(org)
        return {"item": item.pk, "kind": "record", "description": "Receipts", "sample_size": 3}


class TestSavedChecklistApi(ApiBundle):
    model = SavedChecklist
    url = f"{API}/saved-checklists/"
    view_roles = INSIDERS
    add_roles = change_roles = delete_roles = AUDITORS
    update_payload = {"name": "Renamed"}
    invalid_payloads = [
        (lambda org: {"organization": org.slug, "name": ""}, "name"),
        (lambda org: {"organization": org.slug, "name": "X", "items": [{}]}, "items.0.question"),
        (
            {"name": "Saved 0", "items": [{"requirement": 0, "question": "?"}]},
            "items.0.requirement",
        ),
    ]

    def make(self, org, index=0):
        return make_saved(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "name": "Warehouse walk",
            "items": [{"requirement": None, "question": "Aisles clear?"}],
        }


# --- an audit's checklist -----------------------------------------------------------------


def body(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_generate_by_role(client, personas, role):
    audit = make_audit(personas.org, codes=(QMS, EMS))
    login(client, personas.users[role])
    response = client.post(f"{API}/audits/{audit.pk}/checklist/generate/")
    if role in AUDITORS:
        assert body(response) == {"added": 85, "total": 85}
        again = client.post(f"{API}/audits/{audit.pk}/checklist/generate/?include_children=true")
        assert body(again) == {"added": 0, "total": 85}
    else:
        assert response.status_code == 403
        assert not audit.checklist.exists()


def test_the_outsider_cannot_generate_or_read(client, personas):
    audit = make_audit(personas.org)
    make_item(personas.org, audit=audit)
    login(client, personas.outsider)
    assert client.post(f"{API}/audits/{audit.pk}/checklist/generate/").status_code == 404
    assert client.get(f"{API}/audits/{audit.pk}/checklist/").status_code == 404
    assert audit.checklist.count() == 1


def test_the_checklist_lists_and_filters(client, personas):
    audit = make_audit(personas.org, codes=(QMS, EMS))
    login(client, personas.manager)
    client.post(f"{API}/audits/{audit.pk}/checklist/generate/")
    url = f"{API}/audits/{audit.pk}/checklist/"
    page = body(client.get(url, {"limit": 500}))
    assert page["count"] == 85
    shared = next(i for i in page["items"] if i["question"].startswith("4.1 "))
    assert shared["standards"] == [EMS, QMS]
    assert {c["number"] for c in shared["covers"]} == {"4.1"}
    assert body(client.get(url, {"standard": EMS}))["count"] == 32
    item = audit.checklist.get(covers=req(QMS, "8.5.1"))
    body(
        client.patch(
            f"{API}/checklist-items/{item.pk}/",
            {"result": "nonconformity"},
            content_type="application/json",
        )
    )
    found = body(client.get(url, {"result": "nonconformity"}))
    assert [i["id"] for i in found["items"]] == [item.pk]
    assert body(client.get(url, {"unanswered": True}))["count"] == 84
    assert body(client.get(url, {"q": "Control of production"}))["count"] == 1


def test_employees_cannot_read_the_checklist(client, personas):
    audit = make_audit(personas.org)
    make_item(personas.org, audit=audit)
    login(client, personas.employee)
    assert client.get(f"{API}/audits/{audit.pk}/checklist/").json()["count"] == 0
    assert client.get(f"{API}/checklist-items/").json()["count"] == 0


def test_checklist_query_count_does_not_grow(client, personas):
    audit = make_audit(personas.org)
    login(client, personas.manager)
    url = f"{API}/audits/{audit.pk}/checklist/"

    def fill(n):
        for i in range(n):
            item = make_item(personas.org, i, audit=audit)
            item.covers.set([req(QMS, "4.1")])
            make_evidence(personas.org, i, item=item)

    fill(2)
    small, _ = count_queries(lambda: client.get(url))
    fill(12)
    large, response = count_queries(lambda: client.get(url))
    assert response.json()["count"] == 14
    assert large == small


def test_evidence_on_an_item(client, personas):
    item = make_item(personas.org)
    version = make_version(personas.org, personas.manager)
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    created = body(
        client.post(
            f"{API}/checklist-items/{item.pk}/evidence/",
            {"kind": "document", "description": "Procedure read", "document_version": version.pk},
            content_type="application/json",
        ),
        201,
    )
    assert created["document_version"] == version.pk
    assert created["recorded_by"] == "internal_auditor@a.example"
    theirs = make_version(personas.other, personas.outsider, code="B-1")
    before = ActivityEntry.objects.count()
    response = client.post(
        f"{API}/checklist-items/{item.pk}/evidence/",
        {"kind": "document", "description": "Read", "document_version": theirs.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"document_version"}
    assert item.evidence.count() == 1
    assert ActivityEntry.objects.count() == before


def test_fieldwork_closed_answers_409(client, personas):
    item = make_item(personas.org)
    Audit.objects.filter(pk=item.audit_id).update(status=Audit.Status.REPORT_ISSUED)
    login(client, personas.manager)
    response = client.patch(
        f"{API}/checklist-items/{item.pk}/",
        {"result": "conforming"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "fieldwork_closed"
    item.refresh_from_db()
    assert item.result == ""


def test_save_an_audit_and_apply_it(client, personas):
    first = make_audit(personas.org)
    make_item(personas.org, audit=first, question="Fire exits clear?")
    second = make_audit(personas.org, index=1)
    login(client, personas.manager)
    saved = body(
        client.post(
            f"{API}/saved-checklists/",
            {"organization": "org-a", "name": "Safety walk", "audit": first.pk},
            content_type="application/json",
        ),
        201,
    )
    assert saved["items"] == [{"requirement": None, "question": "Fire exits clear?"}]
    applied = client.post(
        f"{API}/audits/{second.pk}/checklist/apply/",
        {"saved_checklist": saved["id"]},
        content_type="application/json",
    )
    assert body(applied) == {"added": 1, "total": 1}
    theirs = make_saved(personas.other)
    refused = client.post(
        f"{API}/audits/{second.pk}/checklist/apply/",
        {"saved_checklist": theirs.pk},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert second.checklist.count() == 1
