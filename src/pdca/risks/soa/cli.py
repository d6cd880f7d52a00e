"""`pdca soa …`: the completeness of a Statement of Applicability, and its files (XLSX, PDF)
for the draft or an approved version, from the command line.

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
    help="Statements of Applicability: completeness, XLSX and PDF of the draft or a version.",
    no_args_is_help=True,
)

SoaArg = Annotated[int, typer.Argument(help="The SoA's id (shown in its page's address)")]


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
        err.print(f"[red]No Statement of Applicability with id {soa_id}.")
        raise typer.Exit(1)
    return soa


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        err.print(f"[red]Cannot write {path}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None


@app.command()
def status(
    soa_id: SoaArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Lines decided and justified, applicable, excluded and implemented; what blocks
    approval; the latest approved version and how many lines changed since."""
    if fmt not in {"table", "json"}:
        err.print(f"[red]--format must be table or json, not {fmt!r}.")
        raise typer.Exit(2)
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
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
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
        int | None, typer.Option("--version", "-v", help="An approved version (default: draft)")
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
        with err.status("Rendering the PDF…"):
            _write(pdf, soa_export.soa_pdf(soa, frozen))
        console.print(f"Wrote {pdf} ({label}).")
