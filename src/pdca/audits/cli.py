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

from pdca.core.cli_output import AsViewerOption, Column, FormatOption, OrgFilterOption, print_rows
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
    audit_id: Annotated[
        int, typer.Argument(help="The audit's id (`pdca audit list` shows the ids)")
    ],
    pdf: Annotated[Path, typer.Option("--pdf", help="The PDF file to write")],
    revision: Annotated[
        int | None, typer.Option("--revision", "-r", help="An issued revision (default: latest)")
    ] = None,
) -> None:
    """Write the audit's report as PDF: an issued revision's stored file (the latest unless
    --revision says), or the current draft when none is issued."""
    _setup()
    from pdca.audits.models import Audit

    audit = Audit.objects.select_related("organization").filter(pk=audit_id).first()
    if audit is None:
        err.print(f"[red]No audit with id {audit_id}. `pdca audit list` shows the ids.")
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
        from pdca.audits.report.jobs import DRAFT_PDF_KIND
        from pdca.core.jobs.cli import run_or_queue

        # The same job the report page queues, run here with a progress bar.
        outcome = run_or_queue(
            DRAFT_PDF_KIND,
            organization=audit.organization,
            actor=None,
            params={"audit": audit.pk},
            title="Rendering the draft",
            queue=False,
        )
        data = outcome.content or b""
        what = "the current DRAFT (no revision is issued)"
    try:
        pdf.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {pdf}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {pdf}: {what}.")


@app.command("list")
def list_audits(
    org: OrgFilterOption = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only this status (planned, in_progress, …)")
    ] = None,
    actor_email: AsViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The audits, latest first: id, reference, title, type, dates, status, findings, report
    revision. The id is what `pdca audit report` takes."""
    _setup()
    from django.db.models import Count, Max

    from pdca.audits.models import Audit
    from pdca.core.cli_support import actor_or_exit, organization_or_none, visible

    statuses = Audit.Status
    if status is not None and status not in statuses.values:
        err.print(f"[red]--status must be one of {', '.join(statuses.values)}, not {status!r}.")
        raise typer.Exit(2)
    organization, actor = organization_or_none(org), actor_or_exit(actor_email)
    audits = visible(Audit.objects.all(), organization=organization, actor=actor)
    if status is not None:
        audits = audits.filter(status=status)
    audits = (
        audits.select_related("organization")
        .annotate(finding_count=Count("findings", distinct=True), revision=Max("reports__revision"))
        .order_by("organization__slug", "-start_date", "pk")
    )
    rows = [
        {
            "id": audit.pk,
            "organization": audit.organization.slug,
            "reference": audit.reference,
            "title": audit.title,
            "type": audit.audit_type,
            "start_date": audit.start_date,
            "end_date": audit.end_date,
            "status": audit.status,
            "findings": audit.finding_count,
            "report_revision": audit.revision,
            "archived": audit.archived_at is not None,
        }
        for audit in audits
    ]
    columns = [
        Column("id", "ID", "right"),
        *([Column("organization", "Organization")] if organization is None else []),
        Column("reference", "Reference"),
        Column("title", "Title"),
        Column("type", "Type", text=lambda r: Audit.Type(r["type"]).label),
        Column("start_date", "Dates", text=lambda r: f"{r['start_date']} to {r['end_date']}"),
        Column("status", "Status", text=lambda r: statuses(r["status"]).label),
        Column("findings", "Findings", "right"),
        Column(
            "report_revision",
            "Report",
            text=lambda r: f"rev. {r['report_revision']}" if r["report_revision"] else "draft",
        ),
    ]
    where = f" of {organization.name}" if organization is not None else ""
    print_rows(rows, columns, fmt, title=f"Audits{where}", summary=f"{len(rows)} audit(s).")
