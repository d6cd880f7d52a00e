"""The certification body's auditor pool: each person's qualifications per standard and role
(with validity and the records behind them) and their audit log, days per standard and role.

The days of an audit are its calendar days (first to last day), counted for each person on its
team in their role and for each of its standards: an integrated audit of two standards counts
its days for both, as an auditor's log does. Each person's transition training (for new
editions of standards) is listed with the qualifications. Six queries, whatever the size of the
pool.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum

from pdca.audits.models import Audit, AuditTeamMember
from pdca.certification.models import ConflictOfInterest, CycleAudit
from pdca.core.roles import Role
from pdca.people.models import Qualification, TrainingRecord
from pdca.tenancy.models import Membership

#: The certification body's roles listed in the pool.
POOL_ROLES = (
    Role.LEAD_AUDITOR,
    Role.AUDITOR,
    Role.TECHNICAL_EXPERT,
    Role.CERTIFICATION_DECISION_MAKER,
    Role.CB_MANAGER,
)
#: Qualifications expiring within this many days are flagged.
EXPIRY_WARNING_DAYS = 90


@dataclass
class LogEntry:
    """One audit in a person's log."""

    audit_id: int
    reference: str
    title: str
    client: str
    kind: str
    role: str
    start: dt.date
    end: dt.date
    standards: list[str]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class PoolMember:
    user_id: int
    person: str
    email: str
    role: str
    role_label: str
    qualifications: list[Qualification] = field(default_factory=list)
    transition_training: list[TrainingRecord] = field(default_factory=list)
    records: int = 0
    log: list[LogEntry] = field(default_factory=list)
    #: Without the log (`auditor_pool(..., log=False)`): its length and days, counted by the
    #: database.
    log_audits: int | None = None
    log_days: int | None = None

    @property
    def audits(self) -> int:
        return len(self.log) if self.log_audits is None else self.log_audits

    def days_by(self) -> dict[tuple[str, str], int]:
        """{(standard, team role): days}."""
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for entry in self.log:
            for standard in entry.standards:
                totals[(standard, entry.role)] += entry.days
        return dict(sorted(totals.items()))

    @property
    def total_days(self) -> int:
        if self.log_days is not None:
            return self.log_days
        return sum(entry.days for entry in self.log)

    def standing(self, qualification: Qualification, on: dt.date) -> str:
        if qualification.status != Qualification.Status.ACTIVE:
            return qualification.get_status_display()
        if qualification.expires_on is not None:
            if qualification.expires_on < on:
                return "Expired"
            if (qualification.expires_on - on).days <= EXPIRY_WARNING_DAYS:
                return "Expiring"
        return "Valid"


def auditor_pool(
    organization, *, person_id: int | None = None, log: bool = True
) -> list[PoolMember]:
    """Everyone of the pool (or one person), with qualifications, records and audit log
    (`log=False`: only the number of audits and days of the log, for the list page; a body's
    auditors have hundreds of audits each)."""
    memberships = Membership.objects.filter(
        organization=organization, role__in=POOL_ROLES
    ).select_related("user")
    if person_id is not None:
        memberships = memberships.filter(user_id=person_id)
    members = {
        m.user_id: PoolMember(
            user_id=m.user_id,
            person=m.user.get_full_name() or m.user.email,
            email=m.user.email,
            role=m.role,
            role_label=m.get_role_display(),
        )
        for m in memberships
    }
    ids = list(members)
    for qualification in (
        Qualification.objects.filter(
            organization=organization, person_id__in=ids, archived_at__isnull=True
        )
        .select_related("standard")
        .order_by("standard__code", "kind")
    ):
        members[qualification.person_id].qualifications.append(qualification)
    for record in (
        TrainingRecord.objects.filter(
            organization=organization,
            person_id__in=ids,
            kind=TrainingRecord.Kind.TRANSITION,
            archived_at__isnull=True,
        )
        .select_related("standard")
        .order_by("standard__code", "-completed_on", "pk")
    ):
        members[record.person_id].transition_training.append(record)
    for row in (
        TrainingRecord.objects.filter(organization=organization, person_id__in=ids)
        .values("person_id")
        .annotate(n=Count("pk"))
    ):
        members[row["person_id"]].records = row["n"]
    if not log:
        for member in members.values():
            member.log_audits, member.log_days = 0, 0
        for row in _log_totals(organization, ids):
            member = members[row["user_id"]]
            member.log_audits = row["audits"]
            member.log_days = row["span"].days + row["audits"] if row["span"] else row["audits"]
        return sorted(members.values(), key=lambda m: m.person.lower())
    for entry_person, entry in _log_entries(organization, ids):
        members[entry_person].log.append(entry)
    return sorted(members.values(), key=lambda m: m.person.lower())


def _log_totals(organization, ids: list[int]):
    """Per person: the certification audits of their log and the days between their first
    and last days (each audit's days are that plus one), as `_log_entries` would count them."""
    return (
        AuditTeamMember.objects.filter(
            organization=organization,
            user_id__in=ids,
            audit__certification_audit__isnull=False,
        )
        .values("user_id")
        .annotate(
            audits=Count("pk"),
            span=Sum(
                ExpressionWrapper(
                    F("audit__end_date") - F("audit__start_date"), output_field=DurationField()
                )
            ),
        )
        .order_by()
    )


def _log_entries(organization, ids: list[int]):
    """(person id, LogEntry) for every certification audit the people were on the team of."""
    team = AuditTeamMember.objects.filter(
        organization=organization, user_id__in=ids, audit__certification_audit__isnull=False
    ).values_list("user_id", "role", "audit_id")
    seats: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for user_id, role, audit_id in team:
        seats[audit_id].append((user_id, role))
    if not seats:
        return []
    standards: dict[int, list[str]] = defaultdict(list)
    through = Audit.standards.through
    for audit_id, code in through.objects.filter(audit_id__in=list(seats)).values_list(
        "audit_id", "standard__code"
    ):
        standards[audit_id].append(code)
    role_labels = dict(AuditTeamMember.Role.choices)
    entries = []
    for cycle_audit in CycleAudit.objects.filter(audit_id__in=list(seats)).select_related(
        "audit", "cycle__client"
    ):
        audit = cycle_audit.audit
        assert audit is not None
        for user_id, role in seats[audit.pk]:
            entries.append(
                (
                    user_id,
                    LogEntry(
                        audit_id=audit.pk,
                        reference=audit.reference,
                        title=audit.title,
                        client=cycle_audit.cycle.client.name,
                        kind=cycle_audit.get_kind_display(),
                        role=role_labels.get(role, role),
                        start=audit.start_date,
                        end=audit.end_date,
                        standards=sorted(standards[audit.pk]),
                    ),
                )
            )
    entries.sort(key=lambda pair: pair[1].start, reverse=True)
    return entries


def declared_conflicts(organization, person_id: int) -> list[ConflictOfInterest]:
    return list(
        ConflictOfInterest.objects.filter(
            organization=organization, person_id=person_id, archived_at__isnull=True
        ).select_related("client")
    )
