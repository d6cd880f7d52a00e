"""Context issues (4.1) and interested parties (4.2): the permission matrix of their pages
and API, their validation, and the owner rule (a process owner changes the rows they own)."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.system.models import ContextIssue, InterestedParty
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db


def make_issue(org, index: int = 0, **fields) -> ContextIssue:
    values = {
        "title": f"Skilled machinist shortage {index}",
        "origin": "external",
        "category": "social",
        "effect": "negative",
        **fields,
    }
    return ContextIssue.objects.create(organization=org, **values)


def make_party(org, index: int = 0, **fields) -> InterestedParty:
    values = {
        "name": f"Aerospace customers {index}",
        "origin": "external",
        "category": "customer",
        "needs": "On-time delivery of conforming parts",
        **fields,
    }
    return InterestedParty.objects.create(organization=org, **values)


class TestContextIssueApi(ApiBundle):
    model = ContextIssue
    url = "/api/v1/context-issues/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"status": "monitoring", "effect_description": "Longer lead times"}
    invalid_payloads = [
        ({"category": "astrology"}, "category"),
        ({"title": "x" * 201}, "title"),
        ({"owner": 999999}, "owner"),
        (lambda org: {"organization": org.slug, "origin": "external"}, "title"),
    ]

    def make(self, org, index=0):
        return make_issue(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "New EU machinery regulation",
            "origin": "external",
            "category": "legal",
            "review_date": "2027-03-01",
        }


class TestContextIssuePages(ViewBundle):
    model = ContextIssue
    list_url = "/context-issues/"
    create_url = "/context-issues/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        ({"title": "", "origin": "external", "category": "legal", "effect": "negative"}, "title"),
        (
            {"title": "T", "origin": "nowhere", "category": "legal", "effect": "negative"},
            "origin",
        ),
    ]

    def make(self, org, index=0):
        return make_issue(org, index)

    def form_data(self, org):
        return {
            "title": "Energy prices",
            "origin": "external",
            "category": "economic",
            "effect": "negative",
            "status": "current",
        }

    def edit_data(self, obj):
        return {
            "title": obj.title,
            "origin": obj.origin,
            "category": obj.category,
            "effect": "mixed",
            "status": "monitoring",
        }

    def detail_url(self, obj):
        return f"/context-issues/{obj.pk}/"

    def edit_url(self, obj):
        return f"/context-issues/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/context-issues/{obj.pk}/delete/"


class TestInterestedPartyApi(ApiBundle):
    model = InterestedParty
    url = "/api/v1/interested-parties/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"monitoring": "Quarterly customer review meetings", "influence": "high"}
    invalid_payloads = [
        ({"influence": "enormous"}, "influence"),
        (lambda org: {"organization": org.slug, "name": "Regulator"}, "origin"),
    ]

    def make(self, org, index=0):
        return make_party(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "name": "Health and Safety Executive",
            "origin": "external",
            "category": "regulator",
            "needs": "Compliance with workplace safety law",
        }


class TestInterestedPartyPages(ViewBundle):
    model = InterestedParty
    list_url = "/interested-parties/"
    create_url = "/interested-parties/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            {"name": "", "origin": "external", "category": "customer", "needs": "x"},
            "name",
        ),
    ]

    def make(self, org, index=0):
        return make_party(org, index)

    def form_data(self, org):
        return {
            "name": "Local residents",
            "origin": "external",
            "category": "community",
            "needs": "Low noise at night",
            "addressed": "on",
            "influence": "low",
        }

    def edit_data(self, obj):
        return {
            "name": obj.name,
            "origin": obj.origin,
            "category": obj.category,
            "needs": obj.needs,
            "influence": "high",
        }

    def detail_url(self, obj):
        return f"/interested-parties/{obj.pk}/"

    def edit_url(self, obj):
        return f"/interested-parties/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/interested-parties/{obj.pk}/delete/"


def test_a_process_owner_changes_the_issues_they_own_only(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_issue(personas.org, 1, owner=owner)
    theirs = make_issue(personas.org, 2, owner=personas.manager)
    login(client, owner)
    response = client.patch(
        f"/api/v1/context-issues/{mine.pk}/", {"status": "closed"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    response = client.patch(
        f"/api/v1/context-issues/{theirs.pk}/",
        {"status": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "current"


def test_the_same_party_cannot_be_registered_twice(client, personas):
    make_party(personas.org, name="Aerospace customers")
    login(client, personas.manager)
    response = client.post(
        "/api/v1/interested-parties/",
        {
            "organization": personas.org.slug,
            "name": "aerospace customers",
            "origin": "external",
            "category": "customer",
            "needs": "x",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert InterestedParty.objects.filter(organization=personas.org).count() == 1


def test_an_owner_from_another_organization_is_refused(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/api/v1/context-issues/",
        {
            "organization": personas.org.slug,
            "title": "Cyber attacks on suppliers",
            "origin": "external",
            "category": "technological",
            "owner": personas.outsider.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "owner"
    assert not ContextIssue.objects.filter(organization=personas.org).exists()


def test_list_filters_and_sorts(client, personas):
    make_issue(personas.org, 1, title="B issue", category="legal", review_date=dt.date(2027, 1, 1))
    make_issue(personas.org, 2, title="A issue", category="economic")
    make_issue(personas.org, 3, title="C issue", category="legal")
    login(client, personas.employee)
    page = client.get("/context-issues/?category=legal&sort=-title").content.decode()
    assert page.index("C issue") < page.index("B issue")
    assert "A issue" not in page
    api = client.get("/api/v1/context-issues/?category=legal&sort=-title").json()
    assert [i["title"] for i in api["items"]] == ["C issue", "B issue"]
    assert client.get("/api/v1/context-issues/?category=astrology").status_code == 422


def test_an_owner_may_not_hand_their_issue_to_someone_else(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_issue(personas.org, 1, owner=owner)
    login(client, owner)
    response = client.patch(
        f"/api/v1/context-issues/{mine.pk}/",
        {"owner": personas.manager.pk, "status": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "owner"
    mine.refresh_from_db()
    assert (mine.owner, mine.status) == (owner, "current")
    # Keeping themselves as owner is fine (a form always sends the field).
    response = client.patch(
        f"/api/v1/context-issues/{mine.pk}/",
        {"owner": owner.pk, "status": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 200
