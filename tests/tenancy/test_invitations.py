"""Joining by invitation: what managers may do, what the invitee may do, and what is refused."""

import datetime as dt
import hashlib
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.activity import snapshot
from pdca.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityChainHead, ActivityEntry
from pdca.core.roles import Role
from pdca.tenancy.invitations import services as invitations
from pdca.tenancy.models import Invitation, Membership

LINK = re.compile(re.escape(settings.PDCA_BASE_URL) + r"/invitations/([A-Za-z0-9_-]+)/")
NEW_PASSWORD = "a-long-new-passphrase"


def state():
    """Everything an invitation step may write, to show a refusal wrote nothing."""
    return (
        [snapshot(i) for i in Invitation.objects.order_by("pk")],
        list(Membership.objects.order_by("pk").values_list("pk", "organization", "user", "role")),
        User.objects.count(),
        sorted(ActivityChainHead.objects.values_list("chain", "seq", "hash")),
    )


def secret_of(message) -> str:
    (secret,) = LINK.findall(message.body)
    return secret


def invite(capture, personas, email="new.person@example.com", role=Role.PROCESS_OWNER, **kw):
    """Invite as the system manager; return the invitation and the secret of its link."""
    mail.outbox.clear()
    with capture(execute=True):
        invitation = invitations.invite_member(
            personas.org, email=email, role=role, actor=personas.manager, **kw
        )
    return invitation, secret_of(mail.outbox[-1])


def org_log(org):
    return [
        (e.action, e.object_type, e.actor_id)
        for e in ActivityEntry.objects.filter(organization=org).order_by("seq")
    ]


# --- inviting -----------------------------------------------------------------------------


def test_inviting_makes_a_pending_invitation_and_no_membership(
    personas, django_capture_on_commit_callbacks
):
    users = User.objects.count()
    members = Membership.objects.count()
    before = timezone.now()
    invitation, secret = invite(
        django_capture_on_commit_callbacks,
        personas,
        email="  New.Person@Example.com ",
        job_title=" Buyer ",
    )
    invitation.refresh_from_db()
    assert (invitation.email, invitation.role, invitation.job_title, invitation.status) == (
        "new.person@example.com",
        "process_owner",
        "Buyer",
        "pending",
    )
    assert invitation.invited_by == personas.manager
    assert (
        before + dt.timedelta(days=14)
        <= invitation.expires_at
        <= timezone.now() + dt.timedelta(days=14)
    )
    assert invitation.token_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in invitation.token_digest
    assert (User.objects.count(), Membership.objects.count()) == (users, members)
    entry = ActivityEntry.objects.get(organization=personas.org)
    assert (entry.action, entry.object_type, entry.actor, entry.object_id) == (
        "invite",
        "tenancy.invitation",
        personas.manager,
        str(invitation.pk),
    )
    assert "token_digest" not in entry.changes
    assert entry.changes["email"] == [None, "new.person@example.com"]
    assert entry.changes["role"] == [None, "process_owner"]


def test_the_mail_leaves_after_commit_with_a_link_to_answer(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = invitations.invite_member(
            personas.org, email="new.person@example.com", role=Role.EMPLOYEE, actor=personas.manager
        )
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    (message,) = mail.outbox
    assert message.to == ["new.person@example.com"]
    assert message.subject == "You are invited to join Org A on pdca"
    assert message.body.startswith(
        "System Manager A invites you to join Org A on pdca as Employee.\n"
    )
    assert invitations.invitation_for_token(secret_of(message)) == invitation


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    personas, django_capture_on_commit_callbacks
):
    users = User.objects.count()
    known, _ = invite(django_capture_on_commit_callbacks, personas, email="manager@b.example")
    known_mail = mail.outbox[-1]
    unknown, _ = invite(django_capture_on_commit_callbacks, personas, email="nobody@b.example")
    unknown_mail = mail.outbox[-1]
    assert User.objects.count() == users  # nobody is created before they accept

    def shape(invitation):
        data = snapshot(invitation)
        data.pop("email")
        data.pop("expires_at")  # made a few milliseconds apart
        return data

    assert shape(known) == shape(unknown)
    assert known_mail.subject == unknown_mail.subject

    def text(message):
        body = LINK.sub("LINK", message.body)
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "DATE", body)

    assert text(known_mail) == text(unknown_mail)


def test_inviting_a_member_is_a_conflict(personas, django_capture_on_commit_callbacks):
    before = state()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as exc_info:
        invitations.invite_member(
            personas.org, email="Employee@a.example", role=Role.CONSULTANT, actor=personas.manager
        )
    assert (exc_info.value.code, exc_info.value.message) == (
        "duplicate",
        "employee@a.example is already a member of Org A.",
    )
    assert state() == before
    assert mail.outbox == []


