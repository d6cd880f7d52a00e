"""The `pdca` command: serve, demo data, users, activity-log verification, Django commands."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from pdca.core.cli_support import setup_django
from pdca.core.console import console, err

app = typer.Typer(
    help="pdca: integrated management system platform for ISO standards.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _port(port: int | None) -> int:
    return port or int(os.environ.get("PDCA_PORT", "8000"))


def _run_server(host: str, port: int, production: bool) -> None:
    from django.conf import settings
    from django.core.management import call_command

    if production:
        # Static files are served by whitenoise from the collected, hashed copies.
        call_command("collectstatic", interactive=False, verbosity=0)
        from gunicorn.app.wsgiapp import run

        sys.argv = [
            "gunicorn",
            "pdca.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            os.environ.get("PDCA_WORKERS", "2"),
            "--access-logfile",
            "-",
        ]
        run()
    else:
        if not settings.DEBUG:
            err.print("[yellow]Development server without PDCA_DEBUG=1: static files may not load.")
        call_command("runserver", f"{host}:{port}", use_reloader=False)


@contextlib.contextmanager
def _worker_beside(enabled: bool) -> Iterator[None]:
    """Run `pdca worker` (one process, with the daily schedule) while the block serves, and
    stop it, letting it finish the job in hand, when the server stops."""
    from django.conf import settings

    if not enabled or not str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db."):
        yield
        return
    # Its own session: Ctrl-C stops the server, and the server's exit stops the worker once;
    # should this process die without stopping it, the worker stops by itself.
    worker = subprocess.Popen(
        [sys.executable, "-m", "pdca.cli", "worker", "--processes", "1", "--stop-with-parent"],
        start_new_session=True,
    )

    def stop(signum, frame) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)  # SIGTERM, as Ctrl-C, stops the worker too
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=70)
        except subprocess.TimeoutExpired:
            worker.kill()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default PDCA_PORT or 8000)")] = None,
    production: Annotated[
        bool | None,
        typer.Option("--production/--development", help="gunicorn, or Django's dev server"),
    ] = None,
    migrate: Annotated[bool, typer.Option(help="Apply database migrations first")] = True,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Also run a job worker (one machine; otherwise run `pdca worker` yourself)",
        ),
    ] = False,
) -> None:
    """Serve pdca over HTTP (gunicorn in production, the development server with PDCA_DEBUG=1)."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    with _worker_beside(worker):
        _run_server(host, _port(port), production if production is not None else not settings.DEBUG)


@app.command()
def demo(
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server after loading")
    ] = True,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default PDCA_PORT or 8000)")] = None,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Run a job worker beside the server")
    ] = True,
) -> None:
    """Set up the embedded database with the demo organizations, print the logins, serve (with
    a job worker beside the server, for reports and imports)."""
    os.environ.setdefault("PDCA_DEBUG", "1")
    setup_django()
    from django.core.management import call_command

    from pdca.core.context import channel
    from pdca.demo import load_demo
    from pdca.tenancy.demo import DEMO_PASSWORD

    with console.status("Applying migrations…"):
        call_command("migrate", interactive=False, verbosity=0)
    with console.status("Loading demo data…"), channel("cli"):
        context = load_demo()
    url = f"http://{host}:{_port(port)}"
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    table.add_column("e-mail", no_wrap=True)
    table.add_column("role")
    table.add_column("organization")
    for email, role, org in context.get("logins", []):
        table.add_row(email, role, org)
    console.print(table)
    console.print(f"pdca is at [bold]{url}[/bold]  (API docs: {url}/api/v1/docs)")
    if serve_after:
        with _worker_beside(worker):
            _run_server(host, _port(port), production=False)


@app.command()
def createuser(
    email: Annotated[str, typer.Argument(help="E-mail address (the login)")],
    name: Annotated[str, typer.Option("--name", help="Full name")] = "",
    superuser: Annotated[bool, typer.Option(help="Platform administrator")] = False,
    organization: Annotated[
        str | None, typer.Option("--org", help="Slug of an organization to join")
    ] = None,
    role: Annotated[str | None, typer.Option(help="Role in that organization")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="Password (asked for when omitted; env PDCA_PASSWORD also works)",
            envvar="PDCA_PASSWORD",
        ),
    ] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: the person resets it by e-mail")
    ] = False,
) -> None:
    """Create a user, optionally with a membership in an organization."""
    setup_django()
    from django.db import transaction

    from pdca.accounts.services import create_user
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.tenancy.models import Organization
    from pdca.tenancy.services import grant_membership

    if (organization is None) != (role is None):
        err.print("[red]--org and --role go together.")
        raise typer.Exit(2)
    if password is None and not no_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with channel("cli"), transaction.atomic():
            user = create_user(
                email=email,
                full_name=name,
                password=None if no_password else password,
                is_superuser=superuser,
                actor=None,
            )
            if organization and role is not None:  # they go together (checked above)
                org = Organization.objects.filter(slug=organization).first()
                if org is None:
                    err.print(f"[red]No organization with the short name {organization!r}.")
                    raise typer.Exit(1)
                # The operator at the command line is trusted like a platform administrator.
                grant_membership(org, user, role, actor=None)
    except ServiceError as exc:
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    console.print(
        f"Created {user.email}" + (f" as {role} in {organization}" if organization else "")
    )


