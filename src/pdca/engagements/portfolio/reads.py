"""The grouped reads behind the portfolio (see `selectors`): each reads one kind of figure
for every client at once, in a fixed number of queries, keyed by the client's organization
id. Only the engagement decides which organizations are read; nothing here checks a role."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet

from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.readiness import Score
from pdca.audits.models import Audit
from pdca.certification.models import Certificate, CertificationCycle, CycleAudit
from pdca.engagements.models import Engagement
from pdca.engagements.portfolio.figures import (
    EXPIRY_NOTICE_DAYS,
    CertificateItem,
    NextAudit,
    Overdue,
    StandardReadiness,
)
from pdca.improvement.deadlines import overdue_q
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.system.models import AdoptedStandard

__all__ = [
    "certificates",
    "certification_audits",
    "certification_links",
    "internal_audits",
    "overdue",
    "readiness",
]

AUDIT_DONE = (Audit.Status.REPORT_ISSUED, Audit.Status.CLOSED)
GAP_OPEN = (GapItem.Status.NOT_STARTED, GapItem.Status.PLANNED, GapItem.Status.PARTIAL)
NC_SETTLED = (Nonconformity.Status.CLOSED, Nonconformity.Status.DISMISSED)
CERTIFICATE_SHOWN = (
    Certificate.Status.ACTIVE,
    Certificate.Status.SCOPE_REDUCED,
    Certificate.Status.SUSPENDED,
)


def _by_organization(rows: QuerySet[Any]) -> dict[int, int]:
    """{organization id: rows} in one grouped query."""
    grouped = rows.order_by().values_list("organization_id").annotate(n=Count("pk"))
    return {organization_id: n for organization_id, n in grouped}


def overdue(organization_ids: list[int], today: dt.date) -> dict[int, Overdue]:
    """Open work past its date, per client: four grouped queries."""
    nonconformities = _by_organization(
        Nonconformity.objects.filter(
            organization_id__in=organization_ids, archived_at__isnull=True
        ).filter(overdue_q(today))
    )
    actions = _by_organization(
        CorrectiveAction.objects.filter(
            organization_id__in=organization_ids,
            status=CorrectiveAction.Status.PLANNED,
            due_date__lt=today,
            nonconformity__archived_at__isnull=True,
        ).exclude(nonconformity__status__in=NC_SETTLED)
    )
    review_actions = _by_organization(
        ReviewOutput.objects.filter(
            organization_id__in=organization_ids,
            status=ReviewOutput.Status.OPEN,
            due_date__lt=today,
            archived_at__isnull=True,
            review__archived_at__isnull=True,
        ).exclude(review__status=ManagementReview.Status.CANCELLED)
    )
    gap_items = _by_organization(
        GapItem.objects.filter(
            organization_id__in=organization_ids,
            assessment__status=GapAssessment.Status.OPEN,
            target_date__lt=today,
            status__in=GAP_OPEN,
        )
    )
    return {
        pk: Overdue(
            nonconformities.get(pk, 0),
            actions.get(pk, 0),
            review_actions.get(pk, 0),
            gap_items.get(pk, 0),
        )
        for pk in organization_ids
    }


def readiness(organization_ids: list[int]) -> dict[int, list[StandardReadiness]]:
    """Per client, each adopted standard of each management system with the readiness its
    system's latest open gap assessment (else the latest) gives: the assessments app's rule
    (`readiness.Score`), counted for every system at once in three queries."""
    adoptions = list(
        AdoptedStandard.objects.filter(
            organization_id__in=organization_ids, dropped_on__isnull=True
        )
        .select_related("system", "standard")
        .order_by("system__name", "system_id", "standard__name")
    )
    shown: dict[int, tuple[int, str, dt.date]] = {}
    with_open: set[int] = set()
    rows = (
        GapAssessment.objects.filter(system_id__in={a.system_id for a in adoptions})
        .order_by("-started_on", "-pk")
        .values_list("pk", "system_id", "title", "status", "started_on")
    )
    for pk, system_id, title, status, started_on in rows:  # the latest first
        is_open = status == GapAssessment.Status.OPEN
        # The latest open one wins; the latest of all when none is open.
        if system_id not in shown or (is_open and system_id not in with_open):
            shown[system_id] = (pk, title, started_on)
        if is_open:
            with_open.add(system_id)
    scores: dict[tuple[int, int], Score] = defaultdict(Score)
    counts = (
        GapItem.objects.filter(
            assessment_id__in=[pk for pk, _, _ in shown.values()],
            covers__standard_id__in={a.standard_id for a in adoptions},
        )
        .order_by()
        .values_list("assessment_id", "covers__standard_id", "status")
        .annotate(n=Count("pk", distinct=True))
    )
    for assessment_id, standard_id, status, n in counts:
        scores[(assessment_id, standard_id)].counts[status] += n
    found: dict[int, list[StandardReadiness]] = defaultdict(list)
    for adoption in adoptions:
        assessment = shown.get(adoption.system_id)
        score = scores[(assessment[0], adoption.standard_id)] if assessment else Score()
        found[adoption.organization_id].append(
            StandardReadiness(
                system_id=adoption.system_id,
                system=adoption.system.name,
                code=adoption.standard.code,
                name=str(adoption.standard),
                percent=score.percent,
                applicable=score.applicable,
                assessment=assessment[1] if assessment else "",
                assessed_on=assessment[2] if assessment else None,
            )
        )
    return found


def _days(day: dt.date | None, today: dt.date) -> int | None:
    return (day - today).days if day is not None else None


def internal_audits(organization_ids: list[int], today: dt.date) -> dict[int, list[NextAudit]]:
    """The clients' own internal audits not yet reported and not over: one query."""
    found: dict[int, list[NextAudit]] = defaultdict(list)
    rows = (
        Audit.objects.filter(
            organization_id__in=organization_ids,
            audit_type=Audit.Type.INTERNAL,
            archived_at__isnull=True,
            end_date__gte=today,
        )
        .exclude(status__in=AUDIT_DONE)
        .order_by("start_date", "pk")
        .values_list("organization_id", "reference", "start_date", "end_date")
    )
    for organization_id, reference, start, end in rows:
        found[organization_id].append(
            NextAudit(
                kind="internal",
                label=f"Internal audit {reference}".strip(),
                body="",
                start_date=start,
                end_date=end,
                due_date=None,
                days_until=_days(start, today),
            )
        )
    return found


