"""What the certification body should do about its certificates today: the rules propose,
people decide (except expiry, which the daily job carries out).

- A certificate in force whose cycle has a surveillance audit past its due date and not held
  (no audit yet, or its audit's report not issued) → propose suspension.
- A certificate suspended longer than the body's limit (`dates.withdrawal_due`, six months at
  most) → propose withdrawal, from the day the limit is reached.
- A certificate (in force or suspended) past its last valid day → expire it. The daily job does
  this one itself, with the reason "Expired without recertification"; the client may still be
  restored by a restoration decision until `dates.restoration_deadline`.
- A certificate (in force or suspended) to an edition whose transition to a newer one has ended
  (past the new edition's `transition_ends`) and that was not transferred → propose expiry, from
  the day after the end. Proposed, not done by the job: the dates are catalog data, sometimes
  provisional, and the body confirms them before it acts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Min, Q

from pdca.audits.models import Audit
from pdca.certification.models import Certificate, CycleAudit
from pdca.certification.services import dates
from pdca.certification.services.certificate_transitions import IN_FORCE, transition_certificate
from pdca.certification.services.certificates import body_profile
from pdca.certification.services.editions import standards_prefetch, transitions_of

S = Certificate.Status

#: The reason the daily job writes on an expired certificate.
EXPIRY_REASON = "Expired without recertification"
#: An audit counts as held once its report is issued.
HELD_STATUSES = (Audit.Status.REPORT_ISSUED, Audit.Status.CLOSED)


@dataclass(frozen=True)
class Proposal:
    """One thing to do about one certificate: the status it should move to, why, and since
    when the rule says so."""

    certificate: Certificate
    action: str  # suspend, withdraw or expire
    to_status: str
    since: dt.date
    reason: str

    @property
    def label(self) -> str:
        return {"suspend": "Suspend", "withdraw": "Withdraw", "expire": "Expire"}[self.action]


def _base(organization: Any):
    return Certificate.objects.filter(organization=organization).select_related("client")


def _overdue_surveillance(organization: Any, today: dt.date) -> list[Proposal]:
    overdue = Q(
        cycle__audits__kind=CycleAudit.Kind.SURVEILLANCE,
        cycle__audits__due_date__lt=today,
        cycle__audits__cancelled_reason="",
    ) & (Q(cycle__audits__audit__isnull=True) | ~Q(cycle__audits__audit__status__in=HELD_STATUSES))
    rows = (
        _base(organization)
        .filter(status__in=IN_FORCE, expires_on__gte=today)
        .annotate(overdue_since=Min("cycle__audits__due_date", filter=overdue))
        .filter(overdue_since__isnull=False)
    )
    return [
        Proposal(
            certificate=cert,
            action="suspend",
            to_status=S.SUSPENDED,
            since=cert.overdue_since,
            reason=(f"Surveillance audit due by {cert.overdue_since} not held"),
        )
        for cert in rows
    ]


def _suspended_too_long(organization: Any, today: dt.date) -> list[Proposal]:
    profile = body_profile(organization)
    limit = profile.suspension_limit_months if profile else dates.MAX_SUSPENSION_MONTHS
    found = []
    for cert in _base(organization).filter(status=S.SUSPENDED, expires_on__gte=today):
        due = dates.withdrawal_due(cert.status_changed_on, limit)
        if today >= due:
            found.append(
                Proposal(
                    certificate=cert,
                    action="withdraw",
                    to_status=S.WITHDRAWN,
                    since=due,
                    reason=(
                        f"Suspended since {cert.status_changed_on}, past the limit of "
                        f"{min(limit, dates.MAX_SUSPENSION_MONTHS)} months ({due})"
                    ),
                )
            )
    return found


def _past_expiry(organization: Any, today: dt.date) -> list[Proposal]:
    rows = _base(organization).filter(status__in=(*IN_FORCE, S.SUSPENDED), expires_on__lt=today)
    return [
        Proposal(
            certificate=cert,
            action="expire",
            to_status=S.EXPIRED,
            since=cert.expires_on + dt.timedelta(days=1),
            reason=EXPIRY_REASON,
        )
        for cert in rows
    ]


def _transition_ended(organization: Any, today: dt.date) -> list[Proposal]:
    """Certificates still to an edition whose transition ended before `today` (two queries)."""
    rows = (
        _base(organization)
        .filter(
            status__in=(*IN_FORCE, S.SUSPENDED),
            expires_on__gte=today,
            standards__replaced_by__transition_ends__lt=today,
        )
        .distinct()
        .prefetch_related(standards_prefetch())
    )
    found = []
    for cert in rows:
        ended = [t for t in transitions_of(cert.standards.all()) if t.ended(today)]
        if not ended:
            continue
        first = ended[0]
        assert first.ends is not None
        mark = " (provisional date)" if first.provisional else ""
        found.append(
            Proposal(
                certificate=cert,
                action="expire",
                to_status=S.EXPIRED,
                since=first.ends + dt.timedelta(days=1),
                reason=(
                    f"Not transferred to {first.successor.full_name} by the end of the "
                    f"transition, {first.ends}{mark}"
                ),
            )
        )
    return found


def certificate_proposals(organization: Any, today: dt.date) -> list[Proposal]:
    """Every proposal for the body's certificates on `today`, oldest first (five queries,
    whatever the number of certificates). A certificate proposed for expiry gets no other
    proposal."""
    expiring = [*_past_expiry(organization, today), *_transition_ended(organization, today)]
    ending = {p.certificate.pk for p in expiring}
    found = [
        *expiring,
        *(
            p
            for p in (
                *_suspended_too_long(organization, today),
                *_overdue_surveillance(organization, today),
            )
            if p.certificate.pk not in ending
        ),
    ]
    return sorted(found, key=lambda p: (p.since, p.certificate.number))


@transaction.atomic
def expire_certificates(organization: Any, today: dt.date) -> list[Certificate]:
    """Expire the body's certificates past their last valid day (the daily job; no person),
    each on the day after it. Returns the certificates expired."""
    expired = []
    for proposal in _past_expiry(organization, today):
        cert = proposal.certificate
        transition_certificate(cert, S.EXPIRED, actor=None, reason=EXPIRY_REASON, on=proposal.since)
        expired.append(cert)
    return expired
