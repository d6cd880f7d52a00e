"""`pdca continuity …`: the ISO 22301 reports and exercise steps from the command line: the
prioritized activities (by MTPD, with RTO and RPO), the exercise programme (with the plans not
exercised in twelve months), and completing or cancelling a planned exercise.

The registers themselves are `pdca registers show|export|import <slug>` (see
docs/continuity.md). The reports are read through this app's selectors, which keep what a member
may see, so they ask for `--as EMAIL`; writes run as that member, with their permissions.
Every command that asks for an id has a list here that shows it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.cli_support import run_service
from pdca.core.console import console, err

app = typer.Typer(
    help="Business continuity (ISO 22301): prioritized activities, the exercise programme, "
    "exercise results.",
    no_args_is_help=True,
)

OrgOption = Annotated[str, typer.Option("--org", help="The organization (slug)")]
ViewerOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of the member whose view is listed")
]
ActorOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of the member doing it (their permissions apply)")
]
ExerciseArgument = Annotated[
    int, typer.Argument(help="Planned exercise id (`pdca continuity programme --org SLUG`)")
]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _organization(slug: str):
    from pdca.core.cli_support import organization_or_exit

    return organization_or_exit(slug)


def _member(email: str | None, who: str):
    from pdca.core.cli_support import actor_or_exit

    if email is None:
        err.print(f"[red]Say who: --as EMAIL ({who}).")
        raise typer.Exit(2)
    return actor_or_exit(email)


def _viewer(email: str | None, model, organization):
    """The member named by --as, refused unless they may see `model` in `organization`."""
    from pdca.core.permissions import may

    viewer = _member(email, "the member whose view is listed")
    if not may(viewer, "view", model, organization=organization):
        what = model._meta.verbose_name_plural
        err.print(
            f"[red]{escape(viewer.email)} may not see the {what} of {escape(organization.slug)}."
        )
        raise typer.Exit(1)
    return viewer


def _hours(value: int | None) -> str:
    from pdca.continuity.durations import duration_label

    return duration_label(value)


@app.command("prioritized")
def prioritized(
    org: OrgOption, actor_email: ViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """The analysed activities, shortest MTPD first (the chosen one, or the grid's
    suggestion), with priority, RTO, RPO and the minimum business continuity objective."""
    _setup()
    from pdca.continuity import selectors
    from pdca.continuity.models import BusinessImpactAnalysis

    organization = _organization(org)
    viewer = _viewer(actor_email, BusinessImpactAnalysis, organization)
    rows = [
        {
            "id": bia.pk,
            "activity": bia.activity,
            "priority": bia.priority,
            "mtpd_hours": getattr(bia, "mtpd", None),
            "mtpd_chosen": bia.mtpd_hours is not None,
            "rto_hours": bia.rto_hours,
            "rpo_hours": bia.rpo_hours,
            "mbco": bia.mbco,
            "status": bia.status,
            "owner": bia.owner.email if bia.owner else None,
        }
        for bia in selectors.prioritized_activities(viewer, organization)
    ]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("activity", "Activity"),
            Column("priority", "Priority", "right"),
            Column(
                "mtpd_hours",
                "MTPD",
                text=lambda r: (
                    _hours(r["mtpd_hours"])
                    + ("" if r["mtpd_chosen"] or r["mtpd_hours"] is None else " (suggested)")
                ),
            ),
            Column("rto_hours", "RTO", text=lambda r: _hours(r["rto_hours"])),
            Column("rpo_hours", "RPO", text=lambda r: _hours(r["rpo_hours"])),
            Column("mbco", "Minimum objective"),
        ],
        fmt,
        title="Prioritized activities",
        summary=f"{len(rows)} activit{'y' if len(rows) == 1 else 'ies'}.",
        empty="No activity analysed.",
    )


@app.command("programme")
def programme(
    org: OrgOption,
    actor_email: ViewerOption = None,
    on: Annotated[
        dt.datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="As of YYYY-MM-DD (today)"),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """The exercise programme: every current exercise (ids for `complete-exercise`), and each
    plan with its last exercise, those not exercised in the last twelve months flagged."""
    _setup()
    from pdca.continuity import selectors
    from pdca.continuity.models import Exercise

    organization = _organization(org)
    viewer = _viewer(actor_email, Exercise, organization)
    exercises = [
        {
            "id": e.pk,
            "title": e.title,
            "exercise_type": e.exercise_type,
            "planned_date": e.planned_date,
            "status": e.status,
            "plans": [p.pk for p in e.plans.all()],
            "actual_date": e.actual_date,
            "measured_recovery_hours": e.measured_recovery_hours,
            "rto_target_hours": e.rto_target_hours,
            "rto_achieved": e.rto_achieved,
        }
        for e in selectors.exercise_programme(viewer, organization)
    ]
    plans = [
        {
            "id": row.plan.pk,
            "title": row.plan.title,
            "last_exercised": row.last_exercised,
            "overdue": row.overdue,
        }
        for row in selectors.plans_exercised(viewer, organization, today=on.date() if on else None)
    ]
    if fmt == "json":
        print_json(
            {
                "organization": organization.slug,
                "exercises": exercises,
                "plans": plans,
                "plans_not_exercised": [p["id"] for p in plans if p["overdue"]],
            }
        )
        return
    print_rows(
        exercises,
        [
            Column("id", "Id", "right"),
            Column("title", "Exercise"),
            Column("exercise_type", "Type"),
            Column("planned_date", "Planned"),
            Column("status", "Status"),
            Column("actual_date", "Done"),
            Column(
                "rto_achieved",
                "RTO",
                text=lambda r: {True: "achieved", False: "missed"}.get(r["rto_achieved"], ""),
            ),
        ],
        fmt,
        title="Exercises",
        empty="No exercise in the programme.",
    )
    late = [p for p in plans if p["overdue"]]
    print_rows(
        late,
        [
            Column("id", "Id", "right"),
            Column("title", "Plan"),
            Column("last_exercised", "Last exercised", text=lambda r: _date(r["last_exercised"])),
        ],
        fmt,
        title="Plans not exercised in the last 12 months",
        summary=f"{len(late)} of {len(plans)} plan(s) not exercised in the last 12 months.",
        empty="Every plan was exercised in the last 12 months.",
    )


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "never"


def _exercise(organization, exercise_id: int):
    from pdca.continuity.models import Exercise

    found = (
        Exercise.objects.filter(organization=organization, pk=exercise_id)
        .select_related("organization")
        .first()
    )
    if found is None:
        err.print(
            f"[red]No exercise {exercise_id} in {escape(organization.slug)}: "
            "`pdca continuity programme` lists them."
        )
        raise typer.Exit(1)
    return found


def _print_exercise(exercise, fmt: str) -> None:
    data = {
        "id": exercise.pk,
        "status": exercise.status,
        "actual_date": exercise.actual_date,
        "objectives_met": exercise.objectives_met,
        "measured_recovery_hours": exercise.measured_recovery_hours,
        "rto_target_hours": exercise.rto_target_hours,
        "rto_achieved": exercise.rto_achieved,
        "observations": exercise.observations,
    }
    if fmt == "json":
        print_json(data)
        return
    text = f"Exercise {exercise.pk} “{exercise.title}”: {exercise.get_status_display().lower()}"
    if exercise.status == exercise.Status.DONE:
        text += f", objectives {exercise.get_objectives_met_display().lower()}"
        if exercise.rto_achieved is not None:
            verdict = "achieved" if exercise.rto_achieved else "missed"
            text += (
                f"; recovery took {_hours(exercise.measured_recovery_hours)} against an RTO of "
                f"{_hours(exercise.rto_target_hours)}: RTO {verdict}"
            )
    console.print(text + ".", markup=False, highlight=False)


@app.command("complete-exercise")
def complete_exercise(
    exercise_id: ExerciseArgument,
    org: OrgOption,
    objectives: Annotated[
        str, typer.Option("--objectives", help="Whether the objectives were met: yes, partly, no")
    ],
    on: Annotated[
        dt.datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="The day it took place (today)"),
    ] = None,
    recovery_hours: Annotated[
        int | None, typer.Option("--recovery-hours", help="The measured recovery time, in hours")
    ] = None,
    observations: Annotated[str, typer.Option("--observations", help="What was seen")] = "",
    actor_email: ActorOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Record that a planned exercise took place, with its results; the measured recovery time
    is compared with the shortest RTO of the activities exercised. It becomes a record."""
    _setup()
    from django.utils import timezone

    from pdca.continuity import services

    organization = _organization(org)
    exercise = _exercise(organization, exercise_id)
    actor = _member(actor_email, "a member who may change the exercise")
    run_service(
        lambda: services.complete_exercise(
            exercise,
            actor=actor,
            actual_date=on.date() if on else timezone.localdate(),
            objectives_met=objectives,
            measured_recovery_hours=recovery_hours,
            observations=observations,
        )
    )
    exercise.refresh_from_db()
    _print_exercise(exercise, fmt)


@app.command("cancel-exercise")
def cancel_exercise(
    exercise_id: ExerciseArgument,
    org: OrgOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled")],
    actor_email: ActorOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Cancel a planned exercise, with the reason."""
    _setup()
    from pdca.continuity import services

    organization = _organization(org)
    exercise = _exercise(organization, exercise_id)
    actor = _member(actor_email, "a member who may change the exercise")
    run_service(lambda: services.cancel_exercise(exercise, actor=actor, reason=reason))
    exercise.refresh_from_db()
    _print_exercise(exercise, fmt)
