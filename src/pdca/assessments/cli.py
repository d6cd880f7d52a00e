"""`pdca gap …`: the gap assessments there are, readiness of one, and its XLSX round trip
(export, import) and report, from the command line.

Reads need no user: the operator at the command line is trusted like a platform
administrator. An import changes items, so it runs as the member named by `--as`, with that
member's permissions, and is recorded in the activity log as coming from the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

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
    help="Gap assessments: list, readiness, XLSX export and import, gap report.",
    no_args_is_help=True,
)

AssessmentArg = Annotated[
    int, typer.Argument(help="The assessment's id (`pdca gap list` shows the ids)")
]
QueueOption = Annotated[
    bool, typer.Option("--queue", help="Hand it to the workers and print the job's id")
]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _assessment(assessment_id: int):
    from pdca.assessments.models import GapAssessment

    assessment = (
        GapAssessment.objects.select_related("system", "organization")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        err.print(f"[red]No gap assessment with id {assessment_id}. `pdca gap list` shows the ids.")
        raise typer.Exit(1)
    return assessment


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}%"


@app.command("list")
def list_assessments(
    org: OrgFilterOption = None,
    status: Annotated[str | None, typer.Option("--status", help="Only open or closed ones")] = None,
    actor_email: AsViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The gap assessments, newest first: id, title, management system, start date, status,
    number of items. The id is what `pdca gap readiness|export|import|report` take."""
    _setup()
    from django.db.models import Count

    from pdca.assessments.models import GapAssessment
    from pdca.core.cli_support import actor_or_exit, organization_or_none, visible

    statuses = GapAssessment.Status
    if status is not None and status not in statuses.values:
        err.print(f"[red]--status must be one of {', '.join(statuses.values)}, not {status!r}.")
        raise typer.Exit(2)
    organization, actor = organization_or_none(org), actor_or_exit(actor_email)
    assessments = visible(GapAssessment.objects.all(), organization=organization, actor=actor)
    if status is not None:
        assessments = assessments.filter(status=status)
    assessments = (
        assessments.select_related("organization", "system")
        .annotate(item_count=Count("items"))
        .order_by("organization__slug", "-started_on", "-pk")
    )
    rows = [
        {
            "id": a.pk,
            "organization": a.organization.slug,
            "title": a.title,
            "system": a.system.name,
            "started_on": a.started_on,
            "status": a.status,
            "items": a.item_count,
            "copied_from": a.copied_from_id,
        }
        for a in assessments
    ]
    columns = [
        Column("id", "ID", "right"),
        *([Column("organization", "Organization")] if organization is None else []),
        Column("title", "Title"),
        Column("system", "System"),
        Column("started_on", "Started"),
        Column("status", "Status", text=lambda r: statuses(r["status"]).label),
        Column("items", "Items", "right"),
    ]
    where = f" of {organization.name}" if organization is not None else ""
    print_rows(
        rows,
        columns,
        fmt,
        title=f"Gap assessments{where}",
        summary=f"{len(rows)} assessment(s).",
    )


@app.command()
def readiness(assessment_id: AssessmentArg, fmt: FormatOption = "table") -> None:
    """Readiness overall, per standard and per clause.

    Implemented counts 1, partial 0.5, planned and not started 0; not applicable is left out.
    """
    _setup()
    from pdca.assessments.readiness import compute_readiness
    from pdca.system.services import active_standards

    assessment = _assessment(assessment_id)
    result = compute_readiness(assessment, active_standards(assessment.system))
    if fmt == "json":
        data = {
            "assessment": assessment.pk,
            "title": assessment.title,
            "system": assessment.system.name,
            "organization": assessment.organization.slug,
            **result.as_dict(),
        }
        print_json(data)
        return
    console.print(
        f"[bold]{assessment.title}[/bold] ({assessment.organization.name}, "
        f"{assessment.system.name}): overall readiness [bold]"
        f"{_percent(result.overall.percent)}[/bold] over {result.overall.applicable} "
        "applicable item(s)"
    )
    counts = ("not_started", "planned", "partial", "implemented", "not_applicable")
    table = Table(title="Per standard")
    for column in ("standard", "items", "N/S", "planned", "partial", "done", "N/A", "readiness"):
        table.add_column(column, justify="left" if column == "standard" else "right")
    for s in result.by_standard:
        table.add_row(
            str(s.standard),
            str(s.score.total),
            *(str(s.score.counts[c]) for c in counts),
            _percent(s.score.percent),
        )
    console.print(table)
    table = Table(title="Per clause (items shared by standards count once)")
    for column in ("clause", "title", "applicable", "readiness"):
        table.add_column(
            column,
            justify="right" if column in {"applicable", "readiness"} else "left",
            overflow="fold" if column == "clause" else "ellipsis",
        )
    for c in result.by_clause:
        table.add_row(c.key, c.title, str(c.score.applicable), _percent(c.score.percent))
    console.print(table)


