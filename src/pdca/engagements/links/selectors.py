"""What the engagement pages show, read in a fixed number of queries whatever the number of
grants, requests, audits and findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from pdca.audits.models import Audit, Finding
from pdca.engagements import access
from pdca.engagements.models import AccessGrant, Engagement, EvidenceRequest, FindingLink
from pdca.engagements.services.findings import audits_of
from pdca.engagements.services.shared import Shared, shared_now
from pdca.improvement.models import CorrectiveAction


def listed(user: Any, organization: Any) -> QuerySet[Engagement]:
    """The engagements of the organization the user works in, from its side, with counts."""
    now = timezone.now()
    return (
        access.engagements_for(user)
        .filter(Q(organization=organization) | Q(client_organization=organization))
        .annotate(
            open_grants=Count(
                "grants",
                filter=Q(
                    grants__revoked_at__isnull=True,
                    grants__starts_at__lte=now,
                    grants__ends_at__gt=now,
                ),
                distinct=True,
            ),
            open_requests=Count(
                "requests",
                filter=Q(requests__status__in=["open", "returned", "answered"]),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass
class Detail:
    engagement: Engagement
    side: str
    grants: list[AccessGrant] = field(default_factory=list)
    requests: list[EvidenceRequest] = field(default_factory=list)
    audits: list[Audit] = field(default_factory=list)
    findings: list[FindingLink] = field(default_factory=list)
    consultants: list[Any] = field(default_factory=list)
    shared: Shared | None = None

    @property
    def is_provider(self) -> bool:
        return self.side == access.PROVIDER


def detail(engagement: Engagement, user: Any) -> Detail:
    side = access.side_of(user, engagement)
    if side is None:
        raise LookupError("not a side of the engagement")
    data = Detail(engagement, side)
    data.grants = list(
        AccessGrant.objects.filter(engagement=engagement)
        .select_related("granted_by", "revoked_by", "system")
        .prefetch_related("documents", "versions__document", "evidence")
        .order_by("-starts_at", "-pk")
    )
    data.requests = list(
        EvidenceRequest.objects.filter(engagement=engagement)
        .select_related("requested_by", "answered_by", "audit", "requirement")
        .prefetch_related("documents", "evidence")
        .order_by("-pk")
    )
    audits = audits_of(engagement)
    data.audits = audits if data.is_provider else [a for a in audits if _released(a)]
    data.findings = list(
        FindingLink.objects.filter(engagement=engagement)
        .select_related(
            "finding",
            "finding__audit",
            "finding__certification_review",
            "finding__audit__certification_audit",
            "nonconformity",
            "nonconformity__owner",
            "plan_sent_by",
        )
        .prefetch_related(
            "nonconformity__correction_evidence",
            Prefetch(
                "nonconformity__actions",
                queryset=CorrectiveAction.objects.select_related("owner").order_by("due_date"),
            ),
        )
        .order_by("finding__audit__start_date", "finding__number")
    )
    data.consultants = list(engagement.consultants.order_by("email"))
    if data.is_provider:
        data.shared = shared_now(engagement, actor=user)
    return data


def _released(audit: Audit) -> bool:
    try:
        return audit.client_release is not None
    except Audit.client_release.RelatedObjectDoesNotExist:
        return False


def released_audit(engagement: Engagement, audit_id: int, user: Any) -> Audit:
    """One audit of the engagement: the provider sees each of its audits of the client; the
    client only those released to it."""
    side = access.side_of(user, engagement)
    audit = next((a for a in audits_of(engagement) if a.pk == audit_id), None)
    if audit is None or side is None or (side == access.CLIENT and not _released(audit)):
        raise LookupError("no such audit")
    return audit


def audit_parts(audit: Audit) -> dict[str, Any]:
    """The plan, team and findings of an audit as the client sees it."""
    return {
        "plan": list(audit.plan_items.select_related("process", "auditor").order_by("starts_at")),
        "team": list(audit.team.select_related("user").order_by("role")),
        "findings": list(
            Finding.objects.filter(audit=audit)
            .select_related("client_link__nonconformity", "certification_review")
            .prefetch_related("requirements")
            .order_by("number")
        ),
        "reported": audit.report_frozen,
    }
