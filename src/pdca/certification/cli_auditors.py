"""`pdca cb auditors …` and `pdca cb team …`: the auditor pool (and recording a person's
transition training for a new edition), and a programme audit's team (candidates first, then
adding one; a conflicted person is refused with the reason, a competence gap is warned
about)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.console import console, err

auditors_app = typer.Typer(
    help="The auditor pool: qualifications and audit logs.", no_args_is_help=True
)
team_app = typer.Typer(help="A programme audit's team.", no_args_is_help=True)

OrgOption = Annotated[str, typer.Option("--org", help="The certification body (slug)")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this member (e-mail); default: the operator")
]
RoleOption = Annotated[str, typer.Option("--role", help="lead, auditor, expert or observer")]
ROLES = ("lead", "auditor", "expert", "observer")


def add_commands(app: typer.Typer) -> None:
    app.add_typer(auditors_app, name="auditors")
    app.add_typer(team_app, name="team")


def _setup():
    from pdca.core.cli_support import setup_django

    setup_django()


def _cycle_audit(org, pk: int):
    from pdca.certification.models import CycleAudit

    found = (
        CycleAudit.objects.filter(organization=org, pk=pk)
        .select_related("cycle__client", "audit")
        .first()
    )
    if found is None:
        err.print(
            f"[red]No programme audit {pk} in {escape(org.slug)}: `pdca cb programme` lists them."
        )
        raise typer.Exit(1)
    if found.audit is None:
        err.print(f"[red]Programme audit {pk} is not scheduled yet.")
        raise typer.Exit(1)
    return found


@auditors_app.command("list")
def list_auditors(org: OrgOption, fmt: FormatOption = "table") -> None:
    """Everyone of the pool: role, qualifications, records, audits and days."""
    _setup()
    from pdca.certification.services.auditor_pool import auditor_pool
    from pdca.core.cli_support import organization_or_exit

    organization = organization_or_exit(org)
    rows = [
        {
            "id": m.user_id,
            "email": m.email,
            "person": m.person,
            "role": m.role,
            "qualifications": [
                f"{q.kind} {q.standard.code if q.standard else ''}".strip()
                + (f" until {q.expires_on}" if q.expires_on else "")
                for q in m.qualifications
            ],
            "transition_training": [
                r.standard.code for r in m.transition_training if r.standard is not None
            ],
            "records": m.records,
            "audits": len(m.log),
            "days": m.total_days,
        }
        for m in auditor_pool(organization)
    ]
    print_rows(
        rows,
        [
            Column("email", "E-mail"),
            Column("role", "Role"),
            Column(
                "qualifications",
                "Qualifications",
                text=lambda r: "; ".join(r["qualifications"]) or "–",
            ),
            Column(
                "transition_training",
                "Transition training",
                text=lambda r: ", ".join(r["transition_training"]) or "–",
            ),
            Column("records", "Records"),
            Column("audits", "Audits"),
            Column("days", "Days"),
        ],
        fmt,
    )


@auditors_app.command("show")
def show_auditor(
    email: Annotated[str, typer.Argument(help="The person's e-mail")],
    org: OrgOption,
    fmt: FormatOption = "table",
) -> None:
    """One person's qualifications, days per standard and role, and audit log."""
    _setup()
    from pdca.certification.services.auditor_pool import auditor_pool
    from pdca.core.cli_support import organization_or_exit
    from pdca.tenancy.models import Membership

    organization = organization_or_exit(org)
    membership = Membership.objects.filter(
        organization=organization, user__email__iexact=email
    ).first()
    pool = auditor_pool(organization, person_id=membership.user_id) if membership else []
    if not pool:
        err.print(
            f"[red]{escape(email)} is not in the auditor pool: "
            f"`pdca cb auditors list --org {escape(org)}`."
        )
        raise typer.Exit(1)
    member = pool[0]
    days = [
        {"standard": standard, "role": role, "days": value}
        for (standard, role), value in member.days_by().items()
    ]
    log = [
        {
            "start": e.start,
            "end": e.end,
            "client": e.client,
            "audit": f"{e.kind} {e.reference}".strip(),
            "role": e.role,
            "standards": ", ".join(e.standards),
            "days": e.days,
        }
        for e in member.log
    ]
    if fmt == "json":
        print_json({"email": member.email, "role": member.role, "days": days, "log": log})
        return
    console.print(f"[bold]{escape(member.person)}[/] ({escape(member.role_label)})")
    print_rows(
        days, [Column("standard", "Standard"), Column("role", "Role"), Column("days", "Days")], fmt
    )
    print_rows(
        log,
        [
            Column("start", "From"),
            Column("end", "To"),
            Column("client", "Client"),
            Column("audit", "Audit"),
            Column("role", "Role"),
            Column("standards", "Standards"),
            Column("days", "Days"),
        ],
        fmt,
    )


