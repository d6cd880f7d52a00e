"""API of document versions: the generic permission matrix, the workflow endpoint (steps by
role, the author refused, invalid steps 409), records that answer 409 to changes, versions of
a process owner's own documents, approvals and history."""

from __future__ import annotations

import pytest

from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ApiBundle
from pdca.core.testing.api_bundle import ROLES, login
from pdca.documents.models import Approval, DocumentVersion
from pdca.documents.permissions import APPROVERS
from pdca.system.permissions import IMPLEMENTERS
from tests.documents.test_versions import make_document, make_file, make_version

pytestmark = pytest.mark.django_db

API = "/api/v1/document-versions/"
Status = DocumentVersion.Status


class TestDocumentVersionApi(ApiBundle):
    model = DocumentVersion
    url = API
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"content": "# Revised", "change_summary": "Revised wording"}
    invalid_payloads = [
        ({"content": None}, "content"),
        ({"change_summary": None}, "change_summary"),
        ({"content": "bad\x00"}, "content"),
        ({"file": 999999}, "file"),
        ({"status": "published"}, "status"),
        ({"content": "x" * 1_000_001}, "content"),
    ]

    def make(self, org, index=0):
        return make_version(org, number=index + 1)

    def create_payload(self, org):
        return {
            "document": make_document(org).pk,
            "content": "# Control of documents",
            "change_summary": "First issue",
        }


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def step(client, version, to, **body):
    return post(client, f"{API}{version.pk}/transition/", {"to": to, **body})


def test_the_whole_workflow_through_the_api(client, personas):
    author, approver = personas.users[Role.CONSULTANT], personas.users[Role.TOP_MANAGEMENT]
    document = make_document(personas.org)
    login(client, author)
    created = post(client, API, {"document": document.pk, "content": "# Policy"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["status"], body["author"], body["code"]) == (
        1,
        "draft",
        author.email,
        "QP-001",
    )
    version_id = body["id"]
    version = DocumentVersion.objects.get(pk=version_id)
    response = step(client, version, "submit")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["change_summary"]
    client.patch(
        f"{API}{version_id}/", {"change_summary": "First"}, content_type="application/json"
    )
    assert step(client, version, "in_review").json()["status"] == "in_review"
    refused = step(client, version, "approve")
    assert refused.status_code == 403
    assert refused.json()["code"] == "author_cannot_approve"
    login(client, approver)
    approved = step(client, version, "approved", comment="Good")
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["approved_by"]) == (
        "approved",
        approver.email,
    )
    published = step(client, version, "publish", effective_date="2026-03-01")
    assert (published.json()["status"], published.json()["effective_date"]) == (
        "published",
        "2026-03-01",
    )
    again = step(client, version, "publish")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    approvals = client.get(f"{API}{version_id}/approvals/").json()["items"]
    assert [(a["reviewer"], a["decision"], a["comment"]) for a in approvals] == [
        (approver.email, "approved", "Good")
    ]
    history = client.get(f"{API}{version_id}/history/").json()["items"]
    assert [h["action"] for h in history] == ["publish", "approve", "submit", "update", "create"]


@pytest.mark.parametrize("role", ROLES)
def test_approval_by_role(client, personas, role):
    org = personas.org_for(role)
    version = make_version(org, Status.IN_REVIEW, author=personas.users[Role.CONSULTANT])
    if role == Role.CONSULTANT:
        pytest.skip("the author")
    login(client, personas.users[role])
    response = step(client, version, "approve")
    version.refresh_from_db()
    if role in APPROVERS:
        assert response.status_code == 200, response.content
        assert version.status == "approved"
    else:
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)
        assert version.status == "in_review"
        assert not Approval.objects.exists()


@pytest.mark.parametrize("status", ["published", "superseded", "obsolete"])
def test_a_record_answers_409_to_changes(client, personas, status):
    version = make_version(personas.org, status)
    login(client, personas.manager)
    response = client.patch(
        f"{API}{version.pk}/", {"content": "# New"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "version_locked"
    assert client.delete(f"{API}{version.pk}/").status_code == 409
    version.refresh_from_db()
    assert version.content.startswith("# Document")


def test_a_process_owner_writes_versions_of_their_own_documents(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    own = make_document(personas.org, "OWN-1", owner=owner)
    other = make_document(personas.org, "OTHER-1")
    login(client, owner)
    created = post(client, API, {"document": own.pk, "content": "# Mine", "change_summary": "v1"})
    assert created.status_code == 201
    version_id = created.json()["id"]
    patched = client.patch(
        f"{API}{version_id}/", {"content": "# Mine, better"}, content_type="application/json"
    )
    assert patched.status_code == 200
    assert post(client, f"{API}{version_id}/transition/", {"to": "submit"}).status_code == 200
    refused = post(client, API, {"document": other.pk, "content": "# Not mine"})
    assert refused.status_code == 403
    assert not other.versions.exists()


def test_creating_a_version_of_another_organization_answers_404(client, personas):
    document = make_document(personas.org)
    login(client, personas.outsider)
    assert post(client, API, {"document": document.pk, "content": "# x"}).status_code == 404
    assert not DocumentVersion.objects.exists()


def test_a_second_open_version_answers_409(client, personas):
    version = make_version(personas.org)
    login(client, personas.manager)
    response = post(client, API, {"document": version.document_id, "content": "# Another"})
    assert response.status_code == 409
    assert response.json()["code"] == "open_version_exists"


def test_a_file_version(client, personas):
    evidence = make_file(personas.org)
    foreign = make_file(personas.other)
    document = make_document(personas.org)
    login(client, personas.manager)
    refused = post(client, API, {"document": document.pk, "file": foreign.pk})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["file"]
    created = post(client, API, {"document": document.pk, "file": evidence.pk})
    assert created.status_code == 201
    assert (created.json()["file"], created.json()["content"]) == (evidence.pk, "")


def test_list_filters(client, personas):
    first = make_version(personas.org, Status.PUBLISHED)
    second = make_version(personas.org, Status.DRAFT, document=first.document)
    elsewhere = make_version(personas.org, document=make_document(personas.org, "QP-002"))
    login(client, personas.employee)
    ids = lambda q: [i["id"] for i in client.get(f"{API}?{q}").json()["items"]]  # noqa: E731
    assert ids(f"document={first.document_id}") == [second.pk, first.pk]
    assert ids("status=published") == [first.pk]
    assert set(ids("")) == {first.pk, second.pk, elsewhere.pk}
    assert client.get(f"{API}?status=lost").status_code == 422


def test_an_unknown_step_answers_422_naming_it(client, personas):
    version = make_version(personas.org)
    login(client, personas.manager)
    response = step(client, version, "burn")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["to"]


def test_approvals_and_history_are_hidden_from_other_organizations(client, personas):
    version = make_version(personas.org, Status.IN_REVIEW)
    login(client, personas.outsider)
    for suffix in ("approvals/", "history/", "transition/"):
        url = f"{API}{version.pk}/{suffix}"
        response = client.get(url) if suffix != "transition/" else step(client, version, "approve")
        assert response.status_code == 404, url
