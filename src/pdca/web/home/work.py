"""Home sections of the people who implement a management system: documents, corrective
action, training, objectives, risks and gap items. Each reads a fixed number of queries and
only what the user may see (`scope`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Q

from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.permissions import may, scope
from pdca.documents.models import Document
from pdca.documents.tasks_list import APPROVE, REVIEW, document_tasks
from pdca.improvement.deadlines import overdue_since
from pdca.improvement.models import Nonconformity
from pdca.improvement.selectors import capa_tasks
from pdca.people.models import TrainingPath
from pdca.people.services.assignments import my_training
from pdca.risks.models import Risk
from pdca.system.models import Objective
from pdca.system.objectives.services import STALE_AFTER_DAYS
from pdca.web.home.items import Item, Section, due_note, first_rows, link, section, url

#: A review date, target date or due date this close shows as a thing to do.
NOTICE_DAYS = 30
DOCUMENT_TONES = {APPROVE: "primary", REVIEW: "info"}


def documents(user: Any, org: Any, today: dt.date, *, title: str = "") -> Section | None:
    """Versions to approve, own documents to review, published versions to acknowledge."""
    if not may(user, "view", Document, organization=org):
        return None
    tasks = document_tasks(user, org, today=today)
    items = [
        Item(
            f"{task.code} {task.title}",
            task.url,
            task.label,
            DOCUMENT_TONES.get(task.kind, "secondary"),
            task.note,
            task.due,
            task.overdue,
        )
        for task in tasks
    ]
    return section(
        "document-tasks",
        title or "Documents to deal with",
        items,
        link=link("All my document tasks", "documents:my-tasks"),
        empty="Nothing to do about documents.",
    )


def corrective_action(user: Any, org: Any, today: dt.date) -> tuple[Section | None, Any]:
    """Actions to implement, nonconformities to take on, checks and triage; also returns the
    tasks, whose `reported` list the employee's section shows."""
    if not may(user, "report", Nonconformity, organization=org):
        return None, None
    capa = capa_tasks(user, org, today=today)
    items: list[Item] = []
    for action in capa.actions:
        items.append(
            Item(
                action.title,
                url("improvement:nonconformities-detail", action.nonconformity_id),
                "Action",
                "primary",
                f"{action.nonconformity.reference} · {due_note(action.due_date, today)}",
                action.due_date,
                action.due_date < today,
            )
        )
    for nc in capa.nonconformities:
        late = overdue_since(nc, today)
        shown: Any = nc  # carries `next_step` (set by capa_tasks)
        items.append(
            Item(
                f"{nc.reference} {nc.title}",
                url("improvement:nonconformities-detail", nc.pk),
                "Owner",
                "info",
                shown.next_step + (f" · {due_note(nc.due_date, today)}" if nc.due_date else ""),
                late or nc.due_date,
                late is not None,
            )
        )
    for nc in capa.verifications:
        shown = nc  # carries `check_from` and `check_ready`
        items.append(
            Item(
                f"{nc.reference} {nc.title}",
                url("improvement:nonconformities-detail", nc.pk),
                "Check",
                "secondary",
                "Effectiveness check due"
                if shown.check_ready
                else f"Effectiveness check from {shown.check_from:%Y-%m-%d}",
                shown.check_from,
            )
        )
    if capa.triage:
        count = len(capa.triage)
        items.append(
            Item(
                f"{count} report{'s' if count != 1 else ''} waiting for triage",
                url("improvement:tasks"),
                "Triage",
                "warning",
                f"oldest reported {capa.triage[0].created_at:%Y-%m-%d}",
            )
        )
    return (
        section(
            "capa-tasks",
            "Corrective action",
            items,
            link=link("All my CAPA tasks", "improvement:tasks"),
            empty="Nothing to do about nonconformities.",
            limit=8,
        ),
        capa,
    )


def reported(capa: Any) -> Section | None:
    """The problems the person reported and where each stands (newest first)."""
    if capa is None:
        return None
    closed = (Nonconformity.Status.CLOSED, Nonconformity.Status.DISMISSED)
    items = [
        Item(
            f"{nc.reference} {nc.title}",
            url("improvement:nonconformities-detail", nc.pk),
            nc.get_status_display(),
            "success" if nc.status in closed else "secondary",
            f"reported {nc.created_at:%Y-%m-%d}",
        )
        for nc in capa.reported
    ]
    return section(
        "reported",
        "Problems I reported",
        items,
        link=link("All my reports", "improvement:tasks"),
        empty="You have reported nothing yet.",
        ordered=True,
        info=True,
    )


