"""`pdca seed-scale`: the certification body and the organization at scale (see `scale.seed`)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

err = Console(stderr=True)
out = Console()


def seed_scale_command(
    clients: Annotated[int | None, typer.Option(help="Clients of the body (1,000)")] = None,
    audits: Annotated[
        int | None, typer.Option(help="Audits of the body: 15 a client (15,000)")
    ] = None,
    findings: Annotated[int | None, typer.Option(help="Findings of the body (150,000)")] = None,
    people: Annotated[int | None, typer.Option(help="People of the organization (2,000)")] = None,
    documents: Annotated[int | None, typer.Option(help="Documents (5,000)")] = None,
    risks: Annotated[int | None, typer.Option(help="Risks (20,000)")] = None,
    years: Annotated[int | None, typer.Option(help="Years of nonconformities (10)")] = None,
    small: Annotated[
        bool,
        typer.Option(
            "--small", help="A hundredth of the size, as scale-cb-small and scale-org-small"
        ),
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Remove the scale organizations first if they exist")
    ] = False,
    today: Annotated[
        str | None, typer.Option(help="The day the history ends (YYYY-MM-DD; today)")
    ] = None,
) -> None:
    """Build a certification body (clients, audits, findings, certificates) and an organization
    (people, documents, risks, years of nonconformities) at scale, on PostgreSQL, for load tests.
    Seeded rows have no activity-log entries. Every seeded account's password is
    scale-password-1 (throwaway databases only)."""
    from pdca.core.cli_support import setup_django

    setup_django()
    from pdca.scale.purge import purge_organizations
    from pdca.scale.seed import SeedRefused, check_database, existing, plan, sizes_for

    sizes = sizes_for(
        small,
        clients=clients,
        audits=audits,
        findings=findings,
        people=people,
        documents=documents,
        risks=risks,
        years=years,
    )
    try:
        check_database()
        sizes.check()
        found = existing(sizes)
        if found and not replace:
            raise SeedRefused(
                f"The scale organizations exist already ({', '.join(found)}): "
                "add --replace to build them again, or use another database."
            )
        day = dt.date.fromisoformat(today) if today else None
        steps = plan(sizes, today=day)
    except (SeedRefused, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    started = time.perf_counter()
    if found:
        with err.status(f"Removing {', '.join(found)}…"):
            purge_organizations(found)
    counts: dict[str, int] = {}
    timings: list[tuple[str, float]] = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
    ) as progress:
        for step in steps:
            task = progress.add_task(step.name, total=None)

            def advance(done: int, total: int, task=task) -> None:
                progress.update(task, completed=done, total=total)

            began = time.perf_counter()
            made = step.run(advance)
            timings.append((step.name, time.perf_counter() - began))
            for key, value in made.items():
                counts[key] = counts.get(key, 0) + value
            progress.update(task, completed=progress.tasks[task].total or 1)
    elapsed = time.perf_counter() - started
    table = Table(title=f"seed-scale: {sizes.cb_slug} and {sizes.org_slug}")
    table.add_column("rows")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    out.print(table)
    steps_table = Table(title="seconds per step")
    steps_table.add_column("step")
    steps_table.add_column("s", justify="right")
    for name, seconds in timings:
        steps_table.add_row(name, f"{seconds:.1f}")
    out.print(steps_table)
    out.print(f"Seeded in {elapsed:.0f} s. Sign in as manager@{sizes.org_slug}.example or ")
    out.print(f"manager@{sizes.cb_slug}.example with the password scale-password-1.")
