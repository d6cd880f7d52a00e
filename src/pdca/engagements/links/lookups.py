"""What the engagements API and `pdca engagement` read, from the reader's side.

Every lookup starts from `access.engagements_for(user)`: another organization's engagement, and
what hangs under it, is NotFound (404). Someone who reads the engagement from one side and asks
for what only the other side does gets PermissionDenied (403). `user` None is the operator at
the command line, who reads everything. Lists fetch their related rows up front, so that the
number of queries does not grow with the rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from pdca.audits.models import Audit, AuditPlanItem, Finding
from pdca.core.exceptions import NotFound, PermissionDenied
from pdca.core.permissions import memberships
from pdca.documents.models import DocumentVersion
from pdca.engagements import access
from pdca.engagements.models import AccessGrant, Engagement, EvidenceRequest, FindingLink
from pdca.engagements.permissions import CLIENT_READERS, READERS
from pdca.improvement.models import CorrectiveAction
from pdca.standards.models import Requirement

S = Engagement.Status


def engagements(user: Any) -> QuerySet[Engagement]:
    """The engagements `user` reads (every one for the operator), newest first."""
    rows = access.engagements_for(user) if user is not None else Engagement.objects.all()
    return (
        rows.select_related(
            "organization", "client_organization", "client", "invited_by", "accepted_by", "ended_by"
        )
        .prefetch_related("consultants")
        .order_by("-created_at", "-pk")
    )


def filter_engagements(
    rows: QuerySet[Engagement], user: Any, *, side: str | None, status: str | None, kind=None
) -> QuerySet[Engagement]:
    now = timezone.now()
    if status == "expired":
        rows = rows.filter(status=S.INVITED, expires_at__lte=now)
    elif status == S.INVITED:
        rows = rows.filter(status=S.INVITED, expires_at__gt=now)
    elif status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if side and user is not None:
        roles = memberships(user)
        if side == access.PROVIDER:
            rows = rows.filter(organization_id__in=[o for o, r in roles.items() if r in READERS])
        else:
            mine = [o for o, r in roles.items() if r in CLIENT_READERS]
            # Read from the provider's side when the user belongs to both (as `side_of` does).
            providing = [o for o, r in roles.items() if r in READERS]
            rows = rows.filter(client_organization_id__in=mine).exclude(
                organization_id__in=providing
            )
    return rows


def engagement(user: Any, pk: int) -> Engagement:
    found = engagements(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such engagement.")
    return found


def require_side(user: Any, engagement_: Engagement, side: str) -> None:
    """Refuse (403) what only the other side of the engagement does."""
    if user is not None and access.side_of(user, engagement_) != side:
        raise PermissionDenied(f"Only the {side}'s side of the engagement does this.")


# --- grants ---------------------------------------------------------------------------------


def grants(rows: QuerySet[AccessGrant] | None = None) -> QuerySet[AccessGrant]:
    rows = rows if rows is not None else AccessGrant.objects.all()
    return rows.select_related("granted_by", "revoked_by", "system").prefetch_related(
        "documents",
        Prefetch("versions", queryset=DocumentVersion.objects.select_related("document")),
        "evidence",
    )


def filter_grants(rows: QuerySet[AccessGrant], state: str | None) -> QuerySet[AccessGrant]:
    now = timezone.now()
    if state == "revoked":
        return rows.filter(revoked_at__isnull=False)
    if state == "scheduled":
        return rows.filter(revoked_at__isnull=True, starts_at__gt=now)
    if state == "active":
        return rows.filter(revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
    if state == "expired":
        return rows.filter(revoked_at__isnull=True, ends_at__lte=now)
    return rows


def grants_of(engagement_: Engagement) -> QuerySet[AccessGrant]:
    return grants(AccessGrant.objects.filter(engagement=engagement_)).order_by("-starts_at", "-pk")


def grant(user: Any, pk: int) -> AccessGrant:
    found = (
        grants(AccessGrant.objects.filter(engagement__in=engagements(user).values("pk")))
        .select_related("engagement", "engagement__organization", "engagement__client_organization")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("No such access grant.")
    return found


# --- evidence requests ----------------------------------------------------------------------


def requests(rows: QuerySet[EvidenceRequest] | None = None) -> QuerySet[EvidenceRequest]:
    rows = rows if rows is not None else EvidenceRequest.objects.all()
    return rows.select_related(
        "audit",
        "requirement__standard",
        "requested_by",
        "answered_by",
        "reviewed_by",
    ).prefetch_related("documents", "evidence")


def requests_of(engagement_: Engagement) -> QuerySet[EvidenceRequest]:
    return requests(EvidenceRequest.objects.filter(engagement=engagement_)).order_by(
        "due_date", "number"
    )


def evidence_request(user: Any, pk: int) -> EvidenceRequest:
    found = (
        requests(EvidenceRequest.objects.filter(engagement__in=engagements(user).values("pk")))
        .select_related("engagement", "engagement__organization", "engagement__client_organization")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("No such evidence request.")
    return found


# --- audits and findings --------------------------------------------------------------------


def audits_of(engagement_: Engagement, *, released_only: bool) -> QuerySet[Audit]:
    """The body's audits of the engagement's client record (none for a consultancy), latest
    first; `released_only`: those released to this link (what the client sees)."""
    if engagement_.client_id is None:
        return Audit.objects.none()
    rows = Audit.objects.filter(
        certification_audit__cycle__client_id=engagement_.client_id,
        organization_id=engagement_.organization_id,
    )
    if released_only:
        rows = rows.filter(client_release__engagement=engagement_)
    requirements: Prefetch[Any, Any, Any] = Prefetch(
        "requirements",
        queryset=Requirement.objects.select_related("standard").order_by(
            "standard__name", "sort_key"
        ),
    )
    findings = Finding.objects.prefetch_related(requirements).order_by("number")
    plan = AuditPlanItem.objects.select_related("process", "site", "auditor").order_by(
        "starts_at", "pk"
    )
    related: list[str | Prefetch[Any, Any, Any]] = [
        "standards",
        Prefetch("plan_items", queryset=plan),
        Prefetch("findings", queryset=findings),
        "reports",
    ]
    return (
        rows.select_related("lead_auditor", "client_release__released_by")
        .prefetch_related(*related)
        .order_by("-start_date", "-pk")
    )


def finding_links(rows: QuerySet[FindingLink] | None = None) -> QuerySet[FindingLink]:
    rows = rows if rows is not None else FindingLink.objects.all()
    actions = CorrectiveAction.objects.select_related("owner").order_by("due_date", "pk")
    return (
        rows.select_related(
            "engagement",
            "finding__audit",
            "finding__certification_review",
            "nonconformity",
            "plan_sent_by",
        )
        .prefetch_related(Prefetch("nonconformity__actions", queryset=actions))
        .order_by("finding__audit__start_date", "finding__audit_id", "finding__number", "pk")
    )


def finding_links_of(engagement_: Engagement) -> QuerySet[FindingLink]:
    return finding_links(FindingLink.objects.filter(engagement=engagement_))


def finding_link(user: Any, pk: int) -> FindingLink:
    found = (
        finding_links(FindingLink.objects.filter(engagement__in=engagements(user).values("pk")))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("No such finding link.")
    return found


def open_request_filter(today=None) -> Q:
    """Requests still waiting for the client, past their due date."""
    today = today or timezone.localdate()
    return Q(
        status__in=[EvidenceRequest.Status.OPEN, EvidenceRequest.Status.RETURNED],
        due_date__lt=today,
    )
