"""`pdca members …`: invite people to an organization, list its invitations, resend or revoke
them.

Without `--as` the operator at the command line is trusted like a platform administrator; with
`--as EMAIL` the command runs with that member's rights (and is logged as theirs).
"""

from __future__ import annotations

from typing import Annotated

import typer

from pdca.core.cli_output import Column, FormatOption, print_rows
from pdca.core.cli_support import actor_or_exit, organization_or_exit, setup_django
from pdca.core.console import console, err

app = typer.Typer(help="Members: invitations to join an organization.", no_args_is_help=True)

AsOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of a member: act with their rights")
]


def _setup() -> None:
    setup_django()


def _organization(slug: str):
    return organization_or_exit(slug)


def _actor(email: str | None):
    return actor_or_exit(email)


def _invitation(org, invitation_id: int):
    from pdca.tenancy.models import Invitation

    invitation = Invitation.objects.filter(organization=org, pk=invitation_id).first()
    if invitation is None:
        err.print(
            f"[red]{org.slug} has no invitation {invitation_id}; "
            f"`pdca members invitations {org.slug}` lists them."
        )
        raise typer.Exit(1)
    return invitation


def _run(call):
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError, ValidationFailed

    try:
        with channel("cli"):
            return call()
    except ValidationFailed as exc:
        for e in exc.errors:
            err.print(f"[red]{e.field}: {e.message}" if e.field else f"[red]{e.message}")
        raise typer.Exit(1) from None
    except ServiceError as exc:
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None


@app.command()
def invite(
    org: Annotated[str, typer.Argument(help="The organization's short name (slug)")],
    email: Annotated[str, typer.Argument(help="E-mail address to invite")],
    role: Annotated[str, typer.Option("--role", help="Role the person gets on accepting")],
    job_title: Annotated[str, typer.Option("--job-title", help="Job title")] = "",
    actor_email: AsOption = None,
) -> None:
    """Invite an e-mail address to join with a role; they become a member when they accept."""
    _setup()
    from pdca.tenancy.invitations.services import INVITATION_DAYS, invite_member

    organization = _organization(org)
    actor = _actor(actor_email)
    invitation = _run(
        lambda: invite_member(
            organization, email=email, role=role, job_title=job_title, actor=actor
        )
    )
    console.print(
        f"Invitation {invitation.pk} sent to {invitation.email} as {role} in {org} "
        f"(valid {INVITATION_DAYS} days)."
    )


@app.command("invitations")
def list_invitations(
    org: Annotated[str, typer.Argument(help="The organization's short name (slug)")],
    show_all: Annotated[
        bool, typer.Option("--all", help="Also accepted, declined and revoked ones")
    ] = False,
    actor_email: AsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """List the organization's invitations with their ids (pending and expired by default):
    the ids `pdca members revoke|resend` take."""
    _setup()
    from pdca.core.permissions import require, scope
    from pdca.tenancy.models import Invitation

    organization = _organization(org)
    actor = _actor(actor_email)
    rows = Invitation.objects.filter(organization=organization).select_related("invited_by")
    if actor is not None:
        _run(lambda: require(actor, "view", Invitation, organization=organization))
        rows = scope(rows, actor)
    if not show_all:
        rows = rows.filter(status=Invitation.Status.PENDING)
    listed = [
        {
            "id": i.pk,
            "organization": organization.slug,
            "email": i.email,
            "role": i.role,
            "status": i.state,
            "invited_by": i.invited_by.email if i.invited_by else None,
            "created_at": i.created_at,
            "expires_at": i.expires_at,
        }
        for i in rows.order_by("-created_at", "-pk")
    ]
    columns = [
        Column("id", "id", "right"),
        Column("email", "e-mail"),
        Column("role", "role"),
        Column("status", "status"),
        Column("invited_by", "invited by", text=lambda r: r["invited_by"] or "administrator"),
        Column("expires_at", "expires"),
    ]
    print_rows(listed, columns, fmt, title=f"Invitations of {organization}")


@app.command()
def revoke(
    org: Annotated[str, typer.Argument(help="The organization's short name (slug)")],
    invitation_id: Annotated[int, typer.Argument(help="Id from `pdca members invitations`")],
    actor_email: AsOption = None,
) -> None:
    """Withdraw a pending invitation: its link stops working."""
    _setup()
    from pdca.tenancy.invitations.services import revoke_invitation

    organization = _organization(org)
    actor = _actor(actor_email)
    invitation = _invitation(organization, invitation_id)
    _run(lambda: revoke_invitation(invitation, actor=actor))
    console.print(f"Invitation {invitation_id} of {invitation.email} revoked.")


@app.command()
def resend(
    org: Annotated[str, typer.Argument(help="The organization's short name (slug)")],
    invitation_id: Annotated[int, typer.Argument(help="Id from `pdca members invitations`")],
    actor_email: AsOption = None,
) -> None:
    """Mail a pending (or expired) invitation again with a new link valid for 14 days."""
    _setup()
    from pdca.tenancy.invitations.services import resend_invitation

    organization = _organization(org)
    actor = _actor(actor_email)
    invitation = _invitation(organization, invitation_id)
    _run(lambda: resend_invitation(invitation, actor=actor))
    console.print(f"Invitation {invitation_id} sent again to {invitation.email}.")
