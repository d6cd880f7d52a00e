"""`pdca environment …`: the ISO 14001 reports and workflow steps from the command line: the
significance method, the significant aspects, the obligations whose evaluation of compliance is
due, the evaluations, and recording a draft evaluation (which may open a nonconformity).

The registers themselves are `pdca registers show|export|import aspects|compliance-obligations|
compliance-evaluations`. Reads need no user: the operator at the command line is trusted like a
platform administrator; with `--as EMAIL` they are refused unless that member may see the rows.
Writes run as the member named by `--as`, with that member's permissions. Every command that
asks for an id has a list here that shows it.
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
    help="Environment (ISO 14001): significant aspects, evaluations of compliance due and "
    "recorded, the significance method.",
    no_args_is_help=True,
)

OrgOption = Annotated[str, typer.Option("--org", help="The organization (slug)")]
ViewerOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of a member: refused unless they may see it")
]
ActorOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of the member doing it (their permissions apply)")
]
DateOption = Annotated[
    dt.datetime | None, typer.Option("--on", formats=["%Y-%m-%d"], help="YYYY-MM-DD (today)")
]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _organization(slug: str):
    from pdca.core.cli_support import organization_or_exit

    return organization_or_exit(slug)


def _viewer(email: str | None, model, organization):
    """The member named by --as, refused unless they may see `model` in `organization`."""
    from pdca.core.cli_support import actor_or_exit
    from pdca.core.permissions import may

    viewer = actor_or_exit(email)
    if viewer is not None and not may(viewer, "view", model, organization=organization):
        what = model._meta.verbose_name_plural
        err.print(
            f"[red]{escape(viewer.email)} may not see the {what} of {escape(organization.slug)}."
        )
        raise typer.Exit(1)
    return viewer


def _actor(email: str | None):
    from pdca.core.cli_support import actor_or_exit

    if email is None:
        err.print("[red]Say who does it: --as EMAIL (a member who may record evaluations).")
        raise typer.Exit(2)
    return actor_or_exit(email)


@app.command("method")
def show_method(
    org: OrgOption, actor_email: ViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """The significance method for aspects: criteria and ranges, rule, threshold, legal rule
    (the default one until the organization saves its own)."""
    _setup()
    from pdca.environment.method import method_for
    from pdca.environment.models import SignificanceMethod
    from pdca.environment.significance import as_snapshot, score_range

    organization = _organization(org)
    _viewer(actor_email, SignificanceMethod, organization)
    method = method_for(organization)
    low, high = score_range(as_snapshot(method))
    data = {
        "organization": organization.slug,
        "saved": method.pk is not None,
        "name": method.name,
        "criteria": method.criteria,
        "rule": method.rule,
        "threshold": method.threshold,
        "legal_max_significant": method.legal_max_significant,
        "lowest_score": low,
        "highest_score": high,
    }
    if fmt == "json":
        print_json(data)
        return
    print_rows(
        method.criteria,
        [
            Column("key", "Key"),
            Column("label", "Criterion"),
            Column("min", "Min", "right"),
            Column("max", "Max", "right"),
            Column("legal", "Legal"),
        ],
        fmt,
        title=f"{method.name}{'' if method.pk else ' (default)'}",
        summary=(
            f"Combined by {method.get_rule_display().lower()} ({low} to {high}); significant "
            f"from {method.threshold}"
            + (
                "; or whatever the total when a legal criterion is at its maximum."
                if method.legal_max_significant
                else "."
            )
        ),
    )


@app.command("significant")
def significant(
    org: OrgOption,
    unaddressed: Annotated[
        bool,
        typer.Option("--unaddressed", help="Only those without an objective or a control"),
    ] = False,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The current significant aspects, most significant first, with whether each has an
    objective and an operational control (a linked document)."""
    _setup()
    from pdca.environment import selectors
    from pdca.environment.models import Aspect

    organization = _organization(org)
    _viewer(actor_email, Aspect, organization)
    found: Any = (
        selectors.unaddressed_aspects(organization)
        if unaddressed
        else selectors.significant_aspects(organization)
    )
    rows = [
        {
            "id": a.pk,
            "code": a.code,
            "title": a.title,
            "condition": a.condition,
            "site": a.site.code if a.site else None,
            "owner": a.owner.email if a.owner else None,
            "score": a.score,
            "reason": a.significance_reason,
            "has_objective": a.has_objective,
            "has_operational_control": a.has_control,
        }
        for a in found
    ]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("code", "Code"),
            Column("title", "Aspect"),
            Column("score", "Score", "right"),
            Column("reason", "Why significant"),
            Column("has_objective", "Objective"),
            Column("has_operational_control", "Control"),
        ],
        fmt,
        title="Significant aspects" + (" to address" if unaddressed else ""),
        summary=f"{len(rows)} aspect(s).",
        empty="No significant aspect" + (" to address." if unaddressed else "."),
    )


