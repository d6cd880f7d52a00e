"""`pdca cb …`: a certification body's work from the command line (and `pdca audit-time`)."""

import typer

from pdca.certification import cli_certificates, cli_intake, cli_programme
from pdca.certification.audit_time_cli import audit_time_command

__all__ = ["app", "audit_time_command"]

app = typer.Typer(
    help="Certification body: clients, applications, programmes, decisions, certificates.",
    no_args_is_help=True,
)
for _topic in (cli_intake, cli_programme, cli_certificates):
    _topic.add_commands(app)
