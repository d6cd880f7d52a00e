"""What a consultancy's portfolio shows, as plain values: per client (readiness per adopted
standard, overdue work, next audits, certificates) and the totals across clients. Built by
`reads.portfolio_for`; the page, the API and `pdca portfolio` show the same `as_dict()`."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

#: A certificate expiring within this many days is flagged.
EXPIRY_NOTICE_DAYS = 90
#: An audit starting within this many days needs the consultant's attention.
AUDIT_NOTICE_DAYS = 30
#: The totals count the audits of this many days ahead.
AUDIT_HORIZON_DAYS = 90
#: The most audits listed per client; `audits_count` counts them all.
LISTED_AUDITS = 3


@dataclass(frozen=True)
class StandardReadiness:
    """Readiness of one adopted standard of one management system of the client, from the
    system's latest open gap assessment (else its latest one)."""

    system_id: int
    system: str
    code: str
    name: str
    percent: float | None
    applicable: int
    assessment: str
    assessed_on: dt.date | None


@dataclass(frozen=True)
class Overdue:
    """Open work past its date: nonconformities (their own or a certification body's dates),
    corrective actions, management review actions, and gap items past their target date."""

    nonconformities: int = 0
    corrective_actions: int = 0
    review_actions: int = 0
    gap_items: int = 0

    @property
    def total(self) -> int:
        return self.nonconformities + self.corrective_actions + self.review_actions + self.gap_items

    def __add__(self, other: Overdue) -> Overdue:
        return Overdue(
            self.nonconformities + other.nonconformities,
            self.corrective_actions + other.corrective_actions,
            self.review_actions + other.review_actions,
            self.gap_items + other.gap_items,
        )

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "total": self.total}


@dataclass(frozen=True)
class NextAudit:
    """An audit ahead: one of the client's internal audits, or a certification audit of a
    certification body linked to the client (scheduled, or only due by a date)."""

    kind: str  # "internal" or "certification"
    label: str
    body: str
    start_date: dt.date | None
    end_date: dt.date | None
    due_date: dt.date | None
    days_until: int | None

    @property
    def scheduled(self) -> bool:
        return self.start_date is not None

    @property
    def sort_date(self) -> dt.date:
        return self.start_date or self.due_date or dt.date.max


@dataclass(frozen=True)
class CertificateItem:
    """A certificate of the client from a linked certification body."""

    number: str
    body: str
    standards: list[str]
    status: str
    status_label: str
    expires_on: dt.date
    days_left: int
    expiring: bool
    suspended: bool


@dataclass
class ClientFigures:
    """One client of the portfolio."""

    engagement_id: int
    organization_id: int
    slug: str
    name: str
    consultancy: str
    since: dt.date | None
    member: bool
    readiness: list[StandardReadiness] = field(default_factory=list)
    overdue: Overdue = field(default_factory=Overdue)
    audits: list[NextAudit] = field(default_factory=list)
    audits_count: int = 0
    #: Audits starting (or due) within AUDIT_HORIZON_DAYS.
    audits_ahead: int = 0
    certificates: list[CertificateItem] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)

    @property
    def lowest_readiness(self) -> float | None:
        known = [r.percent for r in self.readiness if r.percent is not None]
        return min(known) if known else None

    @property
    def next_audit(self) -> NextAudit | None:
        return self.audits[0] if self.audits else None

    def sort_key(self) -> tuple[Any, ...]:
        """Most things needing attention first, then the nearest audit, the lowest
        readiness, and the name."""
        nearest = self.next_audit.sort_date if self.next_audit else dt.date.max
        lowest = self.lowest_readiness
        return (-len(self.attention), nearest, 101.0 if lowest is None else lowest, self.name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "engagement_id": self.engagement_id,
            "organization_id": self.organization_id,
            "organization": self.slug,
            "name": self.name,
            "consultancy": self.consultancy,
            "since": self.since,
            "member": self.member,
            "attention": list(self.attention),
            "lowest_readiness": self.lowest_readiness,
            "readiness": [asdict(r) for r in self.readiness],
            "overdue": self.overdue.as_dict(),
            "audits": [{**asdict(a), "scheduled": a.scheduled} for a in self.audits],
            "audits_count": self.audits_count,
            "audits_ahead": self.audits_ahead,
            "certificates": [asdict(c) for c in self.certificates],
        }


@dataclass(frozen=True)
class Totals:
    clients: int
    needing_attention: int
    overdue: Overdue
    audits_ahead: int
    certificates_expiring: int
    certificates_suspended: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "overdue": self.overdue.as_dict()}


@dataclass
class Portfolio:
    """The clients of the consultancies a member works for, with an active consultancy
    engagement, sorted by what needs attention, and the totals across them."""

    today: dt.date
    consultancies: list[str]
    clients: list[ClientFigures]

    @property
    def totals(self) -> Totals:
        overdue = Overdue()
        for client in self.clients:
            overdue += client.overdue
        return Totals(
            clients=len(self.clients),
            needing_attention=sum(1 for c in self.clients if c.attention),
            overdue=overdue,
            audits_ahead=sum(c.audits_ahead for c in self.clients),
            certificates_expiring=sum(
                1 for c in self.clients for x in c.certificates if x.expiring
            ),
            certificates_suspended=sum(
                1 for c in self.clients for x in c.certificates if x.suspended
            ),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "consultancies": list(self.consultancies),
            "notice_days": {
                "certificate_expiry": EXPIRY_NOTICE_DAYS,
                "audit": AUDIT_NOTICE_DAYS,
                "audits_ahead": AUDIT_HORIZON_DAYS,
            },
            "totals": self.totals.as_dict(),
            "clients": [c.as_dict() for c in self.clients],
        }
