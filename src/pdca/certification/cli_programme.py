"""`pdca cb` commands of the certification body's programme: `cycles list|show|open|transition`,
`programme` (the calendar), `findings list|answer|accept|reject|verify` and `decide`. Every
command that asks for an id has a list that shows it; writes act as `--as EMAIL`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.console import console, err

cycles_app = typer.Typer(help="Certification cycles and their programme.", no_args_is_help=True)
findings_app = typer.Typer(help="The review of clients' answers to findings.", no_args_is_help=True)

OrgOption = Annotated[str, typer.Option("--org", help="The certification body (slug)")]
AsOption = Annotated[str | None, typer.Option("--as", help="Act as this member (e-mail)")]
DateOption = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD (default today)")
]


def add_commands(app: typer.Typer) -> None:
    app.add_typer(cycles_app, name="cycles")
    app.add_typer(findings_app, name="findings")
    app.command("programme")(programme)
    app.command("decide")(decide)


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _actor(email: str | None, who: str):
    from pdca.core.cli_support import actor_or_exit

    if email is None:
        err.print(f"[red]Say who does it: --as EMAIL ({who}).")
        raise typer.Exit(2)
    return actor_or_exit(email)


def _run(call: Callable[[], Any]) -> Any:
    """Call a service; a refusal is printed (each field and its problem) and exits 1."""
    from pdca.core.exceptions import ServiceError, ValidationFailed

    try:
        return call()
    except ValidationFailed as exc:
        for error in exc.errors:
            err.print(f"[red]{escape(error.field or 'input')}: {escape(error.message)}")
        err.print("[red]Refused; nothing was written.")
        raise typer.Exit(1) from None
    except ServiceError as exc:
        err.print(f"[red]{escape(exc.message)}")
        raise typer.Exit(1) from None


def _day(value: dt.datetime | None) -> dt.date:
    from django.utils import timezone

    return value.date() if value else timezone.localdate()


def _get(model, organization, pk: int, hint: str):
    found = model.objects.filter(organization=organization, pk=pk).first()
    if found is None:
        err.print(f"[red]No {model._meta.verbose_name} {pk} in {escape(organization.slug)}: {hint}")
        raise typer.Exit(1)
    return found


def _audit_rows(items, today: dt.date) -> list[dict[str, Any]]:
    from pdca.certification.services import programme_audits as pa

    return [
        {
            "id": i.pk,
            "cycle": i.cycle_id,
            "client": i.cycle.client.name,
            "audit": pa.label_of(i),
            "standards": [s.code for s in i.cycle.standards.all()],
            "due": i.due_date,
            "start": i.audit.start_date if i.audit else None,
            "end": i.audit.end_date if i.audit else None,
            "lead": i.audit.lead_auditor.email if i.audit and i.audit.lead_auditor else None,
            "status": pa.status_of(i, today),
            "planned_days": i.planned_days,
            "delivered_days": i.delivered_days,
            "transition_to": sorted(s.code for s in i.transition_to.all()),
        }
        for i in items
    ]


AUDIT_COLUMNS = [
    Column("id", "Id"),
    Column("client", "Client"),
    Column(
        "audit",
        "Audit",
        text=lambda r: (
            r["audit"]
            + (f" + transition to {', '.join(r['transition_to'])}" if r["transition_to"] else "")
        ),
    ),
    Column("due", "Due by"),
    Column("start", "Held"),
    Column("lead", "Lead"),
    Column("status", "Status"),
]


@cycles_app.command("list")
def list_cycles(org: OrgOption, fmt: FormatOption = "table") -> None:
    """The body's cycles: id, client, number, status, decision and expiry."""
    _setup()
    from pdca.certification.models import CertificationCycle
    from pdca.certification.services.editions import standards_prefetch
    from pdca.core.cli_support import organization_or_exit

    organization = organization_or_exit(org)
    rows = [
        {
            "id": c.pk,
            "client": c.client.name,
            "number": c.number,
            "status": c.status,
            "standards": [s.code for s in c.standards.all()],
            "in_transition": [s.code for s in c.standards.all() if s.successor is not None],
            "decision_date": c.decision_date,
            "expiry_date": c.expiry_date,
        }
        for c in CertificationCycle.objects.filter(organization=organization)
        .select_related("client")
        .prefetch_related(standards_prefetch())
        .order_by("client__name", "-number")
    ]
    print_rows(
        rows,
        [
            Column("id", "Id"),
            Column("client", "Client"),
            Column("number", "Cycle"),
            Column("status", "Status"),
            Column("standards", "Standards", text=lambda r: ", ".join(r["standards"])),
            Column(
                "in_transition",
                "In transition",
                text=lambda r: ", ".join(r["in_transition"]) or "–",
            ),
            Column("decision_date", "Decided"),
            Column("expiry_date", "Expires"),
        ],
        fmt,
        empty="No cycle yet.",
    )


