"""`pdca engagement requests|request|answer|review|withdraw-request|audits|release|findings|
send-plan`: evidence requests across a certification link, the body's audits released to the
client, and the findings they open in the client's register (its plan sent for the body's
review)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_rows
from pdca.core.cli_support import run_service
from pdca.core.console import console, err
from pdca.engagements.links.cli_common import (
    ActorOption,
    EngagementArgument,
    ViewerOption,
    actor,
    choice,
    dump,
    engagement_of,
    setup,
    viewer,
)

RequestArgument = Annotated[
    int, typer.Argument(help="Evidence request id (`pdca engagement requests ID`)")
]


def _request(request_id: int, user: Any, side: str | None = None) -> Any:
    from pdca.engagements.links import lookups

    def find() -> Any:
        found = lookups.evidence_request(user, request_id)
        if side is not None:
            lookups.require_side(user, found.engagement, side)
        return found

    return run_service(find)


def requests(
    engagement_id: EngagementArgument,
    status: Annotated[str | None, typer.Option("--status", help="open, answered, …")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those past due")] = False,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The evidence requests of a link, earliest due first."""
    setup()
    from pdca.engagements.links import lookups
    from pdca.engagements.links.requests_api import EvidenceRequestOut
    from pdca.engagements.models import EvidenceRequest

    choice(status, list(EvidenceRequest.Status.values), "--status")
    user = viewer(actor_email)
    rows = lookups.requests_of(engagement_of(engagement_id, user))
    if status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(lookups.open_request_filter())
    columns = [
        Column("id", "Id", "right"),
        Column("reference", "Ref"),
        Column("title", "Asked for"),
        Column("due_date", "Due"),
        Column(
            "status", "Status", text=lambda r: r["status"] + (" (late)" if r["overdue"] else "")
        ),
    ]
    data = [dump(EvidenceRequestOut, r, user) for r in rows]
    print_rows(data, columns, fmt, title="Evidence requests", empty="No evidence request.")


