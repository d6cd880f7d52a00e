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

from pathlib import Path
from typing import Annotated, Any

import typer

from pdca.core.cli_output import (
    AsViewerOption,
    Column,
    FormatOption,
    OrgFilterOption,
    print_rows,
)
from pdca.core.console import console, err
from pdca.people.cli_common import (
    acting_member,
    date,
    fail,
    member,
    one,
    organization_for,
    read,
    setup,
    site_named,
    write,
)
from pdca.people.cli_reports import (
    assignments_table,
    campaigns_table,
    courses_table,
    import_history,
    paths_table,
    print_campaign_report,
    print_matrix,
    print_overdue,
    records_table,
)

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


# --- list -------------------------------------------------------------------------------------


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
    setup()
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
        "paths": (TrainingPath, paths_table),
        "courses": (Course, courses_table),
        "campaigns": (AwarenessCampaign, campaigns_table),
        "assignments": (Assignment, assignments_table),
        "records": (TrainingRecord, records_table),
    }[what]
    organization, actor = organization_or_none(org), acting_member(actor_email)
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
    setup()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.people.models import TrainingPath
    from pdca.people.services.assignments import assign_path

    actor = acting_member(actor_email)
    organization = organization_for(org, actor) if org or not path.isdigit() else None
    found = one(TrainingPath, path, organization, "training path", "pdca training list")
    organization = found.organization
    if not (to_person or to_role or to_team or to_site or to_everyone):
        err.print("[red]Say who: --to-person, --to-role, --to-team, --to-site or --to-everyone.")
        raise typer.Exit(2)
    due_date = date(due, "--due")
    try:
        with channel("cli"):
            assignment = assign_path(
                found,
                actor=actor,
                due_date=due_date,
                person=member(organization, to_person, "--to-person") if to_person else None,
                role=to_role or "",
                team=to_team or "",
                site=site_named(organization, to_site) if to_site else None,
                owner=member(organization, owner, "--owner") if owner else None,
                note=note,
            )
    except ServiceError as exc:
        raise fail(exc) from None
    who = str(assignment.person) if assignment.person else assignment.audience_label
    console.print(
        f"Assigned {found.title} to {who}, due {due_date.isoformat()} "
        f"(assignment {assignment.pk}).",
        markup=False,
        highlight=False,
    )


# --- report -----------------------------------------------------------------------------------


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
    setup()
    from pdca.core.roles import Role
    from pdca.standards.models import Standard

    if campaign is not None and overdue:
        err.print("[red]Choose --campaign or --overdue.")
        raise typer.Exit(2)
    if pdf is not None and campaign is None:
        err.print("[red]--pdf writes a campaign's report: add --campaign ID.")
        raise typer.Exit(2)
    actor = acting_member(actor_email)
    if campaign is not None:
        print_campaign_report(campaign, org, actor, xlsx, pdf, fmt)
        return
    organization = organization_for(org, actor)
    if overdue:
        print_overdue(organization, actor, fmt)
        return
    if role and role not in Role.values:
        err.print(f"[red]--role must be one of {', '.join(Role.values)}, not {role!r}.")
        raise typer.Exit(2)
    filters: dict[str, Any] = {"team": team.strip(), "role": role}
    if site:
        filters["site"] = site_named(organization, site)
    if standard:
        filters["standard"] = Standard.objects.filter(code=standard).first()
        if filters["standard"] is None:
            err.print(f"[red]No standard with the code {standard!r} (`pdca standards list`).")
            raise typer.Exit(1)
    print_matrix(organization, actor, filters, xlsx, fmt)


# --- import, export, install ------------------------------------------------------------------


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
    setup()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.people.services.course_files import import_course

    if (file is None) == (history is None):
        err.print("[red]Give a course file, or a workbook with --history (not both).")
        raise typer.Exit(2)
    actor = acting_member(actor_email)
    organization = organization_for(org, actor)
    if history is not None:
        import_history(history, organization, actor, dry_run, queue)
        return
    assert file is not None
    data = read(file)
    try:
        with channel("cli"):
            course = import_course(organization, data, actor=actor, replace=replace)
    except ServiceError as exc:
        raise fail(exc) from None
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
    setup()
    from django.utils import timezone

    from pdca.people.models import Course
    from pdca.people.services.course_files import export_course
    from pdca.people.services.reports import matrix_filename

    if (course is None) == (not matrix):
        err.print("[red]Give a course, or --matrix (not both).")
        raise typer.Exit(2)
    actor = acting_member(actor_email)
    if matrix:
        organization = organization_for(org, actor)
        target = output or Path(matrix_filename(organization, timezone.localdate()))
        print_matrix(organization, actor, {}, target, "table")
        return
    assert course is not None
    organization = organization_for(org, actor) if org or not course.isdigit() else None
    found = one(Course, course, organization, "course", "pdca training list --courses")
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
    write(output or Path(f"{found.code}.yaml"), text.encode("utf-8"), f"course {found.code}")


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
    setup()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.core.jobs.cli import print_queued, run_or_queue
    from pdca.people.install_jobs import INSTALL_KIND, queue_install

    actor = acting_member(actor_email)
    organization = organization_for(org, actor)
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
        raise fail(exc) from None
    created = set(outcome.summary["created"])
    for path in outcome.summary["paths"]:
        mark = "added" if path["code"] in created else "kept"
        console.print(f"{path['code']}: {path['title']} ({mark})", markup=False, highlight=False)
    console.print(outcome.message, markup=False, highlight=False)