@app.command()
def export(
    assessment_id: AssessmentArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default gap-<id>.xlsx)")
    ] = None,
) -> None:
    """Write the assessment as an editable workbook (XLSX).

    Edit the white columns in a spreadsheet program and bring it back with `pdca gap import`.
    """
    _setup()
    from pdca.assessments.spreadsheet import export_assessment, filename

    assessment = _assessment(assessment_id)
    path = output or Path(filename(assessment))
    with err.status("Writing the workbook…"):
        data = export_assessment(assessment)
    try:
        path.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {path}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {path} ({assessment.items.count()} items).")


@app.command("import")
def import_(
    assessment_id: AssessmentArg,
    file: Annotated[Path, typer.Argument(help="The edited workbook (.xlsx)")],
    actor_email: Annotated[
        str,
        typer.Option(
            "--as", help="E-mail of the member making the change (their permissions apply)"
        ),
    ],
    queue: QueueOption = False,
) -> None:
    """Apply an edited workbook: all of it, or nothing.

    Every bad cell is printed (as Items!E12), nothing is written and the exit code is 1;
    otherwise the changed rows are saved as the member given by --as, and a summary printed.
    The import runs here with a progress bar; --queue hands it to the workers instead.
    """
    _setup()
    from pdca.accounts.models import User
    from pdca.assessments.jobs import IMPORT_KIND
    from pdca.assessments.spreadsheet import ImportSummary
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.core.jobs.cli import print_queued, run_or_queue
    from pdca.core.jobs.registry import JobFailed

    assessment = _assessment(assessment_id)
    actor = User.objects.filter(email__iexact=actor_email.strip(), is_active=True).first()
    if actor is None:
        err.print(f"[red]No active user with the e-mail {actor_email!r}.")
        raise typer.Exit(1)
    try:
        data = file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {file}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    try:
        with channel("cli"):
            if queue:
                from pdca.assessments.jobs import queue_import

                print_queued(queue_import(assessment, data, file.name, actor=actor))
                return
            outcome = run_or_queue(
                IMPORT_KIND,
                organization=assessment.organization,
                actor=actor,
                params={"assessment": assessment.pk},
                title=f"Importing {file.name}",
                queue=False,
                upload=data,
                upload_name=file.name,
            )
    except JobFailed as exc:
        for error in exc.errors:
            typer.echo(f"{error.field}: {error.message}" if error.field else error.message)
        if exc.errors:
            err.print(f"[red]{len(exc.errors)} problem(s); nothing was imported.")
        else:
            err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    except ServiceError as exc:
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    console.print(f"Imported {file}: {ImportSummary(**outcome.summary)}")


@app.command()
def report(
    assessment_id: AssessmentArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File to write: .pdf or .xlsx (default gap-report-<id>.pdf)"
        ),
    ] = None,
    queue: QueueOption = False,
) -> None:
    """Write the gap report as PDF or XLSX (by the file's extension).

    Summary, readiness per standard and clause with the chart, items by status, and the
    implementation plan. It is made here with a progress bar; --queue hands it to the workers
    instead (then `pdca jobs download <id>`).
    """
    _setup()
    from pdca.assessments import report as reports
    from pdca.assessments.jobs import REPORT_KINDS, queue_report
    from pdca.core.context import channel
    from pdca.core.jobs.cli import print_queued, run_or_queue
    from pdca.core.jobs.registry import JobFailed

    assessment = _assessment(assessment_id)
    path = output or Path(reports.filename(assessment, "pdf"))
    suffix = path.suffix.lower()
    if suffix not in {".pdf", ".xlsx"}:
        err.print(f"[red]The report is written as .pdf or .xlsx, not {path.suffix or path.name!r}.")
        raise typer.Exit(2)
    fmt = suffix.lstrip(".")
    if queue:
        with channel("cli"):
            print_queued(queue_report(assessment, fmt, actor=None))
        return
    try:
        outcome = run_or_queue(
            REPORT_KINDS[fmt],
            organization=assessment.organization,
            actor=None,
            params={"assessment": assessment.pk},
            title="Rendering the report",
            queue=False,
        )
    except JobFailed as exc:
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    try:
        path.write_bytes(outcome.content or b"")
    except OSError as exc:
        err.print(f"[red]Cannot write {path}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {path}.")
