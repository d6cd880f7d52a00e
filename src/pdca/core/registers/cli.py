"""`pdca registers …`: every register from the command line: which there are, an
organization's entries as a table or JSON, and the XLSX round trip (export, import).

Reads need no user: the operator at the command line is trusted like a platform
administrator. An import writes, so it runs as the member named by `--as`, with that member's
permissions, and is recorded in the activity log as coming from the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from pdca.core.cli_support import actor_or_exit, organization_or_exit
from pdca.core.console import console, err

app = typer.Typer(
    help="Registers (context, processes, objectives, risks, AI…): list, export, import.",
    no_args_is_help=True,
)

RegisterArg = Annotated[str, typer.Argument(help="The register, e.g. processes or risks")]
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
def list_registers(
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """The registers there are, with the clauses they answer."""
    _setup()
    from pdca.core.registers.spec import all_specs

    rows: list[dict[str, Any]] = [
        {"register": s.slug, "name": s.title, "clauses": list(s.clauses)} for s in all_specs()
    ]
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("Register", "Name", "Clauses")
    for row in rows:
        table.add_row(row["register"], row["name"], ", ".join(row["clauses"]))
    console.print(table)


@app.command()
def show(
    register: RegisterArg,
    org: OrgOption,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    archived: Annotated[
        str, typer.Option("--archived", help="no (current entries), yes (archived only) or all")
    ] = "no",
) -> None:
    """An organization's entries of one register (archived ones with --archived)."""
    _setup()
    from pdca.core.registers import display
    from pdca.core.registers.api import serialize
    from pdca.core.registers.archive import is_archivable
    from pdca.core.registers.filters import sort_key

    spec = _spec(register)
    organization = organization_or_exit(org)
    rows = spec.model.objects.filter(organization=organization).select_related("organization")
    if is_archivable(spec.model) and archived != "all":
        rows = rows.filter(archived_at__isnull=archived == "no")
    rows = rows.select_related(*spec.fk_fields).prefetch_related(*spec.m2m_fields)
    if spec.annotate:
        rows = spec.annotate(rows)
    rows = rows.order_by(sort_key(spec, None), "pk")
    if fmt == "json":
        typer.echo(json.dumps([serialize(spec, r) for r in rows], indent=2, default=str))
        return
    table = Table("ID", *(display.header(spec, c) for c in spec.columns))
    for obj in rows:
        table.add_row(
            str(obj.pk),
            *(", ".join(c.text for c in display.cells(spec, obj, col)) for col in spec.columns),
        )
    console.print(table)


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
) -> None:
    """Add and change entries from a workbook: all of it, or nothing.

    Every bad cell is printed (as Processes!C7), nothing is written and the exit code is 1.
    """
    _setup()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError, ValidationFailed
    from pdca.core.registers.spreadsheet import import_entries

    spec = _spec(register)
    organization = organization_or_exit(org)
    actor = actor_or_exit(actor_email)
    try:
        data = file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {file}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    try:
        with channel("cli"), err.status("Checking and importing…"):
            summary = import_entries(spec, organization, data, actor=actor, dry_run=dry_run)
    except ValidationFailed as exc:
        for error in exc.errors:
            typer.echo(f"{error.field}: {error.message}" if error.field else error.message)
        err.print(f"[red]{len(exc.errors)} problem(s); nothing was imported.")
        raise typer.Exit(1) from None
    except ServiceError as exc:
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    console.print(f"{'Checked' if dry_run else 'Imported'} {file}: {summary}")
