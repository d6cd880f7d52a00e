"""`pdca capa …`: nonconformities from the command line: the open ones (overdue first), the
analytics workbook, and the daily reminders and escalations.

Without `--as` the operator at the command line is trusted like a platform administrator and
sees every nonconformity; with `--as EMAIL` only what that member may see.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pdca.core.console import console, err

app = typer.Typer(
    help="Corrective action: list nonconformities, export the analytics, send reminders.",
    no_args_is_help=True,
)

OrgOption = Annotated[str | None, typer.Option("--org", help="The organization's slug")]
AsOption = Annotated[
    str | None,
    typer.Option("--as", help="E-mail of a member: show only what they may see"),
]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _organization(slug: str | None):
    from pdca.tenancy.models import Organization

    if slug is None:
        return None
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        err.print(f"[red]No organization with the slug {slug!r}.")
        raise typer.Exit(1)
    return org


def _actor(email: str | None):
    from pdca.accounts.models import User

    if email is None:
        return None
    actor = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if actor is None:
        err.print(f"[red]No active user with the e-mail {email!r}.")
        raise typer.Exit(1)
    return actor


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]{option} must be a date as YYYY-MM-DD, not {value!r}.")
        raise typer.Exit(2) from None


@app.command("list")
def list_nonconformities(
    org: OrgOption = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only the overdue ones")] = False,
    status: Annotated[
        str | None, typer.Option("--status", help="Only this status (default: open ones)")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owner's e-mail")] = None,
    actor_email: AsOption = None,
) -> None:
    """List nonconformities, overdue first, with their days overdue.

    Open ones unless --status says otherwise; --as shows only what that member may see."""
    _setup()
    from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When
    from django.utils import timezone

    from pdca.core.permissions import scope
    from pdca.improvement.deadlines import overdue_q, overdue_since
    from pdca.improvement.models import Nonconformity

    statuses = Nonconformity.Status
    if status is not None and status not in statuses.values:
        err.print(f"[red]--status must be one of {', '.join(statuses.values)}, not {status!r}.")
        raise typer.Exit(2)
    organization, actor = _organization(org), _actor(actor_email)
    today = timezone.localdate()
    rows = Nonconformity.objects.select_related("organization", "owner")
    if actor is not None:
        rows = scope(rows, actor)
    if organization is not None:
        rows = rows.filter(organization=organization)
    if status is not None:
        rows = rows.filter(status=status)
    else:
        rows = rows.exclude(status__in=[statuses.CLOSED, statuses.DISMISSED])
    # Overdue: a date the nonconformity owes has passed (`deadlines.overdue_q`: its due date or
    # a certification body's deadline), or one of its planned actions' due dates.
    late_action = Q(actions__status="planned", actions__due_date__lt=today)
    rows = rows.annotate(
        oldest_action=Min("actions__due_date", filter=late_action),
        late_actions=Count("actions", filter=late_action),
    )
    late = overdue_q(today) | (
        ~Q(status__in=[statuses.CLOSED, statuses.DISMISSED]) & Q(late_actions__gt=0)
    )
    if overdue:
        rows = rows.filter(late)
    if owner is not None:
        rows = rows.filter(owner__email__iexact=owner.strip())
    rows = rows.annotate(
        late=Case(When(late, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("late", F("due_date").asc(nulls_last=True), "organization__slug", "reference", "pk")
    table = Table(title="Nonconformities")
    if organization is None:
        table.add_column("Organization", no_wrap=True)
    table.add_column("Reference", no_wrap=True)
    for header in ("Title", "Status", "Severity", "Owner", "Due"):
        table.add_column(header)
    table.add_column("Days overdue", justify="right")
    table.add_column("Actions overdue", justify="right")
    count = 0
    for nc in rows:
        count += 1
        dates = [d for d in (overdue_since(nc, today), nc.oldest_action) if d and d < today]
        days = (today - min(dates)).days if nc.late == 0 and dates else 0
        cells = [
            nc.reference or f"#{nc.pk}",
            nc.title,
            nc.get_status_display(),
            nc.get_severity_display() or "—",
            nc.owner.email if nc.owner else "—",
            _due_cell(nc),
            str(days) if days else "",
            str(nc.late_actions) if nc.late_actions else "",
        ]
        table.add_row(*([nc.organization.slug] if organization is None else []), *cells)
    console.print(table)
    console.print(f"{count} nonconformit{'y' if count == 1 else 'ies'}.")


def _due_cell(nc) -> str:
    """The nonconformity's due date, and a certification body's deadline owed before it."""
    from pdca.improvement.deadlines import pending_deadline

    due = nc.due_date.isoformat() if nc.due_date else "—"
    pending = pending_deadline(nc)
    if pending is not None and (nc.due_date is None or pending[1] < nc.due_date):
        return f"{due} (body: {pending[1].isoformat()})"
    return due


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx)")],
    org: OrgOption = None,
    actor_email: AsOption = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Reported on or after")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Reported on or before")] = None,
) -> None:
    """Write the analytics workbook (the page's download) of one organization."""
    _setup()
    from pdca.core.permissions import may, memberships
    from pdca.improvement.analytics.export import analytics_workbook
    from pdca.improvement.models import Nonconformity
    from pdca.tenancy.models import Organization

    organization, actor = _organization(org), _actor(actor_email)
    if organization is None:
        ids = list(memberships(actor)) if actor is not None else []
        if len(ids) != 1:
            err.print("[red]Say which organization: --org SLUG.")
            raise typer.Exit(2)
        organization = Organization.objects.get(pk=ids[0])
    if actor is not None and not may(actor, "view", Nonconformity, organization=organization):
        err.print(f"[red]{actor.email} may not see the nonconformities of {organization.name}.")
        raise typer.Exit(1)
    filters = {"date_from": _date(date_from, "--from"), "date_to": _date(date_to, "--to")}
    with err.status("Writing the workbook…"):
        data = analytics_workbook(organization, actor, **filters)
    try:
        file.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {file}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {file} (nonconformity analytics of {organization.name}).")


@app.command()
def remind(
    org: OrgOption = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Run as of this date (YYYY-MM-DD)")
    ] = None,
    queue: Annotated[
        bool, typer.Option("--queue", help="Hand it to the workers and print the job's id")
    ] = False,
) -> None:
    """Send overdue reminders and escalate overdue certification findings.

    The workers run it once a day by themselves (`pdca worker`); run it here to catch up or
    for one organization."""
    _setup()
    from django.utils import timezone

    from pdca.core.context import channel
    from pdca.core.jobs.cli import print_queued, run_or_queue
    from pdca.improvement.jobs import REMINDERS_KIND

    organization = _organization(org)
    day = _date(today, "--today") or timezone.localdate()
    with channel("cli"):
        outcome = run_or_queue(
            REMINDERS_KIND,
            organization=organization,
            actor=None,
            params={"day": day.isoformat()},
            title=f"Corrective-action reminders ({day.isoformat()})",
            queue=queue,
        )
    if queue:
        print_queued(outcome)
        return
    console.print(f"Reminders: {outcome.summary['reminders']}")
    console.print(f"Escalated: {len(outcome.summary['escalated'])}")
    for nc in outcome.summary["escalated"]:
        console.print(f"  {nc}")
