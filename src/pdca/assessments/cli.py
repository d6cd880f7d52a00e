"""`pdca gap …`: readiness of a gap assessment, and its XLSX round trip (export, import) and
report, from the command line.

Reads need no user: the operator at the command line is trusted like a platform
administrator. An import changes items, so it runs as the member named by `--as`, with that
member's permissions, and is recorded in the activity log as coming from the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pdca.core.console import console, err

app = typer.Typer(
    help="Gap assessments: readiness, XLSX export and import, gap report.",
    no_args_is_help=True,
)

AssessmentArg = Annotated[int, typer.Argument(help="The assessment's id (shown on its page)")]


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
        err.print(f"[red]No gap assessment with id {assessment_id}.")
        raise typer.Exit(1)
    return assessment


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}%"


@app.command()
def readiness(
    assessment_id: AssessmentArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Readiness overall, per standard and per clause.

    Implemented counts 1, partial 0.5, planned and not started 0; not applicable is left out.
    """
    if fmt not in {"table", "json"}:
        err.print(f"[red]--format must be table or json, not {fmt!r}.")
        raise typer.Exit(2)
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
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
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
) -> None:
    """Apply an edited workbook: all of it, or nothing.

    Every bad cell is printed (as Items!E12), nothing is written and the exit code is 1;
    otherwise the changed rows are saved as the member given by --as, and a summary printed.
    """
    _setup()
    from pdca.accounts.models import User
    from pdca.assessments.spreadsheet import import_assessment
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError, ValidationFailed

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
        with channel("cli"), err.status("Checking and importing…"):
            summary = import_assessment(assessment, data, actor=actor)
    except ValidationFailed as exc:
        for error in exc.errors:
            typer.echo(f"{error.field}: {error.message}" if error.field else error.message)
        err.print(f"[red]{len(exc.errors)} problem(s); nothing was imported.")
        raise typer.Exit(1) from None
    except ServiceError as exc:
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    console.print(f"Imported {file}: {summary}")


@app.command()
def report(
    assessment_id: AssessmentArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File to write: .pdf or .xlsx (default gap-report-<id>.pdf)"
        ),
    ] = None,
) -> None:
    """Write the gap report as PDF or XLSX (by the file's extension).

    Summary, readiness per standard and clause with the chart, items by status, and the
    implementation plan.
    """
    _setup()
    from pdca.assessments import report as reports

    assessment = _assessment(assessment_id)
    path = output or Path(reports.filename(assessment, "pdf"))
    suffix = path.suffix.lower()
    if suffix not in {".pdf", ".xlsx"}:
        err.print(f"[red]The report is written as .pdf or .xlsx, not {path.suffix or path.name!r}.")
        raise typer.Exit(2)
    with err.status("Rendering the report…"):
        data = (
            reports.report_pdf(assessment) if suffix == ".pdf" else reports.report_xlsx(assessment)
        )
    try:
        path.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {path}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {path}.")