def request(
    engagement_id: EngagementArgument,
    title: Annotated[str, typer.Option("--title", help="What is asked for")],
    due: Annotated[str, typer.Option("--due", help="Due date, YYYY-MM-DD")],
    kind: Annotated[str, typer.Option("--kind", help="document, record or sample")] = "document",
    sample_size: Annotated[
        int | None, typer.Option("--sample-size", help="Records in a sample")
    ] = None,
    description: Annotated[str, typer.Option("--description")] = "",
    audit: Annotated[int | None, typer.Option("--audit", help="One of `audits ID`")] = None,
    actor_email: ActorOption = None,
) -> None:
    """Ask the linked client for an item by a due date (the body's auditors)."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.services import requests as services

    try:
        due_date = dt.date.fromisoformat(due)
    except ValueError:
        err.print(f"[red]--due must be a date as YYYY-MM-DD, not {due!r}.")
        raise typer.Exit(2) from None
    user = actor(actor_email)
    engagement = engagement_of(engagement_id, user, access.PROVIDER)
    made = run_service(
        lambda: services.request_evidence(
            engagement,
            title=title,
            due_date=due_date,
            kind=kind,
            description=description,
            sample_size=sample_size,
            audit=audit,
            actor=user,
        )
    )
    console.print(f"ER-{made.number} (id {made.pk}) asked of the client by {due_date}.")


def answer(
    request_id: RequestArgument,
    document: Annotated[
        list[int] | None, typer.Option(help="A document id (`documents ID`; repeat for more)")
    ] = None,
    evidence: Annotated[
        list[int] | None, typer.Option(help="A file id (`files ID`; repeat for more)")
    ] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    actor_email: ActorOption = None,
) -> None:
    """Answer a request with your documents and files (the client's managers)."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.services import requests as services

    user = actor(actor_email)
    found = _request(request_id, user, access.CLIENT)
    run_service(
        lambda: services.answer_request(
            found, documents=document or [], evidence=evidence or [], note=note, actor=user
        )
    )
    console.print(f"ER-{found.number} answered.")


def review(
    request_id: RequestArgument,
    accept: Annotated[
        bool, typer.Option("--accept/--return", help="Accept the answer, or return it")
    ],
    reason: Annotated[str, typer.Option("--reason", help="What is still missing")] = "",
    actor_email: ActorOption = None,
) -> None:
    """Accept an answer, or return it with what is missing (the body's auditors)."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.services import requests as services

    user = actor(actor_email)
    found = _request(request_id, user, access.PROVIDER)
    done = run_service(
        lambda: services.review_answer(found, accept=accept, reason=reason, actor=user)
    )
    console.print(f"ER-{done.number} is {done.get_status_display().lower()}.")


def withdraw_request(
    request_id: RequestArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why it is no longer needed")],
    actor_email: ActorOption = None,
) -> None:
    """Withdraw an evidence request (the body's auditors)."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.services import requests as services

    user = actor(actor_email)
    found = _request(request_id, user, access.PROVIDER)
    run_service(lambda: services.withdraw_request(found, reason, actor=user))
    console.print(f"ER-{found.number} withdrawn.")


def audits(
    engagement_id: EngagementArgument, actor_email: ViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """The body's audits of the client (ids for `release`).

    Every one for the body; those released to it for the client."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.links import lookups
    from pdca.engagements.links.audits_api import LinkedAuditOut

    user = viewer(actor_email)
    engagement = engagement_of(engagement_id, user)
    client_side = user is not None and access.side_of(user, engagement) == access.CLIENT
    rows = [
        dump(LinkedAuditOut, a, user)
        for a in lookups.audits_of(engagement, released_only=client_side)
    ]
    columns = [
        Column("id", "Id", "right"),
        Column("reference", "Ref"),
        Column("title", "Audit"),
        Column("start_date", "From"),
        Column("status", "Status"),
        Column("released", "Released"),
        Column("findings", "Findings", "right", text=lambda r: str(len(r["findings"]))),
    ]
    print_rows(rows, columns, fmt, title="Audits of the client", empty="No audit.")


def release(
    engagement_id: EngagementArgument,
    audit_id: Annotated[int, typer.Argument(help="Audit id (`pdca engagement audits ID`)")],
    actor_email: ActorOption = None,
) -> None:
    """Release an audit to the client (the body's auditors).

    Its major and minor findings open nonconformities in the client's register."""
    setup()
    from pdca.audits.models import Audit
    from pdca.engagements import access
    from pdca.engagements.services import findings

    user = actor(actor_email)
    engagement = engagement_of(engagement_id, user, access.PROVIDER)
    audit = Audit.objects.filter(pk=audit_id, organization_id=engagement.organization_id).first()
    if audit is None:
        err.print(f"[red]No audit {audit_id}; `pdca engagement audits {engagement_id}` lists them.")
        raise typer.Exit(1)
    run_service(lambda: findings.release_audit(engagement, audit, actor=user))
    opened = engagement.findings.filter(finding__audit=audit).count()
    console.print(f"{escape(str(audit))} released; {opened} nonconformities opened for the client.")


def findings(
    engagement_id: EngagementArgument, actor_email: ViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """The findings that opened a client's nonconformity (ids for `send-plan`).

    With the client's nonconformity (its side only) and the body's review of the plan."""
    setup()
    from pdca.engagements.links import lookups
    from pdca.engagements.links.audits_api import FindingLinkOut

    user = viewer(actor_email)
    engagement = engagement_of(engagement_id, user)
    rows = [dump(FindingLinkOut, f, user) for f in lookups.finding_links_of(engagement)]
    columns = [
        Column("id", "Id", "right"),
        Column(
            "finding",
            "Finding",
            text=lambda r: f"F{r['finding']['number']} {r['finding']['title']}",
        ),
        Column("grade", "Grade", text=lambda r: r["finding"]["grade"]),
        Column(
            "nonconformity",
            "Nonconformity",
            text=lambda r: (r["nonconformity"] or {}).get("status", ""),
        ),
        Column("plan", "Plan", text=lambda r: (r["review"] or {}).get("plan_status", "")),
        Column("times_sent", "Sent", "right"),
    ]
    print_rows(rows, columns, fmt, title="Findings across the link", empty="No finding link.")


def send_plan(
    link_id: Annotated[int, typer.Argument(help="Finding link id (`pdca engagement findings` ID)")],
    actor_email: ActorOption = None,
) -> None:
    """Send the nonconformity's correction, root cause and actions to the body's review."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.links import lookups
    from pdca.engagements.services import findings

    user = actor(actor_email)

    def find() -> Any:
        found = lookups.finding_link(user, link_id)
        lookups.require_side(user, found.engagement, access.CLIENT)
        return found

    link = run_service(find)
    review_ = run_service(lambda: findings.send_plan(link, actor=user))
    console.print(f"Plan sent for F{link.finding.number}: {review_.get_plan_status_display()}.")


def add_commands(app: typer.Typer) -> None:
    for name, command in (
        ("requests", requests),
        ("request", request),
        ("answer", answer),
        ("review", review),
        ("withdraw-request", withdraw_request),
        ("audits", audits),
        ("release", release),
        ("findings", findings),
        ("send-plan", send_plan),
    ):
        app.command(name)(command)
