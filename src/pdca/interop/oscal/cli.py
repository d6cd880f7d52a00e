"""`pdca oscal export …` and `pdca oscal import FILE` (mounted on `pdca` by `pdca.cli`).

The operator at the command line is trusted like a platform administrator: exports read any
organization's records, and imports need no user. A refused import exits 2, with nothing
written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from pdca.core.console import console, err

app = typer.Typer(
    help="OSCAL: export catalogs, assessment results and the POA&M; import a catalog or profile.",
    no_args_is_help=True,
)
export_app = typer.Typer(
    help="Write an OSCAL document (JSON) to a file or standard output.", no_args_is_help=True
)
app.add_typer(export_app, name="export")

OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="The file to write (default: standard output)"),
]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _write(document: dict, output: Path | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    (root,) = document
    err.print(f"Wrote the OSCAL {root} to {escape(str(output))}.")


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]{escape(message)}")
    return typer.Exit(code)


@export_app.command("catalog")
def export_catalog(
    code: Annotated[
        str, typer.Argument(help="The standard's code (`pdca standards list` shows them)")
    ],
    output: OutputOption = None,
) -> None:
    """A standard as an OSCAL catalog."""
    _setup()
    from pdca.interop.oscal.catalog import catalog_document
    from pdca.standards.models import Standard

    standard = Standard.objects.filter(code=code).first()
    if standard is None:
        raise _fail(f"No standard with the code {code!r}. `pdca standards list` shows them.")
    _write(catalog_document(standard), output)


@export_app.command("assessment-results")
def export_assessment_results(
    assessment: Annotated[
        int | None,
        typer.Option("--assessment", help="A gap assessment's id (`pdca gap list` shows them)"),
    ] = None,
    audit: Annotated[
        int | None,
        typer.Option("--audit", help="An audit's id (`pdca audit list` shows them)"),
    ] = None,
    output: OutputOption = None,
) -> None:
    """A gap assessment or an audit as OSCAL assessment results (give one of the two)."""
    if (assessment is None) == (audit is None):
        raise _fail("Give --assessment ID or --audit ID (one of the two).", 2)
    _setup()
    from pdca.assessments.models import GapAssessment
    from pdca.audits.models import Audit
    from pdca.interop.oscal.assessment_results import (
        assessment_results_for_assessment,
        assessment_results_for_audit,
    )

    if assessment is not None:
        found = GapAssessment.objects.select_related("system", "organization").filter(pk=assessment)
        if not found:
            raise _fail(f"No gap assessment with id {assessment}. `pdca gap list` shows them.")
        _write(assessment_results_for_assessment(found[0]), output)
    elif audit is not None:
        audits = Audit.objects.select_related("organization").filter(pk=audit)
        if not audits:
            raise _fail(f"No audit with id {audit}. `pdca audit list` shows them.")
        _write(assessment_results_for_audit(audits[0]), output)


@export_app.command("poam")
def export_poam(
    organization: Annotated[
        str,
        typer.Option("--organization", "--org", help="The organization's short name (slug)"),
    ],
    system: Annotated[
        int | None,
        typer.Option(
            "--system", help="Only nonconformities against this management system's standards"
        ),
    ] = None,
    output: OutputOption = None,
) -> None:
    """The organization's open nonconformities and corrective actions as an OSCAL plan of
    action and milestones."""
    _setup()
    from django.http import Http404

    from pdca.core.cli_support import organization_or_exit
    from pdca.interop.oscal.poam import poam_document
    from pdca.interop.oscal.selectors import plan_nonconformities

    org = organization_or_exit(organization)
    try:
        rows = plan_nonconformities(None, org, system)
        document = poam_document(org, rows)
    except Http404:
        raise _fail(f"No management system with id {system} in {organization}.") from None
    _write(document, output)


@app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="An OSCAL catalog or profile (JSON or YAML)")
    ],
    profile_catalog: Annotated[
        Path | None,
        typer.Option(
            "--profile-catalog",
            help="The catalog a profile imports, when it is not a standard here",
        ),
    ] = None,
    code: Annotated[
        str | None,
        typer.Option("--code", help="The new standard's code (default: oscal-<title>)"),
    ] = None,
) -> None:
    """Import an OSCAL catalog (or a profile, resolved against its catalog) as a custom
    standard. Exits 2 when the file is refused; nothing is written then."""
    _setup()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError, ValidationFailed
    from pdca.interop.oscal.services import import_oscal_catalog

    try:
        content = file.read_bytes()
        second = profile_catalog.read_bytes() if profile_catalog else None
    except OSError as exc:
        raise _fail(f"Cannot read {exc.filename}: {exc.strerror}.", 2) from None
    try:
        with channel("cli"):
            result = import_oscal_catalog(
                content,
                name=file.name,
                actor=None,
                code=code,
                catalog=second,
                catalog_name=profile_catalog.name if profile_catalog else "",
            )
    except ValidationFailed as exc:
        for error in exc.errors:
            err.print(f"[red]{escape(error.field or 'file')}: {escape(error.message)}")
        raise _fail("Refused; nothing was written.", 2) from None
    except ServiceError as exc:
        raise _fail(exc.message, 2) from None
    standard = result.standard
    table = Table("code", "name", "kind", "requirements", "groups")
    table.add_row(
        standard.code, standard.name, result.kind, str(result.requirements), str(result.groups)
    )
    console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {escape(warning)}")
    console.print(f"`pdca standards show {standard.code}` shows it.")
