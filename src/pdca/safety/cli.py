"""`pdca safety …`: the ISO 45001 incident workflow and worker participation from the command
line: list incidents, record an investigation, close an incident, and the share of
consultations with non-managerial workers over the last twelve months.

The registers themselves are `pdca registers show|export|import hazards|hazard-controls|
consultations|incidents`. Listing incidents needs no user (the operator at the command line is
trusted like a platform administrator; `--as EMAIL` lists only what that member may see).
Participation is counted over what a member may see, so it asks for `--as`. Writes run as the
member named by `--as`, with that member's permissions.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.cli_support import run_service
from pdca.core.console import console, err

app = typer.Typer(
    help="Occupational health and safety (ISO 45001): incidents, investigations, worker "
    "participation.",
    no_args_is_help=True,
)

OrgOption = Annotated[str, typer.Option("--org", help="The organization (slug)")]
ViewerOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of a member: only what they may see")
]
ActorOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of the member doing it (their permissions apply)")
]
IncidentArgument = Annotated[
    int, typer.Argument(help="Incident id (`pdca safety incidents --org SLUG`)")
]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _organization(slug: str):
    from pdca.core.cli_support import organization_or_exit

    return organization_or_exit(slug)


def _actor(email: str | None, who: str):
    from pdca.core.cli_support import actor_or_exit

    if email is None:
        err.print(f"[red]Say who does it: --as EMAIL ({who}).")
        raise typer.Exit(2)
    return actor_or_exit(email)


def _incident(organization, incident_id: int):
    from pdca.safety.models import Incident

    found = (
        Incident.objects.filter(organization=organization, pk=incident_id)
        .select_related("organization")
        .first()
    )
    if found is None:
        err.print(
            f"[red]No incident {incident_id} in {escape(organization.slug)}: "
            "`pdca safety incidents` lists them."
        )
        raise typer.Exit(1)
    return found


def _incident_data(incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "reference": incident.reference,
        "title": incident.title,
        "kind": incident.kind,
        "severity": incident.severity,
        "occurred_at": incident.occurred_at,
        "site": incident.site.code if incident.site else None,
        "status": incident.status,
        "reported_by": incident.reported_by.email if incident.reported_by else None,
        "investigator": incident.investigator.email if incident.investigator else None,
        "investigated_on": incident.investigated_on,
        "action_needed": incident.action_needed,
        "nonconformity": incident.nonconformity_id,
        "closed_at": incident.closed_at,
    }


def _print_incident(incident, fmt: str, done: str) -> None:
    data = _incident_data(incident)
    if fmt == "json":
        print_json(data)
        return
    console.print(
        f"{done}: {incident.reference} {incident.title} ({incident.get_status_display().lower()}).",
        markup=False,
        highlight=False,
    )


@app.command("incidents")
def incidents(
    org: OrgOption,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only this status: reported, investigating, closed"),
    ] = None,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Incidents, the latest first: id, reference, kind, severity, status, and the
    nonconformity an investigation opened."""
    _setup()
    from pdca.core.cli_support import actor_or_exit, visible
    from pdca.safety.models import Incident

    statuses = Incident.Status
    if status is not None and status not in statuses.values:
        err.print(f"[red]--status must be one of {', '.join(statuses.values)}, not {status!r}.")
        raise typer.Exit(2)
    organization, viewer = _organization(org), actor_or_exit(actor_email)
    found = visible(
        Incident.objects.select_related("site", "reported_by", "investigator"),
        organization=organization,
        actor=viewer,
    ).filter(archived_at__isnull=True)
    if status is not None:
        found = found.filter(status=status)
    rows = [_incident_data(i) for i in found.order_by("-occurred_at", "pk")]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("reference", "Reference"),
            Column("title", "Title"),
            Column("kind", "Kind"),
            Column("severity", "Severity"),
            Column("occurred_at", "When"),
            Column("status", "Status"),
            Column("nonconformity", "Nonconformity", "right"),
        ],
        fmt,
        title="Incidents",
        summary=f"{len(rows)} incident(s).",
        empty="No incident.",
    )


