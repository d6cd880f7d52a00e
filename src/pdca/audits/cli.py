"""`pdca audit …`: list an organization's audits, and write an audit's report as PDF.

Reads need no user: the operator at the command line is trusted like a platform
administrator. An issued revision's PDF is the stored file, checked against the SHA-256
recorded when it was issued; with no issued revision the current draft is rendered, and the
command says so.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pdca.core.console import console, err

app = typer.Typer(help="Audits: list them, write an audit's report as PDF.", no_args_is_help=True)


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _stored_pdf(report) -> bytes:
    """The stored bytes of an issued revision, refused when they no longer match."""
    from pdca.documents.evidence.services import evidence_storage, hash_stored

    storage = evidence_storage()
    found = hash_stored(storage, report.pdf.storage_name)
    if found is None or found[0] != report.sha256:
        err.print(
            f"[red]The stored PDF of revision {report.revision} is missing or no longer matches "
            "its recorded SHA-256; run pdca verify-evidence."
        )
        raise typer.Exit(1)
    with storage.open(report.pdf.storage_name, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != report.sha256:
        err.print(f"[red]The stored PDF of revision {report.revision} changed while being read.")
        raise typer.Exit(1)
    return data


@app.command()
def report(
    audit_id: Annotated[int, typer.Argument(help="The audit's id (shown on its page)")],
    pdf: Annotated[Path, typer.Option("--pdf", help="The PDF file to write")],
    revision: Annotated[
        int | None, typer.Option("--revision", "-r", help="An issued revision (default: latest)")
    ] = None,
) -> None:
    """Write the audit's report as PDF: an issued revision's stored file (the latest unless
    --revision says), or the current draft when none is issued."""
    _setup()
    from pdca.audits.models import Audit
    from pdca.audits.report import rendering as reports

    audit = Audit.objects.select_related("organization").filter(pk=audit_id).first()
    if audit is None:
        err.print(f"[red]No audit with id {audit_id}.")
        raise typer.Exit(1)
    issued = audit.reports.select_related("pdf").order_by("-revision")
    chosen = issued.filter(revision=revision).first() if revision else issued.first()
    if revision and chosen is None:
        numbers = ", ".join(str(n) for n in issued.values_list("revision", flat=True)) or "none"
        err.print(f"[red]{audit} has no issued revision {revision} (issued: {numbers}).")
        raise typer.Exit(1)
    if chosen is not None:
        data = _stored_pdf(chosen)
        what = f"issued revision {chosen.revision} (SHA-256 {chosen.sha256})"
    else:
        with err.status("Rendering the draft…"):
            data = reports.render_pdf(reports.report_content(audit))
        what = "the current DRAFT (no revision is issued)"
    try:
        pdf.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {pdf}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {pdf}: {what}.")


@app.command("list")
def list_audits(
    org: Annotated[str, typer.Option("--org", help="The organization's slug")],
) -> None:
    """The organization's audits: id, reference, type, dates, status, findings, revisions."""
    _setup()
    from django.db.models import Count, Max

    from pdca.audits.models import Audit
    from pdca.tenancy.models import Organization

    organization = Organization.objects.filter(slug=org).first()
    if organization is None:
        err.print(f"[red]No organization with slug {org!r}.")
        raise typer.Exit(1)
    audits = (
        Audit.objects.filter(organization=organization)
        .annotate(finding_count=Count("findings", distinct=True), revision=Max("reports__revision"))
        .order_by("-start_date", "pk")
    )
    table = Table(title=f"Audits of {organization.name}")
    table.add_column("ID", no_wrap=True)
    table.add_column("Reference", no_wrap=True)
    for header in ("Title", "Type", "Dates", "Status", "Findings", "Report"):
        table.add_column(header)
    for audit in audits:
        table.add_row(
            str(audit.pk),
            audit.reference,
            audit.title,
            audit.get_audit_type_display(),
            f"{audit.start_date} to {audit.end_date}",
            audit.get_status_display(),
            str(audit.finding_count),
            f"rev. {audit.revision}" if audit.revision else "draft",
        )
    console.print(table)
