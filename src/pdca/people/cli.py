"""`pdca training …`: competence and training from the command line: list paths, courses,
campaigns, assignments and records (with the ids the other commands take), assign a path, the
competence matrix, who is overdue and a campaign's report (tables, JSON, XLSX, PDF), import a
course file or a training history workbook, export a course or the matrix, and install the
shipped paths.

Reads need no user: the operator at the command line is trusted like a platform administrator,
and `--as EMAIL` shows only what that member may see. Writes run as the member named by `--as`,
with that member's permissions, and are recorded in the activity log as coming from the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from pdca.core.cli_output import (
    AsViewerOption,
    Column,
    FormatOption,
    OrgFilterOption,
    print_json,
    print_rows,
)
from pdca.core.console import console, err

app = typer.Typer(
    help="Training and competence: paths, assignments, the competence matrix, awareness "
    "campaigns, course files.",
    no_args_is_help=True,
)

OrgOption = Annotated[
    str | None,
    typer.Option("--org", help="The organization's slug (needed if the member has several)"),
]
WriterOption = Annotated[
    str,
    typer.Option("--as", help="E-mail of the member making the change (their permissions apply)"),
]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _fail(exc: Exception) -> typer.Exit:
    """Print a service's refusal (every field it names on its own line) and exit 1."""
    from pdca.core.exceptions import ValidationFailed

    if isinstance(exc, ValidationFailed) and exc.errors:
        for error in exc.errors:
            typer.echo(f"{error.field}: {error.message}" if error.field else error.message)
        err.print(f"[red]{len(exc.errors)} problem(s); nothing was written.", highlight=False)
    else:
        err.print(f"[red]{getattr(exc, 'message', exc)}", markup=True, highlight=False)
    return typer.Exit(1)


def _organization(slug: str | None, actor: Any):
    """The organization named by --org, or the only one of the acting member."""
    from pdca.core.cli_support import organization_or_exit
    from pdca.core.permissions import memberships
    from pdca.tenancy.models import Organization

    if slug:
        return organization_or_exit(slug)
    ids = list(memberships(actor)) if actor is not None else []
    if len(ids) != 1:
        err.print("[red]Say which organization: --org SLUG.")
        raise typer.Exit(2)
    return Organization.objects.get(pk=ids[0])


def _actor(email: str | None):
    from pdca.core.cli_support import actor_or_exit

    return actor_or_exit(email)


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]{option} must be a date as YYYY-MM-DD, not {value!r}.")
        raise typer.Exit(2) from None


def _write(file: Path, data: bytes, what: str) -> None:
    try:
        file.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {file}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {file} ({what}).", markup=False, highlight=False)


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {file}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None


def _one(model, value: str, organization, noun: str, lister: str):
    """The row of `model` whose id (or code) is `value`, in `organization` when given."""
    rows = model.objects.select_related("organization")
    if organization is not None:
        rows = rows.filter(organization=organization)
    if value.isdigit():
        found = rows.filter(pk=int(value)).first()
    elif organization is None:
        err.print(f"[red]Give the {noun}'s id, or its code with --org SLUG.")
        raise typer.Exit(2)
    else:
        found = rows.filter(code=value).first()
    if found is None:
        err.print(f"[red]No {noun} {value!r}. `{lister}` shows them.")
        raise typer.Exit(1)
    return found


# --- list -------------------------------------------------------------------------------------


