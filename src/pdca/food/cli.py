"""`pdca food …`: the ISO 22000 reports and workflow steps from the command line: prerequisite
programmes and those whose verification is due, recording a verification (one that does not
conform opens a nonconformity), the monitoring deviations, and the hazard analyses with their
CCP / OPRP / PRP decision and its reasoning.

The registers themselves are `pdca registers show|export|import <slug>` (see docs/food.md).
Reads need no user: the operator at the command line is trusted like a platform administrator;
`--as EMAIL` lists only what that member may see. Writes run as the member named by `--as`,
with that member's permissions. Every command that asks for an id has a list here that shows it.
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
    help="Food safety (ISO 22000): PRP verifications due and recorded, monitoring deviations, "
    "the CCP / OPRP decisions.",
    no_args_is_help=True,
)

OrgOption = Annotated[str, typer.Option("--org", help="The organization (slug)")]
ViewerOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of a member: only what they may see")
]
ActorOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of the member doing it (their permissions apply)")
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


def _visible(queryset, organization, email: str | None):
    from pdca.core.cli_support import actor_or_exit, visible

    return visible(queryset, organization=organization, actor=actor_or_exit(email))


# --- prerequisite programmes ------------------------------------------------------------------

PROGRAMME_COLUMNS = [
    Column("id", "Id", "right"),
    Column("title", "Programme"),
    Column("site", "Site"),
    Column("category", "Category"),
    Column("frequency", "Verified"),
    Column("last_verified_on", "Last verified"),
    Column("next_due", "Next due"),
    Column("overdue", "Overdue"),
]


def _programme_rows(queryset, today: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "id": p.pk,
            "title": p.title,
            "site": p.site.code if p.site else None,
            "category": p.category,
            "owner": p.owner.email if p.owner else None,
            "frequency": p.frequency,
            "last_verified_on": p.last_verified_on,
            "next_due": p.next_due,
            "overdue": p.next_due is not None and p.next_due < today,
        }
        for p in queryset.select_related("site", "owner").order_by("next_due", "title", "pk")
    ]


@app.command("programmes")
def programmes(
    org: OrgOption, actor_email: ViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """The current prerequisite programmes, the next verification due first."""
    _setup()
    from django.utils import timezone

    from pdca.food.models import PrerequisiteProgramme

    organization = _organization(org)
    found = _visible(PrerequisiteProgramme.objects.all(), organization, actor_email).filter(
        archived_at__isnull=True
    )
    rows = _programme_rows(found, timezone.localdate())
    print_rows(
        rows,
        PROGRAMME_COLUMNS,
        fmt,
        title="Prerequisite programmes",
        summary=f"{len(rows)} programme(s).",
        empty="No prerequisite programme.",
    )


@app.command("due")
def due(
    org: OrgOption,
    on: Annotated[
        dt.datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="Due on or before YYYY-MM-DD (today)"),
    ] = None,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Prerequisite programmes whose verification is due (on the day, today by default) or
    overdue, the longest overdue first."""
    _setup()
    from django.utils import timezone

    from pdca.food.models import PrerequisiteProgramme

    organization = _organization(org)
    day = on.date() if on else timezone.localdate()
    found = _visible(PrerequisiteProgramme.objects.all(), organization, actor_email).filter(
        archived_at__isnull=True, next_due__lte=day
    )
    rows = _programme_rows(found, timezone.localdate())
    print_rows(
        rows,
        PROGRAMME_COLUMNS,
        fmt,
        title=f"PRP verifications due by {day.isoformat()}",
        summary=f"{len(rows)} programme(s).",
        empty=f"No PRP verification due by {day.isoformat()}.",
    )