def test_a_second_pending_invitation_of_one_address_is_a_conflict(
    personas, django_capture_on_commit_callbacks
):
    first, _ = invite(django_capture_on_commit_callbacks, personas)
    before = state()
    with pytest.raises(Conflict) as exc_info:
        invitations.invite_member(
            personas.org, email="new.person@example.com", role=Role.ADMIN, actor=personas.manager
        )
    assert exc_info.value.code == "already_invited"
    assert state() == before
    invitations.revoke_invitation(first, actor=personas.manager)
    again, _ = invite(django_capture_on_commit_callbacks, personas)
    assert again.pk != first.pk


def test_an_invalid_email_is_refused(personas):
    before = state()
    with pytest.raises(ValidationFailed) as exc_info:
        invitations.invite_member(
            personas.org, email="not-an-address", role=Role.EMPLOYEE, actor=personas.manager
        )
    assert [e.field for e in exc_info.value.errors] == ["email"]
    assert state() == before


@pytest.mark.parametrize("who", ["employee", "top_management", "outsider"])
def test_only_managers_of_the_organization_invite(
    personas, who, django_capture_on_commit_callbacks
):
    actor = personas.outsider if who == "outsider" else personas.users[who]
    before = state()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        invitations.invite_member(
            personas.org, email="new.person@example.com", role=Role.EMPLOYEE, actor=actor
        )
    assert state() == before
    assert mail.outbox == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CONSULTANT])
