"""`pdca review …`: management reviews from the command line: each system's review schedule
(its ids), the reviews of a system (their ids), a review's inputs, the steps (compile, held,
approved), the review interval, the open actions, and the review pack (the minutes as PDF and
DOCX) for a system.

Reads run as the operator at the command line, who sees everything; writes run as the member
named by `--as EMAIL`, with their permissions, and are logged as theirs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.cli_support import run_service
from pdca.core.console import console, err

app = typer.Typer(
    help="Management review: schedule, inputs, held and approved minutes, actions, the pack.",
    no_args_is_help=True,
)

OrgOption = Annotated[str, typer.Option("--org", help="The organization (slug)")]
ActorOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of the member doing it (their permissions apply)")
]
SystemArgument = Annotated[
    int, typer.Argument(help="Management system id (`pdca review systems --org SLUG`)")
]
ReviewArgument = Annotated[int, typer.Argument(help="Review id (`pdca review list --org SLUG`)")]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _actor(email: str | None):
    from pdca.core.cli_support import actor_or_exit

    if email is None:
        err.print("[red]Say who: --as EMAIL (the member doing it).")
        raise typer.Exit(2)
    return actor_or_exit(email)


def _system(system_id: int):
    from pdca.system.models import ManagementSystem

    system = ManagementSystem.objects.select_related("organization").filter(pk=system_id).first()
    if system is None:
        err.print(
            f"[red]No management system {system_id}; `pdca review systems --org SLUG` lists them."
        )
        raise typer.Exit(1)
    return system


def _review(review_id: int):
    from pdca.reviews.models import ManagementReview

    review = (
        ManagementReview.objects.select_related("organization", "system")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        err.print(f"[red]No review {review_id}; `pdca review list --org SLUG` lists them.")
        raise typer.Exit(1)
    return review


@app.command("systems")
def systems(org: OrgOption, fmt: FormatOption = "table") -> None:
    """Each management system with its review interval, last review held and next one due."""
    _setup()
    from pdca.core.cli_support import organization_or_exit
    from pdca.reviews.selectors import schedules
    from pdca.system.models import ManagementSystem

    organization = organization_or_exit(org)
    rows = [
        s.as_dict()
        for s in schedules(
            ManagementSystem.objects.filter(organization=organization).order_by("name")
        )
    ]
    print_rows(
        rows,
        [
            Column("system", "Id", "right"),
            Column("system_name", "System"),
            Column("interval_months", "Every (months)", "right"),
            Column("last_held", "Last held"),
            Column("next_due", "Next due"),
            Column("overdue", "Overdue", text=lambda r: "overdue" if r["overdue"] else ""),
        ],
        fmt,
        title="Management review schedule",
        empty="No management system.",
    )


@app.command("list")
def list_reviews(
    org: OrgOption,
    system: Annotated[int | None, typer.Option("--system", help="Only this system's")] = None,
    fmt: FormatOption = "table",
) -> None:
    """The reviews (latest first) with their status."""
    _setup()
    from pdca.core.cli_support import organization_or_exit
    from pdca.reviews.models import ManagementReview

    organization = organization_or_exit(org)
    reviews = ManagementReview.objects.filter(organization=organization).select_related(
        "system", "chair"
    )
    if system is not None:
        reviews = reviews.filter(system_id=system)
    rows = [
        {
            "id": r.pk,
            "title": r.title,
            "system": r.system.name,
            "meeting_date": r.meeting_date,
            "status": r.status,
            "chair": r.chair.email if r.chair else None,
            "minutes_sha256": r.minutes_sha256,
        }
        for r in reviews
    ]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("meeting_date", "Date"),
            Column("title", "Review"),
            Column("system", "System"),
            Column("status", "Status"),
        ],
        fmt,
        title="Management reviews",
        empty="No management review.",
    )


@app.command("inputs")
def inputs(review_id: ReviewArgument, fmt: FormatOption = "table") -> None:
    """A review's inputs with their figures and whether each was assessed."""
    _setup()
    review = _review(review_id)
    items = list(review.inputs.all())
    if fmt == "json":
        print_json(
            [
                {
                    "key": i.key,
                    "title": i.title,
                    "clauses": i.clauses,
                    **i.figures,
                    "assessment": i.assessment,
                }
                for i in items
            ]
        )
        return
    for item in items:
        console.print(f"[bold]{escape(item.title)}[/] ({escape(item.clauses)})")
        for figure in item.figures.get("figures", []):
            value = "–" if figure["value"] is None else figure["value"]
            console.print(f"  {escape(figure['label'])}: {value}")
        console.print(f"  [dim]Assessment:[/] {escape(item.assessment) or 'not written'}")
    if not items:
        console.print("No input compiled yet: `pdca review compile REVIEW --as EMAIL`.")


@app.command("compile")
def compile_command(review_id: ReviewArgument, actor_email: ActorOption = None) -> None:
    """Compile the review's inputs from the registers as of its data date."""
    _setup()
    from pdca.reviews import services

    review = _review(review_id)
    actor = _actor(actor_email)
    rows = run_service(lambda: services.compile_inputs(review, actor=actor))
    console.print(f"{len(rows)} inputs compiled as of {review.as_of:%Y-%m-%d}.")


