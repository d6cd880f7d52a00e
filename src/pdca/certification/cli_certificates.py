"""`pdca cb certificates …`: the certification body's certificates from the command line:
list (with the page's filters), show (with the history), transition, pdf, proposals.

Reads need no user (the operator is trusted like a platform administrator; `--as EMAIL` shows
only what that member may see). A transition runs as the member named by `--as`, with that
member's permissions, and is recorded in the activity log as coming from the CLI.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.console import console, err

certificates_app = typer.Typer(
    help="Certificates: list, show, transition, pdf, proposals.", no_args_is_help=True
)

OrgOption = Annotated[str, typer.Option("--org", help="The certification body (slug)")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of a member: only what they may see")
]
CertArg = Annotated[str, typer.Argument(help="The certificate's number (or id)")]


def add_commands(app: typer.Typer) -> None:
    """Add this topic's commands (and sub-groups) to `pdca cb`."""
    app.add_typer(certificates_app, name="certificates")


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _fail(exc: Exception) -> typer.Exit:
    from pdca.core.exceptions import ValidationFailed

    if isinstance(exc, ValidationFailed) and exc.errors:
        for error in exc.errors:
            text = f"{error.field}: {error.message}" if error.field else error.message
            err.print(escape(text), highlight=False)
        err.print(f"[red]{len(exc.errors)} problem(s); nothing was written.", highlight=False)
    else:
        code = getattr(exc, "code", "")
        message = str(getattr(exc, "message", exc))
        err.print(f"[red]{escape(message)}[/red] ({escape(code)})", highlight=False)
    return typer.Exit(1)


def _actor(email: str | None):
    from pdca.core.cli_support import actor_or_exit

    return actor_or_exit(email)


def _certificate(value: str, actor: Any):
    from django.db.models import Q

    from pdca.certification.models import Certificate
    from pdca.core.cli_support import visible

    rows = visible(Certificate.objects.all(), actor=actor).select_related(
        "client", "organization", "previous"
    )
    condition = Q(number__iexact=value.strip())
    if value.isdigit() and len(value) < 19:
        condition |= Q(pk=int(value))
    found = rows.filter(condition).first()
    if found is None:
        err.print(
            f"[red]No certificate {escape(repr(value))}"
            + (" that this member may see" if actor is not None else "")
            + ": `pdca cb certificates list` shows them."
        )
        raise typer.Exit(1)
    return found


def _row(cert: Any) -> dict[str, Any]:
    from django.utils import timezone

    from pdca.certification.services.editions import transitions_of

    today = timezone.localdate()
    live = cert.status in ("active", "scope_reduced", "suspended")
    return {
        "id": cert.pk,
        "number": cert.number,
        "body": cert.organization.slug,
        "client": cert.client_name,
        "standards": [s.full_name for s in cert.standards.all()],
        "transition": [t.sentence(today) for t in transitions_of(cert.standards.all())]
        if live
        else [],
        "status": cert.status,
        "status_changed_on": cert.status_changed_on,
        "issued_on": cert.issued_on,
        "expires_on": cert.expires_on,
        "accredited": cert.accredited,
    }


ROW_COLUMNS = [
    Column("number", "Number"),
    Column("client", "Client"),
    Column("standards", "Standards", text=lambda r: ", ".join(r["standards"])),
    Column("transition", "Transition", text=lambda r: " ".join(r["transition"]) or "–"),
    Column("status", "Status"),
    Column("issued_on", "Issued"),
    Column("expires_on", "Valid until"),
    Column("accredited", "Accredited"),
]