@cycles_app.command("show")
def show_cycle(
    cycle: Annotated[int, typer.Argument(help="Cycle id (`pdca cb cycles list`)")],
    org: OrgOption,
    fmt: FormatOption = "table",
) -> None:
    """A cycle's programme audits and the decision checklist (as of today, for no one)."""
    _setup()
    from django.utils import timezone

    from pdca.certification.models import CertificationCycle, CycleAudit
    from pdca.certification.services import finding_reviews, transitions
    from pdca.certification.services import programme_audits as pa
    from pdca.core.cli_support import organization_or_exit

    organization = organization_or_exit(org)
    found = _get(CertificationCycle, organization, cycle, "`pdca cb cycles list` lists them.")
    today = timezone.localdate()
    items = (
        CycleAudit.objects.filter(cycle=found)
        .select_related("cycle__client", "audit", "audit__lead_auditor")
        .prefetch_related("cycle__standards", "transition_to")
        .order_by("due_date")
    )
    rows = _audit_rows(items, today)
    late = finding_reviews.needs_new_stage2(found, today)
    moving = transitions.cycle_transitions(found)
    options = [
        {"id": i.pk, "audit": pa.label_of(i), "due": i.due_date}
        for i in transitions.transition_options(found, moving)
    ]
    if fmt == "json":
        print_json(
            {
                "id": found.pk,
                "client": found.client.name,
                "audits": rows,
                "needs_new_stage2": late,
                "transitions": [t.as_dict(today) for t in moving],
                "transition_options": options,
            }
        )
        return
    console.print(f"[bold]{escape(str(found))}[/] ({found.get_status_display()})")
    print_rows(rows, AUDIT_COLUMNS, fmt)
    if late:
        console.print(
            "A major of stage 2 missed the six-month verification: a new stage 2 is needed."
        )
    for t in moving:
        console.print(f"{t.standard.full_name}: {t.sentence(today)}", markup=False)
    if options:
        console.print(
            "The transition audit may be combined with (`pdca cb cycles transition "
            f"{found.pk} --combine-with ID`): "
            + "; ".join(f"{o['id']} {o['audit']} due by {o['due']}" for o in options),
            markup=False,
        )


@cycles_app.command("open")
def open_cycle(
    application: Annotated[int, typer.Argument(help="Accepted application id")],
    org: OrgOption,
    actor_email: AsOption = None,
    with_stage1: Annotated[bool, typer.Option(help="Recertification: a stage 1 first")] = False,
) -> None:
    """Open the cycle of an accepted application and plan its programme."""
    _setup()
    from pdca.certification.models import Application
    from pdca.certification.services.cycles import open_cycle as open_
    from pdca.core.cli_support import organization_or_exit

    organization = organization_or_exit(org)
    found = _get(Application, organization, application, "the applications list shows them.")
    actor = _actor(actor_email, "a CB manager")
    cycle = _run(lambda: open_(found, actor=actor, with_stage1=with_stage1))
    console.print(f"Cycle {cycle.pk} opened ({cycle}).", markup=False)