@app.command("due")
def due(
    org: OrgOption,
    on: DateOption = None,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Compliance obligations that apply and whose evaluation is due on the day (today) or
    overdue, the longest overdue first."""
    _setup()
    from django.utils import timezone

    from pdca.environment import selectors
    from pdca.environment.models import ComplianceObligation

    organization = _organization(org)
    _viewer(actor_email, ComplianceObligation, organization)
    day = on.date() if on else timezone.localdate()
    found: Any = selectors.due_obligations(organization, day)  # annotated with n_evaluations
    rows = [
        {
            "id": o.pk,
            "title": o.title,
            "reference": o.reference,
            "owner": o.owner.email if o.owner else None,
            "evaluation_frequency": o.evaluation_frequency,
            "last_evaluated_on": o.last_evaluated_on,
            "next_evaluation_due": o.next_evaluation_due,
            "days_overdue": (day - o.next_evaluation_due).days if o.next_evaluation_due else 0,
            "evaluations": o.n_evaluations,
        }
        for o in found
    ]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("title", "Obligation"),
            Column("owner", "Owner"),
            Column("evaluation_frequency", "Every (months)", "right"),
            Column("last_evaluated_on", "Last evaluated"),
            Column("next_evaluation_due", "Due"),
            Column("days_overdue", "Days overdue", "right"),
        ],
        fmt,
        title=f"Evaluations of compliance due by {day.isoformat()}",
        summary=f"{len(rows)} obligation(s).",
        empty=f"No evaluation of compliance due by {day.isoformat()}.",
    )


@app.command("evaluations")
def evaluations(
    org: OrgOption,
    drafts: Annotated[bool, typer.Option("--drafts", help="Only the drafts (to record)")] = False,
    obligation: Annotated[
        int | None, typer.Option("--obligation", help="Only this obligation's (id)")
    ] = None,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Evaluations of compliance, newest first: id, obligation, result, draft or recorded, and
    the nonconformity a failing one opened."""
    _setup()
    from pdca.environment.models import ComplianceEvaluation

    organization = _organization(org)
    _viewer(actor_email, ComplianceEvaluation, organization)
    found = ComplianceEvaluation.objects.filter(
        organization=organization, archived_at__isnull=True
    ).select_related("obligation", "evaluator")
    if drafts:
        found = found.filter(status=ComplianceEvaluation.Status.DRAFT)
    if obligation is not None:
        found = found.filter(obligation_id=obligation)
    rows = [
        {
            "id": e.pk,
            "obligation": e.obligation_id,
            "obligation_title": e.obligation.title,
            "evaluated_on": e.evaluated_on,
            "evaluator": e.evaluator.email if e.evaluator else None,
            "result": e.result,
            "status": e.status,
            "recorded_at": e.recorded_at,
            "nonconformity": e.nonconformity_id,
        }
        for e in found.order_by("-evaluated_on", "-pk")
    ]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("obligation_title", "Obligation"),
            Column("evaluated_on", "Date"),
            Column("result", "Result"),
            Column("status", "Status"),
            Column("nonconformity", "Nonconformity", "right"),
        ],
        fmt,
        title="Evaluations of compliance",
        summary=f"{len(rows)} evaluation(s).",
        empty="No evaluation of compliance" + (" to record." if drafts else "."),
    )


@app.command("record-evaluation")
def record_evaluation(
    evaluation_id: Annotated[
        int, typer.Argument(help="Draft evaluation id (`pdca environment evaluations --drafts`)")
    ],
    org: OrgOption,
    actor_email: ActorOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Record a draft evaluation of compliance: it becomes a record, the obligation's next
    evaluation falls due from it, and a result other than compliant opens a nonconformity."""
    _setup()
    from pdca.environment import services
    from pdca.environment.models import ComplianceEvaluation

    organization = _organization(org)
    draft = (
        ComplianceEvaluation.objects.filter(organization=organization, pk=evaluation_id)
        .select_related("obligation", "organization")
        .first()
    )
    if draft is None:
        err.print(
            f"[red]No evaluation of compliance {evaluation_id} in {escape(organization.slug)}: "
            "`pdca environment evaluations --drafts` lists them."
        )
        raise typer.Exit(1)
    actor = _actor(actor_email)
    run_service(lambda: services.record_evaluation(draft, actor=actor))
    evaluation = ComplianceEvaluation.objects.select_related("obligation").get(pk=draft.pk)
    data = {
        "id": evaluation.pk,
        "obligation": evaluation.obligation_id,
        "status": evaluation.status,
        "result": evaluation.result,
        "recorded_at": evaluation.recorded_at,
        "nonconformity": evaluation.nonconformity_id,
        "next_evaluation_due": evaluation.obligation.next_evaluation_due,
    }
    if fmt == "json":
        print_json(data)
        return
    due_on = evaluation.obligation.next_evaluation_due
    console.print(
        f"Recorded evaluation {evaluation.pk} of “{evaluation.obligation.title}” "
        f"({evaluation.get_result_display().lower()}); next evaluation due "
        f"{due_on.isoformat() if due_on else '(no date)'}.",
        markup=False,
        highlight=False,
    )
    if evaluation.nonconformity_id is not None:
        console.print(
            f"It opened nonconformity {evaluation.nonconformity_id} "
            f"(`pdca capa list --org {organization.slug}`).",
            markup=False,
            highlight=False,
        )
