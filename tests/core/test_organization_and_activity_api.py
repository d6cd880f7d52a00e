"""The organizations endpoints (/api/v1/organizations/) and the activity log (/api/v1/activity/)."""

import datetime as dt

import pytest
from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.activity import record_activity, snapshot
from pdca.core.models import ActivityEntry
from pdca.core.roles import OVERSEERS, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import ROLES, login
from pdca.core.testing.personas import PASSWORD
from pdca.tenancy.models import Membership, Organization
from tests.tenancy.factories import make_site

ORGS = "/api/v1/organizations/"
ACTIVITY = "/api/v1/activity/"
ORG_CHANGERS = frozenset({Role.ADMIN, Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.CB_MANAGER})
LOG_READERS = frozenset(
    {
        Role.ADMIN,
        Role.SYSTEM_MANAGER,
        Role.CONSULTANT,
        Role.CB_MANAGER,
        Role.TOP_MANAGEMENT,
        Role.INTERNAL_AUDITOR,
        Role.LEAD_AUDITOR,
        Role.CERTIFICATION_DECISION_MAKER,
    }
)


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@example.com", PASSWORD, full_name="Root")


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def org_entries(org, **filters):
    return ActivityEntry.objects.filter(organization=org, **filters)


# --- listing and reading organizations ----------------------------------------------------


def test_list_shows_only_my_organizations_with_my_role(client, personas):
    login(client, personas.manager)
    body = client.get(ORGS).json()
    assert (body["count"], body["limit"], body["offset"]) == (1, 50, 0)
    (item,) = body["items"]
    assert {k: v for k, v in item.items() if k != "created_at"} == {
        "id": personas.org.pk,
        "slug": "org-a",
        "name": "Org A",
        "kind": "organization",
        "legal_name": "",
        "country": "",
        "description": "",
        "role": "system_manager",
    }


def test_list_shows_each_membership_with_its_own_role(client, personas):
    user = personas.manager
    Membership.objects.create(organization=personas.cb, user=user, role=Role.AUDITOR)
    login(client, user)
    items = client.get(ORGS).json()["items"]
    assert [(i["slug"], i["role"]) for i in items] == [
        ("cb", "auditor"),
        ("org-a", "system_manager"),
    ]


def test_list_leaves_out_inactive_organizations(client, personas):
    Organization.objects.filter(pk=personas.org.pk).update(is_active=False)
    login(client, personas.manager)
    assert client.get(ORGS).json()["count"] == 0


def test_a_superuser_without_membership_sees_no_organization(client, personas, root):
    login(client, root)
    assert client.get(ORGS).json()["items"] == []


def test_anonymous_visitor_is_asked_to_sign_in(client, personas):
    assert problem_of(client.get(ORGS), 401)["code"] == "not_authenticated"
    assert client.get(f"{ORGS}org-a/").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_own_organization_is_readable_by_every_role(client, personas, role):
    org = personas.org_for(role)
    login(client, personas.users[role])
    response = client.get(f"{ORGS}{org.slug}/")
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["role"]) == (org.pk, role)


def test_another_organization_is_not_found(client, personas):
    login(client, personas.outsider)
    assert problem_of(client.get(f"{ORGS}org-a/"), 404)["code"] == "not_found"
    assert problem_of(client.get(f"{ORGS}no-such-org/"), 404)["code"] == "not_found"


# --- changing an organization -------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_patch_organization_by_role(client, personas, role):
    org = personas.org_for(role)
    user = personas.users[role]
    before = snapshot(org)
    login(client, user)
    response = client.patch(
        f"{ORGS}{org.slug}/",
        {"description": "Makes widgets", "country": "DE"},
        content_type="application/json",
    )
    org.refresh_from_db()
    if role in ORG_CHANGERS:
        assert response.status_code == 200, response.content
        assert (response.json()["description"], response.json()["country"]) == (
            "Makes widgets",
            "DE",
        )
        assert (org.description, org.country) == ("Makes widgets", "DE")
        entry = org_entries(org, action="update").get()
        assert (entry.actor, entry.via, entry.object_type) == (user, "api", "tenancy.organization")
        assert entry.changes == {"country": ["", "DE"], "description": ["", "Makes widgets"]}
    else:
        assert problem_of(response, 403)["code"] == "permission_denied"
        assert snapshot(org) == before
        assert not org_entries(org).exists()


def test_patch_refusal_names_the_role(client, personas):
    # Regression: the message read "may not change a organization".
    login(client, personas.employee)
    response = client.patch(f"{ORGS}org-a/", {"name": "X"}, content_type="application/json")
    assert problem_of(response, 403)["detail"] == (
        "Your role (Employee) may not change an organization in this organization."
    )