@app.command("investigate")
def investigate(
    incident_id: IncidentArgument,
    org: OrgOption,
    root_cause: Annotated[str, typer.Option("--root-cause", help="The root cause found")],
    findings: Annotated[str, typer.Option("--findings", help="What the investigation found")],
    action_needed: Annotated[
        bool | None,
        typer.Option(
            "--action-needed/--no-action-needed",
            help="Whether corrective action is needed (needed opens a nonconformity, once)",
        ),
    ] = None,
    contributing_factors: Annotated[
        str, typer.Option("--contributing-factors", help="Other factors that played a part")
    ] = "",
    investigator_email: Annotated[
        str | None,
        typer.Option("--investigator", help="E-mail of the member who investigated (--as)"),
    ] = None,
    on: Annotated[
        dt.datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="Investigation date, YYYY-MM-DD (today)"),
    ] = None,
    actor_email: ActorOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Record (or complete) the investigation of an incident: a reported incident moves to
    investigating; when corrective action is needed, the first such investigation opens one
    nonconformity."""
    _setup()
    from pdca.core.cli_support import actor_or_exit
    from pdca.safety.services import incidents as incident_services

    organization = _organization(org)
    incident = _incident(organization, incident_id)
    actor = _actor(actor_email, "a system manager or consultant")
    investigator = actor_or_exit(investigator_email) if investigator_email else actor
    run_service(
        lambda: incident_services.investigate_incident(
            incident,
            actor=actor,
            investigator=investigator,
            root_cause=root_cause,
            contributing_factors=contributing_factors,
            findings=findings,
            action_needed=action_needed,
            investigated_on=on.date() if on else None,
        )
    )
    incident.refresh_from_db()
    _print_incident(incident, fmt, "Investigation recorded")
    if fmt != "json" and incident.nonconformity_id is not None:
        console.print(
            f"Corrective action: nonconformity {incident.nonconformity_id} "
            f"(`pdca capa list --org {organization.slug}`).",
            markup=False,
            highlight=False,
        )


@app.command("close")
def close(
    incident_id: IncidentArgument,
    org: OrgOption,
    actor_email: ActorOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Close an investigated incident (its findings recorded and, when action is needed, its
    nonconformity open). A closed incident is a record and never changes again."""
    _setup()
    from pdca.safety.models import Incident
    from pdca.safety.services import incidents as incident_services

    organization = _organization(org)
    incident = _incident(organization, incident_id)
    actor = _actor(actor_email, "a system manager or consultant")
    run_service(
        lambda: incident_services.transition_incident(incident, Incident.Status.CLOSED, actor=actor)
    )
    incident.refresh_from_db()
    _print_incident(incident, fmt, "Closed")


@app.command("participation")
def participation(
    org: OrgOption,
    actor_email: Annotated[
        str | None,
        typer.Option("--as", help="E-mail of a member: counted over what they may see"),
    ] = None,
    on: Annotated[
        dt.datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="The twelve months up to YYYY-MM-DD"),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Worker participation: of the consultations held in the last twelve months, how many had
    non-managerial workers taking part, overall and per topic."""
    _setup()
    from pdca.core.permissions import may
    from pdca.safety.models import Consultation
    from pdca.safety.selectors import participation as participation_of

    organization = _organization(org)
    viewer = _actor(actor_email, "whose view: consultations are counted over what a member sees")
    if not may(viewer, "view", Consultation, organization=organization):
        err.print(
            f"[red]{escape(viewer.email)} may not see the consultations of "
            f"{escape(organization.slug)}."
        )
        raise typer.Exit(1)
    summary = participation_of(organization, viewer, today=on.date() if on else None)
    data = {"organization": organization.slug, **summary.as_dict()}
    if fmt == "json":
        print_json(data)
        return
    share = f"{summary.share} %" if summary.share is not None else "no consultation"
    print_rows(
        data["by_topic"],
        [
            Column("label", "Topic"),
            Column("total", "Consultations", "right"),
            Column("with_workers", "With workers", "right"),
            Column(
                "share",
                "Share",
                "right",
                text=lambda r: f"{r['share']} %" if r["share"] is not None else "",
            ),
        ],
        fmt,
        title=(f"Worker participation, {summary.since.isoformat()} to {summary.until.isoformat()}"),
        summary=(
            f"{summary.with_workers} of {summary.total} consultation(s) had non-managerial "
            f"workers taking part ({share})."
        ),
        empty="No consultation held in these twelve months.",
    )
