"""Acknowledgements through the API and the pages, role by role: who sees which requests,
who asks, who confirms, who reads the report (everyone sees their own line), and another
organization's requests answer 404. Approvals are read per version (the role matrix of their
list is here too).

These replace the generic bundles: a request is seen in full by the report's roles and only
by its own person otherwise, and is created and confirmed through its version's endpoints."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import ROLES, login
from pdca.documents import acknowledgements as acks
from pdca.documents.models import Acknowledgement, Approval, DocumentVersion
from pdca.documents.permissions import APPROVERS
from pdca.system.permissions import IMPLEMENTERS
from tests.documents.test_acknowledgements import add_members
from tests.documents.test_versions import make_document, make_version

pytestmark = pytest.mark.django_db

API = "/api/v1/document-versions/"
ACKS = "/api/v1/acknowledgements/"
REPORTERS = APPROVERS | {Role.INTERNAL_AUDITOR}
Status = DocumentVersion.Status


def asked_version(org, users):
    """A published version of `org` that `users` were asked to read."""
    version = make_version(org, Status.PUBLISHED)
    for user in users:
        Acknowledgement.objects.create(organization=org, version=version, user=user)
    return version


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


# --- API ------------------------------------------------------------------------------------


def test_anonymous_is_refused(client, personas):
    version = asked_version(personas.org, [personas.employee])
    assert client.get(ACKS).status_code == 401
    assert post(client, f"{API}{version.pk}/acknowledge/").status_code == 401
    assert client.get(f"{API}{version.pk}/acknowledgement-report/").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_list_by_role(client, personas, role):
    org = personas.org_for(role)
    user = personas.users[role]
    other_person = personas.users[Role.ADMIN] if role != Role.ADMIN else personas.employee
    version = asked_version(org, [user, other_person])
    theirs = asked_version(personas.other, [personas.outsider])
    login(client, user)
    response = client.get(ACKS)
    assert response.status_code == 200
    emails = {(row["user"], row["version"]) for row in response.json()["items"]}
    assert (personas.outsider.email, theirs.pk) not in emails
    if role not in ORGANIZATION_ROLES:
        assert emails == set()
    elif role in REPORTERS:
        assert emails == {(user.email, version.pk), (other_person.email, version.pk)}
    else:
        assert emails == {(user.email, version.pk)}
    mine = client.get(f"{ACKS}?mine=true").json()["items"]
    assert [r["user"] for r in mine] == ([user.email] if role in ORGANIZATION_ROLES else [])


def test_list_filters_and_query_count(client, personas):
    version = asked_version(personas.org, [personas.employee])
    login(client, personas.manager)
    n_small, _ = count_queries(lambda: client.get(ACKS))
    acks.acknowledge(version, actor=personas.employee)
    others = add_members(personas.org, Role.EMPLOYEE, 12)
    acks.request_acknowledgement(version, actor=personas.manager, users=others)
    n_large, response = count_queries(lambda: client.get(ACKS))
    assert response.json()["count"] == 13
    assert n_large == n_small
    pending = client.get(f"{ACKS}?pending=true&version={version.pk}").json()
    assert pending["count"] == 12
    done = client.get(f"{ACKS}?pending=false").json()["items"]
    assert [r["user"] for r in done] == [personas.employee.email]


@pytest.mark.parametrize("role", ROLES)
def test_asking_by_role(client, personas, role):
    org = personas.org_for(role)
    version = make_version(org, Status.PUBLISHED)
    login(client, personas.users[role])
    response = post(
        client,
        f"{API}{version.pk}/acknowledgements/",
        {"roles": ["employee"], "users": [personas.users[Role.ADMIN].email]},
    )
    if role in IMPLEMENTERS:
        assert response.status_code == 201, response.content
        assert {(r["user"], r["via_role"]) for r in response.json()} == {
            (personas.employee.email, "employee"),
            (personas.users[Role.ADMIN].email, ""),
        }
    else:
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)
        assert not Acknowledgement.objects.exists()


def test_asking_with_bad_input(client, personas):
    version = make_version(personas.org, Status.PUBLISHED)
    login(client, personas.manager)
    url = f"{API}{version.pk}/acknowledgements/"
    for body, field in (
        ({"users": ["nobody@example.com"]}, "users"),
        ({"users": [personas.outsider.email]}, "users"),
        ({"roles": ["wizard"]}, "roles"),
        ({"roles": ["employee"], "due_date": "2001-01-01"}, "due_date"),
        ({"roles": "employee", "colour": 1}, "colour"),
    ):
        response = post(client, url, body)
        assert response.status_code == 422, body
        assert field in {e["field"] for e in response.json()["errors"]}, body
    assert not Acknowledgement.objects.exists()
    draft = make_version(personas.org, document=version.document)
    response = post(client, f"{API}{draft.pk}/acknowledgements/", {"roles": ["employee"]})
    assert response.status_code == 409


@pytest.mark.parametrize("role", ROLES)
def test_confirming_by_role(client, personas, role):
    org = personas.org_for(role)
    version = asked_version(org, [personas.employee])
    login(client, personas.users[role])
    response = post(client, f"{API}{version.pk}/acknowledge/")
    ack = Acknowledgement.objects.get()
    if role == Role.EMPLOYEE:
        assert response.status_code == 200
        assert response.json()["acknowledged_at"] is not None
        assert ack.acknowledged_at is not None
    else:
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)
        assert ack.acknowledged_at is None


@pytest.mark.parametrize("role", ROLES)
def test_report_by_role(client, personas, role):
    org = personas.org_for(role)
    user = personas.users[role]
    version = asked_version(org, [personas.employee, personas.users[Role.PROCESS_OWNER]])
    login(client, user)
    response = client.get(f"{API}{version.pk}/acknowledgement-report/")
    if role in REPORTERS:
        assert response.status_code == 200
        assert (response.json()["asked"], response.json()["pending"]) == (2, 2)
    elif role in (Role.EMPLOYEE, Role.PROCESS_OWNER):
        assert response.status_code == 200
        assert [p["email"] for p in response.json()["people"]] == [user.email]
    else:
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)


def test_the_outsider_gets_404_everywhere(client, personas):
    version = asked_version(personas.org, [personas.employee])
    login(client, personas.outsider)
    assert client.get(ACKS).json()["items"] == []
    for url in ("acknowledge/", "acknowledgements/"):
        assert post(client, f"{API}{version.pk}/{url}", {"roles": ["employee"]}).status_code == 404
    assert client.get(f"{API}{version.pk}/acknowledgement-report/").status_code == 404
    assert client.get(f"{API}{version.pk}/approvals/").status_code == 404
    assert Acknowledgement.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_approvals_are_read_by_every_member(client, personas, role):
    org = personas.org_for(role)
    version = make_version(org, Status.APPROVED)
    Approval.objects.create(
        organization=org, version=version, reviewer=personas.manager, decision="approved"
    )
    login(client, personas.users[role])
    response = client.get(f"{API}{version.pk}/approvals/")
    if role in ORGANIZATION_ROLES:
        assert [a["decision"] for a in response.json()["items"]] == ["approved"]
    else:
        assert response.status_code == 404


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(client, personas, role):
    org = personas.org_for(role)
    user = personas.users[role]
    version = asked_version(org, [personas.employee])
    login(client, user)
    member = role in ORGANIZATION_ROLES
    expect = lambda allowed: 200 if allowed else 403 if member else 404  # noqa: E731
    assert client.get(reverse("documents:ack-request", args=[version.pk])).status_code == expect(
        role in IMPLEMENTERS
    )
    assert client.get(reverse("documents:ack-report", args=[version.pk])).status_code == expect(
        role in REPORTERS or role == Role.EMPLOYEE
    )
    assert client.get(reverse("documents:ack-confirm", args=[version.pk])).status_code == expect(
        role == Role.EMPLOYEE
    )
    assert client.get(reverse("documents:my-acknowledgements")).status_code == (
        200 if member else 403
    )


def test_asking_and_confirming_through_the_pages(client, personas):
    version = make_version(personas.org, Status.PUBLISHED)
    login(client, personas.manager)
    response = client.post(
        reverse("documents:ack-request", args=[version.pk]),
        {"roles": ["employee"], "users": [personas.users[Role.ADMIN].pk], "due_date": ""},
    )
    assert response.status_code == 302
    assert set(version.acknowledgements.values_list("user__email", flat=True)) == {
        personas.employee.email,
        personas.users[Role.ADMIN].email,
    }
    response = client.post(reverse("documents:ack-request", args=[version.pk]), {})
    assert response.status_code == 200
    assert "roles" in response.context["form"].errors
    login(client, personas.employee)
    html = client.get(reverse("documents:my-acknowledgements")).content.decode()
    assert reverse("documents:ack-confirm", args=[version.pk]) in html
    assert client.post(reverse("documents:ack-confirm", args=[version.pk])).status_code == 302
    assert version.acknowledgements.get(user=personas.employee).acknowledged_at is not None
    login(client, personas.users[Role.TOP_MANAGEMENT])
    html = client.get(reverse("documents:ack-report", args=[version.pk])).content.decode()
    assert 'id="count-asked">2<' in html
    assert 'id="count-done">1<' in html


def test_the_report_page_costs_the_same_queries_with_many_people(client, personas):
    version = asked_version(personas.org, [personas.employee])
    login(client, personas.manager)
    url = reverse("documents:ack-report", args=[version.pk])
    n_small, _ = count_queries(lambda: client.get(url))
    acks.request_acknowledgement(
        version, actor=personas.manager, users=add_members(personas.org, Role.EMPLOYEE, 14)
    )
    n_large, response = count_queries(lambda: client.get(url))
    assert 'id="count-asked">15<' in response.content.decode()
    assert n_large == n_small


def test_ask_the_same_people_again_from_the_page(client, personas):
    document = make_document(personas.org)
    old = make_version(personas.org, Status.SUPERSEDED, document=document)
    Acknowledgement.objects.create(
        organization=personas.org, version=old, user=personas.employee, via_role="employee"
    )
    new = make_version(personas.org, Status.PUBLISHED, document=document)
    login(client, personas.manager)
    page = client.get(reverse("documents:ack-request", args=[new.pk])).content.decode()
    assert "Ask the people asked for v1 again" in page
    response = client.post(reverse("documents:ack-request", args=[new.pk]), {"same_people": "1"})
    assert response.status_code == 302
    assert list(new.acknowledgements.values_list("user", "via_role")) == [
        (personas.employee.pk, "employee")
    ]
    html = client.get(reverse("documents:ack-report", args=[old.pk])).content.decode()
    assert "superseded by v2" in html