def test_outsider_cannot_patch_another_organization(client, personas):
    before = snapshot(personas.org)
    login(client, personas.outsider)
    response = client.patch(f"{ORGS}org-a/", {"name": "Mine"}, content_type="application/json")
    assert problem_of(response, 404)["code"] == "not_found"
    personas.org.refresh_from_db()
    assert snapshot(personas.org) == before
    assert not ActivityEntry.objects.filter(organization=personas.org).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"country": "de"}, "country"),
        ({"country": "DEU"}, "country"),
        ({"name": ""}, "name"),
        ({"slug": "renamed"}, "slug"),
        ({"kind": "consultancy"}, "kind"),
    ],
)
def test_invalid_patch_names_the_field_and_changes_nothing(client, personas, body, field):
    before = snapshot(personas.org)
    login(client, personas.manager)
    response = client.patch(f"{ORGS}org-a/", body, content_type="application/json")
    assert [e["field"] for e in problem_of(response, 422)["errors"]] == [field]
    personas.org.refresh_from_db()
    assert snapshot(personas.org) == before
    assert not org_entries(personas.org).exists()


def test_patch_that_changes_nothing_records_nothing(client, personas):
    login(client, personas.manager)
    response = client.patch(f"{ORGS}org-a/", {"name": "Org A"}, content_type="application/json")
    assert response.status_code == 200
    assert not org_entries(personas.org).exists()


# --- creating an organization -------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_superusers_create_organizations(client, personas, role):
    count = Organization.objects.count()
    login(client, personas.users[role])
    response = client.post(ORGS, {"name": "Newco"}, content_type="application/json")
    problem = problem_of(response, 403)
    assert problem["code"] == "permission_denied"
    assert problem["detail"] == "Only platform administrators may create organizations."
    assert Organization.objects.count() == count


def test_a_superuser_creates_an_organization_and_becomes_its_admin(client, personas, root):
    login(client, root)
    response = client.post(
        ORGS,
        {"name": "Newco Ltd", "country": "GB", "kind": "consultancy"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    org = Organization.objects.get(pk=body["id"])
    assert (body["slug"], body["kind"], body["country"], body["role"]) == (
        "newco-ltd",
        "consultancy",
        "GB",
        "admin",
    )
    assert (org.name, org.slug, org.kind) == ("Newco Ltd", "newco-ltd", "consultancy")
    assert list(Membership.objects.filter(organization=org).values_list("user", "role")) == [
        (root.pk, "admin")
    ]
    entries = org_entries(org).order_by("seq")
    assert [(e.seq, e.action, e.object_type, e.via, e.actor_id) for e in entries] == [
        (1, "create", "tenancy.organization", "api", root.pk),
        (2, "create", "tenancy.membership", "api", root.pk),
    ]


def test_a_superuser_names_someone_else_as_first_admin(client, personas, root):
    login(client, root)
    response = client.post(
        ORGS,
        {"name": "Newco", "slug": "newco", "first_admin_email": "EMPLOYEE@a.example"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["role"] is None
    org = Organization.objects.get(slug="newco")
    assert list(Membership.objects.filter(organization=org).values_list("user", "role")) == [
        (personas.employee.pk, "admin")
    ]


def test_an_unknown_first_admin_is_not_found_and_nothing_is_created(client, personas, root):
    count = Organization.objects.count()
    login(client, root)
    response = client.post(
        ORGS,
        {"name": "Newco", "first_admin_email": "nobody@example.com"},
        content_type="application/json",
    )
    assert problem_of(response, 404)["code"] == "not_found"
    assert Organization.objects.count() == count


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Newco", "kind": "government"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "Newco", "slug": "Not A Slug"}, "slug"),
        ({"name": "Newco", "country": "gb"}, "country"),
        ({"name": "Newco", "owner": "me"}, "owner"),
    ],
)
def test_invalid_new_organization_names_the_field(client, personas, root, body, field):
    count, entries = Organization.objects.count(), ActivityEntry.objects.count()
    login(client, root)
    response = client.post(ORGS, body, content_type="application/json")
    assert [e["field"] for e in problem_of(response, 422)["errors"]] == [field]
    assert Organization.objects.count() == count
    assert ActivityEntry.objects.count() == entries


def test_a_taken_slug_is_a_conflict(client, personas, root):
    count = Organization.objects.count()
    login(client, root)
    response = client.post(
        ORGS, {"name": "Another A", "slug": "org-a"}, content_type="application/json"
    )
    problem = problem_of(response, 409)
    assert problem["code"] == "duplicate"
    assert problem["detail"] == "The short name 'org-a' is taken."
    assert Organization.objects.count() == count


# --- the activity log ---------------------------------------------------------------------


def note(org, n: int = 1, action: str = "note", actor=None) -> list[ActivityEntry]:
    site = make_site(org, ActivityEntry.objects.count())
    return [record_activity(actor=actor, action=action, obj=site) for _ in range(n)]


def activity_ids(client, query: str = "") -> list[int]:
    response = client.get(f"{ACTIVITY}{query}")
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_log_readers_are_the_overseers():
    assert OVERSEERS == LOG_READERS


@pytest.mark.parametrize("role", ROLES)
def test_activity_shows_own_organizations_entries_to_overseers_only(client, personas, role):
    mine = note(personas.org_for(role), 2)
    note(personas.other)
    record_activity(actor=None, action="note", obj=personas.outsider)  # platform chain
    login(client, personas.users[role])
    ids = activity_ids(client)
    assert ids == ([e.pk for e in reversed(mine)] if role in LOG_READERS else [])


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.PROCESS_OWNER])
def test_activity_is_an_empty_list_for_narrow_roles(client, personas, role):
    note(personas.org, 3)
    login(client, personas.users[role])
    assert client.get(ACTIVITY).json() == {"count": 0, "limit": 50, "offset": 0, "items": []}


