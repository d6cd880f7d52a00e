"""The tables and files of `pdca training list` and `pdca training report`: paths, courses,
campaigns, assignments and records; the competence matrix, who is overdue and a campaign's
report; and a training history imported through the training-records register."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer

from pdca.core.cli_output import Column, print_json, print_rows
from pdca.core.console import err
from pdca.people.cli_common import fail, read, write


def paths_table(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    from django.db.models import Count

    listed = [
        {
            "id": p.pk,
            "organization": p.organization.slug,
            "code": p.code,
            "title": p.title,
            "role": p.role or None,
            "courses": p.course_count,
            "pass_mark": p.pass_mark,
            "validity_months": p.validity_months,
            "source": p.source,
        }
        for p in rows.annotate(course_count=Count("steps")).order_by("organization__slug", "title")
    ]
    return listed, [
        Column("code", "Code"),
        Column("title", "Title"),
        Column("role", "For"),
        Column("courses", "Courses", "right"),
        Column("pass_mark", "Pass mark", "right", text=lambda r: f"{r['pass_mark']} %"),
        Column(
            "validity_months",
            "Valid",
            text=lambda r: f"{r['validity_months']} months" if r["validity_months"] else "",
        ),
    ]


def courses_table(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    from django.db.models import Count, Q

    annotated = rows.annotate(
        module_count=Count("modules", distinct=True),
        quiz_count=Count("modules", filter=Q(modules__kind="quiz"), distinct=True),
    )
    listed = [
        {
            "id": c.pk,
            "organization": c.organization.slug,
            "code": c.code,
            "title": c.title,
            "source": c.source,
            "modules": c.module_count,
            "quizzes": c.quiz_count,
            "revision": c.revision,
        }
        for c in annotated.order_by("organization__slug", "code")
    ]
    return listed, [
        Column("code", "Code"),
        Column("title", "Title"),
        Column("source", "Source"),
        Column("modules", "Modules", "right"),
        Column("quizzes", "Quizzes", "right"),
        Column("revision", "Revision", "right"),
    ]


def campaigns_table(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    listed = [
        {
            "id": c.pk,
            "organization": c.organization.slug,
            "title": c.title,
            "status": c.status,
            "audience": c.audience_label,
            "due_date": c.due_date,
            "path": c.path.title if c.path else None,
        }
        for c in rows.select_related("path", "site").order_by("organization__slug", "-due_date")
    ]
    return listed, [
        Column("title", "Title"),
        Column("status", "Status"),
        Column("audience", "Who"),
        Column("due_date", "Due"),
        Column("path", "Path"),
    ]


def assignments_table(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    listed = [
        {
            "id": a.pk,
            "organization": a.organization.slug,
            "what": a.path.title if a.path else a.action,
            "path": a.path_id,
            "who": a.person.email if a.person else a.audience_label,
            "due_date": a.due_date,
            "owner": a.owner.email if a.owner else None,
            "requirement": a.requirement.code if a.requirement else None,
            "campaign": a.campaign_id,
        }
        for a in rows.select_related("path", "person", "owner", "site", "requirement").order_by(
            "organization__slug", "due_date", "pk"
        )
    ]
    return listed, [
        Column("what", "What"),
        Column("who", "Who"),
        Column("due_date", "Due"),
        Column("owner", "Follows up"),
        Column("requirement", "Requirement"),
    ]


def records_table(rows) -> tuple[list[dict[str, Any]], list[Column]]:
    listed = [
        {
            "id": r.pk,
            "organization": r.organization.slug,
            "person": r.person.email,
            "title": r.title,
            "kind": r.kind,
            "result": r.result,
            "completed_on": r.completed_on,
            "expires_on": r.expires_on,
            "requirement": r.requirement.code if r.requirement else None,
        }
        for r in rows.filter(archived_at__isnull=True)
        .select_related("person", "requirement")
        .order_by("organization__slug", "person__email", "-completed_on", "pk")
    ]
    return listed, [
        Column("person", "Person"),
        Column("title", "Title"),
        Column("kind", "Kind"),
        Column("result", "Result"),
        Column("completed_on", "Completed"),
        Column("expires_on", "Expires"),
        Column("requirement", "Requirement"),
    ]


def _matrix_rows(matrix) -> list[dict[str, Any]]:
    return [
        {
            "person": row.membership.user.full_name or row.membership.user.email,
            "email": row.membership.user.email,
            "role": row.membership.role,
            "team": row.membership.team,
            "site": str(row.membership.site) if row.membership.site_id else None,
            "gaps": row.gaps,
            "cells": {
                requirement.code: {
                    "status": str(cell.status),
                    "expires_on": cell.expires_on,
                    "mandatory": cell.mandatory,
                    "action_due": cell.action.due_date if cell.action else None,
                }
                for requirement, cell in zip(matrix.requirements, row.cells, strict=True)
            },
        }
        for row in matrix.rows
    ]


def _cell_text(cell: dict[str, Any]) -> str:
    status = cell["status"]
    if status == "n/a":
        return "–"
    text = {
        "competent": "ok",
        "expiring": "expiring",
        "expired": "EXPIRED",
        "planned": "planned",
        "missing": "GAP",
    }[status]
    if cell["expires_on"] and status in ("competent", "expiring", "expired"):
        text += f" {cell['expires_on']:%Y-%m-%d}"
    if cell["action_due"]:
        text += f" (due {cell['action_due']:%Y-%m-%d})"
    return text


def _cell_column(code: str) -> Column:
    def text(row: Mapping[str, Any]) -> str:
        return _cell_text(row["cells"][code])

    return Column(code, code, text=text)


def print_matrix(organization, actor, filters: dict[str, Any], xlsx: Path | None, fmt: str) -> None:
    from pdca.core.exceptions import ServiceError
    from pdca.people import selectors
    from pdca.people.services import reports

    try:
        matrix = selectors.matrix_for(actor, organization, **filters)
    except ServiceError as exc:
        raise fail(exc) from None
    if xlsx is not None:
        write(xlsx, reports.matrix_xlsx(matrix), f"competence matrix of {organization.name}")
        return
    rows = _matrix_rows(matrix)
    if fmt == "json":
        print_json(rows)
        return
    columns = [
        Column("person", "Person"),
        Column("team", "Team"),
        Column("gaps", "Gaps", "right"),
        *(_cell_column(r.code) for r in matrix.requirements),
    ]
    gaps = sum(row["gaps"] for row in rows)
    print_rows(
        rows,
        columns,
        "table",
        title=f"Competence matrix of {organization.name} ({matrix.as_of:%Y-%m-%d})",
        summary=(
            f"{len(rows)} people, {matrix.people_competent} without a gap; {gaps} gap(s). "
            "Requirements: " + "; ".join(f"{r.code} {r.title}" for r in matrix.requirements)
        ),
        empty="Nobody matches.",
    )


def print_overdue(organization, actor, fmt: str) -> None:
    from django.utils import timezone

    from pdca.core.permissions import may
    from pdca.people.models import Assignment
    from pdca.people.services.assignments import overdue_training

    if actor is not None and not may(actor, "view", Assignment, organization=organization):
        err.print(f"[red]{actor.email} may not see who is overdue in {organization.name}.")
        raise typer.Exit(1)
    today = timezone.localdate()
    rows = [
        {
            "person": item.membership.user.email,
            "team": item.membership.team,
            "path": item.path.title,
            "due_date": item.due_date,
            "days_overdue": (today - item.due_date).days,
            "assignment": item.assignment.pk,
        }
        for item in overdue_training(organization, as_of=today)
    ]
    print_rows(
        rows,
        [
            Column("person", "Person"),
            Column("team", "Team"),
            Column("path", "Path"),
            Column("due_date", "Due"),
            Column("days_overdue", "Days overdue", "right"),
        ],
        fmt,
        title=f"Overdue training in {organization.name}",
        summary=f"{len(rows)} overdue.",
        empty="Nobody is overdue.",
    )


def print_campaign_report(
    campaign_id: int, org, actor, xlsx: Path | None, pdf: Path | None, fmt: str
) -> None:
    from pdca.core.cli_support import organization_or_none, visible
    from pdca.people.models import AwarenessCampaign
    from pdca.people.services import reports
    from pdca.people.services.campaigns import campaign_report

    campaigns = visible(
        AwarenessCampaign.objects.select_related("organization", "path"),
        organization=organization_or_none(org),
        actor=actor,
    )
    campaign = campaigns.filter(pk=campaign_id).first()
    if campaign is None:
        err.print(
            f"[red]No awareness campaign {campaign_id}. "
            "`pdca training list --campaigns` shows them."
        )
        raise typer.Exit(1)
    report = campaign_report(campaign)
    if xlsx is not None:
        write(xlsx, reports.campaign_report_xlsx(report), f"report of {campaign.title}")
    if pdf is not None:
        with err.status("Rendering the PDF…"):
            data = reports.campaign_report_pdf(report)
        write(pdf, data, f"report of {campaign.title}")
    if xlsx is not None or pdf is not None:
        return
    rows = [
        {
            "person": p.membership.user.email,
            "team": p.membership.team,
            "site": str(p.membership.site) if p.membership.site_id else None,
            "acknowledged": p.acknowledged,
            "asked": p.asked,
            "path_status": p.path_status,
            "best_score": p.best_score,
            "complete": p.complete,
        }
        for p in report.people
    ]
    print_rows(
        rows,
        [
            Column("person", "Person"),
            Column("team", "Team"),
            Column("acknowledged", "Read", text=lambda r: f"{r['acknowledged']} of {r['asked']}"),
            Column("path_status", "Path"),
            Column("best_score", "Best score", "right"),
            Column("complete", "Done"),
        ],
        fmt,
        title=(
            f"{campaign.title} ({campaign.get_status_display().lower()}, due {campaign.due_date})"
        ),
        summary=f"{report.complete} of {len(rows)} people done ({report.percent} %).",
        empty="Nobody is covered by this campaign.",
    )


def import_history(file: Path, organization, actor, dry_run: bool, queue: bool) -> None:
    """A training history workbook through the training-records register's import."""
    from pdca.core.registers.cli import import_workbook
    from pdca.people.registers import RECORDS

    import_workbook(RECORDS, organization, actor, read(file), file, dry_run=dry_run, queue=queue)