def test_every_managing_role_invites(personas, role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invite_member(
            personas.org, email="x@example.com", role=Role.ADMIN, actor=personas.users[role]
        )
    assert invitation.invited_by == personas.users[role]


# --- accepting ----------------------------------------------------------------------------


def test_accepting_makes_the_membership_with_the_invited_role(
    personas, django_capture_on_commit_callbacks
):
    invitation, secret = invite(
        django_capture_on_commit_callbacks,
        personas,
        email="Manager@B.example",
        role=Role.CONSULTANT,
        job_title="Adviser",
    )
    membership = invitations.accept_invitation(secret, actor=personas.outsider)
    assert (membership.organization, membership.user, membership.role, membership.job_title) == (
        personas.org,
        personas.outsider,
        "consultant",
        "Adviser",
    )
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", personas.outsider)
    assert invitation.responded_at is not None
    assert org_log(personas.org) == [
        ("invite", "tenancy.invitation", personas.manager.pk),
        ("accept", "tenancy.invitation", personas.outsider.pk),
        ("create", "tenancy.membership", personas.outsider.pk),
    ]
    assert ActivityEntry.objects.get(action="accept").changes["status"] == [
        "pending",
        "accepted",
    ]


def test_someone_without_an_account_creates_it_and_joins(
    personas, django_capture_on_commit_callbacks
):
    invitation, secret = invite(django_capture_on_commit_callbacks, personas)
    membership = invitations.join_with_new_account(
        secret, full_name=" New Person ", password=NEW_PASSWORD
    )
    user = membership.user
    assert (user.email, user.full_name, user.check_password(NEW_PASSWORD)) == (
        "new.person@example.com",
        "New Person",
        True,
    )
    assert (membership.organization, membership.role) == (personas.org, "process_owner")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", user)


def test_creating_an_account_is_refused_when_the_address_has_one(
    personas, django_capture_on_commit_callbacks
):
    _, secret = invite(django_capture_on_commit_callbacks, personas, email="manager@b.example")
    before = state()
    with pytest.raises(Conflict) as exc_info:
        invitations.join_with_new_account(secret, full_name="Mallory", password=NEW_PASSWORD)
    assert exc_info.value.code == "sign_in_required"
    assert state() == before
    assert personas.outsider.full_name == User.objects.get(pk=personas.outsider.pk).full_name


@pytest.mark.parametrize(
    ("password", "message"), [("", "Choose a password."), ("short", "This password is too short")]
)
def test_a_missing_or_weak_password_creates_nothing(
    personas, django_capture_on_commit_callbacks, password, message
):
    _, secret = invite(django_capture_on_commit_callbacks, personas)
    before = state()
    with pytest.raises(ValidationFailed) as exc_info:
        invitations.join_with_new_account(secret, full_name="New", password=password)
    assert exc_info.value.errors[0].field == "password"
    assert exc_info.value.errors[0].message.startswith(message)
    assert state() == before


def test_another_account_cannot_accept(personas, django_capture_on_commit_callbacks):
    _, secret = invite(django_capture_on_commit_callbacks, personas, email="manager@b.example")
    before = state()
    with pytest.raises(PermissionDenied) as exc_info:
        invitations.accept_invitation(secret, actor=personas.users[Role.CB_MANAGER])
    assert exc_info.value.code == "other_address"
    assert state() == before


def _expire(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


def _revoke(invitation, personas):
    invitations.revoke_invitation(invitation, actor=personas.manager)


def _accept(invitation, personas, secret):
    invitations.accept_invitation(secret, actor=personas.outsider)


def _decline(invitation, personas, secret):
    invitations.decline_invitation(secret, actor=personas.outsider)


CLOSED = {
    "expired": (
        lambda i, p, s: _expire(i),
        "invitation_expired",
        "This invitation has expired; ask the organization to send a new one.",
    ),
    "revoked": (
        lambda i, p, s: _revoke(i, p),
        "invitation_revoked",
        "This invitation has been withdrawn by the organization.",
    ),
    "accepted": (_accept, "invitation_accepted", "This invitation has already been accepted."),
    "declined": (_decline, "invitation_declined", "This invitation has been declined."),
}


@pytest.mark.parametrize("how", sorted(CLOSED))
def test_a_closed_invitation_is_refused_clearly(personas, how, django_capture_on_commit_callbacks):
    invitation, secret = invite(
        django_capture_on_commit_callbacks, personas, email="manager@b.example"
    )
    close, code, message = CLOSED[how]
    close(invitation, personas, secret)
    before = state()
    for answer in (invitations.accept_invitation, invitations.decline_invitation):
        with pytest.raises(Conflict) as exc_info:
            answer(secret, actor=personas.outsider)
        assert (exc_info.value.code, exc_info.value.message) == (code, message)
    with pytest.raises(Conflict):
        invitations.join_with_new_account(secret, full_name="X", password=NEW_PASSWORD)
    assert state() == before


@pytest.mark.parametrize("secret", ["", "nonsense", "x" * 500])
def test_a_wrong_link_is_not_found(personas, secret):
    with pytest.raises(NotFound) as exc_info:
        invitations.accept_invitation(secret, actor=personas.outsider)
    assert exc_info.value.message == "This invitation link is not valid."


# --- declining ----------------------------------------------------------------------------


def test_declining_changes_only_the_invitation(personas, django_capture_on_commit_callbacks):
    invitation, secret = invite(
        django_capture_on_commit_callbacks, personas, email="manager@b.example"
    )
    members = list(Membership.objects.values_list("pk", flat=True))
    invitations.decline_invitation(secret, actor=personas.outsider)
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert list(Membership.objects.values_list("pk", flat=True)) == members
    assert org_log(personas.org)[-1] == ("decline", "tenancy.invitation", personas.outsider.pk)


def test_someone_without_an_account_declines_from_the_link(
    personas, django_capture_on_commit_callbacks
):
    invitation, secret = invite(django_capture_on_commit_callbacks, personas)
    invitations.decline_invitation(secret, actor=None)
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    entry = ActivityEntry.objects.filter(action="decline").get()
    assert (entry.actor, entry.message) == (
        None,
        "Declined from the link sent to new.person@example.com.",
    )


def test_someone_with_an_account_signs_in_to_decline(personas, django_capture_on_commit_callbacks):
    _, secret = invite(django_capture_on_commit_callbacks, personas, email="manager@b.example")
    before = state()
    with pytest.raises(PermissionDenied) as exc_info:
        invitations.decline_invitation(secret, actor=None)
    assert exc_info.value.code == "sign_in_required"
    assert state() == before


# --- resending and revoking ---------------------------------------------------------------


def test_resending_mails_a_new_link_and_the_old_one_stops_working(
    personas, django_capture_on_commit_callbacks
):
    invitation, old = invite(
        django_capture_on_commit_callbacks, personas, email="manager@b.example"
    )
    _expire(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        invitations.resend_invitation(invitation, actor=personas.users[Role.ADMIN])
    new = secret_of(mail.outbox[-1])
    assert new != old
    invitation.refresh_from_db()
    assert invitation.sent_count == 2
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=13)
    with pytest.raises(NotFound):
        invitations.accept_invitation(old, actor=personas.outsider)
    entry = ActivityEntry.objects.get(action="resend")
    assert entry.actor == personas.users[Role.ADMIN]
    assert set(entry.changes) == {"expires_at", "sent_count"}
    invitations.accept_invitation(new, actor=personas.outsider)
    assert Membership.objects.filter(organization=personas.org, user=personas.outsider).exists()


def test_revoking_keeps_the_invitation_as_a_record(personas, django_capture_on_commit_callbacks):
    invitation, _ = invite(django_capture_on_commit_callbacks, personas)
    invitations.revoke_invitation(invitation, actor=personas.manager)
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert org_log(personas.org)[-1] == ("revoke", "tenancy.invitation", personas.manager.pk)
    before = state()
    for step in (invitations.revoke_invitation, invitations.resend_invitation):
        with pytest.raises(Conflict) as exc_info:
            step(invitation, actor=personas.manager)
        assert exc_info.value.code == "invitation_revoked"
    assert state() == before


@pytest.mark.parametrize("who", ["employee", "outsider"])
def test_only_managers_resend_or_revoke(personas, who, django_capture_on_commit_callbacks):
    invitation, _ = invite(django_capture_on_commit_callbacks, personas)
    actor = personas.outsider if who == "outsider" else personas.employee
    before = state()
    mail.outbox.clear()
    for step in (invitations.revoke_invitation, invitations.resend_invitation):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
            step(invitation, actor=actor)
    assert state() == before
    assert mail.outbox == []
