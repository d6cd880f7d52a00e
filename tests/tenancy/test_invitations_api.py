"""The invitations API: each role of the organization, another organization's manager (404),
anonymous (401); and the invitee's accept and decline by the link's secret."""

import datetime as dt
import hashlib
import secrets

import pytest
from django.core import mail
from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.models import ActivityEntry
from pdca.core.roles import MANAGERS, Role
from pdca.core.testing.api_bundle import ROLES, login
from pdca.core.testing.queries import count_queries
from pdca.tenancy.models import Invitation, Membership


def make_invitation(org, index=0, **fields) -> tuple[Invitation, str]:
    """A pending invitation inserted directly, with the secret of its link."""
    secret = secrets.token_urlsafe(32)
    defaults = {
        "email": f"invitee{index}.{org.slug}@example.com",
        "role": Role.EMPLOYEE if org.kind == "organization" else Role.AUDITOR,
        "token_digest": hashlib.sha256(secret.encode()).hexdigest(),
        "expires_at": timezone.now() + dt.timedelta(days=14),
    }
    return Invitation.objects.create(organization=org, **{**defaults, **fields}), secret


def url(org, suffix=""):
    return f"/api/v1/organizations/{org.slug}/invitations/{suffix}"


def role_for(org):
    return Role.EMPLOYEE if org.kind == "organization" else Role.AUDITOR


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


# --- the managers' endpoints, role by role ------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_by_role(client, personas, role):
    org = personas.org_for(role)
    mine, _ = make_invitation(org)
    make_invitation(personas.other)
    login(client, personas.users[role])
    response = client.get(url(org))
    if role in MANAGERS:
        assert response.status_code == 200, response.content
        assert [row["id"] for row in response.json()["items"]] == [mine.pk]
    else:
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", ROLES)
def test_create_by_role(client, personas, role, django_capture_on_commit_callbacks):
    org = personas.org_for(role)
    user = personas.users[role]
    login(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, url(org), {"email": "new@example.com", "role": role_for(org)})
    if role in MANAGERS:
        assert response.status_code == 201, response.content
        invitation = Invitation.objects.get()
        assert response.json()["id"] == invitation.pk
        entry = ActivityEntry.objects.get(action="invite", object_id=str(invitation.pk))
        assert (entry.actor, entry.via, entry.organization) == (user, "api", org)
        assert [m.to for m in mail.outbox] == [["new@example.com"]]
    else:
        assert response.status_code == 403
        assert not Invitation.objects.exists()
        assert mail.outbox == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", ["", "resend/", "revoke/"])
def test_detail_resend_and_revoke_by_role(
    client, personas, role, step, django_capture_on_commit_callbacks
):
    org = personas.org_for(role)
    invitation, _ = make_invitation(org)
    login(client, personas.users[role])
    with django_capture_on_commit_callbacks(execute=True):
        if step:
            response = post(client, url(org, f"{invitation.pk}/{step}"))
        else:
            response = client.get(url(org, f"{invitation.pk}/"))
    invitation.refresh_from_db()
    if role in MANAGERS:
        assert response.status_code == 200, response.content
        expected = {"": "pending", "resend/": "pending", "revoke/": "revoked"}[step]
        assert response.json()["status"] == invitation.state == expected
        assert len(mail.outbox) == (1 if step == "resend/" else 0)
    else:
        assert response.status_code == 404
        assert (invitation.status, invitation.sent_count) == ("pending", 1)
        assert mail.outbox == []


def test_another_organizations_manager_gets_404_everywhere(client, personas):
    invitation, _ = make_invitation(personas.org)
    login(client, personas.outsider)
    assert client.get(url(personas.org)).status_code == 404
    response = post(client, url(personas.org), {"email": "x@example.com", "role": "employee"})
    assert response.status_code == 404
    for step in ("", "resend/", "revoke/"):
        path = url(personas.org, f"{invitation.pk}/{step}")
        assert (client.get(path) if not step else post(client, path)).status_code == 404
        # Nor through their own organization's address.
        path = url(personas.other, f"{invitation.pk}/{step}")
        assert (client.get(path) if not step else post(client, path)).status_code == 404
    invitation.refresh_from_db()
    assert (invitation.status, invitation.sent_count) == ("pending", 1)
    assert Invitation.objects.count() == 1


def test_anonymous_is_refused(client, personas):
    invitation, secret = make_invitation(personas.org)
    assert client.get(url(personas.org)).status_code == 401
    assert (
        post(client, url(personas.org), {"email": "x@y.example", "role": "employee"}).status_code
        == 401
    )
    assert post(client, url(personas.org, f"{invitation.pk}/revoke/")).status_code == 401
    assert post(client, "/api/v1/invitations/accept/", {"token": secret}).status_code == 401
    assert post(client, "/api/v1/invitations/decline/", {"token": secret}).status_code == 401
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_the_answer_reveals_nothing_about_the_person(client, personas):
    login(client, personas.manager)
    known = post(client, url(personas.org), {"email": "manager@b.example", "role": "employee"})
    unknown = post(client, url(personas.org), {"email": "nobody@b.example", "role": "employee"})
    assert known.status_code == unknown.status_code == 201
    volatile = {"id", "email", "created_at", "expires_at"}

    def shape(response):
        return {k: v for k, v in response.json().items() if k not in volatile}

    assert shape(known) == shape(unknown)
    assert set(known.json()) == set(unknown.json())
    assert "Outsider B" not in known.content.decode()
    assert known.json()["invited_by"] == "system_manager@a.example"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address", "role": "employee"}, "email"),
        ({"email": "x@y.example", "role": "king"}, "role"),
        ({"email": "x@y.example", "role": "lead_auditor"}, "role"),
        ({"email": "x@y.example", "role": "employee", "full_name": "X"}, "full_name"),
        ({"role": "employee"}, "email"),
    ],
)
def test_invalid_input_names_the_field_and_writes_nothing(client, personas, body, field):
    login(client, personas.manager)
    entries = ActivityEntry.objects.count()
    response = post(client, url(personas.org), body)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Invitation.objects.exists()
    assert ActivityEntry.objects.count() == entries


