"""`pdca docs …`: the document register of an organization, a document's versions, and one
version as PDF, DOCX or Markdown, from the command line.

Reads need no user: the operator at the command line is trusted like a platform
administrator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pdca.core.cli_output import AsViewerOption, Column, FormatOption, print_rows
from pdca.core.console import console, err

app = typer.Typer(
    help="Documented information: list an organization's documents and their versions, "
    "export a version.",
    no_args_is_help=True,
)

OrgOption = Annotated[str, typer.Option("--org", help="The organization's slug")]
CodeArg = Annotated[
    str, typer.Argument(help="The document's code, e.g. QP-001 (`pdca docs list` shows them)")
]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _organization(slug: str):
    from pdca.core.cli_support import organization_or_exit

    return organization_or_exit(slug)


def _actor(email: str | None):
    from pdca.core.cli_support import actor_or_exit

    return actor_or_exit(email)


def _rows(organization, *, review_due: bool, actor=None) -> list[dict]:
    import datetime as dt

    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from pdca.core.cli_support import visible
    from pdca.documents.models import Document, DocumentVersion
    from pdca.documents.tasks_list import REVIEW_NOTICE_DAYS

    versions = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    documents = (
        visible(Document.objects.all(), organization=organization, actor=actor)
        .select_related("owner")
        .annotate(
            latest_number=Subquery(versions.values("number")[:1]),
            latest_status=Subquery(versions.values("status")[:1]),
            published_number=Subquery(versions.filter(status="published").values("number")[:1]),
        )
        .order_by("code")
    )
    if review_due:
        horizon = timezone.localdate() + dt.timedelta(days=REVIEW_NOTICE_DAYS)
        documents = documents.filter(obsolete=False, review_due__lte=horizon)
    return [
        {
            "code": doc.code,
            "title": doc.title,
            "kind": doc.kind,
            "type": doc.doc_type,
            "owner": doc.owner.email if doc.owner else None,
            "state": doc.state,
            "published_version": doc.published_number,
            "latest_version": doc.latest_number,
            "review_due": doc.review_due.isoformat() if doc.review_due else None,
        }
        for doc in documents
    ]


@app.command("list")
def list_documents(
    org: OrgOption,
    fmt: FormatOption = "table",
    review_due: Annotated[
        bool,
        typer.Option("--review-due", help="Only documents whose review is due within 30 days"),
    ] = False,
    actor_email: AsViewerOption = None,
) -> None:
    """The organization's documents and records: code, title, type, owner, state, review date.
    The code is what `pdca docs versions|export` take."""
    _setup()
    organization = _organization(org)
    rows = _rows(organization, review_due=review_due, actor=_actor(actor_email))
    columns = [
        Column("code", "Code"),
        Column("title", "Title"),
        Column("type", "Type"),
        Column("owner", "Owner"),
        Column("state", "Status"),
        Column("review_due", "Review due"),
    ]
    print_rows(
        rows,
        columns,
        fmt,
        title=f"Documents of {org}" + (" (review due)" if review_due else ""),
        summary=f"{len(rows)} document(s).",
    )


@app.command()
def versions(
    code: CodeArg,
    org: OrgOption,
    fmt: FormatOption = "table",
    actor_email: AsViewerOption = None,
) -> None:
    """A document's versions, newest first: number, status, author, dates, why it changed.
    The number is what `pdca docs export --version` takes."""
    _setup()
    from pdca.core.cli_support import visible
    from pdca.documents.models import DocumentVersion

    organization, actor = _organization(org), _actor(actor_email)
    document = _document(organization, code, actor)
    found = visible(
        DocumentVersion.objects.filter(document=document), organization=organization, actor=actor
    ).select_related("author", "approved_by")
    rows = [
        {
            "number": v.number,
            "status": v.status,
            "author": v.author.email,
            "created_at": v.created_at,
            "approved_by": v.approved_by.email if v.approved_by else None,
            "approved_at": v.approved_at,
            "published_at": v.published_at,
            "effective_date": v.effective_date,
            "change_summary": v.change_summary,
        }
        for v in found.order_by("-number")
    ]
    columns = [
        Column("number", "Version", "right"),
        Column("status", "Status", text=lambda r: DocumentVersion.Status(r["status"]).label),
        Column("author", "Author"),
        Column("created_at", "Written"),
        Column("published_at", "Published"),
        Column("effective_date", "Effective"),
        Column("change_summary", "Change"),
    ]
    print_rows(
        rows,
        columns,
        fmt,
        title=f"Versions of {document.code} {document.title}",
        empty=f"{document.code} has no version yet.",
    )


def _document(organization, code: str, actor=None):
    from pdca.core.cli_support import visible
    from pdca.documents.models import Document

    document = (
        visible(Document.objects.all(), organization=organization, actor=actor)
        .filter(code__iexact=code)
        .first()
    )
    if document is None:
        err.print(
            f"[red]No document with the code {code!r} in {organization.slug}. "
            f"`pdca docs list --org {organization.slug}` shows the codes."
        )
        raise typer.Exit(1)
    return document


def _version(organization, code: str, number: int | None):
    from pdca.documents.models import DocumentVersion

    document = _document(organization, code)
    versions = DocumentVersion.objects.filter(document=document).select_related(
        "document__organization", "document__owner", "file"
    )
    if number is not None:
        version = versions.filter(number=number).first()
        if version is None:
            err.print(f"[red]{document.code} has no version {number}.")
            raise typer.Exit(1)
        return version
    version = versions.filter(status=DocumentVersion.Status.PUBLISHED).first()
    version = version or versions.order_by("-number").first()
    if version is None:
        err.print(f"[red]{document.code} has no version yet.")
        raise typer.Exit(1)
    return version


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {path}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None


@app.command()
def export(
    code: CodeArg,
    org: OrgOption,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write a PDF here")] = None,
    docx: Annotated[Path | None, typer.Option("--docx", help="Write a DOCX here")] = None,
    md: Annotated[Path | None, typer.Option("--md", help="Write the Markdown here")] = None,
    version: Annotated[
        int | None,
        typer.Option(
            "--version",
            help="Version number (default: published, else the latest; "
            "`pdca docs versions` lists them)",
        ),
    ] = None,
) -> None:
    """One version of a document as PDF, DOCX or Markdown (give at least one file)."""
    if not (pdf or docx or md):
        err.print("[red]Give at least one of --pdf FILE, --docx FILE, --md FILE.")
        raise typer.Exit(2)
    _setup()
    from pdca.documents import rendering

    found = _version(_organization(org), code, version)
    label = f"{found.document.code} v{found.number} ({found.get_status_display().lower()})"
    if md:
        _write(md, rendering.version_text(found).encode("utf-8"))
        console.print(f"{label}: Markdown written to {md}.")
    if docx:
        _write(docx, rendering.version_docx(found))
        console.print(f"{label}: DOCX written to {docx}.")
    if pdf:
        from pdca.core.jobs.cli import run_or_queue
        from pdca.documents.versions.jobs import PDF_KIND

        # The same job the version's page queues, run here with a progress bar.
        outcome = run_or_queue(
            PDF_KIND,
            organization=found.organization,
            actor=None,
            params={"version": found.pk},
            title="Rendering the PDF",
            queue=False,
        )
        _write(pdf, outcome.content or b"")
        console.print(f"{label}: PDF written to {pdf}.")
