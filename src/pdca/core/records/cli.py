"""`pdca records …`: records management from the command line: retention periods, archiving and
restoring register entries, and disposing of archived records whose retention period is over.

Reads need no user. Writes run as the member named by `--as`, with that member's permissions,
and are recorded in the activity log as coming from the CLI.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pdca.core.cli_output import Column, FormatOption, cell_text, print_rows
from pdca.core.cli_support import actor_or_exit, organization_or_exit, setup_django
from pdca.core.console import console, err

app = typer.Typer(
    help="Records: retention periods, archive and restore entries, dispose of expired records.",
    no_args_is_help=True,
)

OrgOption = Annotated[str, typer.Option("--org", help="The organization's slug")]
AsOption = Annotated[
    str,
    typer.Option("--as", help="E-mail of the member making the change (their permissions apply)"),
]
RegisterArg = Annotated[
    str, typer.Argument(help="The register, e.g. nonconformities (see `pdca registers list`)")
]
IdArg = Annotated[
    int,
    typer.Argument(
        help="The entry's id (`pdca registers show REGISTER --org …` shows the ids; "
        "add `--archived yes` for archived entries, or see `pdca records due`)"
    ),
]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept with the record)")]


def _setup() -> None:
    setup_django()


def _organization(slug: str):
    return organization_or_exit(slug)


def _actor(email: str):
    return actor_or_exit(email)


def _entry(register: str, organization, entry_id: int):
    from pdca.core.registers.spec import spec_for

    try:
        spec = spec_for(register)
    except LookupError as exc:
        err.print(f"[red]{exc}")
        raise typer.Exit(2) from None
    obj = spec.model.objects.filter(organization=organization, pk=entry_id).first()
    if obj is None:
        err.print(f"[red]No {spec.verbose_name} with the id {entry_id} in {organization.slug}.")
        raise typer.Exit(1)
    return spec, obj


def _run(call) -> None:
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError

    try:
        with channel("cli"):
            call()
    except ServiceError as exc:
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None


@app.command()
def retention(org: OrgOption, fmt: FormatOption = "table") -> None:
    """How many years each type of archived record is kept before it may be disposed of: the
    record types `pdca records set-retention` takes."""
    _setup()
    from pdca.core.records.retention import retention_table

    lines = retention_table(_organization(org))
    columns = [
        Column("record_type", "Record type"),
        Column("label", "Covers"),
        Column("years", "Years", "right"),
        Column("default_years", "Default", "right"),
    ]
    print_rows([dict(line.__dict__) for line in lines], columns, fmt)


@app.command("set-retention")
def set_retention_command(
    record_type: Annotated[
        str, typer.Argument(help="A record type (see `pdca records retention`)")
    ],
    years: Annotated[int, typer.Argument(help="Years to keep archived records of that type")],
    org: OrgOption,
    actor_email: AsOption,
) -> None:
    """Set the retention period of one record type."""
    _setup()
    from pdca.core.records.retention import set_retention

    organization, actor = _organization(org), _actor(actor_email)
    _run(lambda: set_retention(organization, record_type, years, actor=actor))
    console.print(f"{record_type}: archived records are kept {years} years.")


@app.command()
def archive(
    register: RegisterArg,
    entry_id: IdArg,
    org: OrgOption,
    reason: ReasonOption,
    actor_email: AsOption,
) -> None:
    """Archive (withdraw, cancel, make obsolete) an entry: it stays readable and restorable."""
    _setup()
    from pdca.core.registers.archive import archive_entry

    spec, obj = _entry(register, _organization(org), entry_id)
    actor = _actor(actor_email)
    _run(lambda: archive_entry(spec, obj, actor=actor, reason=reason))
    console.print(f"Archived {spec.verbose_name} “{obj}”.")


@app.command()
def restore(
    register: RegisterArg,
    entry_id: IdArg,
    org: OrgOption,
    actor_email: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it comes back")] = "",
) -> None:
    """Bring an archived entry back into the lists."""
    _setup()
    from pdca.core.registers.archive import restore_entry

    spec, obj = _entry(register, _organization(org), entry_id)
    actor = _actor(actor_email)
    _run(lambda: restore_entry(spec, obj, actor=actor, reason=reason))
    console.print(f"Restored {spec.verbose_name} “{obj}”.")


@app.command()
def due(org: OrgOption, fmt: FormatOption = "table") -> None:
    """Archived records whose retention period is over (they may now be disposed of)."""
    _setup()
    from pdca.core.registers.archive import disposal_due
    from pdca.core.registers.spec import all_specs

    organization = _organization(org)
    rows = [
        {
            "register": spec.slug,
            "id": obj.pk,
            "label": str(obj),
            "archived_at": obj.archived_at,
            "reason": obj.archive_reason,
            "disposal_date": day,
        }
        for spec in all_specs()
        for obj, day in disposal_due(spec, organization)
    ]
    columns = [
        Column("register", "Register"),
        Column("id", "ID", "right"),
        Column("label", "Entry"),
        Column("archived_at", "Archived", text=lambda r: cell_text(r["archived_at"])[:10]),
        Column("reason", "Reason"),
        Column("disposal_date", "Disposable since"),
    ]
    print_rows(rows, columns, fmt, empty="No archived record is past its retention period.")


@app.command()
def dispose(
    register: RegisterArg,
    entry_id: IdArg,
    org: OrgOption,
    reason: ReasonOption,
    actor_email: AsOption,
) -> None:
    """Dispose of an archived record whose retention period is over (logged; for good)."""
    _setup()
    from pdca.core.registers.archive import dispose_entry

    spec, obj = _entry(register, _organization(org), entry_id)
    actor = _actor(actor_email)
    label = str(obj)
    _run(lambda: dispose_entry(spec, obj, actor=actor, reason=reason))
    console.print(f"Disposed of {spec.verbose_name} “{label}”.")
