"""`pdca docs …`: the document register of an organization, and one document's version as
PDF, DOCX or Markdown, from the command line.

Reads need no user: the operator at the command line is trusted like a platform
administrator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pdca.core.console import console, err

app = typer.Typer(
    help="Documented information: list an organization's documents, export a version.",
    no_args_is_help=True,
)

OrgOption = Annotated[str, typer.Option("--org", help="The organization's slug")]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _organization(slug: str):
    from pdca.tenancy.models import Organization

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        err.print(f"[red]No organization with the slug {slug!r}.")
        raise typer.Exit(1)
    return organization


def _rows(organization, *, review_due: bool) -> list[dict]:
    import datetime as dt

    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from pdca.documents.models import Document, DocumentVersion
    from pdca.documents.tasks_list import REVIEW_NOTICE_DAYS

    versions = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    documents = (
        Document.objects.filter(organization=organization)
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
            "owner": doc.owner.email if doc.owner_id else None,
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
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    review_due: Annotated[
        bool,
        typer.Option("--review-due", help="Only documents whose review is due within 30 days"),
    ] = False,
) -> None:
    """The organization's documents and records: code, title, type, owner, state, review date."""
    if fmt not in {"table", "json"}:
        err.print(f"[red]--format must be table or json, not {fmt!r}.")
        raise typer.Exit(2)
    _setup()
    rows = _rows(_organization(org), review_due=review_due)
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Documents of {org}" + (" (review due)" if review_due else ""))
    for header in ("Code", "Title", "Type", "Owner", "Status", "Review due"):
        table.add_column(header)
    for row in rows:
        table.add_row(
            row["code"],
            row["title"],
            row["type"],
            row["owner"] or "",
            row["state"],
            row["review_due"] or "",
        )
    console.print(table)
    console.print(f"{len(rows)} document(s).")


def _version(organization, code: str, number: int | None):
    from pdca.documents.models import Document, DocumentVersion

    document = Document.objects.filter(organization=organization, code__iexact=code).first()
    if document is None:
        err.print(f"[red]No document with the code {code!r} in {organization.slug}.")
        raise typer.Exit(1)
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
    code: Annotated[str, typer.Argument(help="The document's code, e.g. QP-001")],
    org: OrgOption,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write a PDF here")] = None,
    docx: Annotated[Path | None, typer.Option("--docx", help="Write a DOCX here")] = None,
    md: Annotated[Path | None, typer.Option("--md", help="Write the Markdown here")] = None,
    version: Annotated[
        int | None,
        typer.Option("--version", help="Version number (default: published, else the latest)"),
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
        _write(pdf, rendering.version_pdf(found))
        console.print(f"{label}: PDF written to {pdf}.")
