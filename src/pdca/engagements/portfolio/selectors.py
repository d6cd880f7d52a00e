"""The consultancy's portfolio: what it reads of its clients, and who may read it.

Who: the members of a consultancy organization, employees excepted (`require_consultancy`).
What: the clients of their consultancy with an active consultancy engagement, which each
client accepted; so the portfolio reads summary figures of those clients' organizations
(counts, readiness percentages, audit dates, certificate numbers and expiry), never their
records, and only through the engagement: the engagement is the scope, as `access` decides
for everything that crosses one. Certification audits and certificates come from the
certification bodies with an active certification engagement with the same client.

Every figure is read for all clients at once (a fixed number of grouped queries), so the
portfolio costs the same queries for one client with ten records or fifty with thousands.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pdca.core.exceptions import PermissionDenied
from pdca.core.permissions import memberships
from pdca.core.roles import Role
from pdca.engagements.models import Engagement
from pdca.engagements.permissions import READERS
from pdca.engagements.portfolio import reads
from pdca.engagements.portfolio.figures import (
    AUDIT_HORIZON_DAYS,
    AUDIT_NOTICE_DAYS,
    LISTED_AUDITS,
    ClientFigures,
    NextAudit,
    Portfolio,
)
from pdca.tenancy.models import Organization

__all__ = ["NotConsultant", "local_today", "portfolio_for", "require_consultancy"]

CONSULTANCY = Organization.Kind.CONSULTANCY


class NotConsultant(PermissionDenied):
    """The user is not one of a consultancy's consultants or managers."""

    code = "not_consultant"


def local_today() -> dt.date:
    return timezone.localdate()


# --- who ----------------------------------------------------------------------------------


def require_consultancy(user: Any) -> list[Organization]:
    """The consultancies whose portfolio `user` reads (every member but employees); refused
    with what to do otherwise. One query."""
    roles = memberships(user)
    consultancies = list(
        Organization.objects.filter(pk__in=list(roles), kind=CONSULTANCY).order_by("name")
    )
    readers = [o for o in consultancies if roles[o.pk] in READERS]
    if readers:
        return readers
    if consultancies:
        first = consultancies[0]
        raise NotConsultant(
            f"Your role ({Role(roles[first.pk]).label}) in {first.name} does not show its "
            "portfolio: it is for the consultancy's consultants and managers."
        )
    raise NotConsultant(
        "The portfolio shows a consultancy's clients across them, and you are not a member "
        "of a consultancy organization in pdca."
    )


# --- what ---------------------------------------------------------------------------------


def _attention(client: ClientFigures, audits: list[NextAudit], today: dt.date) -> list[str]:
    """What needs the consultant's attention at this client, in words."""
    notes = []
    if client.overdue.total:
        n = client.overdue.total
        notes.append(f"{n} overdue item{'s' if n != 1 else ''}")
    for certificate in client.certificates:
        if certificate.suspended:
            notes.append(f"certificate {certificate.number} suspended")
        elif certificate.days_left < 0:
            notes.append(f"certificate {certificate.number} past its expiry date")
        elif certificate.expiring:
            notes.append(
                f"certificate {certificate.number} expires in {certificate.days_left} days"
            )
    soon = today + dt.timedelta(days=AUDIT_NOTICE_DAYS)
    for audit in audits:
        if audit.start_date is not None and audit.start_date <= soon:
            when = "under way" if audit.start_date <= today else f"in {audit.days_until} days"
            notes.append(f"{audit.label} {when}")
    return notes


def portfolio_for(
    consultancies: list[Organization], *, user: Any = None, today: dt.date | None = None
) -> Portfolio:
    """The portfolio of `consultancies` (from `require_consultancy`, or any the operator at
    the command line names) as `user` sees it: the same fifteen queries or so whatever the
    number of clients and records."""
    today = today or local_today()
    engagements = list(
        Engagement.objects.filter(
            kind=Engagement.Kind.CONSULTANCY,
            status=Engagement.Status.ACTIVE,
            organization__in=consultancies,
            client_organization__isnull=False,
        )
        .select_related("organization", "client_organization")
        .order_by("client_organization__name", "pk")
    )
    portfolio = Portfolio(today, [c.name for c in consultancies], [])
    if not engagements:
        return portfolio
    organization_ids = sorted(
        {e.client_organization_id for e in engagements if e.client_organization_id}
    )
    mine = set(memberships(user)) if user is not None else set()
    readiness = reads.readiness(organization_ids)
    overdue = reads.overdue(organization_ids, today)
    links = reads.certification_links(organization_ids)
    audits = reads.internal_audits(organization_ids, today)
    for organization_id, found in reads.certification_audits(links, today).items():
        audits[organization_id].extend(found)
    certificates = reads.certificates(links, today)
    horizon = today + dt.timedelta(days=AUDIT_HORIZON_DAYS)
    for engagement in engagements:
        organization = engagement.client_organization
        assert organization is not None
        ahead = sorted(audits.get(organization.pk, []), key=lambda a: (a.sort_date, a.label))
        client = ClientFigures(
            engagement_id=engagement.pk,
            organization_id=organization.pk,
            slug=organization.slug,
            name=organization.name,
            consultancy=engagement.organization.name,
            since=engagement.started_on or _local_day(engagement.accepted_at),
            member=organization.pk in mine,
            readiness=readiness.get(organization.pk, []),
            overdue=overdue[organization.pk],
            audits=ahead[:LISTED_AUDITS],
            audits_count=len(ahead),
            audits_ahead=sum(1 for a in ahead if a.sort_date <= horizon),
            certificates=certificates.get(organization.pk, []),
        )
        client.attention = _attention(client, ahead, today)
        portfolio.clients.append(client)
    portfolio.clients.sort(key=ClientFigures.sort_key)
    return portfolio


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None
