"""`pdca cb …`: a certification body's work from the command line (and `pdca audit-time`)."""

from typing import Annotated

import typer

from pdca.certification import cli_auditors, cli_certificates, cli_intake, cli_programme
from pdca.certification.audit_time_cli import audit_time_command
from pdca.core.console import console, err

__all__ = ["app", "audit_time_command"]

app = typer.Typer(
    help="Certification body: clients, applications, programmes, decisions, certificates.",
    no_args_is_help=True,
)
for _topic in (cli_intake, cli_programme, cli_auditors, cli_certificates):
    _topic.add_commands(app)


@app.command("seed-scale")
def seed_scale(
    slug: Annotated[str, typer.Option("--slug", help="Short name of the new body")] = "cb-scale",
    clients: Annotated[int, typer.Option("--clients", min=1, max=100_000)] = 1000,
) -> None:
    """Build a certification body at scale for benchmarks: CLIENTS clients with fifteen
    audits, 150 findings and five certificates each (a throwaway database only)."""
    from pdca.core.cli_support import setup_django

    setup_django()
    from rich.progress import Progress

    from pdca.certification.seed import seed_certification_body

    with Progress(console=err) as progress:
        task = progress.add_task("Clients", total=clients)
        try:
            result = seed_certification_body(
                slug, clients=clients, progress=lambda done: progress.update(task, completed=done)
            )
        except ValueError as exc:
            err.print(f"[red]{exc}")
            raise typer.Exit(1) from None
    console.print(
        f"{result.organization.slug}: {result.clients} clients, {result.audits} audits, "
        f"{result.findings} findings, {result.certificates} certificates.",
        markup=False,
    )
