"""`pdca capa …`: nonconformities from the command line: the open ones (overdue first), the
analytics workbook, and the daily reminders and escalations.

Without `--as` the operator at the command line is trusted like a platform administrator and
sees every nonconformity; with `--as EMAIL` only what that member may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from pdca.core.cli_output import AsViewerOption, Column, FormatOption, OrgFilterOption, print_rows
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
    from pdca.core.cli_support import organization_or_none

    return organization_or_none(slug)


def _actor(email: str | None):
    from pdca.core.cli_support import actor_or_exit

    return actor_or_exit(email)


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
    org: OrgFilterOption = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only the overdue ones")] = False,
    status: Annotated[
        str | None, typer.Option("--status", help="Only this status (default: open ones)")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owner's e-mail")] = None,
    actor_email: AsViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """List nonconformities, overdue first, with their days overdue.

    Open ones unless --status says otherwise; --as shows only what that member may see."""
    _setup()
    from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Value, When
    from django.utils import timezone

    from pdca.core.permissions import scope
    from pdca.improvement.deadlines import overdue_q
    from pdca.improvement.models import Nonconformity

    statuses = Nonconformity.Status
    if status is not None and status not in statuses.values:
        err.print(f"[red]--status must be one of {', '.join(statuses.values)}, not {status!r}.")
        raise typer.Exit(2)
    organization, actor = _organization(org), _actor(actor_email)
    today = timezone.localdate()
    # Any: the rows gain the annotations below (`late`, `oldest_action`, `late_actions`).
    rows: QuerySet[Any] = Nonconformity.objects.select_related("organization", "owner")
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
    listed = [_row(nc, today) for nc in rows]
    columns = [
        *([Column("organization", "Organization")] if organization is None else []),
        Column("reference", "Reference", text=lambda r: r["reference"] or f"#{r['id']}"),
        Column("title", "Title"),
        Column("status", "Status", text=lambda r: statuses(r["status"]).label),
        Column(
            "severity",
            "Severity",
            text=lambda r: Nonconformity.Severity(r["severity"]).label if r["severity"] else "—",
        ),
        Column("owner", "Owner", text=lambda r: r["owner"] or "—"),
        Column("due_date", "Due", text=_due_text),
        Column(
            "days_overdue", "Days overdue", "right", text=lambda r: _blank_zero(r, "days_overdue")
        ),
        Column(
            "actions_overdue",
            "Actions overdue",
            "right",
            text=lambda r: _blank_zero(r, "actions_overdue"),
        ),
    ]
    count = len(listed)
    print_rows(
        listed,
        columns,
        fmt,
        title="Nonconformities",
        summary=f"{count} nonconformit{'y' if count == 1 else 'ies'}.",
    )


def _row(nc, today: dt.date) -> dict:
    """One nonconformity of the list, with its days overdue (0 when it is not overdue)."""
    from pdca.improvement.deadlines import overdue_since, pending_deadline

    dates = [d for d in (overdue_since(nc, today), nc.oldest_action) if d and d < today]
    pending = pending_deadline(nc)
    return {
        "id": nc.pk,
        "organization": nc.organization.slug,
        "reference": nc.reference,
        "title": nc.title,
        "status": nc.status,
        "severity": nc.severity or None,
        "owner": nc.owner.email if nc.owner else None,
        "due_date": nc.due_date,
        "body_deadline": pending[1] if pending is not None else None,
        "days_overdue": (today - min(dates)).days if nc.late == 0 and dates else 0,
        "actions_overdue": nc.late_actions,
    }


def _blank_zero(row: Mapping[str, Any], key: str) -> str:
    return str(row[key]) if row[key] else ""


def _due_text(row: Mapping[str, Any]) -> str:
    """The due date, and a certification body's deadline owed before it."""
    due, body = row["due_date"], row["body_deadline"]
    text = due.isoformat() if due else "—"
    if body is not None and (due is None or body < due):
        return f"{text} (body: {body.isoformat()})"
    return text


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
    date_from_, date_to_ = _date(date_from, "--from"), _date(date_to, "--to")
    with err.status("Writing the workbook…"):
        data = analytics_workbook(organization, actor, date_from=date_from_, date_to=date_to_)
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
