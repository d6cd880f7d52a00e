"""`pdca engagement …`: links between organizations from the command line: the links (their
ids), inviting, answering and ending one; grants and what they name (the client's documents,
files and registers, with their ids); the provider's reads under them; evidence requests,
released audits and the findings they open (`cli_work.py`).

Lists and `show` run as the operator at the command line, who sees everything, unless `--as
EMAIL` names a member: then only what they may see, from their side. Writes and the provider's
reads (logged in the client's activity log) run as the member named by `--as`, with their
permissions. JSON output (`-f json`) has the API's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, get_args

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_rows
from pdca.core.cli_support import run_service
from pdca.core.console import console, err
from pdca.engagements.links.cli_common import (
    ActorOption,
    EngagementArgument,
    ViewerOption,
    actor,
    choice,
    dump,
    engagement_of,
    print_one,
    setup,
    viewer,
)

app = typer.Typer(
    help="Engagements between organizations: links, grants, reads, evidence requests, audits.",
    no_args_is_help=True,
)


ENGAGEMENT_COLUMNS = [
    Column("id", "Id", "right"),
    Column("kind", "Kind"),
    Column("status", "Status"),
    Column("side", "Your side"),
    Column("provider", "Provider", text=lambda r: r["provider"]["name"]),
    Column(
        "client_organization",
        "Client",
        text=lambda r: (r["client_organization"] or {}).get("name") or r["invited_email"],
    ),
    Column("title", "Title"),
]


@app.command("list")
def list_engagements(
    side: Annotated[str | None, typer.Option("--side", help="provider or client")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="invited, expired, active, ended, …")
    ] = None,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The links (newest first), with the ids the other commands ask for."""
    setup()
    from pdca.engagements.links import lookups
    from pdca.engagements.links.schemas import EngagementOut, EngagementState

    choice(side, ["provider", "client"], "--side")
    choice(status, list(get_args(EngagementState)), "--status")
    user = viewer(actor_email)
    rows = lookups.filter_engagements(
        lookups.engagements(user), user, side=side, status=status, kind=None
    )
    print_rows(
        [dump(EngagementOut, e, user) for e in rows],
        ENGAGEMENT_COLUMNS,
        fmt,
        title="Engagements",
        empty="No engagement.",
    )


