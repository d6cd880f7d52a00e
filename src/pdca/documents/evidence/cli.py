"""`pdca verify-evidence`: re-hash every stored evidence file and report the missing and
altered ones (mounted on the `pdca` command by `pdca.cli`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn

from pdca.core.console import console, err


def verify_evidence_command(
    organization: Annotated[
        str | None, typer.Option("--org", help="Only the files of this organization (slug)")
    ] = None,
) -> None:
    """Re-hash every stored evidence file against the SHA-256 recorded at upload and report
    the missing and altered ones, with the organizations and files they affect. Exits 1 when
    any is missing or altered."""
    from pdca.core.cli_support import setup_django

    setup_django()
    from pdca.documents.evidence.services import count_stored, verify_evidence
    from pdca.tenancy.models import Organization

    org = None
    if organization:
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            err.print(f"[red]No organization with the short name {organization!r}.")
            raise typer.Exit(1)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("Verifying evidence", total=count_stored(org))
        report = verify_evidence(lambda sha256: progress.advance(task), organization=org)
    if report.ok:
        console.print(
            f"OK: {report.checked} stored files verified ({report.files} evidence files)."
        )
        return
    for problem in report.problems:
        label = "MISSING" if problem.kind == "missing" else "ALTERED"
        console.print(f"[red]{label}[/red] {problem.message}", soft_wrap=True)
    console.print(
        f"{len(report.missing)} missing and {len(report.altered)} altered of "
        f"{report.checked} stored files; {report.intact} intact."
    )
    raise typer.Exit(1)