def test_outsider_never_sees_another_organizations_entries(client, personas):
    note(personas.org, 3)
    theirs = note(personas.other)
    login(client, personas.outsider)
    assert activity_ids(client) == [theirs[0].pk]
    assert activity_ids(client, "?organization=org-a") == []


def test_activity_item_shows_the_entry(client, personas):
    site = make_site(personas.org, name="Depot")
    entry = record_activity(
        actor=personas.manager, action="update", obj=site, changes={"city": ["Leeds", "York"]}
    )
    login(client, personas.manager)
    (item,) = client.get(ACTIVITY).json()["items"]
    assert {k: v for k, v in item.items() if k != "created_at"} == {
        "id": entry.pk,
        "organization": "org-a",
        "seq": 1,
        "actor": "system_manager@a.example",
        "via": "system",
        "action": "update",
        "object_type": "tenancy.site",
        "object_id": str(site.pk),
        "object_repr": "Depot",
        "changes": {"city": ["Leeds", "York"]},
        "message": "",
        "hash": entry.hash,
    }


def test_activity_filters_by_organization(client, personas):
    user = personas.manager
    Membership.objects.create(organization=personas.other, user=user, role=Role.TOP_MANAGEMENT)
    in_a, in_b = note(personas.org), note(personas.other)
    login(client, user)
    assert activity_ids(client, "?organization=org-a") == [in_a[0].pk]
    assert activity_ids(client, "?organization=org-b") == [in_b[0].pk]
    assert sorted(activity_ids(client)) == sorted([in_a[0].pk, in_b[0].pk])


def test_activity_filters_by_object_type_and_action(client, personas):
    site_entries = note(personas.org, action="update")
    org_entry = record_activity(actor=None, action="update", obj=personas.org)
    deleted = note(personas.org, action="delete")
    login(client, personas.manager)
    assert activity_ids(client, "?object_type=tenancy.organization") == [org_entry.pk]
    assert activity_ids(client, "?object_type=tenancy.site&action=update") == [site_entries[0].pk]
    assert activity_ids(client, "?action=delete") == [deleted[0].pk]


def test_activity_filters_by_actor_email_in_any_case(client, personas):
    by_manager = note(personas.org, actor=personas.manager)
    note(personas.org, actor=personas.employee)
    note(personas.org)
    login(client, personas.manager)
    assert activity_ids(client, "?actor=System_Manager@A.example") == [by_manager[0].pk]
    assert len(activity_ids(client, "?actor=system")) == 1


def test_activity_filters_by_time(client, personas):
    old, new = note(personas.org), note(personas.org)
    ActivityEntry.objects.filter(pk=old[0].pk).update(
        created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    login(client, personas.manager)
    assert activity_ids(client, "?since=2025-01-01T00:00:00Z") == [new[0].pk]
    assert activity_ids(client, "?until=2025-01-01T00:00:00Z") == [old[0].pk]
    since = (timezone.now() + dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert activity_ids(client, f"?since={since}") == []


def test_activity_is_newest_first_and_paged(client, personas):
    entries = note(personas.org, 5)
    login(client, personas.manager)
    body = client.get(f"{ACTIVITY}?limit=2&offset=1").json()
    assert (body["count"], body["limit"], body["offset"]) == (5, 2, 1)
    assert [i["seq"] for i in body["items"]] == [4, 3]
    assert [i["id"] for i in body["items"]] == [entries[3].pk, entries[2].pk]


@pytest.mark.parametrize(
    "query, field", [("limit=501", "limit"), ("limit=0", "limit"), ("offset=-1", "offset")]
)
def test_activity_paging_out_of_range_names_the_parameter(client, personas, query, field):
    login(client, personas.manager)
    problem = problem_of(client.get(f"{ACTIVITY}?{query}"), 422)
    assert [e["field"] for e in problem["errors"]] == [field]


def test_activity_accepts_the_largest_page(client, personas):
    note(personas.org)
    login(client, personas.manager)
    assert client.get(f"{ACTIVITY}?limit=500").json()["limit"] == 500


def test_activity_query_count_does_not_grow_with_entries(client, personas):
    login(client, personas.manager)
    actors = [personas.manager, personas.employee, None]
    for i in range(5):
        note(personas.org, actor=actors[i % 3])
    small, response = count_queries(lambda: client.get(ACTIVITY))
    assert response.json()["count"] == 5
    for i in range(45):
        note(personas.org, actor=actors[i % 3])
    large, response = count_queries(lambda: client.get(ACTIVITY))
    assert len(response.json()["items"]) == 50
    assert large == small, f"{small} queries with 5 entries, {large} with 50"