@app.command("show")
def show(
    engagement_id: EngagementArgument, actor_email: ViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """One link, as the member named reads it."""
    setup()
    from pdca.engagements.links.schemas import EngagementOut

    user = viewer(actor_email)
    data = dump(EngagementOut, engagement_of(engagement_id, user), user)
    labels = {
        "id": "Id",
        "title": "Title",
        "kind": "Kind",
        "status": "Status",
        "provider": "Provider",
        "client_organization": "Client",
        "client_record": "Client record",
        "invited_email": "Invited",
        "expires_at": "Invitation expires",
        "accepted_at": "Accepted",
        "ended_at": "Ended",
        "end_reason": "End reason",
        "started_on": "Consultancy from",
        "ended_on": "Consultancy until",
        "consultants": "Consultants",
    }
    print_one(data, fmt, labels)


@app.command("clients")
def clients(
    org: Annotated[str, typer.Option("--org", help="The certification body (slug)")],
    fmt: FormatOption = "table",
) -> None:
    """A certification body's client records (ids for `invite --client`)."""
    setup()
    from pdca.certification.models import Client
    from pdca.core.cli_support import organization_or_exit

    body = organization_or_exit(org)
    rows = [
        {"id": c.pk, "reference": c.reference, "name": c.name}
        for c in Client.objects.filter(organization=body).order_by("reference", "pk")
    ]
    print_rows(
        rows,
        [Column("id", "Id", "right"), Column("reference", "Reference"), Column("name", "Client")],
        fmt,
        title=f"Clients of {body}",
        empty="No client record.",
    )


@app.command("invite")
def invite(
    org: Annotated[str, typer.Option("--org", help="Your organization (slug)")],
    email: Annotated[str, typer.Option("--email", help="The client manager's e-mail")],
    title: Annotated[str, typer.Option("--title", help="e.g. ISO 9001 certification of Acme")],
    client_id: Annotated[
        int | None, typer.Option("--client", help="A certification body's client record id")
    ] = None,
    notes: Annotated[str, typer.Option("--notes", help="Your notes")] = "",
    actor_email: ActorOption = None,
) -> None:
    """Invite a client organization; the link is printed once and mailed to it."""
    setup()
    from pdca.certification.models import Client
    from pdca.core.cli_support import organization_or_exit
    from pdca.engagements.services import links
    from pdca.tenancy.models import Organization

    organization = organization_or_exit(org)
    user = actor(actor_email)
    client = None
    if client_id is not None and organization.kind != Organization.Kind.CERTIFICATION_BODY:
        err.print("[red]Only a certification body names a client record (--client).")
        raise typer.Exit(2)
    if organization.kind == Organization.Kind.CERTIFICATION_BODY:
        records = Client.objects.filter(organization=organization).order_by("reference")
        client = records.filter(pk=client_id).first() if client_id is not None else None
        if client is None:
            err.print("[red]Choose the client record with --client ID:")
            for record in records:
                err.print(f"  {record.pk}  {escape(record.reference)}  {escape(record.name)}")
            raise typer.Exit(2)
    invited = run_service(
        lambda: links.invite_client(
            organization, email=email, title=title, client=client, notes=notes, actor=user
        )
    )
    console.print(f"Engagement {invited.engagement.pk} invited {escape(email)}.")
    console.print(f"Invitation link (shown once): {invited.url}", markup=False)


@app.command("accept")
def accept(
    secret: Annotated[str, typer.Argument(help="The secret at the end of the invitation link")],
    organization_id: Annotated[
        int | None, typer.Option("--organization", help="Id of the organization accepting")
    ] = None,
    actor_email: ActorOption = None,
) -> None:
    """Accept an invitation for an organization you manage (lists them when not given)."""
    setup()
    from pdca.engagements.services import links

    user = actor(actor_email)
    choices = links.client_choices(user)
    chosen = next((o for o in choices if o.pk == organization_id), None)
    if chosen is None:
        err.print("[red]Choose the organization with --organization ID:")
        for organization in choices:
            err.print(f"  {organization.pk}  {escape(organization.name)}")
        raise typer.Exit(2)
    engagement = run_service(lambda: links.accept_engagement(secret, chosen, actor=user))
    console.print(f"{escape(chosen.name)} is linked to {escape(str(engagement.organization))}.")


@app.command("decline")
def decline(
    secret: Annotated[str, typer.Argument(help="The secret at the end of the invitation link")],
    actor_email: ActorOption = None,
) -> None:
    """Decline an invitation."""
    setup()
    from pdca.engagements.services import links

    user = actor(actor_email)
    run_service(lambda: links.decline_engagement(secret, actor=user))
    console.print("Invitation declined.")


def _link_step(engagement_id: int, actor_email: str | None, step: Callable[[Any, Any], Any]) -> Any:
    setup()
    user = actor(actor_email)
    engagement = engagement_of(engagement_id, user)
    run_service(lambda: step(engagement, user))
    engagement.refresh_from_db()
    console.print(f"Engagement {engagement.pk} is {engagement.get_status_display().lower()}.")


@app.command("withdraw")
def withdraw(engagement_id: EngagementArgument, actor_email: ActorOption = None) -> None:
    """Withdraw an invitation nobody answered."""
    from pdca.engagements.services import links

    _link_step(engagement_id, actor_email, lambda e, u: links.withdraw_invitation(e, actor=u))


@app.command("end")
def end(
    engagement_id: EngagementArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why the link ends")],
    actor_email: ActorOption = None,
) -> None:
    """End an active link (either side's managers); open grants are revoked with it."""
    from pdca.engagements.services import links

    _link_step(engagement_id, actor_email, lambda e, u: links.end_engagement(e, reason, actor=u))


@app.command("consultancy")
def consultancy(
    engagement_id: EngagementArgument,
    started: Annotated[
        str | None, typer.Option("--started", help="First day of the consultancy (YYYY-MM-DD)")
    ] = None,
    ended: Annotated[
        str | None, typer.Option("--ended", help="Last day (YYYY-MM-DD); empty: still going on")
    ] = None,
    consultant: Annotated[
        list[str] | None,
        typer.Option("--consultant", help="A consultant's e-mail address (repeat for several)"),
    ] = None,
    actor_email: ActorOption = None,
) -> None:
    """Record a consultancy's dates and consultants (the certification body's impartiality
    check reads them)."""
    import datetime as dt

    def day(value: str | None, name: str) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            err.print(f"--{name}: give a date as YYYY-MM-DD.")
            raise typer.Exit(1) from None

    started_on, ended_on = day(started, "started"), day(ended, "ended")

    def step(engagement: Any, user: Any) -> Any:
        from pdca.accounts.models import User
        from pdca.engagements.services import links

        emails = consultant or []
        people = list(User.objects.filter(email__in=emails))
        unknown = sorted(set(emails) - {p.email for p in people})
        if unknown:
            err.print(f"--consultant: no account for {', '.join(unknown)}.")
            raise typer.Exit(1)
        return links.set_consultancy(
            engagement, started_on=started_on, ended_on=ended_on, consultants=people, actor=user
        )

    _link_step(engagement_id, actor_email, step)


def _add_commands() -> None:
    from pdca.engagements.links import cli_grants, cli_work

    cli_grants.add_commands(app)
    cli_work.add_commands(app)


_add_commands()