def test_inviting_a_member_or_twice_is_a_conflict(client, personas):
    login(client, personas.manager)
    response = post(client, url(personas.org), {"email": "employee@a.example", "role": "admin"})
    assert (response.status_code, response.json()["code"]) == (409, "duplicate")
    make_invitation(personas.org, email="new@example.com")
    response = post(client, url(personas.org), {"email": "NEW@example.com", "role": "admin"})
    assert (response.status_code, response.json()["code"]) == (409, "already_invited")
    assert Invitation.objects.count() == 1


def test_the_list_filters_by_status(client, personas):
    pending, _ = make_invitation(personas.org, 0)
    expired, _ = make_invitation(personas.org, 1, expires_at=timezone.now() - dt.timedelta(days=1))
    revoked, _ = make_invitation(personas.org, 2, status="revoked")
    login(client, personas.manager)
    for status, expected in [
        ("pending", [pending]),
        ("expired", [expired]),
        ("revoked", [revoked]),
        ("accepted", []),
    ]:
        response = client.get(url(personas.org), {"status": status})
        assert [row["id"] for row in response.json()["items"]] == [i.pk for i in expected]
    assert client.get(url(personas.org), {"status": "gone"}).status_code == 422


def test_list_query_count_does_not_grow_with_rows(client, personas):
    login(client, personas.manager)
    for i in range(2):
        make_invitation(personas.org, i, invited_by=personas.manager)
    small, _ = count_queries(lambda: client.get(url(personas.org)))
    for i in range(2, 12):
        make_invitation(personas.org, i, invited_by=personas.users[Role.ADMIN])
    large, response = count_queries(lambda: client.get(url(personas.org)))
    assert len(response.json()["items"]) == 12
    assert large == small


# --- the invitee --------------------------------------------------------------------------


def test_the_invitee_accepts_with_the_secret(client, personas):
    _invitation, secret = make_invitation(
        personas.org, email="manager@b.example", role=Role.CONSULTANT
    )
    login(client, personas.outsider)
    response = post(client, "/api/v1/invitations/accept/", {"token": secret})
    assert response.status_code == 200, response.content
    membership = Membership.objects.get(organization=personas.org, user=personas.outsider)
    assert response.json() == {
        "membership_id": membership.pk,
        "organization": "org-a",
        "organization_name": "Org A",
        "role": "consultant",
    }
    entry = ActivityEntry.objects.get(action="accept")
    assert (entry.actor, entry.via) == (personas.outsider, "api")
    # The new member now sees the organization.
    assert client.get("/api/v1/organizations/org-a/").status_code == 200


def test_the_invitee_declines_with_the_secret(client, personas):
    _invitation, secret = make_invitation(personas.org, email="manager@b.example")
    login(client, personas.outsider)
    response = post(client, "/api/v1/invitations/decline/", {"token": secret})
    assert response.status_code == 200, response.content
    assert response.json() == {"organization": "org-a", "status": "declined"}
    assert not Membership.objects.filter(organization=personas.org, user=personas.outsider)


def test_someone_else_cannot_answer(client, personas):
    invitation, secret = make_invitation(personas.org, email="manager@b.example")
    login(client, personas.employee)
    for step in ("accept", "decline"):
        response = post(client, f"/api/v1/invitations/{step}/", {"token": secret})
        assert (response.status_code, response.json()["code"]) == (403, "other_address")
    invitation.refresh_from_db()
    assert invitation.status == "pending"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"status": "revoked"}, "invitation_revoked"),
        ({"status": "accepted"}, "invitation_accepted"),
        ({"status": "declined"}, "invitation_declined"),
        ({"expires_at": timezone.now() - dt.timedelta(minutes=1)}, "invitation_expired"),
    ],
)
def test_a_closed_invitation_is_refused(client, personas, fields, code):
    _, secret = make_invitation(personas.org, email="manager@b.example", **fields)
    login(client, personas.outsider)
    for step in ("accept", "decline"):
        response = post(client, f"/api/v1/invitations/{step}/", {"token": secret})
        assert (response.status_code, response.json()["code"]) == (409, code)
    assert not Membership.objects.filter(organization=personas.org, user=personas.outsider)


@pytest.mark.parametrize("body", [{"token": "wrong"}, {"token": ""}, {}, {"token": "x" * 101}])
def test_a_wrong_secret_is_refused(client, personas, body):
    make_invitation(personas.org, email="manager@b.example")
    login(client, personas.outsider)
    response = post(client, "/api/v1/invitations/accept/", body)
    assert response.status_code in (404, 422)
    if body.get("token") == "wrong":
        assert response.json()["code"] == "invitation_invalid"
    assert User.objects.get(pk=personas.outsider.pk).memberships.count() == 1
