"""`pdca cb profile` and `pdca cb applications …`: the certification body's profile, and its
applications with their contract review and audit time, from the command line.

Reads need no user (the operator is trusted like a platform administrator; `--as EMAIL` shows
only what that member may see). Writes run as the member named by `--as`, with that member's
permissions, and are recorded in the activity log as coming from the CLI. Clients, sites,
accredited scopes and conflicts of interest are registers: `pdca registers show clients --org
SLUG`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.console import console, err

applications_app = typer.Typer(
    help="Applications: list, show, write, submit, the contract review, audit time.",
    no_args_is_help=True,
)

OrgOption = Annotated[str, typer.Option("--org", help="The certification body (slug)")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of the member acting (their permissions apply)")
]
WriterOption = Annotated[
    str, typer.Option("--as", help="E-mail of the member making the change (their permissions)")
]
AppArg = Annotated[str, typer.Argument(help="The application's id or reference")]


def add_commands(app: typer.Typer) -> None:
    """Add this topic's commands (and sub-groups) to `pdca cb`."""
    app.command("profile")(profile_command)
    app.add_typer(applications_app, name="applications")


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _fail(exc: Exception) -> typer.Exit:
    """Print a refusal (each field it names on its own line) and exit 1."""
    from pdca.core.exceptions import ValidationFailed

    if isinstance(exc, ValidationFailed) and exc.errors:
        for error in exc.errors:
            err.print(
                escape(f"{error.field}: {error.message}" if error.field else error.message),
                highlight=False,
            )
        err.print(f"[red]{len(exc.errors)} problem(s); nothing was written.", highlight=False)
    else:
        err.print(f"[red]{escape(str(getattr(exc, 'message', exc)))}", highlight=False)
    return typer.Exit(1)


def _body(slug: str):
    from pdca.certification.services.profile import is_certification_body
    from pdca.core.cli_support import organization_or_exit

    organization = organization_or_exit(slug)
    if not is_certification_body(organization):
        err.print(f"[red]{escape(organization.name)} is not a certification body.")
        raise typer.Exit(1)
    return organization


def _actor(email: str | None, organization):
    from pdca.core.cli_support import actor_or_exit
    from pdca.core.permissions import role_in

    actor = actor_or_exit(email)
    if actor is not None and role_in(actor, organization) is None:
        err.print(f"[red]{escape(email or '')} is no member of {escape(organization.name)}.")
        raise typer.Exit(1)
    return actor


# --- profile ----------------------------------------------------------------------------------

PROFILE_INTS = (
    "major_response_days",
    "major_closure_days",
    "minor_response_days",
    "suspension_limit_months",
)


def _profile_value(name: str, text: str) -> Any:
    if name in PROFILE_INTS:
        try:
            return int(text)
        except ValueError:
            err.print(f"[red]--set {name}: give a whole number, not {escape(repr(text))}.")
            raise typer.Exit(2) from None
    if name == "public_register":
        lowered = text.strip().lower()
        if lowered not in ("yes", "no", "true", "false", "on", "off", "1", "0"):
            err.print(f"[red]--set {name}: give yes or no, not {escape(repr(text))}.")
            raise typer.Exit(2)
        return lowered in ("yes", "true", "on", "1")
    return text


def _profile_rows(profile) -> list[dict[str, Any]]:
    from pdca.certification.services.profile import PROFILE_FIELDS

    rows = []
    for name in PROFILE_FIELDS:
        value = getattr(profile, name)
        if name in ("logo", "signature"):
            value = value.original_name if value else ""
        rows.append({"field": name, "value": value})
    return rows


