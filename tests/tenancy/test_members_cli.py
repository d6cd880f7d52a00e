"""`pdca members …`: invite, list, resend and revoke from the command line."""

import json

import pytest
from django.core import mail
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.models import ActivityEntry
from pdca.tenancy import cli as members_cli
from pdca.tenancy.models import Invitation, Membership
from tests.tenancy.test_invitations_api import make_invitation

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(app, ["members", *args], prog_name="pdca")


def test_invite_as_the_operator(personas, django_capture_on_commit_callbacks):
    members = Membership.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        result = run("invite", "org-a", "New@Example.com", "--role", "process_owner")
    assert result.exit_code == 0, result.output
    invitation = Invitation.objects.get()
    assert result.output == (
        f"Invitation {invitation.pk} sent to new@example.com as process_owner in org-a "
        "(valid 14 days).\n"
    )
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new@example.com",
        "process_owner",
        None,
    )
    entry = ActivityEntry.objects.get(action="invite")
    assert (entry.via, entry.actor, entry.organization) == ("cli", None, personas.org)
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert Membership.objects.count() == members


def test_invite_as_a_member_uses_their_rights(personas):
    result = run(
        "invite", "org-a", "x@example.com", "--role", "employee", "--as", "employee@a.example"
    )
    assert result.exit_code == 1
    assert "Your role (Employee) may not add an invitation in this organization." in (result.output)
    assert not Invitation.objects.exists()
    result = run(
        "invite", "org-a", "x@example.com", "--role", "employee", "--as", "system_manager@a.example"
    )
    assert result.exit_code == 0, result.output
    assert Invitation.objects.get().invited_by == personas.manager


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "x@example.com", "--role", "employee"], "No organization with the short name"),
        (["org-a", "not-an-address", "--role", "employee"], "email: Enter a valid e-mail address."),
        (["org-a", "x@example.com", "--role", "lead_auditor"], "role: An organization has no role"),
        (["org-a", "employee@a.example", "--role", "admin"], "is already a member of Org A"),
    ],
)
def test_invite_refusals_say_why_and_write_nothing(personas, args, message):
    entries = ActivityEntry.objects.count()
    result = run("invite", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert not Invitation.objects.exists()
    assert ActivityEntry.objects.count() == entries


def test_invitations_lists_the_ids_it_asks_for(personas, monkeypatch):
    monkeypatch.setattr(members_cli.console, "width", 200)
    pending, _ = make_invitation(personas.org, 0, invited_by=personas.manager)
    revoked, _ = make_invitation(personas.org, 1, status="revoked")
    make_invitation(personas.other, 2)
    result = run("invitations", "org-a")
    assert result.exit_code == 0, result.output
    assert pending.email in result.output
    assert "system_manager@a.example" in result.output
    assert revoked.email not in result.output
    assert "org-b" not in result.output and "invitee2" not in result.output
    everything = run("invitations", "org-a", "--all")
    assert revoked.email in everything.output
    assert "revoked" in everything.output


def test_invitations_as_json_for_a_manager(personas):
    pending, _ = make_invitation(personas.org, 0, invited_by=personas.manager)
    make_invitation(personas.other, 2)
    result = run("invitations", "org-a", "--as", "system_manager@a.example", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "id": pending.pk,
            "organization": "org-a",
            "email": pending.email,
            "role": "employee",
            "status": pending.state,
            "invited_by": "system_manager@a.example",
            "created_at": pending.created_at.isoformat(),
            "expires_at": pending.expires_at.isoformat(),
        }
    ]


def test_invitations_as_an_employee_is_refused(personas):
    make_invitation(personas.org)
    result = run("invitations", "org-a", "--as", "employee@a.example")
    assert result.exit_code == 1
    assert "invitee0" not in result.output


def test_revoke_and_resend(personas, django_capture_on_commit_callbacks):
    invitation, _ = make_invitation(personas.org)
    with django_capture_on_commit_callbacks(execute=True):
        result = run("resend", "org-a", str(invitation.pk))
    assert result.exit_code == 0, result.output
    assert len(mail.outbox) == 1
    result = run("revoke", "org-a", str(invitation.pk))
    assert result.exit_code == 0, result.output
    assert result.output == f"Invitation {invitation.pk} of {invitation.email} revoked.\n"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.sent_count) == ("revoked", 2)
    entries = ActivityEntry.objects.filter(organization=personas.org).order_by("seq")
    assert [e.action for e in entries] == ["resend", "revoke"]
    again = run("revoke", "org-a", str(invitation.pk))
    assert again.exit_code == 1
    assert "only a pending invitation can be revoked" in again.output


def test_revoke_of_another_organizations_invitation_is_not_found(personas):
    invitation, _ = make_invitation(personas.other)
    result = run("revoke", "org-a", str(invitation.pk))
    assert result.exit_code == 1
    assert "org-a has no invitation" in result.output
    invitation.refresh_from_db()
    assert invitation.status == "pending"
