"""`pdca registers …`: every register from the command line: which there are, an
organization's entries as a table or JSON, and the XLSX round trip (export, import).

Reads need no user: the operator at the command line is trusted like a platform
administrator. An import writes, so it runs as the member named by `--as`, with that member's
permissions, and is recorded in the activity log as coming from the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from pdca.core.cli_output import AsViewerOption, Column, FormatOption, print_json, print_rows
from pdca.core.cli_support import actor_or_exit, organization_or_exit, visible
from pdca.core.console import console, err

app = typer.Typer(
    help="Registers (context, processes, objectives, risks, AI…): list, export, import.",
    no_args_is_help=True,
)

RegisterArg = Annotated[
    str, typer.Argument(help="The register, e.g. processes or risks (`pdca registers list`)")
]
OrgOption = Annotated[str, typer.Option("--org", help="The organization's slug")]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _spec(slug: str):
    from pdca.core.registers.spec import spec_for

    try:
        return spec_for(slug)
    except LookupError as exc:
        err.print(f"[red]{exc}")
        raise typer.Exit(2) from None


@app.command("list")
def list_registers(fmt: FormatOption = "table") -> None:
    """The registers there are, with the clauses they answer: the names
    `pdca registers show|export|import` take."""
    _setup()
    from pdca.core.registers.spec import all_specs

    rows: list[dict[str, Any]] = [
        {"register": s.slug, "name": s.title, "clauses": list(s.clauses)} for s in all_specs()
    ]
    columns = [Column("register", "Register"), Column("name", "Name"), Column("clauses", "Clauses")]
    print_rows(rows, columns, fmt)


@app.command()
def show(
    register: RegisterArg,
    org: OrgOption,
    fmt: FormatOption = "table",
    archived: Annotated[
        str, typer.Option("--archived", help="no (current entries), yes (archived only) or all")
    ] = "no",
    actor_email: AsViewerOption = None,
) -> None:
    """An organization's entries of one register, with their ids (archived ones with
    --archived): the ids `pdca records archive|restore|dispose` take."""
    _setup()
    from pdca.core.registers import display
    from pdca.core.registers.api import serialize
    from pdca.core.registers.archive import is_archivable
    from pdca.core.registers.filters import sort_key

    spec = _spec(register)
    if archived not in {"no", "yes", "all"}:
        err.print(f"[red]--archived must be no, yes or all, not {archived!r}.")
        raise typer.Exit(2)
    organization, actor = organization_or_exit(org), actor_or_exit(actor_email)
    rows = visible(spec.model.objects.all(), organization=organization, actor=actor)
    rows = rows.select_related("organization")
    if is_archivable(spec.model) and archived != "all":
        rows = rows.filter(archived_at__isnull=archived == "no")
    rows = rows.select_related(*spec.fk_fields).prefetch_related(*spec.m2m_fields)
    if spec.annotate:
        rows = spec.annotate(rows)
    rows = rows.order_by(sort_key(spec, None), "pk")
    if fmt == "json":
        print_json([serialize(spec, r) for r in rows])
        return
    cells = [
        {
            "id": obj.pk,
            **{
                col: ", ".join(c.text for c in display.cells(spec, obj, col))
                for col in spec.columns
            },
        }
        for obj in rows
    ]
    columns = [
        Column("id", "ID", "right"),
        *(Column(col, display.header(spec, col)) for col in spec.columns),
    ]
    print_rows(cells, columns, "table", title=f"{spec.title} of {organization.name}")


@app.command()
def export(
    register: RegisterArg,
    org: OrgOption,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (.xlsx)")
    ] = None,
) -> None:
    """Write an organization's register as an XLSX workbook (the import's layout)."""
    _setup()
    from django.utils import timezone

    from pdca.core.registers import spreadsheet
    from pdca.core.registers.filters import sort_key

    spec = _spec(register)
    organization = organization_or_exit(org)
    rows = spec.model.objects.filter(organization=organization).prefetch_related(*spec.m2m_fields)
    rows = rows.select_related(*spec.fk_fields).order_by(sort_key(spec, None), "pk")
    path = output or Path(spreadsheet.filename(spec, organization, timezone.localdate()))
    data = spreadsheet.export_entries(spec, rows, organization=organization)
    try:
        path.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {path}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {path} ({rows.count()} {spec.verbose_name_plural}).")


@app.command("import")
def import_(
    register: RegisterArg,
    file: Annotated[Path, typer.Argument(help="The workbook (.xlsx)")],
    org: OrgOption,
    actor_email: Annotated[
        str,
        typer.Option(
            "--as", help="E-mail of the member making the change (their permissions apply)"
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only, save nothing")] = False,
    queue: Annotated[
        bool, typer.Option("--queue", help="Hand it to the workers and print the job's id")
    ] = False,
) -> None:
    """Add and change entries from a workbook: all of it, or nothing.

    Every bad cell is printed (as Processes!C7), nothing is written and the exit code is 1.
    The import runs here with a progress bar; --queue hands it to the workers instead.
    """
    _setup()
    spec = _spec(register)
    organization = organization_or_exit(org)
    actor = actor_or_exit(actor_email)
    try:
        data = file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {file}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    import_workbook(spec, organization, actor, data, file, dry_run=dry_run, queue=queue)


def import_workbook(
    spec, organization, actor, data: bytes, file: Path, *, dry_run: bool, queue: bool
) -> None:
    """Import `data` (read from `file`) into `spec`'s register, here with a progress bar or
    on the workers (`queue`): every bad cell printed and exit code 1 when any is refused.
    Other commands that import a register's workbook (`pdca training import --history`) call
    this too."""
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.core.jobs.cli import print_queued, run_or_queue
    from pdca.core.jobs.registry import JobFailed
    from pdca.core.registers.jobs import IMPORT_KIND, queue_import
    from pdca.core.registers.spreadsheet import ImportSummary

    try:
        with channel("cli"):
            if queue:
                job = queue_import(
                    spec, organization, data, file.name, actor=actor, dry_run=dry_run
                )
                print_queued(job)
                return
            outcome = run_or_queue(
                IMPORT_KIND,
                organization=organization,
                actor=actor,
                params={"register": spec.slug, "dry_run": dry_run},
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
    summary = ImportSummary(**outcome.summary)
    console.print(
        f"{'Checked' if dry_run else 'Imported'} {file}: {summary}", markup=False, highlight=False
    )