@app.command("verify-log")
def verify_log_command(
    organization: Annotated[
        str | None, typer.Option("--org", help="Only this organization's chain (slug)")
    ] = None,
) -> None:
    """Walk every activity-log hash chain and report the first altered, removed or inserted
    entry of each. Exits 1 when any chain is broken."""
    setup_django()
    from pdca.core.activity import chain_name, verify_log
    from pdca.core.models import ActivityChainHead
    from pdca.tenancy.models import Organization

    chains = None
    if organization:
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            err.print(f"[red]No organization with the short name {organization!r}.")
            raise typer.Exit(1)
        chains = [chain_name(org.pk)]
    total = len(chains) if chains else ActivityChainHead.objects.count()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("Verifying chains", total=total)
        report = verify_log(chains, progress=lambda name: progress.advance(task))
    if report.ok:
        console.print(f"OK: {report.chains} chains, {report.entries} entries verified.")
        return
    for p in report.problems:
        console.print(f"[red]BROKEN[/red] chain {p.chain}: {p.message} ({p.kind})")
    console.print(f"{len(report.problems)} of {report.chains} chains broken.")
    raise typer.Exit(1)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command: `pdca manage migrate`, `pdca manage shell`, …"""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pdca manage", *ctx.args])


def main() -> None:
    app()


def _add_subcommands() -> None:
    from pdca.assessments.cli import app as gap_app
    from pdca.core.registers.cli import app as registers_app
    from pdca.risks.soa.cli import app as soa_app
    from pdca.standards.cli import app as standards_app
    from pdca.system.cli import app as system_app

    app.add_typer(standards_app, name="standards")
    app.add_typer(system_app, name="system")
    app.add_typer(gap_app, name="gap")
    app.add_typer(registers_app, name="registers")
    app.add_typer(soa_app, name="soa")
    from pdca.documents.docs_cli import app as docs_app
    from pdca.documents.evidence.cli import verify_evidence_command

    app.add_typer(docs_app, name="docs")
    from pdca.audits.cli import app as audit_app

    app.add_typer(audit_app, name="audit")
    from pdca.improvement.cli import app as capa_app

    app.add_typer(capa_app, name="capa")
    from pdca.people.cli import app as training_app

    app.add_typer(training_app, name="training")
    from pdca.tenancy.cli import app as members_app

    app.add_typer(members_app, name="members")
    from pdca.core.records.cli import app as records_app

    app.add_typer(records_app, name="records")

    app.command("verify-evidence")(verify_evidence_command)
    from pdca.core.jobs.cli import app as jobs_app
    from pdca.core.jobs.worker import worker_command

    app.add_typer(jobs_app, name="jobs")
    app.command("worker")(worker_command)
    from pdca.interop.cli import backup_command, restore_command

    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    from pdca.interop.oscal.cli import app as oscal_app

    app.add_typer(oscal_app, name="oscal")
    from pdca.certification.cli import app as cb_app
    from pdca.certification.cli import audit_time_command

    app.command("audit-time")(audit_time_command)
    app.add_typer(cb_app, name="cb")
    from pdca.continuity.cli import app as continuity_app
    from pdca.environment.cli import app as environment_app
    from pdca.food.cli import app as food_app
    from pdca.safety.cli import app as safety_app

    app.add_typer(environment_app, name="environment")
    app.add_typer(safety_app, name="safety")
    app.add_typer(food_app, name="food")
    app.add_typer(continuity_app, name="continuity")
    from pdca.reviews.cli import app as review_app

    app.add_typer(review_app, name="review")
    from pdca.reviews.dashboard.cli import dashboard_command

    app.command("dashboard")(dashboard_command)
    from pdca.engagements.links.cli import app as engagement_app
    from pdca.engagements.portfolio.cli import portfolio_command
    from pdca.engagements.rehearsal.cli import rehearse_command

    app.add_typer(engagement_app, name="engagement")
    app.command("rehearse")(rehearse_command)
    app.command("portfolio")(portfolio_command)
    from pdca.scale.cli import seed_scale_command

    app.command("seed-scale")(seed_scale_command)


_add_subcommands()


if __name__ == "__main__":
    main()
