"""Internal auditors' qualification (ISO 19011 clause 7), derived from the people records and
the audits themselves: a person is qualified for a standard when they have passed a path meant
for internal auditors (and it has not expired) and have taken part in enough completed internal
audits of that standard, as observer, auditor or lead; or when a qualification was granted to
them for it. Audit team selection shows this and warns about anyone not qualified."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pdca.audits.models import Audit, AuditTeamMember
from pdca.core.activity import record_activity
from pdca.core.exceptions import Conflict
from pdca.core.permissions import require
from pdca.core.roles import Role
from pdca.people.models import Qualification, TrainingRecord
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard
from pdca.tenancy.models import Membership

#: Completed internal audits of a standard (observed, audited or led) a qualified auditor has
#: taken part in. ISO 19011 sets no number; two is this product's default rule.
REQUIRED_AUDITS = 2
#: An audit counts once its report is issued.
COMPLETED = (Audit.Status.REPORT_ISSUED, Audit.Status.CLOSED)


@dataclass
class Standing:
    """One person's qualification as internal auditor for one standard, and what it rests on."""

    user_id: int
    person: str
    standard: Standard
    path_record: TrainingRecord | None = None
    observed: int = 0
    audited: int = 0
    led: int = 0
    logged: int = 0
    granted: Qualification | None = None
    audits: list[str] = field(default_factory=list)

    @property
    def audits_count(self) -> int:
        return self.observed + self.audited + self.logged

    @property
    def qualified(self) -> bool:
        if self.granted is not None:
            return True
        return self.path_record is not None and self.audits_count >= REQUIRED_AUDITS

    @property
    def basis(self) -> str:
        parts = []
        if self.granted is not None:
            parts.append(f"qualification granted on {self.granted.granted_on:%Y-%m-%d}")
        if self.path_record is not None:
            parts.append(
                f"{self.path_record.title} passed on {self.path_record.completed_on:%Y-%m-%d}"
            )
        parts.append(
            f"{self.audits_count} audit(s) of {self.standard.code}: {self.led} led, "
            f"{self.audited - self.led} as auditor, {self.observed} observed, {self.logged} logged"
        )
        return "; ".join(parts)

    @property
    def missing(self) -> str:
        if self.qualified:
            return ""
        gaps = []
        if self.path_record is None:
            gaps.append("the internal auditor path is not passed (or has expired)")
        if self.audits_count < REQUIRED_AUDITS:
            gaps.append(f"{self.audits_count} of {REQUIRED_AUDITS} audits taken part in")
        return "; ".join(gaps)


def _person(user) -> str:
    return user.get_full_name() or user.email


def organization_standards(organization) -> list[Standard]:
    """The standards the organization's systems adopt, and any its internal audits cover."""
    adopted = AdoptedStandard.objects.filter(
        organization=organization, dropped_on__isnull=True
    ).values("standard")
    audited = Audit.standards.through.objects.filter(
        audit__organization=organization, audit__audit_type=Audit.Type.INTERNAL
    ).values("standard")
    return list(Standard.objects.filter(Q(pk__in=adopted) | Q(pk__in=audited)).order_by("code"))