@app.command("verify-prp")
def verify_prp(
    programme_id: Annotated[
        int, typer.Argument(help="Programme id (`pdca food programmes --org SLUG`)")
    ],
    org: OrgOption,
    result: Annotated[str, typer.Option("--result", help="conforming or not_conforming")],
    notes: Annotated[
        str, typer.Option("--notes", help="What was found (needed when not conforming)")
    ] = "",
    evidence: Annotated[str, typer.Option("--evidence", help="What was looked at")] = "",
    on: Annotated[
        dt.datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="Date verified, YYYY-MM-DD (today)"),
    ] = None,
    verifier_email: Annotated[
        str | None,
        typer.Option("--verifier", help="E-mail of the member who verified (--as)"),
    ] = None,
    actor_email: ActorOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Record a verification of a prerequisite programme: its next verification falls due
    from it; one that does not conform opens a nonconformity."""
    _setup()
    from django.utils import timezone

    from pdca.core.cli_support import actor_or_exit
    from pdca.food import services
    from pdca.food.models import PrerequisiteProgramme, PrpVerification

    if result not in PrpVerification.Result.values:
        err.print(
            f"[red]--result must be one of {', '.join(PrpVerification.Result.values)}, "
            f"not {escape(repr(result))}."
        )
        raise typer.Exit(2)
    organization = _organization(org)
    programme = (
        PrerequisiteProgramme.objects.filter(organization=organization, pk=programme_id)
        .select_related("organization", "site")
        .first()
    )
    if programme is None:
        err.print(
            f"[red]No prerequisite programme {programme_id} in {escape(organization.slug)}: "
            "`pdca food programmes` lists them."
        )
        raise typer.Exit(1)
    actor = _actor(actor_email, "a system manager, consultant or the programme's owner")
    verifier = actor_or_exit(verifier_email) if verifier_email else actor
    verification = run_service(
        lambda: services.record_prp_verification(
            programme,
            actor=actor,
            verified_on=on.date() if on else timezone.localdate(),
            result=result,
            verifier=verifier,
            notes=notes,
            evidence=evidence,
        )
    )
    programme.refresh_from_db()
    data = {
        "id": verification.pk,
        "programme": programme.pk,
        "verified_on": verification.verified_on,
        "verifier": verifier.email if verifier else None,
        "result": verification.result,
        "nonconformity": verification.nonconformity_id,
        "next_due": programme.next_due,
    }
    if fmt == "json":
        print_json(data)
        return
    console.print(
        f"Recorded verification {verification.pk} of “{programme.title}” "
        f"({verification.get_result_display().lower()}); next due "
        f"{programme.next_due.isoformat() if programme.next_due else '(no date)'}.",
        markup=False,
        highlight=False,
    )
    if verification.nonconformity_id is not None:
        console.print(
            f"It opened nonconformity {verification.nonconformity_id} "
            f"(`pdca capa list --org {organization.slug}`).",
            markup=False,
            highlight=False,
        )


# --- monitoring deviations --------------------------------------------------------------------


@app.command("deviations")
def deviations(
    org: OrgOption,
    plan: Annotated[int | None, typer.Option("--plan", help="Only this plan entry's (id)")] = None,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Monitoring results outside a CCP's critical limits or an OPRP's action criteria, the
    latest first, with the nonconformity each opened."""
    _setup()
    from pdca.food.models import MonitoringDeviation

    organization = _organization(org)
    found = _visible(
        MonitoringDeviation.objects.select_related("plan", "recorded_by"),
        organization,
        actor_email,
    )
    if plan is not None:
        found = found.filter(plan_id=plan)
    rows = [
        {
            "id": d.pk,
            "plan": d.plan_id,
            "plan_code": d.plan.code,
            "category": d.plan.category,
            "occurred_on": d.occurred_on,
            "value": f"{d.value.normalize():f}" if d.value is not None else None,
            "unit": d.plan.unit,
            "limits": d.plan.limits_text,
            "observation": d.observation,
            "product_affected": d.product_affected,
            "product_action": d.product_action,
            "correction": d.correction,
            "recorded_by": d.recorded_by.email if d.recorded_by else None,
            "nonconformity": d.nonconformity_id,
        }
        for d in found.order_by("-occurred_on", "-pk")
    ]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("plan_code", "Plan"),
            Column("occurred_on", "Date"),
            Column(
                "value",
                "Value",
                "right",
                text=lambda r: f"{r['value']} {r['unit']}".strip() if r["value"] else "",
            ),
            Column("limits", "Limits"),
            Column("product_action", "Product"),
            Column("correction", "Correction"),
            Column("nonconformity", "Nonconformity", "right"),
        ],
        fmt,
        title="Monitoring deviations",
        summary=f"{len(rows)} deviation(s).",
        empty="No monitoring deviation.",
    )


# --- hazard analysis decisions ----------------------------------------------------------------


@app.command("decisions")
def decisions(
    org: OrgOption,
    flow: Annotated[
        int | None, typer.Option("--flow", help="Only this flow diagram's (id)")
    ] = None,
    significant: Annotated[
        bool, typer.Option("--significant", help="Only the significant hazards")
    ] = False,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The hazard analyses by flow and step: score, significance, the control category (CCP,
    OPRP, or managed by the prerequisite programmes) and its reasoning, or the question to
    answer next."""
    _setup()
    from pdca.food import rules
    from pdca.food.models import HazardAnalysis

    organization = _organization(org)
    found = _visible(
        HazardAnalysis.objects.select_related("step__flow"), organization, actor_email
    ).filter(archived_at__isnull=True)
    if flow is not None:
        found = found.filter(step__flow_id=flow)
    if significant:
        found = found.filter(significant=True)
    rows = [
        {
            "id": h.pk,
            "flow": h.step.flow_id,
            "flow_name": h.step.flow.name,
            "step": h.step.number,
            "step_name": h.step.name,
            "category": h.category,
            "hazard": h.hazard,
            "score": h.score,
            "significant": h.significant,
            "control_category": h.control_category or None,
            "reason": h.decision_reason,
            "next_question": rules.decision_for(h, h.significant).next_question or None,
            "control_measure": h.control_measure,
        }
        for h in found.order_by("step__flow__name", "step__flow_id", "step__number", "pk")
    ]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("flow_name", "Flow"),
            Column("step", "Step", text=lambda r: f"{r['step']}. {r['step_name']}"),
            Column("hazard", "Hazard"),
            Column("score", "Score", "right"),
            Column("significant", "Significant"),
            Column(
                "control_category",
                "Control",
                text=lambda r: r["control_category"].upper() if r["control_category"] else "—",
            ),
            Column("reason", "Reasoning"),
        ],
        fmt,
        title="Hazard analysis decisions",
        summary=f"{len(rows)} hazard(s).",
        empty="No hazard analysed.",
    )