def profile_command(
    org: OrgOption,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="FIELD=VALUE to change (repeatable), e.g. certificate_prefix=NB"
        ),
    ] = None,
    actor_email: AsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The certification body's profile: accreditation, terms, certificate look; `--set
    FIELD=VALUE` (with `--as`) changes fields."""
    _setup()
    from pdca.certification.services.profile import (
        IMAGE_FIELDS,
        PROFILE_FIELDS,
        get_profile,
        update_profile,
    )
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError

    organization = _body(org)
    actor = _actor(actor_email, organization)
    if set_:
        if actor is None:
            err.print("[red]Changing the profile needs --as EMAIL (a manager of the body).")
            raise typer.Exit(2)
        fields: dict[str, Any] = {}
        for item in set_:
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or name not in PROFILE_FIELDS or name in IMAGE_FIELDS:
                settable = ", ".join(f for f in PROFILE_FIELDS if f not in IMAGE_FIELDS)
                err.print(f"[red]--set takes FIELD=VALUE with a field of: {settable}.")
                raise typer.Exit(2)
            fields[name] = _profile_value(name, value)
        try:
            with channel("cli"):
                update_profile(organization, actor=actor, **fields)
        except ServiceError as exc:
            raise _fail(exc) from None
        console.print(f"Profile of {organization.name} saved.", markup=False, highlight=False)
    profile = get_profile(organization)
    if fmt == "json":
        print_json({row["field"]: row["value"] for row in _profile_rows(profile)})
        return
    print_rows(
        _profile_rows(profile),
        [Column("field", "Field"), Column("value", "Value")],
        "table",
        title=f"Certification body profile of {organization.name}",
    )


# --- applications -----------------------------------------------------------------------------


def _application(organization, value: str):
    from pdca.certification.models import Application

    rows = Application.objects.filter(organization=organization).select_related("client")
    found = (
        rows.filter(pk=int(value)).first()
        if value.isdigit()
        else rows.filter(reference=value).first()
    )
    if found is None:
        err.print(
            f"[red]No application {escape(repr(value))} in {escape(organization.slug)}: "
            "`pdca cb applications list` shows them."
        )
        raise typer.Exit(1)
    return found


def _row(application) -> dict[str, Any]:
    return {
        "id": application.pk,
        "reference": application.reference,
        "client": application.client.name,
        "kind": application.kind,
        "standards": [s.code for s in application.standards.all()],
        "status": application.status,
        "submitted_at": application.submitted_at,
        "reviewed_at": application.reviewed_at,
    }


@applications_app.command("list")
def list_applications(
    org: OrgOption,
    status: Annotated[str | None, typer.Option("--status", help="draft, submitted…")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="initial, transfer…")] = None,
    standard: Annotated[
        str | None, typer.Option("--standard", help="Catalog code, e.g. iso9001-2015")
    ] = None,
    client: Annotated[str | None, typer.Option("--client", help="Client reference")] = None,
    actor_email: AsOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The body's applications, newest first, with the ids the other commands take."""
    _setup()
    from pdca.certification.models import Application
    from pdca.core.cli_support import visible

    organization = _body(org)
    actor = _actor(actor_email, organization)
    rows = visible(Application.objects.all(), organization=organization, actor=actor)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if standard:
        rows = rows.filter(standards__code=standard).distinct()
    if client:
        rows = rows.filter(client__reference=client)
    rows = (
        rows.select_related("client").prefetch_related("standards").order_by("-created_at", "-pk")
    )
    print_rows(
        [_row(a) for a in rows],
        [
            Column("id", "Id", justify="right"),
            Column("reference", "Reference"),
            Column("client", "Client"),
            Column("kind", "Kind"),
            Column("standards", "Standards"),
            Column("status", "Status"),
        ],
        fmt,
        title=f"Applications of {organization.name}",
    )


@applications_app.command("show")
def show_application(application_ref: AppArg, org: OrgOption, fmt: FormatOption = "table") -> None:
    """One application: its fields, its audit time and the contract review's checks."""
    _setup()
    from pdca.certification.services.applications import review_checks

    organization = _body(org)
    application = _application(organization, application_ref)
    data = _row(application)
    data.update(
        scope=application.scope,
        sector_codes=application.sector_codes,
        permanent_personnel=application.permanent_personnel,
        temporary_personnel=application.temporary_personnel,
        complexity=application.complexity,
        integration_reduction=float(application.integration_reduction),
        consultancy=(
            f"{application.consultancy_by} until {application.consultancy_until}"
            if application.consultancy_received
            else ""
        ),
        decline_reasons=list(application.decline_reasons),
        review_notes=application.review_notes,
        audit_time={
            c.standard.code: float(c.initial_days)
            for c in application.calculations.select_related("standard")
        },
        checks=review_checks(application).to_dict(),
    )
    if fmt == "json":
        print_json(data)
        return
    checks = data.pop("checks")
    print_rows(
        [{"field": k, "value": v} for k, v in data.items()],
        [Column("field", "Field"), Column("value", "Value")],
        "table",
        title=f"Application {application.reference}",
    )
    console.print(f"Accreditation: {checks['accreditation']['reason']}", markup=False)
    console.print(f"Consultancy: {checks['consultancy']}", markup=False)
    for s in checks["standards"]:
        days = "not calculated" if s["initial_days"] is None else f"{s['initial_days']:g} days"
        console.print(
            f"{s['name']}: {days}, {s['competent_auditors']} qualified auditor(s)", markup=False
        )


def _relations(organization, client: str, standards: list[str], sites: list[str]):
    from pdca.certification.models import Client, ClientSite
    from pdca.certification.services.applications import catalog_standards

    found_client = Client.objects.filter(organization=organization, reference=client).first()
    if found_client is None and client.isdigit():
        found_client = Client.objects.filter(organization=organization, pk=int(client)).first()
    if found_client is None:
        err.print(f"[red]--client: no client {escape(repr(client))} (give its reference or id).")
        raise typer.Exit(1)
    found = {s.code: s for s in catalog_standards().filter(code__in=standards)}
    missing = [code for code in standards if code not in found]
    if missing:
        err.print(f"[red]--standard: not a catalog standard: {escape(', '.join(missing))}.")
        raise typer.Exit(1)
    chosen_sites = []
    for name in sites:
        site = ClientSite.objects.filter(client=found_client, name=name).first()
        if site is None:
            err.print(
                f"[red]--site: {escape(repr(name))} is no site of {escape(found_client.name)}."
            )
            raise typer.Exit(1)
        chosen_sites.append(site)
    return found_client, [found[c] for c in standards], chosen_sites


@applications_app.command("create")
def create_application_command(
    org: OrgOption,
    actor_email: WriterOption,
    client: Annotated[str, typer.Option("--client", help="The client's reference (or id)")],
    standard: Annotated[
        list[str], typer.Option("--standard", help="Catalog code (repeatable), e.g. iso9001-2015")
    ],
    scope: Annotated[str, typer.Option("--scope", help="The scope of certification")],
    personnel: Annotated[int, typer.Option("--personnel", help="Permanent persons in scope")],
    temporary: Annotated[int, typer.Option("--temporary", help="Non-permanent persons")] = 0,
    kind: Annotated[str, typer.Option("--kind", help="initial, recertification…")] = "initial",
    complexity: Annotated[str, typer.Option("--complexity", help="EMS/OH&S category")] = "",
    sector_codes: Annotated[str, typer.Option("--sector-codes", help="IAF codes")] = "",
    site: Annotated[list[str] | None, typer.Option("--site", help="Site name (repeatable)")] = None,
    multi_site: Annotated[bool, typer.Option("--multi-site", help="IAF MD 1 sampling")] = False,
    integration_reduction: Annotated[
        float, typer.Option("--integration-reduction", help="Per cent (IAF MD 11)")
    ] = 0.0,
    integration_notes: Annotated[str, typer.Option("--integration-notes")] = "",
    consultancy_by: Annotated[str, typer.Option("--consultancy-by")] = "",
    consultancy_until: Annotated[
        str | None, typer.Option("--consultancy-until", help="YYYY-MM-DD")
    ] = None,
    reference: Annotated[str, typer.Option("--reference", help="Empty: numbered")] = "",
) -> None:
    """Write a draft application."""
    _setup()
    from decimal import Decimal

    from pdca.certification.services.applications import create_application
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError

    organization = _body(org)
    actor = _actor(actor_email, organization)
    found_client, standards, sites = _relations(organization, client, standard, site or [])
    until = None
    if consultancy_until:
        try:
            until = dt.date.fromisoformat(consultancy_until)
        except ValueError:
            err.print("[red]--consultancy-until must be a date as YYYY-MM-DD.")
            raise typer.Exit(2) from None
    try:
        with channel("cli"):
            application = create_application(
                organization,
                actor=actor,
                reference=reference,
                client=found_client,
                kind=kind,
                standards=standards,
                sites=sites,
                scope=scope,
                sector_codes=sector_codes,
                permanent_personnel=personnel,
                temporary_personnel=temporary,
                complexity=complexity,
                multi_site=multi_site,
                integration_reduction=Decimal(str(integration_reduction)),
                integration_notes=integration_notes,
                consultancy_received=bool(consultancy_by or until),
                consultancy_by=consultancy_by,
                consultancy_until=until,
            )
    except ServiceError as exc:
        raise _fail(exc) from None
    console.print(
        f"Application {application.reference} (id {application.pk}) written as a draft.",
        markup=False,
        highlight=False,
    )


def _move(org: str, application_ref: str, actor_email: str, to: str, **kwargs: Any) -> None:
    _setup()
    from pdca.certification.services.applications import transition_application
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError

    organization = _body(org)
    actor = _actor(actor_email, organization)
    application = _application(organization, application_ref)
    try:
        with channel("cli"):
            transition_application(application, to, actor=actor, **kwargs)
    except ServiceError as exc:
        raise _fail(exc) from None
    console.print(
        f"{application.reference} is now {application.get_status_display().lower()}.",
        markup=False,
        highlight=False,
    )


@applications_app.command("submit")
def submit_application(application_ref: AppArg, org: OrgOption, actor_email: WriterOption) -> None:
    """Submit a draft for the contract review (every field is checked again)."""
    _move(org, application_ref, actor_email, "submitted")


@applications_app.command("withdraw")
def withdraw_application(
    application_ref: AppArg,
    org: OrgOption,
    actor_email: WriterOption,
    notes: Annotated[str, typer.Option("--notes", help="Why")] = "",
) -> None:
    """Withdraw a draft or submitted application."""
    _move(org, application_ref, actor_email, "withdrawn", notes=notes)


@applications_app.command("review")
def review_application(
    application_ref: AppArg,
    org: OrgOption,
    actor_email: WriterOption,
    accept: Annotated[bool, typer.Option("--accept", help="Accept the application")] = False,
    decline: Annotated[bool, typer.Option("--decline", help="Decline it (with --reason)")] = False,
    reason: Annotated[
        list[str] | None,
        typer.Option(
            "--reason",
            help="no_accredited_scope, no_competent_auditors, impartiality_threat or other",
        ),
    ] = None,
    notes: Annotated[str, typer.Option("--notes", help="The review's notes")] = "",
) -> None:
    """The contract review: accept (the audit time of every standard must be calculated) or
    decline with at least one reason. Without --accept or --decline, print the checks."""
    if accept and decline:
        err.print("[red]Give --accept or --decline, not both.")
        raise typer.Exit(2)
    if not accept and not decline:
        _setup()
        from pdca.certification.services.applications import review_checks

        organization = _body(org)
        print_json(review_checks(_application(organization, application_ref)).to_dict())
        return
    to = "accepted" if accept else "declined"
    _move(org, application_ref, actor_email, to, reasons=reason or [], notes=notes)


def _adjustments(values: list[str]):
    from pdca.certification.audit_time import Adjustment

    found = []
    for value in values:
        percent, _, reason = value.partition(":")
        try:
            found.append(Adjustment(float(percent), reason))
        except ValueError:
            err.print(
                "[red]--adjust must be PERCENT:REASON, e.g. -10:mature system, not "
                f"{escape(repr(value))}."
            )
            raise typer.Exit(2) from None
    return found


def _entered(values: list[str]) -> tuple[dict[str, float], dict[str, str]]:
    days: dict[str, float] = {}
    why: dict[str, str] = {}
    for value in values:
        head, _, justification = value.partition(":")
        code, _, number = head.partition("=")
        try:
            days[code.strip()] = float(number)
        except ValueError:
            err.print(
                "[red]--days must be CODE=DAYS:JUSTIFICATION, e.g. "
                f"iso42001-2023=6:two AI systems, not {escape(repr(value))}."
            )
            raise typer.Exit(2) from None
        why[code.strip()] = justification
    return days, why


@applications_app.command("time")
def application_time(
    application_ref: AppArg,
    org: OrgOption,
    actor_email: AsOption = None,
    adjust: Annotated[
        list[str] | None,
        typer.Option("--adjust", help="PERCENT:REASON, e.g. -10:mature system (repeatable)"),
    ] = None,
    days: Annotated[
        list[str] | None,
        typer.Option("--days", help="CODE=DAYS:JUSTIFICATION for a standard without a table"),
    ] = None,
    stage1_share: Annotated[
        float, typer.Option("--stage1-share", help="Share of stage 1 in the initial time")
    ] = 1 / 3,
    sampling_stage: Annotated[
        str, typer.Option("--sampling-stage", help="initial, surveillance or recertification")
    ] = "initial",
    risk_increase: Annotated[int, typer.Option("--risk-increase", help="Sites added")] = 0,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the random draw")] = None,
    fmt: FormatOption = "table",
) -> None:
    """With --as: calculate and keep the application's audit time (every standard, replacing
    the previous one); without it: show the kept audit time. Every step is printed."""
    _setup()
    from pdca.certification.services.audit_time import calculate_application_time, site_sample
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError

    organization = _body(org)
    actor = _actor(actor_email, organization)
    application = _application(organization, application_ref)
    if actor is not None:
        entered_days, justifications = _entered(days or [])
        try:
            with channel("cli"):
                sample = site_sample(
                    application, stage=sampling_stage, risk_increase=risk_increase, seed=seed
                )
                calculate_application_time(
                    application,
                    actor=actor,
                    adjustments=_adjustments(adjust or []),
                    stage1_share=stage1_share,
                    days=entered_days or None,
                    justification=justifications,
                    sample=sample,
                )
        except ServiceError as exc:
            raise _fail(exc) from None
    elif adjust or days:
        err.print("[red]Calculating needs --as EMAIL (a manager of the body).")
        raise typer.Exit(2)
    calculations = list(
        application.calculations.select_related("standard").order_by("standard__code")
    )
    if fmt == "json":
        print_json(
            {
                "application": application.reference,
                "calculations": [
                    {"standard": c.standard.code, "inputs": c.inputs, "result": c.result}
                    for c in calculations
                ],
            }
        )
        return
    if not calculations:
        console.print(f"{application.reference}: no audit time calculated yet.", markup=False)
        return
    for c in calculations:
        r = c.result
        print_rows(
            [
                {"audit": name, "days": r[key]["days"], "provisional": r[key]["provisional"]}
                for name, key in (
                    ("initial (stage 1 + stage 2)", "initial"),
                    ("stage 1", "stage1"),
                    ("stage 2", "stage2"),
                    ("surveillance (each)", "surveillance"),
                    ("recertification", "recertification"),
                )
            ],
            [
                Column("audit", "Audit"),
                Column("days", "Days", justify="right"),
                Column("provisional", "Provisional"),
            ],
            "table",
            title=f"{application.reference}: {c.standard} ({r['scheme']})",
        )
        print_rows(
            [
                {
                    "step": s["key"],
                    "how": s["text"],
                    "label": s["confidence"] + (" (provisional)" if s["provisional"] else ""),
                }
                for s in r["steps"]
            ],
            [Column("step", "Step"), Column("how", "How"), Column("label", "Label")],
            "table",
            title="How it was reached",
        )