@cycles_app.command("transition")
def plan_transition(
    cycle: Annotated[int, typer.Argument(help="Cycle id (`pdca cb cycles list`)")],
    org: OrgOption,
    combine_with: Annotated[
        int | None,
        typer.Option(
            help="Id of a surveillance or recertification audit of the cycle to hold the "
            "transition with (`pdca cb cycles show` lists them)"
        ),
    ] = None,
    due: DateOption = None,
    to: Annotated[
        list[str] | None,
        typer.Option(help="Code of a new edition (repeatable; default: every one)"),
    ] = None,
    reason: Annotated[str, typer.Option(help="A note")] = "",
    actor_email: AsOption = None,
) -> None:
    """Plan the transition audit of a cycle to a replaced edition: combined with a planned
    audit due before the end of the transition (--combine-with), or a separate one due by
    --due (default: the end of the transition)."""
    _setup()
    from pdca.certification.models import CertificationCycle
    from pdca.certification.services import programme_audits as pa
    from pdca.certification.services.transitions import plan_transition_audit
    from pdca.core.cli_support import organization_or_exit
    from pdca.core.context import channel

    found = _get(
        CertificationCycle, organization_or_exit(org), cycle, "`pdca cb cycles list` lists them."
    )
    actor = _actor(actor_email, "a CB manager")
    with channel("cli"):
        item = _run(
            lambda: plan_transition_audit(
                found,
                actor=actor,
                combine_with=combine_with,
                due_date=due.date() if due else None,
                to=to,
                reason=reason,
            )
        )
    targets = ", ".join(s.full_name for s in item.transition_to.all())
    console.print(
        f"{pa.label_of(item)} (id {item.pk}) carries the transition to {targets}, due by "
        f"{item.due_date}.",
        markup=False,
    )


def programme(
    org: OrgOption,
    auditor: Annotated[
        str | None, typer.Option(help="Lead auditor or team member (e-mail)")
    ] = None,
    standard: Annotated[str | None, typer.Option(help="Standard code, e.g. iso9001-2015")] = None,
    month: Annotated[str | None, typer.Option(help="One month, YYYY-MM")] = None,
    months: Annotated[int, typer.Option(help="Months from this one")] = 3,
    overdue: Annotated[bool, typer.Option(help="Every overdue audit only")] = False,
    status: Annotated[str | None, typer.Option(help="due, overdue, scheduled, ...")] = None,
    fmt: FormatOption = "table",
) -> None:
    """The programme calendar: audits due or scheduled in the months shown, and overdue ones."""
    _setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from pdca.certification.models import CycleAudit
    from pdca.certification.services import calendar
    from pdca.core.cli_support import organization_or_exit

    organization = organization_or_exit(org)
    auditor_id = None
    if auditor:
        user = get_user_model().objects.filter(email__iexact=auditor).first()
        if user is None:
            err.print(f"[red]--auditor: no user with the e-mail {escape(auditor)}.")
            raise typer.Exit(1)
        auditor_id = user.pk
    standard_id = calendar.standard_id(standard)
    if standard_id == -1:
        err.print(f"[red]--standard: no standard {escape(standard or '')}.")
        raise typer.Exit(1)
    filters = calendar.CalendarFilters(
        month=month or "",
        months=months,
        auditor=auditor_id,
        standard=standard_id,
        overdue=overdue,
        status=status or "",
    )
    rows = _run(
        lambda: list(
            calendar.calendar_rows(CycleAudit.objects.filter(organization=organization), filters)
        )
    )
    print_rows(
        _audit_rows(rows, timezone.localdate()),
        AUDIT_COLUMNS,
        fmt,
        empty="No programme audit due or scheduled then.",
    )


@findings_app.command("list")
def list_findings(
    org: OrgOption,
    cycle: Annotated[int | None, typer.Option(help="Only this cycle's")] = None,
    fmt: FormatOption = "table",
) -> None:
    """The reviews of clients' answers: id, finding, grade, deadlines and where each stands."""
    _setup()
    from pdca.certification.models import FindingReview
    from pdca.core.cli_support import organization_or_exit

    organization = organization_or_exit(org)
    qs = FindingReview.objects.filter(organization=organization).select_related(
        "finding", "finding__audit"
    )
    if cycle is not None:
        qs = qs.filter(finding__audit__certification_audit__cycle_id=cycle)
    rows = [
        {
            "id": r.pk,
            "finding": f"F{r.finding.number} {r.finding.title}",
            "audit": str(r.finding.audit),
            "grade": r.finding.grade,
            "response_due": r.response_due,
            "plan_status": r.plan_status,
            "verified_on": r.verified_on,
        }
        for r in qs.order_by("response_due", "pk")
    ]
    print_rows(
        rows,
        [
            Column("id", "Id"),
            Column("finding", "Finding"),
            Column("grade", "Grade"),
            Column("response_due", "Answer due"),
            Column("plan_status", "Plan"),
            Column("verified_on", "Verified"),
        ],
        fmt,
        empty="No finding to review.",
    )