def _transition(review_id: int, actor_email: str | None, to: str, reason: str = "") -> None:
    _setup()
    from pdca.reviews import services

    review = _review(review_id)
    actor = _actor(actor_email)
    review = run_service(
        lambda: services.transition_review(review, actor=actor, to=to, reason=reason)
    )
    console.print(f"“{escape(review.title)}” is {review.get_status_display().lower()}.")
    if review.minutes_sha256:
        console.print(f"Minutes SHA-256: {review.minutes_sha256}")


@app.command("hold")
def hold(review_id: ReviewArgument, actor_email: ActorOption = None) -> None:
    """Record the review as held (top management took part, inputs compiled)."""
    _transition(review_id, actor_email, "held")


@app.command("approve")
def approve(review_id: ReviewArgument, actor_email: ActorOption = None) -> None:
    """Approve the minutes (top management): they are frozen with their SHA-256."""
    _transition(review_id, actor_email, "approved")


@app.command("cancel")
def cancel(
    review_id: ReviewArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled")],
    actor_email: ActorOption = None,
) -> None:
    """Cancel a planned review."""
    _transition(review_id, actor_email, "cancelled", reason)


@app.command("interval")
def interval(
    system_id: SystemArgument,
    months: Annotated[int, typer.Argument(help="Months between two reviews (1 to 36)")],
    actor_email: ActorOption = None,
) -> None:
    """Set how often the system is reviewed."""
    _setup()
    from pdca.reviews import services

    system = _system(system_id)
    actor = _actor(actor_email)
    run_service(lambda: services.set_review_interval(system, actor=actor, months=months))
    console.print(f"{escape(system.name)} is reviewed every {months} months.")


@app.command("actions")
def actions(
    org: OrgOption,
    open_only: Annotated[bool, typer.Option("--open", help="Only open actions")] = False,
    fmt: FormatOption = "table",
) -> None:
    """The decisions and actions of the reviews, earliest due first."""
    _setup()
    from pdca.core.cli_support import organization_or_exit
    from pdca.reviews.models import ReviewOutput

    organization = organization_or_exit(org)
    outputs = (
        ReviewOutput.objects.filter(organization=organization, archived_at__isnull=True)
        .select_related("owner", "review")
        .order_by("due_date", "pk")
    )
    if open_only:
        outputs = outputs.filter(status=ReviewOutput.Status.OPEN)
    rows = [
        {
            "id": o.pk,
            "title": o.title,
            "kind": o.kind,
            "owner": o.owner.email if o.owner else None,
            "due_date": o.due_date,
            "status": o.status,
            "review": o.review_id,
        }
        for o in outputs
    ]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("title", "Decision or action"),
            Column("owner", "Owner"),
            Column("due_date", "Due"),
            Column("status", "Status"),
        ],
        fmt,
        title="Review actions",
        empty="No review action.",
    )


@app.command("close")
def close(
    action_id: Annotated[int, typer.Argument(help="Action id (`pdca review actions --org SLUG`)")],
    outcome: Annotated[str, typer.Option("--outcome", help="What was done, or why cancelled")],
    cancelled: Annotated[bool, typer.Option("--cancelled", help="Cancel it, not done")] = False,
    actor_email: ActorOption = None,
) -> None:
    """Close a review action as done (or cancelled), as its owner or a reviewer."""
    _setup()
    from pdca.reviews import services
    from pdca.reviews.models import ReviewOutput

    output = ReviewOutput.objects.select_related("organization").filter(pk=action_id).first()
    if output is None:
        err.print(f"[red]No action {action_id}; `pdca review actions --org SLUG` lists them.")
        raise typer.Exit(1)
    actor = _actor(actor_email)
    to = "cancelled" if cancelled else "done"
    run_service(lambda: services.transition_output(output, actor=actor, to=to, outcome=outcome))
    console.print(f"“{escape(output.title)}” is {to}.")


@app.command("pack")
def pack(
    system_id: SystemArgument,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the minutes as PDF here")] = None,
    docx: Annotated[
        Path | None, typer.Option("--docx", help="Write the minutes as DOCX here")
    ] = None,
    review_id: Annotated[
        int | None, typer.Option("--review", help="This review (default: the latest one)")
    ] = None,
) -> None:
    """The review pack of a system: the minutes of its latest review (or `--review`) as PDF
    and DOCX; approved minutes come from their frozen copy."""
    _setup()
    from pdca.reviews import minutes
    from pdca.reviews.models import ManagementReview

    system = _system(system_id)
    if pdf is None and docx is None:
        err.print("[red]Say where: --pdf FILE and/or --docx FILE.")
        raise typer.Exit(2)
    reviews = ManagementReview.objects.filter(system=system).exclude(status="cancelled")
    review = (
        reviews.filter(pk=review_id).first()
        if review_id is not None
        else reviews.order_by("-meeting_date", "-pk").first()
    )
    if review is None:
        err.print(f"[red]{escape(system.name)} has no such review; `pdca review list` lists them.")
        raise typer.Exit(1)
    for path, render in ((pdf, minutes.minutes_pdf), (docx, minutes.minutes_docx)):
        if path is not None:
            path.write_bytes(render(review))
            console.print(f"Wrote {escape(str(path))} ({review.get_status_display().lower()}).")


def _add_leadership() -> None:
    from pdca.reviews.leadership.cli import leadership_command

    app.command("leadership")(leadership_command)


_add_leadership()
