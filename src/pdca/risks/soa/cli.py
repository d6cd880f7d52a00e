"""`pdca soa …`: the Statements of Applicability there are and their approved versions, the
completeness of one, and its files (XLSX, PDF) for the draft or an approved version, from the
command line.

Reads need no user: the operator at the command line is trusted like a platform
administrator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pdca.core.cli_output import (
    AsViewerOption,
    Column,
    FormatOption,
    OrgFilterOption,
    print_json,
    print_rows,
)
from pdca.core.console import console, err

app = typer.Typer(
    help="Statements of Applicability: list, completeness, XLSX and PDF of the draft or a version.",
    no_args_is_help=True,
)

SoaArg = Annotated[int, typer.Argument(help="The SoA's id (`pdca soa list` shows the ids)")]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _soa(soa_id: int):
    from pdca.risks.models import StatementOfApplicability

    soa = (
        StatementOfApplicability.objects.select_related("organization", "standard")
        .filter(pk=soa_id)
        .first()
    )
    if soa is None:
        err.print(
            f"[red]No Statement of Applicability with id {soa_id}. `pdca soa list` shows the ids."
        )
        raise typer.Exit(1)
    return soa


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {path}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None


@app.command("list")
def list_soas(
    org: OrgFilterOption = None,
    actor_email: AsViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The Statements of Applicability: id, title, standard, lines, latest approved version.
    The id is what `pdca soa status|export|versions` take."""
    _setup()
    from django.db.models import Count, Max

    from pdca.core.cli_support import actor_or_exit, organization_or_none, visible
    from pdca.risks.models import StatementOfApplicability

    organization, actor = organization_or_none(org), actor_or_exit(actor_email)
    soas = (
        visible(StatementOfApplicability.objects.all(), organization=organization, actor=actor)
        .select_related("organization", "standard", "system")
        .annotate(
            line_count=Count("lines", distinct=True),
            latest_number=Max("versions__number"),
            approved_at=Max("versions__approved_at"),
        )
        .order_by("organization__slug", "standard__name", "pk")
    )
    rows = [
        {
            "id": soa.pk,
            "organization": soa.organization.slug,
            "title": soa.title,
            "standard": soa.standard.code,
            "system": soa.system.name if soa.system else None,
            "lines": soa.line_count,
            "latest_version": soa.latest_number,
            "approved_at": soa.approved_at,
        }
        for soa in soas
    ]
    columns = [
        Column("id", "ID", "right"),
        *([Column("organization", "Organization")] if organization is None else []),
        Column("title", "Title"),
        Column("standard", "Standard"),
        Column("lines", "Lines", "right"),
        Column(
            "latest_version",
            "Approved",
            text=lambda r: (
                f"v{r['latest_version']} on {r['approved_at']:%Y-%m-%d}"
                if r["latest_version"]
                else "not yet"
            ),
        ),
    ]
    where = f" of {organization.name}" if organization is not None else ""
    print_rows(
        rows,
        columns,
        fmt,
        title=f"Statements of Applicability{where}",
        summary=f"{len(rows)} Statement(s) of Applicability.",
    )


@app.command()
def versions(soa_id: SoaArg, fmt: FormatOption = "table") -> None:
    """The approved versions of a Statement of Applicability, newest first: the numbers
    `pdca soa export --version` takes."""
    _setup()
    soa = _soa(soa_id)
    rows = [
        {
            "number": v.number,
            "approved_at": v.approved_at,
            "approved_by": v.approved_by.email,
            "note": v.note,
            "sha256": v.sha256,
        }
        for v in soa.versions.select_related("approved_by").order_by("-number")
    ]
    columns = [
        Column("number", "Version", "right"),
        Column("approved_at", "Approved"),
        Column("approved_by", "By"),
        Column("note", "Note"),
        Column("sha256", "SHA-256"),
    ]
    print_rows(
        rows,
        columns,
        fmt,
        title=f"Approved versions of {soa.title} ({soa.organization.slug})",
        empty=f"{soa.title} has no approved version yet.",
    )


@app.command()
def status(soa_id: SoaArg, fmt: FormatOption = "table") -> None:
    """Lines decided and justified, applicable, excluded and implemented; what blocks
    approval; the latest approved version and how many lines changed since."""
    _setup()
    from pdca.risks.soa import services

    soa = _soa(soa_id)
    lines = list(services.soa_lines(soa))
    result = services.completeness_of(lines, services.missing_controls(soa))
    latest = services.latest_version(soa)
    changed = services.changed_since(lines, latest)
    if fmt == "json":
        data = {
            "soa": soa.pk,
            "title": soa.title,
            "organization": soa.organization.slug,
            "standard": soa.standard.code,
            "completeness": result.as_dict(),
            "latest_version": latest.number if latest else None,
            "latest_sha256": latest.sha256 if latest else None,
            "changed_since_approval": changed,
        }
        print_json(data)
        return
    console.print(
        f"[bold]{soa.title}[/bold] ({soa.organization.name}, {soa.standard}): "
        f"[bold]{result.percent}%[/bold] decided and justified"
    )
    table = Table()
    table.add_column("lines", justify="left")
    table.add_column("count", justify="right")
    for label, value in (
        ("total", result.total),
        ("decided", result.decided),
        ("justified", result.justified),
        ("applicable", result.applicable),
        ("not applicable", result.excluded),
        ("implemented", result.implemented),
        ("missing (no line)", len(result.missing)),
    ):
        table.add_row(label, str(value))
    console.print(table)
    for problem in result.problems:
        console.print(f"[yellow]• {problem}")
    if latest:
        console.print(
            f"Latest approved: version {latest.number} on {latest.approved_at:%Y-%m-%d} "
            f"(SHA-256 {latest.sha256}); {len(changed)} line(s) changed since."
        )
    else:
        console.print("Not approved yet.")


@app.command()
def export(
    soa_id: SoaArg,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write the workbook here")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF here")] = None,
    version: Annotated[
        int | None,
        typer.Option(
            "--version",
            "-v",
            help="An approved version (default: draft; `pdca soa versions` lists them)",
        ),
    ] = None,
) -> None:
    """Write the SoA as XLSX and/or PDF: the current draft, or an approved version."""
    if xlsx is None and pdf is None:
        err.print("[red]Say where to write: --xlsx FILE and/or --pdf FILE.")
        raise typer.Exit(2)
    _setup()
    from pdca.risks.soa import export as soa_export

    soa = _soa(soa_id)
    frozen = None
    if version is not None:
        frozen = soa.versions.select_related("approved_by").filter(number=version).first()
        if frozen is None:
            err.print(f"[red]{soa.title} has no version {version}.")
            raise typer.Exit(1)
    label = f"version {version}" if frozen else "draft"
    if xlsx is not None:
        with err.status("Writing the workbook…"):
            _write(xlsx, soa_export.soa_xlsx(soa, frozen))
        console.print(f"Wrote {xlsx} ({label}).")
    if pdf is not None:
        from pdca.core.jobs.cli import run_or_queue
        from pdca.risks.soa.jobs import PDF_KIND

        # The same job the page queues, run here with a progress bar.
        outcome = run_or_queue(
            PDF_KIND,
            organization=soa.organization,
            actor=None,
            params={"soa": soa.pk, "version": frozen.number if frozen else None},
            title="Rendering the PDF",
            queue=False,
        )
        _write(pdf, outcome.content or b"")
        console.print(f"Wrote {pdf} ({label}).")