def training(user: Any, org: Any, today: dt.date) -> Section | None:
    """The person's open training paths: overdue and expired ones first."""
    if not may(user, "view", TrainingPath, organization=org):
        return None
    items = []
    for item in my_training(user, org, as_of=today):
        if not item.is_open:
            continue
        late = item.status in ("overdue", "expired")
        target = (
            url("people:enrolment", item.enrolment.pk)
            if item.enrolment
            else url("people:path-detail", item.path.pk)
        )
        items.append(
            Item(
                item.path.title,
                target,
                "Training",
                "secondary",
                f"{item.status_label} · {item.percent} % done"
                + (f" · due {item.due_date:%Y-%m-%d}" if item.due_date else ""),
                item.due_date,
                late,
            )
        )
    return section(
        "training",
        "My training",
        items,
        link=link("All my training", "people:home"),
        empty="No training waiting for you.",
    )


def objectives(user: Any, org: Any, today: dt.date) -> Section | None:
    """The person's active objectives without a measurement in the last 90 days."""
    if not may(user, "view", Objective, organization=org):
        return None
    since = today - dt.timedelta(days=STALE_AFTER_DAYS)
    rows = list(
        scope(
            Objective.objects.filter(
                organization=org,
                owner=user,
                status=Objective.Status.ACTIVE,
                archived_at__isnull=True,
            ),
            user,
        )
        .annotate(latest=Max("measurements__measured_on"))
        .filter(Q(latest__isnull=True) | Q(latest__lt=since))
        .order_by("latest", "due_date", "pk")
    )
    items = []
    for objective in rows:
        latest: dt.date | None = getattr(objective, "latest", None)
        items.append(
            Item(
                objective.title,
                url("workspace:objectives-detail", objective.pk),
                "Measure",
                "info",
                f"{objective.kpi} · "
                + (f"last measured {latest:%Y-%m-%d}" if latest else "never measured"),
                latest,
                # Never measured since it started a while ago, or measured too long ago.
                (latest or objective.start_date) < since,
            )
        )
    return section(
        "objectives",
        "Objectives to measure",
        items,
        link=link("Objectives", "workspace:objectives-list"),
        empty="Every objective of yours has a recent measurement.",
    )


def risks(user: Any, org: Any, today: dt.date, *, everyone: bool = False) -> Section | None:
    """Risks whose review date has passed or is near: the person's own, or all of them for
    those who run the system (`everyone`)."""
    if not may(user, "view", Risk, organization=org):
        return None
    rows = scope(
        Risk.objects.filter(
            organization=org,
            archived_at__isnull=True,
            review_date__lte=today + dt.timedelta(days=NOTICE_DAYS),
        ).exclude(status=Risk.Status.CLOSED),
        user,
    )
    if not everyone:
        rows = rows.filter(owner=user)
    shown, total, late = first_rows(rows, Q(review_date__lt=today), "review_date", "code")
    items = [
        Item(
            str(risk),
            url("risks:risks-detail", risk.pk),
            "Review",
            "info",
            due_note(risk.review_date, today, "review"),
            risk.review_date,
            bool(risk.review_date and risk.review_date < today),
        )
        for risk in shown
    ]
    return section(
        "risks",
        "Risks to review",
        items,
        link=link("Risk register", "risks:risks-list"),
        empty="No risk is due for review.",
        total=total,
        late=late,
    )


def gap_items(user: Any, org: Any, today: dt.date, *, everyone: bool = False) -> Section | None:
    """Open gap items whose target date has passed or is near (the person's own, or all)."""
    if not may(user, "view", GapItem, organization=org):
        return None
    rows = scope(
        GapItem.objects.filter(
            organization=org,
            assessment__status=GapAssessment.Status.OPEN,
            status__in=[
                GapItem.Status.NOT_STARTED,
                GapItem.Status.PLANNED,
                GapItem.Status.PARTIAL,
            ],
            target_date__lte=today + dt.timedelta(days=NOTICE_DAYS),
        ),
        user,
    )
    if not everyone:
        rows = rows.filter(owner=user)
    shown_items, total, late = first_rows(
        rows.select_related("requirement", "assessment"),
        Q(target_date__lt=today),
        "target_date",
        "sort_key",
    )
    items = [
        Item(
            str(item),
            url("assessments:item_detail", item.pk),
            item.get_status_display(),
            "warning" if item.status == GapItem.Status.NOT_STARTED else "secondary",
            f"{item.assessment.title} · {due_note(item.target_date, today, 'target')}",
            item.target_date,
            bool(item.target_date and item.target_date < today),
        )
        for item in shown_items
    ]
    return section(
        "gap-items",
        "Gap items due",
        items,
        link=link("Gap assessments", "assessments:assessment_list"),
        empty="No gap item is due.",
        total=total,
        late=late,
    )