@team_app.command("candidates")
def team_candidates(
    cycle_audit: Annotated[int, typer.Argument(help="Programme audit id (`pdca cb programme`)")],
    org: OrgOption,
    role: RoleOption = "auditor",
    fmt: FormatOption = "table",
) -> None:
    """Who could join the audit's team in ROLE: qualified and free of conflicts first."""
    _setup()
    from pdca.certification.services.impartiality import candidates
    from pdca.core.cli_support import organization_or_exit

    if role not in ROLES:
        err.print(f"[red]--role must be one of {', '.join(ROLES)}.")
        raise typer.Exit(2)
    found = _cycle_audit(organization_or_exit(org), cycle_audit)
    rows = [
        {
            "email": c.email,
            "qualified": c.qualified,
            "missing": c.missing,
            "untrained": c.untrained,
            "conflicts": c.conflicts,
            "familiarity": c.familiarity,
            "on_team": c.on_team,
        }
        for c in candidates(found, role)
    ]
    print_rows(
        rows,
        [
            Column("email", "E-mail"),
            Column("qualified", "Qualified"),
            Column("missing", "Not qualified for", text=lambda r: ", ".join(r["missing"]) or "–"),
            Column(
                "untrained",
                "No transition training for",
                text=lambda r: ", ".join(r["untrained"]) or "–",
            ),
            Column("conflicts", "Conflicts", text=lambda r: "; ".join(r["conflicts"]) or "–"),
            Column("familiarity", "Familiarity", text=lambda r: r["familiarity"] or "–"),
            Column("on_team", "On the team"),
        ],
        fmt,
    )


@team_app.command("add")
def team_add(
    cycle_audit: Annotated[int, typer.Argument(help="Programme audit id (`pdca cb programme`)")],
    email: Annotated[str, typer.Argument(help="The person's e-mail (`pdca cb team candidates`)")],
    org: OrgOption,
    role: RoleOption = "auditor",
    actor_email: AsOption = None,
) -> None:
    """Put a person on the audit's team; a declared conflict with the client refuses them."""
    _setup()
    from pdca.audits.services import add_team_member
    from pdca.core.cli_support import actor_or_exit, organization_or_exit
    from pdca.core.exceptions import ServiceError, ValidationFailed
    from pdca.tenancy.models import Membership

    if role not in ROLES:
        err.print(f"[red]--role must be one of {', '.join(ROLES)}.")
        raise typer.Exit(2)
    organization = organization_or_exit(org)
    found = _cycle_audit(organization, cycle_audit)
    if actor_email is None:
        err.print("[red]Say who adds the person: --as EMAIL (a manager or lead auditor).")
        raise typer.Exit(2)
    actor = actor_or_exit(actor_email)
    membership = (
        Membership.objects.filter(organization=organization, user__email__iexact=email)
        .select_related("user")
        .first()
    )
    if membership is None:
        err.print(f"[red]{escape(email)} is not a member of {escape(org)}.")
        raise typer.Exit(1)
    try:
        add_team_member(found.audit, membership.user, role, actor=actor)
    except ValidationFailed as exc:
        for error in exc.errors:
            typer.echo(error.message)
        err.print("[red]Refused; nothing was written.")
        raise typer.Exit(1) from None
    except ServiceError as exc:
        err.print(f"[red]{escape(exc.message)}")
        raise typer.Exit(1) from None
    console.print(f"{membership.user.email} joined the team of {found} as {role}.", markup=False)
    from pdca.certification.services.impartiality import competence_warnings

    for warning in competence_warnings(found, membership.user, role):
        err.print(f"Warning: {escape(warning)}", highlight=False)


@auditors_app.command("train")
def record_training(
    email: Annotated[
        str, typer.Argument(help="The person's e-mail (`pdca cb auditors list` shows them)")
    ],
    org: OrgOption,
    standard: Annotated[
        str,
        typer.Option(
            "--standard",
            help="Code of the new edition, e.g. iso14001-2026 (`pdca standards list`)",
        ),
    ],
    completed_on: Annotated[
        dt.datetime, typer.Option("--completed-on", formats=["%Y-%m-%d"], help="YYYY-MM-DD")
    ],
    actor_email: Annotated[
        str | None, typer.Option("--as", help="E-mail of the manager recording it")
    ] = None,
    provider: Annotated[str, typer.Option(help="Who gave the training")] = "",
    hours: Annotated[float | None, typer.Option(min=0, max=9999)] = None,
    result: Annotated[str, typer.Option(help="passed or attended")] = "passed",
) -> None:
    """Record a person's transition training for a new edition of a standard: they need it
    before auditing that edition."""
    _setup()
    from decimal import Decimal

    from pdca.core.cli_support import actor_or_exit, organization_or_exit, run_service
    from pdca.people.services.transition_training import record_transition_training
    from pdca.tenancy.models import Membership

    organization = organization_or_exit(org)
    if actor_email is None:
        err.print("[red]Say who records it: --as EMAIL (a CB manager).")
        raise typer.Exit(2)
    actor = actor_or_exit(actor_email)
    membership = Membership.objects.filter(
        organization=organization, user__email__iexact=email
    ).first()
    if membership is None:
        err.print(f"[red]{escape(email)} is not a member of {escape(org)}.")
        raise typer.Exit(1)
    record = run_service(
        lambda: record_transition_training(
            organization,
            actor=actor,
            person=membership.user_id,
            standard=standard,
            completed_on=completed_on.date(),
            provider=provider,
            hours=Decimal(str(hours)) if hours is not None else None,
            result=result,
        )
    )
    console.print(f"Recorded for {email}: {record.title} (record {record.pk}).", markup=False)