def standings(
    organization,
    *,
    users: Iterable | None = None,
    standards: Iterable[Standard] | None = None,
    as_of: dt.date | None = None,
) -> list[Standing]:
    """Each person's standing for each standard, in a fixed number of queries. Without
    `users`: the internal auditors, and everyone who passed such a path or audited internally."""
    as_of = as_of or timezone.localdate()
    standards = list(standards) if standards is not None else organization_standards(organization)
    paths = TrainingRecord.objects.filter(
        organization=organization,
        archived_at__isnull=True,
        result=TrainingRecord.Result.PASSED,
        path__role=Role.INTERNAL_AUDITOR,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=as_of))
    team = AuditTeamMember.objects.filter(
        organization=organization,
        audit__audit_type=Audit.Type.INTERNAL,
        audit__status__in=COMPLETED,
    )
    if users is None:
        ids = set(
            Membership.objects.filter(
                organization=organization, role=Role.INTERNAL_AUDITOR
            ).values_list("user_id", flat=True)
        )
        ids |= set(paths.values_list("person_id", flat=True))
        ids |= set(team.values_list("user_id", flat=True))
    else:
        ids = {getattr(u, "pk", u) for u in users}
    people = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            organization=organization, user_id__in=ids
        ).select_related("user")
    }
    best_path: dict[int, TrainingRecord] = {}
    for record in (
        paths.filter(person_id__in=people).select_related("path").order_by("completed_on")
    ):
        best_path[record.person_id] = record
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[tuple[int, int], list[str]] = defaultdict(list)
    through = Audit.standards.through
    audit_standards: dict[int, list[int]] = defaultdict(list)
    members = list(team.filter(user_id__in=people).select_related("audit"))
    for audit_id, standard_id in through.objects.filter(
        audit_id__in={m.audit_id for m in members}
    ).values_list("audit_id", "standard_id"):
        audit_standards[audit_id].append(standard_id)
    for member in members:
        for standard_id in audit_standards[member.audit_id]:
            key = (member.user_id, standard_id)
            if member.role == AuditTeamMember.Role.OBSERVER:
                counts[key]["observed"] += 1
            elif member.role in (AuditTeamMember.Role.AUDITOR, AuditTeamMember.Role.LEAD):
                counts[key]["audited"] += 1
                if member.role == AuditTeamMember.Role.LEAD:
                    counts[key]["led"] += 1
            else:
                continue
            names[key].append(str(member.audit))
    for person_id, standard_id in (
        TrainingRecord.objects.filter(
            organization=organization,
            archived_at__isnull=True,
            kind=TrainingRecord.Kind.AUDIT,
            person_id__in=people,
            standard__isnull=False,
        )
        .exclude(result=TrainingRecord.Result.FAILED)
        .values_list("person_id", "standard_id")
    ):
        counts[(person_id, standard_id)]["logged"] += 1
    granted: dict[tuple[int, int | None], Qualification] = {}
    for q in Qualification.objects.filter(
        organization=organization,
        archived_at__isnull=True,
        kind=Qualification.Kind.INTERNAL_AUDITOR,
        status=Qualification.Status.ACTIVE,
        person_id__in=people,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=as_of)):
        granted[(q.person_id, q.standard_id)] = q
    result = []
    for user_id, user in sorted(people.items(), key=lambda p: _person(p[1])):
        for standard in standards:
            key = (user_id, standard.pk)
            c = counts.get(key, {})
            result.append(
                Standing(
                    user_id=user_id,
                    person=_person(user),
                    standard=standard,
                    path_record=best_path.get(user_id),
                    observed=c.get("observed", 0),
                    audited=c.get("audited", 0),
                    led=c.get("led", 0),
                    logged=c.get("logged", 0),
                    granted=granted.get(key) or granted.get((user_id, None)),
                    audits=names.get(key, []),
                )
            )
    return result


def team_warnings(audit: Audit, user) -> list[str]:
    """Why `user` is not qualified for each of the internal audit's standards (empty: they are,
    or the audit is not internal)."""
    if audit.audit_type != Audit.Type.INTERNAL:
        return []
    found = standings(audit.organization, users=[user], standards=audit.standards.all())
    return [
        f"{s.person} is not qualified for {s.standard.code}: {s.missing}."
        for s in found
        if not s.qualified
    ]


@transaction.atomic
def grant_internal_auditor(organization, user, standard: Standard, *, actor) -> Qualification:
    """Record the qualification the records support, with its basis (refused when they do not)."""
    require(actor, "add", Qualification, organization=organization)
    (standing,) = standings(organization, users=[user], standards=[standard])
    if standing.granted is not None:
        raise Conflict(f"{standing.person} already holds this qualification.", code="duplicate")
    if not standing.qualified:
        raise Conflict(
            f"{standing.person} is not qualified yet: {standing.missing}.", code="not_qualified"
        )
    qualification = Qualification.objects.create(
        organization=organization,
        person=user,
        kind=Qualification.Kind.INTERNAL_AUDITOR,
        standard=standard,
        granted_on=timezone.localdate(),
        granted_by=actor,
        basis=standing.basis,
    )
    record_activity(actor=actor, action="create", obj=qualification)
    return qualification
