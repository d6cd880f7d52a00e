"""Invitation pages: the Members page and the invite form role by role, resend and revoke, and
the page the e-mailed link opens."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.models import ActivityEntry
from pdca.core.roles import MANAGERS, Role
from pdca.core.testing.api_bundle import ROLES, login
from pdca.tenancy.middleware import SESSION_KEY
from pdca.tenancy.models import Invitation, Membership
from tests.tenancy.test_invitations_api import make_invitation, role_for

NEW_PASSWORD = "a-long-new-passphrase"


@pytest.mark.parametrize("role", ROLES)
def test_members_page_shows_invitations_to_managers_only(client, personas, role):
    org = personas.org_for(role)
    make_invitation(org, email="pending.person@example.com")
    make_invitation(personas.other, email="elsewhere@example.com")
    login(client, personas.users[role])
    html = client.get("/members/").content.decode()
    assert ("pending.person@example.com" in html) is (role in MANAGERS)
    assert ("Invite someone" in html) is (role in MANAGERS)
    assert "elsewhere@example.com" not in html


@pytest.mark.parametrize("role", ROLES)
def test_invite_page_by_role(client, personas, role, django_capture_on_commit_callbacks):
    org = personas.org_for(role)
    user = personas.users[role]
    login(client, user)
    assert client.get("/members/invite/").status_code == (200 if role in MANAGERS else 403)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/members/invite/", {"email": "new@example.com", "role": role_for(org)}
        )
    if role in MANAGERS:
        assert response.status_code == 302
        assert response["Location"] == "/members/"
        invitation = Invitation.objects.get()
        assert (invitation.organization, invitation.email) == (org, "new@example.com")
        entry = ActivityEntry.objects.get(action="invite")
        assert (entry.actor, entry.via) == (user, "web")
        assert [m.to for m in mail.outbox] == [["new@example.com"]]
        assert not Membership.objects.filter(user__email="new@example.com").exists()
    else:
        assert response.status_code == 403
        assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "nobody", "role": "employee"}, "email"),
        ({"email": "x@y.example", "role": "lead_auditor"}, "role"),
        ({"email": "employee@a.example", "role": "employee"}, None),
    ],
)
def test_invalid_invitation_shows_errors_and_writes_nothing(client, personas, data, field):
    login(client, personas.manager)
    entries = ActivityEntry.objects.count()
    response = client.post("/members/invite/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (field or "__all__") in errors, errors
    assert not Invitation.objects.exists()
    assert ActivityEntry.objects.count() == entries


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", ["resend", "revoke"])
def test_resend_and_revoke_by_role(
    client, personas, role, step, django_capture_on_commit_callbacks
):
    invitation, _ = make_invitation(personas.org_for(role))
    login(client, personas.users[role])
    path = f"/members/invitations/{invitation.pk}/{step}/"
    assert client.get(path).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    invitation.refresh_from_db()
    if role in MANAGERS:
        assert response.status_code == 302
        assert (invitation.status, invitation.sent_count) == (
            ("revoked", 1) if step == "revoke" else ("pending", 2)
        )
        assert len(mail.outbox) == (1 if step == "resend" else 0)
    else:
        assert response.status_code == 404
        assert (invitation.status, invitation.sent_count) == ("pending", 1)


def test_another_organizations_manager_gets_404(client, personas):
    invitation, _ = make_invitation(personas.org)
    login(client, personas.outsider)
    for step in ("resend", "revoke"):
        assert client.post(f"/members/invitations/{invitation.pk}/{step}/").status_code == 404
    assert invitation.email not in client.get("/members/").content.decode()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.sent_count) == ("pending", 1)


def test_revoking_twice_says_why(client, personas):
    invitation, _ = make_invitation(personas.org, status="revoked")
    login(client, personas.manager)
    response = client.post(f"/members/invitations/{invitation.pk}/revoke/", follow=True)
    assert "This invitation is revoked; only a pending invitation can be revoked." in (
        response.content.decode()
    )


# --- the page behind the link -------------------------------------------------------------


def page(secret):
    return f"/invitations/{secret}/"


def test_someone_without_an_account_creates_it_and_joins(client, personas):
    invitation, secret = make_invitation(personas.org, role=Role.PROCESS_OWNER)
    response = client.get(page(secret))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Create my account and join" in html
    assert "Process owner" in html
    response = client.post(
        page(secret),
        {
            "action": "join",
            "full_name": "New Person",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email=invitation.email)
    assert (user.full_name, user.check_password(NEW_PASSWORD)) == ("New Person", True)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_KEY] == personas.org.pk
    assert Membership.objects.get(user=user).role == Role.PROCESS_OWNER
    assert ActivityEntry.objects.get(action="accept").via == "web"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"password1": NEW_PASSWORD, "password2": "other"}, "The two passwords differ."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"full_name": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "required"),
    ],
)
def test_a_bad_new_account_is_refused_on_the_page(client, personas, data, error):
    invitation, secret = make_invitation(personas.org)
    response = client.post(page(secret), {"action": "join", "full_name": "New", **data})
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_someone_with_an_account_is_asked_to_sign_in(client, personas):
    _, secret = make_invitation(personas.org, email="manager@b.example")
    html = client.get(page(secret)).content.decode()
    assert "Sign in as manager@b.example" in html
    assert f"/accounts/login/?next=/invitations/{secret}/" in html
    assert "Create my account" not in html
    response = client.post(
        page(secret),
        {"action": "join", "full_name": "M", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(organization=personas.org, user=personas.outsider)
    assert User.objects.get(pk=personas.outsider.pk).check_password("correct-horse-battery-staple")


def test_the_signed_in_invitee_accepts(client, personas):
    _, secret = make_invitation(personas.org, email="manager@b.example", role=Role.CONSULTANT)
    login(client, personas.outsider)
    assert "Accept and join" in client.get(page(secret)).content.decode()
    response = client.post(page(secret), {"action": "accept"})
    assert response.status_code == 302
    membership = Membership.objects.get(organization=personas.org, user=personas.outsider)
    assert membership.role == Role.CONSULTANT
    assert client.session[SESSION_KEY] == personas.org.pk


def test_the_signed_in_invitee_declines(client, personas):
    invitation, secret = make_invitation(personas.org, email="manager@b.example")
    login(client, personas.outsider)
    response = client.post(page(secret), {"action": "decline"})
    assert response.status_code == 200
    assert "You declined to join Org A." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Membership.objects.filter(organization=personas.org, user=personas.outsider)


def test_someone_without_an_account_declines_without_signing_in(client, personas):
    invitation, secret = make_invitation(personas.org)
    response = client.post(page(secret), {"action": "decline"})
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == "declined"


def test_another_signed_in_person_cannot_answer(client, personas):
    invitation, secret = make_invitation(personas.org, email="manager@b.example")
    login(client, personas.users[Role.CB_MANAGER])
    html = client.get(page(secret)).content.decode()
    assert "This invitation is for manager@b.example" in html
    response = client.post(page(secret), {"action": "accept"})
    assert "sign in with that address to answer it" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not Membership.objects.filter(
        organization=personas.org, user__email="cb_manager@cb.example"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "revoked"}, "This invitation has been withdrawn by the organization."),
        ({"status": "accepted"}, "This invitation has already been accepted."),
        ({"status": "declined"}, "This invitation has been declined."),
        (
            {"expires_at": timezone.now() - dt.timedelta(minutes=1)},
            "This invitation has expired; ask the organization to send a new one.",
        ),
    ],
)
def test_a_closed_invitation_is_refused_clearly(personas, fields, message):
    _, secret = make_invitation(personas.org, **fields)
    for client in (Client(), Client()):
        response = client.get(page(secret))
        assert response.status_code == 409
        assert message in response.content.decode()
        response = client.post(
            page(secret),
            {
                "action": "join",
                "full_name": "X",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 409
    assert User.objects.filter(email__startswith="invitee").count() == 0


def test_a_wrong_link_is_404(client, personas):
    response = client.get(page("not-a-real-secret"))
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()


def test_members_page_query_count_does_not_grow_with_invitations(client, personas):
    from pdca.core.testing.queries import count_queries

    login(client, personas.manager)
    for i in range(2):
        make_invitation(personas.org, i, invited_by=personas.manager)
    small, _ = count_queries(lambda: client.get("/members/"))
    for i in range(2, 12):
        make_invitation(personas.org, i, invited_by=personas.users[Role.ADMIN])
    large, response = count_queries(lambda: client.get("/members/"))
    assert response.content.decode().count("/resend/") == 12
    assert large == small
