"""The register of documented information: the permission matrix of its pages and API, codes
from the numbering schemes, and the owner rule."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from pdca.core.registers.services import create_entry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.documents.models import Document, NumberingScheme
from pdca.documents.numbering import next_code
from pdca.documents.registers import DOCUMENTS
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db


def make_document(org, index: int = 0, **fields) -> Document:
    values = {"code": f"QP-{index:03d}", "title": f"Control of documents {index}", **fields}
    return Document.objects.create(organization=org, **values)


class TestDocumentApi(ApiBundle):
    model = Document
    url = "/api/v1/documents/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"review_interval_months": 24, "classification": "confidential"}
    invalid_payloads = [
        ({"doc_type": "poem"}, "doc_type"),
        ({"title": ""}, "title"),
        ({"review_interval_months": -1}, "review_interval_months"),
    ]

    def make(self, org, index=0):
        return make_document(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Information security policy",
            "doc_type": "policy",
        }


class TestDocumentPages(ViewBundle):
    model = Document
    list_url = "/documents/"
    create_url = "/documents/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            {
                "title": "",
                "kind": "maintained",
                "doc_type": "policy",
                "classification": "internal",
                "review_interval_months": "12",
            },
            "title",
        ),
    ]

    def make(self, org, index=0):
        return make_document(org, index)

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {
            "title": "Quality manual",
            "kind": "maintained",
            "doc_type": "manual",
            "classification": "internal",
            "review_interval_months": "12",
        }

    def edit_data(self, obj):
        return {
            "code": obj.code,
            "title": obj.title,
            "kind": "maintained",
            "doc_type": "procedure",
            "classification": "restricted",
            "review_interval_months": "6",
        }

    def detail_url(self, obj):
        return f"/documents/{obj.pk}/"

    def edit_url(self, obj):
        return f"/documents/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/documents/{obj.pk}/delete/"


def test_codes_come_from_the_numbering_scheme(personas):
    org, manager = personas.org, personas.manager
    first = create_entry(DOCUMENTS, org, actor=manager, title="Purchasing", doc_type="procedure")
    second = create_entry(DOCUMENTS, org, actor=manager, title="Training", doc_type="procedure")
    policy = create_entry(DOCUMENTS, org, actor=manager, title="Quality policy", doc_type="policy")
    assert (first.code, second.code, policy.code) == ("QP-001", "QP-002", "POL-001")
    scheme = NumberingScheme.objects.get(organization=org, doc_type="procedure")
    scheme.prefix, scheme.digits = "SOP", 4
    scheme.save()
    third = create_entry(DOCUMENTS, org, actor=manager, title="Calibration", doc_type="procedure")
    assert third.code == "SOP-0003"


def test_a_code_typed_by_hand_is_skipped_by_the_scheme(personas):
    org = personas.org
    make_document(org, code="QP-001")
    assert next_code(org, "procedure") == "QP-002"
    assert next_code(personas.other, "procedure") == "QP-001"


def test_codes_are_unique_regardless_of_case(client, personas):
    make_document(personas.org, code="QP-007")
    login(client, personas.manager)
    response = client.post(
        "/api/v1/documents/",
        {"organization": personas.org.slug, "title": "Clash", "code": "qp-007"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "code"
    assert Document.objects.filter(organization=personas.org).count() == 1


def test_a_process_owner_changes_the_documents_they_own(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_document(personas.org, 1, owner=owner)
    theirs = make_document(personas.org, 2)
    login(client, owner)
    ok = client.patch(
        f"/api/v1/documents/{mine.pk}/", {"description": "x"}, content_type="application/json"
    )
    refused = client.patch(
        f"/api/v1/documents/{theirs.pk}/", {"description": "x"}, content_type="application/json"
    )
    assert (ok.status_code, refused.status_code) == (200, 403)


@pytest.mark.django_db(transaction=True)
def test_two_people_creating_at_once_get_different_codes(personas):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the row lock matters on PostgreSQL")
    codes, errors = [], []

    def create(i):
        from django.db import connection as conn

        try:
            doc = create_entry(
                DOCUMENTS,
                personas.org,
                actor=personas.manager,
                title=f"Doc {i}",
                doc_type="form",
            )
            codes.append(doc.code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(codes) == ["F-001", "F-002", "F-003", "F-004"]


class TestNumberingSchemeApi(ApiBundle):
    model = NumberingScheme
    url = "/api/v1/numbering-schemes/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"prefix": "SOP", "digits": 4}
    invalid_payloads = [
        ({"prefix": "no spaces"}, "prefix"),
        ({"digits": 12}, "digits"),
        ({"next_number": 0}, "next_number"),
    ]
    doc_types = ("policy", "manual", "procedure", "work_instruction", "form", "plan", "record")
    # One scheme per document type: seven types leave room for seven rows.
    query_rows = (2, 7)

    def make(self, org, index=0):
        doc_type = self.doc_types[index % len(self.doc_types)]
        return NumberingScheme.objects.create(
            organization=org, doc_type=doc_type, prefix=f"P{index}"
        )

    def create_payload(self, org):
        return {"organization": org.slug, "doc_type": "other", "prefix": "GEN", "digits": 2}


class TestNumberingSchemePages(ViewBundle):
    model = NumberingScheme
    list_url = "/numbering-schemes/"
    create_url = "/numbering-schemes/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    query_rows = (2, 7)
    invalid_form_data = [
        (
            {"doc_type": "other", "prefix": "bad prefix!", "digits": "3", "next_number": "1"},
            "prefix",
        ),
    ]
    doc_types = TestNumberingSchemeApi.doc_types

    def make(self, org, index=0):
        doc_type = self.doc_types[index % len(self.doc_types)]
        return NumberingScheme.objects.create(
            organization=org, doc_type=doc_type, prefix=f"PX{index}"
        )

    def list_text(self, obj):
        return obj.prefix

    def form_data(self, org):
        return {"doc_type": "other", "prefix": "gen", "digits": "3", "next_number": "1"}

    def edit_data(self, obj):
        return {"doc_type": obj.doc_type, "prefix": "NEW", "digits": "5", "next_number": "10"}

    def detail_url(self, obj):
        return f"/numbering-schemes/{obj.pk}/"

    def edit_url(self, obj):
        return f"/numbering-schemes/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/numbering-schemes/{obj.pk}/delete/"


def test_a_scheme_set_by_hand_numbers_new_documents(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/api/v1/numbering-schemes/",
        {
            "organization": personas.org.slug,
            "doc_type": "procedure",
            "prefix": "sop",
            "digits": 4,
            "next_number": 20,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["prefix"] == "SOP"
    doc = create_entry(DOCUMENTS, personas.org, actor=personas.manager, title="Welding")
    assert doc.code == "SOP-0020"
    again = client.post(
        "/api/v1/numbering-schemes/",
        {"organization": personas.org.slug, "doc_type": "procedure", "prefix": "QP"},
        content_type="application/json",
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "doc_type"