@certificates_app.command("list")
def list_certificates(
    org: Annotated[
        str | None, typer.Option("--org", help="Only this body (slug); every body without it")
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="active, suspended…")] = None,
    standard: Annotated[
        str | None, typer.Option("--standard", help="Catalog code, e.g. iso9001-2015")
    ] = None,
    expiring_within: Annotated[
        int | None,
        typer.Option("--expiring-within", min=0, max=3650, help="In force, expiring in N days"),
    ] = None,
    client: Annotated[int | None, typer.Option("--client", help="Client id")] = None,
    accredited: Annotated[
        bool | None, typer.Option("--accredited/--not-accredited", help="Accreditation")
    ] = None,
    q: Annotated[str, typer.Option("--q", help="Words of the number, client or scope")] = "",
    in_transition: Annotated[
        bool | None,
        typer.Option(
            "--in-transition/--current-edition",
            help="To an edition a newer one replaces, or to none",
        ),
    ] = None,
    actor_email: AsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The certificate register, newest first, each standard named in full with the transition
    to a newer edition where one replaces it."""
    _setup()
    from django.utils import timezone

    from pdca.certification.models import Certificate
    from pdca.certification.services.certificate_queries import (
        CertificateFilters,
        filter_certificates,
    )
    from pdca.certification.services.editions import standards_prefetch
    from pdca.core.cli_support import organization_or_none, visible

    if status and status not in Certificate.Status.values:
        err.print(f"[red]--status: one of {', '.join(Certificate.Status.values)}.")
        raise typer.Exit(2)
    organization = organization_or_none(org)
    actor = _actor(actor_email)
    rows = (
        visible(Certificate.objects.all(), organization=organization, actor=actor)
        .select_related("organization")
        .prefetch_related(standards_prefetch())
        .order_by("-issued_on", "-pk")
    )
    filters = CertificateFilters(
        status=status or "",
        standard=standard or "",
        expiring_within=expiring_within,
        client=client,
        accredited=accredited,
        q=q,
        in_transition=in_transition,
    )
    found = [_row(c) for c in filter_certificates(rows, filters, timezone.localdate())]
    print_rows(
        found,
        ROW_COLUMNS,
        fmt,
        title="Certificates",
        summary=f"{len(found)} certificate(s)." if fmt == "table" else None,
    )


@certificates_app.command("show")
def show_certificate(cert: CertArg, actor_email: AsOption = None, fmt: FormatOption = "table"):
    """One certificate: its fields, sites, verification address and status history."""
    _setup()
    from pdca.certification.services.certificate_pdf import verification_url

    actor = _actor(actor_email)
    found = _certificate(cert, actor)
    data = _row(found)
    data.update(
        scope=found.scope,
        sites=[f"{s.name} ({s.country})" if s.country else s.name for s in found.sites.all()],
        original_issued_on=found.original_issued_on,
        status_reason=found.status_reason,
        accreditation=(
            f"{found.accreditation_body} {found.accreditation_number}".strip()
            if found.accredited
            else "issued without accreditation"
        ),
        previous=found.previous.number if found.previous else None,
        verification_url=verification_url(found.number),
    )
    events = [
        {
            "on": e.on,
            "from": e.from_status or "issued",
            "to": e.to_status,
            "reason": e.reason,
            "by": e.by.email if e.by else "daily job",
            "editions": (
                f"{', '.join(e.standards_from)} → {', '.join(e.standards_to)}"
                if e.standards_to
                else ""
            ),
        }
        for e in found.events.select_related("by").order_by("on", "id")
    ]
    if fmt == "json":
        print_json({**data, "events": events})
        return
    print_rows(
        [{"field": k, "value": v} for k, v in data.items()],
        [Column("field", "Field"), Column("value", "Value")],
        "table",
        title=f"Certificate {found.number}",
    )
    print_rows(
        events,
        [
            Column("on", "Date"),
            Column("from", "From"),
            Column("to", "To"),
            Column("reason", "Reason"),
            Column("editions", "Editions"),
            Column("by", "By"),
        ],
        "table",
        title="Status history",
    )


@certificates_app.command("transition")
def transition_command(
    cert: CertArg,
    to: Annotated[
        str,
        typer.Argument(help="suspended, active (restore), withdrawn, scope_reduced, expired"),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the history)")],
    actor_email: Annotated[
        str, typer.Option("--as", help="E-mail of the manager making the change")
    ],
    on: Annotated[
        str | None, typer.Option("--on", help="Date of the change, YYYY-MM-DD (today)")
    ] = None,
    scope: Annotated[
        str | None, typer.Option("--scope", help="scope_reduced: the scope text that remains")
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="scope_reduced: a site that remains (name; repeatable)"),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Change a certificate's status through the one workflow (its rules and refusals)."""
    _setup()
    from pdca.certification.services.certificate_transitions import transition_certificate
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError

    actor = _actor(actor_email)
    found = _certificate(cert, actor)
    day = None
    if on:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            err.print(f"[red]--on: give a date as YYYY-MM-DD, not {escape(repr(on))}.")
            raise typer.Exit(2) from None
    sites = None
    if site:
        by_name = {s.name: s for s in found.sites.all()}
        missing = [name for name in site if name not in by_name]
        if missing:
            err.print(
                f"[red]--site: not a site of {escape(found.number)}: {escape(', '.join(missing))}."
            )
            raise typer.Exit(1)
        sites = [by_name[name] for name in site]
    try:
        with channel("cli"):
            transition_certificate(
                found, to, actor=actor, reason=reason, on=day, scope=scope, sites=sites
            )
    except ServiceError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        print_json(_row(found))
        return
    console.print(
        f"Certificate {found.number} is now {found.get_status_display().lower()} "
        f"(since {found.status_changed_on}).",
        markup=False,
        highlight=False,
    )


@certificates_app.command("pdf")
def pdf_command(
    cert: CertArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (certificate-N.pdf)")
    ] = None,
    actor_email: AsOption = None,
) -> None:
    """Write the certificate's PDF (with its site annex and QR code)."""
    _setup()
    from pdca.certification.services.certificate_pdf import certificate_filename, certificate_pdf

    actor = _actor(actor_email)
    found = _certificate(cert, actor)
    target = output or Path(certificate_filename(found))
    target.write_bytes(certificate_pdf(found, actor=actor))
    console.print(f"Wrote {target}", markup=False, highlight=False)


@certificates_app.command("proposals")
def proposals_command(
    org: OrgOption,
    on: Annotated[
        str | None, typer.Option("--on", help="The day to propose for, YYYY-MM-DD (today)")
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """What the rules propose for the body's certificates: suspension for overdue
    surveillance, withdrawal after the suspension limit, expiry past the last valid day or
    after the end of the transition of one of its editions."""
    _setup()
    from django.utils import timezone

    from pdca.certification.services.certificate_proposals import certificate_proposals
    from pdca.core.cli_support import organization_or_exit

    organization = organization_or_exit(org)
    day = timezone.localdate()
    if on:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            err.print(f"[red]--on: give a date as YYYY-MM-DD, not {escape(repr(on))}.")
            raise typer.Exit(2) from None
    rows = [
        {
            "number": p.certificate.number,
            "client": p.certificate.client_name,
            "status": p.certificate.status,
            "action": p.action,
            "to_status": p.to_status,
            "since": p.since,
            "reason": p.reason,
        }
        for p in certificate_proposals(organization, day)
    ]
    print_rows(
        rows,
        [
            Column("number", "Number"),
            Column("client", "Client"),
            Column("action", "Proposed"),
            Column("since", "Since"),
            Column("reason", "Why"),
        ],
        fmt,
        title=f"Proposals for {organization.name} on {day}",
        empty=f"Nothing to propose for {organization.name} on {day}.",
    )