def _review(org: str, pk: int):
    from pdca.certification.models import FindingReview
    from pdca.core.cli_support import organization_or_exit

    return _get(FindingReview, organization_or_exit(org), pk, "`pdca cb findings list` lists them.")


@findings_app.command("answer")
def answer(
    review: Annotated[int, typer.Argument(help="Review id (`pdca cb findings list`)")],
    org: OrgOption,
    correction: Annotated[str, typer.Option(help="The correction made")],
    root_cause: Annotated[str, typer.Option(help="The cause found")],
    corrective_action: Annotated[str, typer.Option(help="The corrective action")],
    on: DateOption = None,
    actor_email: AsOption = None,
) -> None:
    """Record the client's answer to a finding."""
    _setup()
    from pdca.certification.services.finding_reviews import record_client_answer

    found = _review(org, review)
    actor = _actor(actor_email, "a CB manager or auditor")
    _run(
        lambda: record_client_answer(
            found, correction, root_cause, corrective_action, _day(on), actor=actor
        )
    )
    console.print(f"Answer to review {review} recorded.", markup=False)


@findings_app.command("accept")
def accept(
    review: Annotated[int, typer.Argument(help="Review id")],
    org: OrgOption,
    actor_email: AsOption = None,
) -> None:
    """Accept the client's plan."""
    _setup()
    from pdca.certification.services.finding_reviews import review_plan

    found = _review(org, review)
    actor = _actor(actor_email, "a CB manager or auditor")
    _run(lambda: review_plan(found, True, "", actor=actor))
    console.print(f"Plan of review {review} accepted.", markup=False)


@findings_app.command("reject")
def reject(
    review: Annotated[int, typer.Argument(help="Review id")],
    org: OrgOption,
    reason: Annotated[str, typer.Option(help="Why the plan is rejected")] = "",
    actor_email: AsOption = None,
) -> None:
    """Reject the client's plan, with the reason."""
    _setup()
    from pdca.certification.services.finding_reviews import review_plan

    found = _review(org, review)
    actor = _actor(actor_email, "a CB manager or auditor")
    _run(lambda: review_plan(found, False, reason, actor=actor))
    console.print(f"Plan of review {review} rejected.", markup=False)


@findings_app.command("verify")
def verify(
    review: Annotated[int, typer.Argument(help="Review id")],
    org: OrgOption,
    method: Annotated[str, typer.Option(help="on_site, documentary or next_audit")],
    notes: Annotated[str, typer.Option(help="What was seen")],
    on: DateOption = None,
    actor_email: AsOption = None,
) -> None:
    """Record that the client's actions were verified."""
    _setup()
    from pdca.certification.services.finding_reviews import verify_actions

    found = _review(org, review)
    actor = _actor(actor_email, "a CB manager or auditor")
    _run(lambda: verify_actions(found, method, notes, _day(on), actor=actor))
    console.print(f"Actions of review {review} verified.", markup=False)


def decide(
    cycle: Annotated[int, typer.Argument(help="Cycle id (`pdca cb cycles list`)")],
    org: OrgOption,
    outcome: Annotated[str, typer.Option(help="granted or refused")],
    kind: Annotated[
        str | None, typer.Option(help="initial, recertification, ..., transition")
    ] = None,
    notes: Annotated[str, typer.Option(help="Why (required for a refusal)")] = "",
    on: DateOption = None,
    actor_email: AsOption = None,
) -> None:
    """Take the certification decision on a cycle (a decision maker on no audit team of it);
    a grant with anything missing is refused with the list."""
    _setup()
    from pdca.certification.models import CertificationCycle
    from pdca.certification.services.decisions import decide as decide_
    from pdca.core.cli_support import organization_or_exit

    found = _get(
        CertificationCycle, organization_or_exit(org), cycle, "`pdca cb cycles list` lists them."
    )
    actor = _actor(actor_email, "a certification decision maker")
    decision = _run(
        lambda: decide_(found, kind=kind, outcome=outcome, notes=notes, on=_day(on), actor=actor)
    )
    console.print(f"Decision {decision.pk}: {decision}.", markup=False)