def certification_links(organization_ids: list[int]) -> dict[int, tuple[int, str]]:
    """{client record id: (client organization id, certification body's name)} of the
    active certification engagements with the clients: one query."""
    rows = Engagement.objects.filter(
        kind=Engagement.Kind.CERTIFICATION,
        status=Engagement.Status.ACTIVE,
        client_organization_id__in=organization_ids,
        client__isnull=False,
        client__archived_at__isnull=True,
    ).values_list("client_id", "client_organization_id", "organization__name")
    return {client_id: (org_id, body) for client_id, org_id, body in rows if client_id and org_id}


def certification_audits(
    links: dict[int, tuple[int, str]], today: dt.date
) -> dict[int, list[NextAudit]]:
    """The linked bodies' programme audits of the clients ahead: scheduled and not over, or
    not scheduled yet and due by a later date. One query."""
    found: dict[int, list[NextAudit]] = defaultdict(list)
    scheduled = Q(audit__archived_at__isnull=True, audit__end_date__gte=today) & ~Q(
        audit__status__in=AUDIT_DONE
    )
    rows = (
        CycleAudit.objects.filter(cycle__client_id__in=list(links), cancelled_reason="")
        .exclude(cycle__status=CertificationCycle.Status.ENDED)
        .filter(Q(audit__isnull=True, due_date__gte=today) | scheduled)
        .order_by("due_date", "pk")
        .values_list(
            "cycle__client_id",
            "kind",
            "sequence",
            "due_date",
            "audit__start_date",
            "audit__end_date",
        )
    )
    for client_id, kind, sequence, due, start, end in rows:
        organization_id, body = links[client_id]
        label = str(CycleAudit.Kind(kind).label)
        if kind == CycleAudit.Kind.SURVEILLANCE:
            label = f"{label} {sequence}"
        found[organization_id].append(
            NextAudit(
                kind="certification",
                label=f"{label} audit" if "audit" not in label else label,
                body=body,
                start_date=start,
                end_date=end,
                due_date=None if start else due,
                days_until=_days(start or due, today),
            )
        )
    return found


def certificates(
    links: dict[int, tuple[int, str]], today: dt.date
) -> dict[int, list[CertificateItem]]:
    """The linked bodies' valid or suspended certificates of the clients: two queries."""
    found: dict[int, list[CertificateItem]] = defaultdict(list)
    rows = (
        Certificate.objects.filter(client_id__in=list(links), status__in=CERTIFICATE_SHOWN)
        .prefetch_related("standards")
        .order_by("expires_on", "number")
    )
    notice = today + dt.timedelta(days=EXPIRY_NOTICE_DAYS)
    for certificate in rows:
        organization_id, body = links[certificate.client_id]
        found[organization_id].append(
            CertificateItem(
                number=certificate.number,
                body=body,
                standards=sorted(str(s) for s in certificate.standards.all()),
                status=certificate.status,
                status_label=certificate.get_status_display(),
                expires_on=certificate.expires_on,
                days_left=(certificate.expires_on - today).days,
                expiring=certificate.is_valid and certificate.expires_on <= notice,
                suspended=certificate.status == Certificate.Status.SUSPENDED,
            )
        )
    return found
