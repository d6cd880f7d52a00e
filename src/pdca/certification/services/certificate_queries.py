"""Reading the certificate register: the filters the list page, the API and the CLI share,
each applied in the database, so a page costs the same few queries whatever the register's
size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from pdca.certification.models import Certificate
from pdca.certification.services.editions import standards_prefetch
from pdca.core.permissions import scope

S = Certificate.Status


@dataclass(frozen=True)
class CertificateFilters:
    """What to keep: empty means no filter."""

    status: str = ""
    standard: str = ""  # a standard's code, e.g. iso9001-2015
    expiring_within: int | None = None  # days from today, in force only
    client: int | None = None  # client id
    accredited: bool | None = None
    q: str = ""  # words of the number or the client's name
    in_transition: bool | None = None  # to an edition a newer one replaces (True), or not


def certificate_rows(user: Any, organization: Any = None) -> QuerySet[Certificate]:
    """The certificates `user` may read (of `organization` when given), ready for a list
    (client and body joined, standards prefetched with the editions replacing them), newest
    first."""
    rows = scope(Certificate.objects.all(), user)
    if organization is not None:
        rows = rows.filter(organization=organization)
    return (
        rows.select_related("client", "organization")
        .prefetch_related(standards_prefetch())
        .order_by("-issued_on", "-pk")
    )


def filter_certificates(
    rows: QuerySet[Certificate], filters: CertificateFilters, today: dt.date
) -> QuerySet[Certificate]:
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.standard:
        rows = rows.filter(standards__code=filters.standard)
    if filters.expiring_within is not None:
        rows = rows.filter(
            status__in=(S.ACTIVE, S.SCOPE_REDUCED, S.SUSPENDED),
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=filters.expiring_within),
        )
    if filters.client is not None:
        rows = rows.filter(client_id=filters.client)
    if filters.accredited is not None:
        rows = rows.filter(accredited=filters.accredited)
    if filters.in_transition is not None:
        replaced = Certificate.objects.filter(standards__replaced_by__isnull=False).values("pk")
        rows = (
            rows.filter(pk__in=replaced) if filters.in_transition else rows.exclude(pk__in=replaced)
        )
    for word in filters.q.split()[:8]:
        rows = rows.filter(
            Q(number__icontains=word) | Q(client_name__icontains=word) | Q(scope__icontains=word)
        )
    return rows


def parse_filters(data: Any) -> tuple[CertificateFilters, dict[str, str]]:
    """Filters from a query string (a page's GET); bad values are named and left out."""
    errors: dict[str, str] = {}
    status = (data.get("status") or "").strip()
    if status and status not in S.values:
        errors["status"] = f"“{status}” is not a status."
        status = ""
    within: int | None = None
    raw = (data.get("expiring_within") or "").strip()
    if raw:
        if raw.isdigit() and int(raw) <= 3650:
            within = int(raw)
        else:
            errors["expiring_within"] = "A number of days from 0 to 3650."
    client: int | None = None
    raw = (data.get("client") or "").strip()
    if raw:
        if raw.isdigit() and 0 < int(raw) < 2**63:
            client = int(raw)
        else:
            errors["client"] = "Not a client."
    accredited = {"yes": True, "no": False}.get((data.get("accredited") or "").strip())
    in_transition = {"yes": True, "no": False}.get((data.get("in_transition") or "").strip())
    return (
        CertificateFilters(
            status=status,
            standard=(data.get("standard") or "").strip()[:60],
            expiring_within=within,
            client=client,
            accredited=accredited,
            q=(data.get("q") or "").strip()[:200],
            in_transition=in_transition,
        ),
        errors,
    )


@dataclass(frozen=True)
class TransitionSummary:
    """One edition being replaced, and how many of the body's certificates (in force or
    suspended) still name it."""

    transition: Any  # editions.EditionTransition
    certificates: int


def transition_summary(organization: Any) -> list[TransitionSummary]:
    """The editions in transition that the body's certificates still name, most urgent first
    (two queries)."""
    from django.db.models import Count

    from pdca.certification.services.editions import standards_query, transitions_of

    counts = dict(
        Certificate.objects.filter(
            organization=organization,
            status__in=(S.ACTIVE, S.SCOPE_REDUCED, S.SUSPENDED),
            standards__replaced_by__isnull=False,
        )
        .values_list("standards")
        .annotate(n=Count("pk", distinct=True))
        .values_list("standards", "n")
    )
    if not counts:
        return []
    found = transitions_of(standards_query().filter(pk__in=list(counts)))
    return [TransitionSummary(t, counts[t.standard.pk]) for t in found]