def _paths(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    from django.db.models import Count

    listed = [
        {
            "id": p.pk,
            "organization": p.organization.slug,
            "code": p.code,
            "title": p.title,
            "role": p.role or None,
            "courses": p.course_count,
            "pass_mark": p.pass_mark,
            "validity_months": p.validity_months,
            "source": p.source,
        }
        for p in rows.annotate(course_count=Count("steps")).order_by("organization__slug", "title")
    ]
    return listed, [
        Column("code", "Code"),
        Column("title", "Title"),
        Column("role", "For"),
        Column("courses", "Courses", "right"),
        Column("pass_mark", "Pass mark", "right", text=lambda r: f"{r['pass_mark']} %"),
        Column(
            "validity_months",
            "Valid",
            text=lambda r: f"{r['validity_months']} months" if r["validity_months"] else "",
        ),
    ]


def _courses(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    from django.db.models import Count, Q

    annotated = rows.annotate(
        modules=Count("modules", distinct=True),
        quizzes=Count("modules", filter=Q(modules__kind="quiz"), distinct=True),
    )
    listed = [
        {
            "id": c.pk,
            "organization": c.organization.slug,
            "code": c.code,
            "title": c.title,
            "source": c.source,
            "modules": c.modules,
            "quizzes": c.quizzes,
            "revision": c.revision,
        }
        for c in annotated.order_by("organization__slug", "code")
    ]
    return listed, [
        Column("code", "Code"),
        Column("title", "Title"),
        Column("source", "Source"),
        Column("modules", "Modules", "right"),
        Column("quizzes", "Quizzes", "right"),
        Column("revision", "Revision", "right"),
    ]


def _campaigns(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    listed = [
        {
            "id": c.pk,
            "organization": c.organization.slug,
            "title": c.title,
            "status": c.status,
            "audience": c.audience_label,
            "due_date": c.due_date,
            "path": c.path.title if c.path else None,
        }
        for c in rows.select_related("path", "site").order_by("organization__slug", "-due_date")
    ]
    return listed, [
        Column("title", "Title"),
        Column("status", "Status"),
        Column("audience", "Who"),
        Column("due_date", "Due"),
        Column("path", "Path"),
    ]


def _assignments(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    listed = [
        {
            "id": a.pk,
            "organization": a.organization.slug,
            "what": a.path.title if a.path else a.action,
            "path": a.path_id,
            "who": a.person.email if a.person else a.audience_label,
            "due_date": a.due_date,
            "owner": a.owner.email if a.owner else None,
            "requirement": a.requirement.code if a.requirement else None,
            "campaign": a.campaign_id,
        }
        for a in rows.select_related("path", "person", "owner", "site", "requirement").order_by(
            "organization__slug", "due_date", "pk"
        )
    ]
    return listed, [
        Column("what", "What"),
        Column("who", "Who"),
        Column("due_date", "Due"),
        Column("owner", "Follows up"),
        Column("requirement", "Requirement"),
    ]


def _records(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    listed = [
        {
            "id": r.pk,
            "organization": r.organization.slug,
            "person": r.person.email,
            "title": r.title,
            "kind": r.kind,
            "result": r.result,
            "completed_on": r.completed_on,
            "expires_on": r.expires_on,
            "requirement": r.requirement.code if r.requirement else None,
        }
        for r in rows.filter(archived_at__isnull=True)
        .select_related("person", "requirement")
        .order_by("organization__slug", "person__email", "-completed_on", "pk")
    ]
    return listed, [
        Column("person", "Person"),
        Column("title", "Title"),
        Column("kind", "Kind"),
        Column("result", "Result"),
        Column("completed_on", "Completed"),
        Column("expires_on", "Expires"),
        Column("requirement", "Requirement"),
    ]


@app.command("list")
def list_(
    org: OrgFilterOption = None,
    courses: Annotated[bool, typer.Option("--courses", help="Courses instead of paths")] = False,
    campaigns: Annotated[bool, typer.Option("--campaigns", help="Awareness campaigns")] = False,
    assignments: Annotated[
        bool, typer.Option("--assignments", help="Training assignments")
    ] = False,
    records: Annotated[bool, typer.Option("--records", help="Training records")] = False,
    actor_email: AsViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Training paths with their ids and codes (what `assign` takes); or, with --courses,
    --campaigns, --assignments or --records, those instead (what `export` and
    `report --campaign` take)."""
    _setup()
    from pdca.core.cli_support import organization_or_none, visible
    from pdca.people.models import (
        Assignment,
        AwarenessCampaign,
        Course,
        TrainingPath,
        TrainingRecord,
    )

    chosen = [
        name
        for name, on in (
            ("--courses", courses),
            ("--campaigns", campaigns),
            ("--assignments", assignments),
            ("--records", records),
        )
        if on
    ]
    if len(chosen) > 1:
        err.print(f"[red]Choose one of {', '.join(chosen)}.")
        raise typer.Exit(2)
    what = chosen[0][2:] if chosen else "paths"
    model: Any
    model, build = {
        "paths": (TrainingPath, _paths),
        "courses": (Course, _courses),
        "campaigns": (AwarenessCampaign, _campaigns),
        "assignments": (Assignment, _assignments),
        "records": (TrainingRecord, _records),
    }[what]
    organization, actor = organization_or_none(org), _actor(actor_email)
    rows = visible(
        model.objects.select_related("organization"), organization=organization, actor=actor
    )
    if what in ("paths", "courses", "campaigns", "assignments"):
        rows = rows.filter(archived_at__isnull=True)
    listed, columns = build(rows)
    columns = [
        Column("id", "ID", "right"),
        *([Column("organization", "Organization")] if organization is None else []),
        *columns,
    ]
    where = f" of {organization.name}" if organization is not None else ""
    print_rows(
        listed,
        columns,
        fmt,
        title=f"{what.capitalize()}{where}",
        summary=f"{len(listed)} {what if len(listed) != 1 else what[:-1]}.",
    )


# --- assign -----------------------------------------------------------------------------------


def _site(organization, value: str):
    from django.db.models import Q

    from pdca.tenancy.models import Site

    condition = Q(name__iexact=value) | Q(code__iexact=value)
    if value.isdigit():
        condition |= Q(pk=int(value))
    found = Site.objects.filter(condition, organization=organization).first()
    if found is None:
        err.print(f"[red]No site {value!r} in {organization.name} (give its name, code or id).")
        raise typer.Exit(1)
    return found


def _member(organization, email: str, option: str):
    from pdca.tenancy.models import Membership

    found = (
        Membership.objects.filter(
            organization=organization, user__email__iexact=email.strip(), user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if found is None:
        err.print(f"[red]{option}: {email!r} is no active member of {organization.name}.")
        raise typer.Exit(1)
    return found.user


@app.command()
def assign(
    path: Annotated[
        str, typer.Argument(help="The path's id, or its code with --org (`pdca training list`)")
    ],
    due: Annotated[str, typer.Option("--due", help="Due date, YYYY-MM-DD")],
    actor_email: WriterOption,
    to_person: Annotated[
        str | None, typer.Option("--to-person", help="E-mail of one member")
    ] = None,
    to_role: Annotated[
        str | None, typer.Option("--to-role", help="Everyone of this role (employee, …)")
    ] = None,
    to_team: Annotated[str | None, typer.Option("--to-team", help="Everyone of this team")] = None,
    to_site: Annotated[
        str | None, typer.Option("--to-site", help="Everyone of this site (name, code or id)")
    ] = None,
    to_everyone: Annotated[
        bool, typer.Option("--to-everyone", help="Everyone in the organization")
    ] = False,
    owner: Annotated[
        str | None, typer.Option("--owner", help="E-mail of who follows it up (default: --as)")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A note for the people assigned")] = "",
    org: OrgOption = None,
) -> None:
    """Assign a training path, due on --due, to one person or to everyone a role, team or site
    covers (people who join later are covered too)."""
    _setup()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.people.models import TrainingPath
    from pdca.people.services.assignments import assign_path

    actor = _actor(actor_email)
    organization = _organization(org, actor) if org or not path.isdigit() else None
    found = _one(TrainingPath, path, organization, "training path", "pdca training list")
    organization = found.organization
    if not (to_person or to_role or to_team or to_site or to_everyone):
        err.print("[red]Say who: --to-person, --to-role, --to-team, --to-site or --to-everyone.")
        raise typer.Exit(2)
    due_date = _date(due, "--due")
    try:
        with channel("cli"):
            assignment = assign_path(
                found,
                actor=actor,
                due_date=due_date,
                person=_member(organization, to_person, "--to-person") if to_person else None,
                role=to_role or "",
                team=to_team or "",
                site=_site(organization, to_site) if to_site else None,
                owner=_member(organization, owner, "--owner") if owner else None,
                note=note,
            )
    except ServiceError as exc:
        raise _fail(exc) from None
    who = str(assignment.person) if assignment.person else assignment.audience_label
    console.print(
        f"Assigned {found.title} to {who}, due {due_date.isoformat()} "
        f"(assignment {assignment.pk}).",
        markup=False,
        highlight=False,
    )


# --- report -----------------------------------------------------------------------------------


def _matrix_rows(matrix) -> list[dict[str, Any]]:
    return [
        {
            "person": row.membership.user.full_name or row.membership.user.email,
            "email": row.membership.user.email,
            "role": row.membership.role,
            "team": row.membership.team,
            "site": str(row.membership.site) if row.membership.site_id else None,
            "gaps": row.gaps,
            "cells": {
                requirement.code: {
                    "status": str(cell.status),
                    "expires_on": cell.expires_on,
                    "mandatory": cell.mandatory,
                    "action_due": cell.action.due_date if cell.action else None,
                }
                for requirement, cell in zip(matrix.requirements, row.cells, strict=True)
            },
        }
        for row in matrix.rows
    ]


def _cell_text(cell: dict[str, Any]) -> str:
    status = cell["status"]
    if status == "n/a":
        return "–"
    text = {
        "competent": "ok",
        "expiring": "expiring",
        "expired": "EXPIRED",
        "planned": "planned",
        "missing": "GAP",
    }[status]
    if cell["expires_on"] and status in ("competent", "expiring", "expired"):
        text += f" {cell['expires_on']:%Y-%m-%d}"
    if cell["action_due"]:
        text += f" (due {cell['action_due']:%Y-%m-%d})"
    return text


def _cell_column(code: str) -> Column:
    def text(row: Mapping[str, Any]) -> str:
        return _cell_text(row["cells"][code])

    return Column(code, code, text=text)


def _matrix_report(
    organization, actor, filters: dict[str, Any], xlsx: Path | None, fmt: str
) -> None:
    from pdca.core.exceptions import ServiceError
    from pdca.people import selectors
    from pdca.people.services import reports

    try:
        matrix = selectors.matrix_for(actor, organization, **filters)
    except ServiceError as exc:
        raise _fail(exc) from None
    if xlsx is not None:
        _write(xlsx, reports.matrix_xlsx(matrix), f"competence matrix of {organization.name}")
        return
    rows = _matrix_rows(matrix)
    if fmt == "json":
        print_json(rows)
        return
    columns = [
        Column("person", "Person"),
        Column("team", "Team"),
        Column("gaps", "Gaps", "right"),
        *(_cell_column(r.code) for r in matrix.requirements),
    ]
    gaps = sum(row["gaps"] for row in rows)
    print_rows(
        rows,
        columns,
        "table",
        title=f"Competence matrix of {organization.name} ({matrix.as_of:%Y-%m-%d})",
        summary=(
            f"{len(rows)} people, {matrix.people_competent} without a gap; {gaps} gap(s). "
            "Requirements: " + "; ".join(f"{r.code} {r.title}" for r in matrix.requirements)
        ),
        empty="Nobody matches.",
    )


def _overdue_report(organization, actor, fmt: str) -> None:
    from django.utils import timezone

    from pdca.core.permissions import may
    from pdca.people.models import Assignment
    from pdca.people.services.assignments import overdue_training

    if actor is not None and not may(actor, "view", Assignment, organization=organization):
        err.print(f"[red]{actor.email} may not see who is overdue in {organization.name}.")
        raise typer.Exit(1)
    today = timezone.localdate()
    rows = [
        {
            "person": item.membership.user.email,
            "team": item.membership.team,
            "path": item.path.title,
            "due_date": item.due_date,
            "days_overdue": (today - item.due_date).days,
            "assignment": item.assignment.pk,
        }
        for item in overdue_training(organization, as_of=today)
    ]
    print_rows(
        rows,
        [
            Column("person", "Person"),
            Column("team", "Team"),
            Column("path", "Path"),
            Column("due_date", "Due"),
            Column("days_overdue", "Days overdue", "right"),
        ],
        fmt,
        title=f"Overdue training in {organization.name}",
        summary=f"{len(rows)} overdue.",
        empty="Nobody is overdue.",
    )


def _campaign_report(
    campaign_id: int, org, actor, xlsx: Path | None, pdf: Path | None, fmt: str
) -> None:
    from pdca.core.cli_support import organization_or_none, visible
    from pdca.people.models import AwarenessCampaign
    from pdca.people.services import reports
    from pdca.people.services.campaigns import campaign_report

    campaigns = visible(
        AwarenessCampaign.objects.select_related("organization", "path"),
        organization=organization_or_none(org),
        actor=actor,
    )
    campaign = campaigns.filter(pk=campaign_id).first()
    if campaign is None:
        err.print(
            f"[red]No awareness campaign {campaign_id}. "
            "`pdca training list --campaigns` shows them."
        )
        raise typer.Exit(1)
    report = campaign_report(campaign)
    if xlsx is not None:
        _write(xlsx, reports.campaign_report_xlsx(report), f"report of {campaign.title}")
    if pdf is not None:
        with err.status("Rendering the PDF…"):
            data = reports.campaign_report_pdf(report)
        _write(pdf, data, f"report of {campaign.title}")
    if xlsx is not None or pdf is not None:
        return
    rows = [
        {
            "person": p.membership.user.email,
            "team": p.membership.team,
            "site": str(p.membership.site) if p.membership.site_id else None,
            "acknowledged": p.acknowledged,
            "asked": p.asked,
            "path_status": p.path_status,
            "best_score": p.best_score,
            "complete": p.complete,
        }
        for p in report.people
    ]
    print_rows(
        rows,
        [
            Column("person", "Person"),
            Column("team", "Team"),
            Column("acknowledged", "Read", text=lambda r: f"{r['acknowledged']} of {r['asked']}"),
            Column("path_status", "Path"),
            Column("best_score", "Best score", "right"),
            Column("complete", "Done"),
        ],
        fmt,
        title=(
            f"{campaign.title} ({campaign.get_status_display().lower()}, due {campaign.due_date})"
        ),
        summary=f"{report.complete} of {len(rows)} people done ({report.percent} %).",
        empty="Nobody is covered by this campaign.",
    )


@app.command()
def report(
    org: OrgOption = None,
    actor_email: AsViewerOption = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Write the workbook here instead of a table")
    ] = None,
    campaign: Annotated[
        int | None,
        typer.Option(
            "--campaign",
            help="An awareness campaign's report (`pdca training list --campaigns` shows ids)",
        ),
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="With --campaign: write the PDF here")
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Who is past the due date of an assigned path")
    ] = False,
    site: Annotated[str | None, typer.Option("--site", help="Matrix: one site's people")] = None,
    team: Annotated[str, typer.Option("--team", help="Matrix: one team's people")] = "",
    role: Annotated[str, typer.Option("--role", help="Matrix: one role's people")] = "",
    standard: Annotated[
        str | None, typer.Option("--standard", help="Matrix: requirements for a standard (code)")
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """The competence matrix (people against requirements: status and expiry of each cell) as
    a table, JSON or --xlsx workbook; or who is --overdue; or a --campaign's report."""
    _setup()
    from pdca.core.roles import Role
    from pdca.standards.models import Standard

    if campaign is not None and overdue:
        err.print("[red]Choose --campaign or --overdue.")
        raise typer.Exit(2)
    if pdf is not None and campaign is None:
        err.print("[red]--pdf writes a campaign's report: add --campaign ID.")
        raise typer.Exit(2)
    actor = _actor(actor_email)
    if campaign is not None:
        _campaign_report(campaign, org, actor, xlsx, pdf, fmt)
        return
    organization = _organization(org, actor)
    if overdue:
        _overdue_report(organization, actor, fmt)
        return
    if role and role not in Role.values:
        err.print(f"[red]--role must be one of {', '.join(Role.values)}, not {role!r}.")
        raise typer.Exit(2)
    filters: dict[str, Any] = {"team": team.strip(), "role": role}
    if site:
        filters["site"] = _site(organization, site)
    if standard:
        filters["standard"] = Standard.objects.filter(code=standard).first()
        if filters["standard"] is None:
            err.print(f"[red]No standard with the code {standard!r} (`pdca standards list`).")
            raise typer.Exit(1)
    _matrix_report(organization, actor, filters, xlsx, fmt)


# --- import, export, install ------------------------------------------------------------------


def _import_history(file: Path, organization, actor, dry_run: bool, queue: bool) -> None:
    """A training history workbook through the training-records register's import."""
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.core.jobs.cli import print_queued, run_or_queue
    from pdca.core.jobs.registry import JobFailed
    from pdca.core.registers.jobs import IMPORT_KIND, queue_import
    from pdca.core.registers.spreadsheet import ImportSummary
    from pdca.people.registers import RECORDS

    data = _read(file)
    try:
        with channel("cli"):
            if queue:
                print_queued(
                    queue_import(
                        RECORDS, organization, data, file.name, actor=actor, dry_run=dry_run
                    )
                )
                return
            outcome = run_or_queue(
                IMPORT_KIND,
                organization=organization,
                actor=actor,
                params={"register": RECORDS.slug, "dry_run": dry_run},
                title=f"Importing {file.name}",
                queue=False,
                upload=data,
                upload_name=file.name,
            )
    except JobFailed as exc:
        for error in exc.errors:
            typer.echo(f"{error.field}: {error.message}" if error.field else error.message)
        err.print(
            f"[red]{len(exc.errors)} problem(s); nothing was imported."
            if exc.errors
            else f"[red]{exc.message}",
            highlight=False,
        )
        raise typer.Exit(1) from None
    except ServiceError as exc:
        raise _fail(exc) from None
    summary = ImportSummary(**outcome.summary)
    console.print(
        f"{'Checked' if dry_run else 'Imported'} {file}: {summary}", markup=False, highlight=False
    )


@app.command("import")
def import_(
    actor_email: WriterOption,
    file: Annotated[Path | None, typer.Argument(help="A course file (pdca-course/1, YAML)")] = None,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            help="A training history workbook (.xlsx, the layout of "
            "`pdca registers export training-records`): all rows or none",
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the course with the file's code")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="--history: check only, save nothing")
    ] = False,
    queue: Annotated[
        bool, typer.Option("--queue", help="--history: hand it to the workers, print the job")
    ] = False,
    org: OrgOption = None,
) -> None:
    """Import a course file, or with --history a workbook of training records: every problem
    is printed (a course file's as modules[2].questions[1].choices, a workbook's as
    Training records!C7), nothing is written and the exit code is 1."""
    _setup()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.people.services.course_files import import_course

    if (file is None) == (history is None):
        err.print("[red]Give a course file, or a workbook with --history (not both).")
        raise typer.Exit(2)
    actor = _actor(actor_email)
    organization = _organization(org, actor)
    if history is not None:
        _import_history(history, organization, actor, dry_run, queue)
        return
    assert file is not None
    data = _read(file)
    try:
        with channel("cli"):
            course = import_course(organization, data, actor=actor, replace=replace)
    except ServiceError as exc:
        raise _fail(exc) from None
    modules = list(course.modules.values_list("kind", flat=True))
    console.print(
        f"{'Replaced' if course.revision > 1 else 'Imported'} course {course.code} "
        f"(id {course.pk}, revision {course.revision}): {modules.count('lesson')} lesson(s), "
        f"{modules.count('quiz')} quiz(zes).",
        markup=False,
        highlight=False,
    )


@app.command()
def export(
    course: Annotated[
        str | None,
        typer.Argument(
            help="The course's id, or its code with --org (`pdca training list --courses`)"
        ),
    ] = None,
    matrix: Annotated[
        bool, typer.Option("--matrix", help="Export the competence matrix (XLSX) instead")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write ('-' for standard output)"),
    ] = None,
    org: OrgOption = None,
    actor_email: AsViewerOption = None,
) -> None:
    """Write a course as a pdca-course/1 file (right answers included; what `import` reads
    back), or with --matrix the competence matrix as an XLSX workbook."""
    _setup()
    from django.utils import timezone

    from pdca.people.models import Course
    from pdca.people.services.course_files import export_course
    from pdca.people.services.reports import matrix_filename

    if (course is None) == (not matrix):
        err.print("[red]Give a course, or --matrix (not both).")
        raise typer.Exit(2)
    actor = _actor(actor_email)
    if matrix:
        organization = _organization(org, actor)
        target = output or Path(matrix_filename(organization, timezone.localdate()))
        _matrix_report(organization, actor, {}, target, "table")
        return
    assert course is not None
    organization = _organization(org, actor) if org or not course.isdigit() else None
    found = _one(Course, course, organization, "course", "pdca training list --courses")
    if actor is not None:
        from pdca.people.selectors import may_see_answers

        if not may_see_answers(actor, found):
            err.print(
                f"[red]{actor.email} may not export the courses of {found.organization.name}."
            )
            raise typer.Exit(1)
    text = export_course(found)
    if output is not None and str(output) == "-":
        typer.echo(text, nl=False)
        return
    _write(output or Path(f"{found.code}.yaml"), text.encode("utf-8"), f"course {found.code}")


@app.command()
def install(
    actor_email: WriterOption,
    org: OrgOption = None,
    queue: Annotated[
        bool, typer.Option("--queue", help="Hand it to the workers and print the job's id")
    ] = False,
) -> None:
    """Install the training paths shipped with pdca (awareness, internal auditor, lead
    implementer, lead auditor) and their courses; what the organization has is kept, so it
    is safe to run again after an upgrade."""
    _setup()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.core.jobs.cli import print_queued, run_or_queue
    from pdca.people.jobs import INSTALL_KIND, queue_install

    actor = _actor(actor_email)
    organization = _organization(org, actor)
    try:
        with channel("cli"):
            if queue:
                print_queued(queue_install(organization, actor=actor))
                return
            outcome = run_or_queue(
                INSTALL_KIND,
                organization=organization,
                actor=actor,
                params={},
                title="Installing the shipped training paths",
                queue=False,
            )
    except ServiceError as exc:
        raise _fail(exc) from None
    created = set(outcome.summary["created"])
    for path in outcome.summary["paths"]:
        mark = "added" if path["code"] in created else "kept"
        console.print(f"{path['code']}: {path['title']} ({mark})", markup=False, highlight=False)
    console.print(outcome.message, markup=False, highlight=False)
