"""`pdca system …`: the management systems there are, and moving one to a standard's next
edition (with `--dry-run`, the preview: what every register would carry, nothing written).

The transition changes records, so it runs as the member named by `--as`, with that member's
permissions, and is recorded in the activity log as coming from the CLI.
"""

from __future__ import annotations

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
    help="Management systems: list them, and carry one to a standard's next edition.",
    no_args_is_help=True,
)

SystemArg = Annotated[int, typer.Argument(help="The system's id (`pdca system list` shows them)")]
AsMemberOption = Annotated[
    str,
    typer.Option("--as", help="E-mail of the member who carries it out (a system manager)"),
]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _system(system_id: int):
    from pdca.system.models import ManagementSystem

    system = ManagementSystem.objects.select_related("organization").filter(pk=system_id).first()
    if system is None:
        err.print(f"[red]No management system with id {system_id}. `pdca system list` shows them.")
        raise typer.Exit(1)
    return system


@app.command("list")
def list_systems(
    org: OrgFilterOption = None, actor_email: AsViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """The management systems: id, organization, name, adopted standards, and the next edition
    of each where the catalog has one (what `pdca system transition --to` takes)."""
    _setup()
    from django.db.models import Prefetch

    from pdca.core.cli_support import actor_or_exit, organization_or_none, visible
    from pdca.standards.models import Standard
    from pdca.system.models import AdoptedStandard, ManagementSystem

    systems = visible(
        ManagementSystem.objects.select_related("organization").prefetch_related(
            Prefetch(
                "adoptions",
                queryset=AdoptedStandard.objects.filter(dropped_on__isnull=True).select_related(
                    "standard"
                ),
            )
        ),
        organization=organization_or_none(org),
        actor=actor_or_exit(actor_email),
    ).order_by("organization__name", "name")
    successors = {s.replaces_id: s for s in Standard.objects.filter(replaces__isnull=False)}
    rows = []
    for system in systems:
        adopted = [a.standard for a in system.adoptions.all()]
        rows.append(
            {
                "id": system.pk,
                "organization": system.organization.slug,
                "name": system.name,
                "standards": [s.code for s in adopted],
                "next_editions": [successors[s.pk].code for s in adopted if s.pk in successors],
            }
        )
    print_rows(
        rows,
        [
            Column("id", "Id"),
            Column("organization", "Organization"),
            Column("name", "Name"),
            Column("standards", "Standards"),
            Column("next_editions", "Next editions"),
        ],
        fmt,
        title="Management systems",
    )


@app.command()
def transition(
    system_id: SystemArg,
    to: Annotated[
        str,
        typer.Option(
            "--to", help="The new edition's code (`pdca system list` shows the next editions)"
        ),
    ],
    actor_email: AsMemberOption,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would move; write nothing")
    ] = False,
    fmt: FormatOption = "table",
) -> None:
    """Carry the system from the edition it adopts to `--to`: gap items, exclusions, SoA lines,
    requirement links of registers and planned audits move along the catalog's mapping; new
    and changed requirements open as not started. With --dry-run, only the preview."""
    _setup()
    from pdca.core.cli_support import actor_or_exit, run_service
    from pdca.standards.models import Standard
    from pdca.system.transition.services import preview_transition, transition_system

    system = _system(system_id)
    new = Standard.objects.filter(code=to).first()
    if new is None:
        err.print(f"[red]No standard {to!r} in the catalog. `pdca standards list` shows the codes.")
        raise typer.Exit(1)
    actor = actor_or_exit(actor_email)
    preview = run_service(lambda: preview_transition(system, new, actor=actor))
    data = {
        "system": system.pk,
        "from": preview.old.code,
        "to": new.code,
        "dry_run": dry_run,
        "sections": [
            {
                **section.as_summary(),
                "moves": [
                    {
                        "subject": m.subject,
                        "old": m.old,
                        "new": m.new,
                        "change": m.change,
                        "outcome": m.outcome,
                        "note": m.note,
                    }
                    for m in section.moves
                ],
            }
            for section in preview.sections
        ],
    }
    if not dry_run:
        done = run_service(lambda: transition_system(system, new, actor=actor))
        data["transition"] = done.pk
    if fmt == "json":
        print_json(data)
        return
    table = Table(title=f"{system}: {preview.old.full_name} → {new.full_name}")
    for name in ("Register", "Carried", "To review", "Opened", "Kept on old edition"):
        table.add_column(name)
    for section in preview.sections:
        counts = section.counts
        table.add_row(
            section.title,
            *(str(counts.get(k, 0)) for k in ("carried", "reopened", "opened", "kept")),
        )
    console.print(table)
    if dry_run:
        console.print("Dry run: nothing was written.")
    else:
        console.print(f"Done: {system} now adopts {new.full_name} (transition {done.pk}).")
