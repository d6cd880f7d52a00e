"""Impartiality of the people a certification body sends to a client (17021-1 5.2; reference
4.6, rule IMP-01), and the competence behind team selection.

A person is refused on a client's audit, with the reason, when they declared a tie with that
client that is still a threat on the audit's first day:

- a personal relationship (or another declared interest), while it lasts;
- consultancy to the client, having implemented its management system, or employment by it,
  until two years after the tie ended ([M]: the reference gives two years as the recognized way
  to reduce the threat; a tie with no end date is still going on).

Consultancy that pdca itself recorded (a consultancy's engagement with the client's
organization, a consultant's membership of it) counts like a declared one: higher apps answer
`certification.hooks.recorded_consultancy`, and its consultants are refused until two years
after it ended.

A lead auditor who already led audits of the same client in an earlier cycle is warned about
(familiarity), not refused: 17021-1 sets no rotation rule ([M]). Qualifications (people's
`Qualification` rows, kinds auditor, lead auditor, technical expert) are shown and warned about;
a certification body decides who is competent, and the decision checklist is where it shows.

A new edition of a standard (one replacing an earlier edition in the catalog, such as ISO
14001:2026) is audited only by people with transition training for it (a training record of
kind `transition`, `pdca.people.services.transition_training`): its lack is warned about like
a missing qualification, on the candidates and when the person is added. For a new edition a
qualification for the edition it replaces counts, as the transition training carries it over.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from pdca.audits import hooks
from pdca.audits.models import Audit, AuditTeamMember
from pdca.certification.hooks import ConsultancyPeriod, recorded_consultancy
from pdca.certification.models import ConflictOfInterest, CycleAudit
from pdca.certification.services.dates import anniversary
from pdca.certification.services.transitions import audited_standards
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.roles import Role
from pdca.people.models import Qualification
from pdca.people.services.transition_training import trained_for
from pdca.standards.models import Standard
from pdca.tenancy.models import Membership

#: Years after a consultancy, an implementation or an employment ends before the person may
#: take part in the client's certification ([M], reference 4.6).
COOLING_OFF_YEARS = 2
#: Ties that stop being a threat two years after they end; the others only when they end.
COOLING_KINDS = frozenset(
    {
        ConflictOfInterest.Kind.CONSULTANCY,
        ConflictOfInterest.Kind.IMPLEMENTED,
        ConflictOfInterest.Kind.EMPLOYMENT,
    }
)
#: The team roles a qualification kind allows without a warning.
QUALIFYING_KINDS: dict[str, tuple[str, ...]] = {
    AuditTeamMember.Role.LEAD: (Qualification.Kind.LEAD_AUDITOR,),
    AuditTeamMember.Role.AUDITOR: (Qualification.Kind.AUDITOR, Qualification.Kind.LEAD_AUDITOR),
    AuditTeamMember.Role.EXPERT: (Qualification.Kind.TECHNICAL_EXPERT,),
}
LEAD = AuditTeamMember.Role.LEAD
#: The certification body's roles that may be put on an audit team.
TEAM_ROLES = (Role.LEAD_AUDITOR, Role.AUDITOR, Role.TECHNICAL_EXPERT, Role.CB_MANAGER)


def threat_until(conflict: ConflictOfInterest) -> dt.date | None:
    """The last day the tie is a threat (None: it is still going on)."""
    if conflict.ended_on is None:
        return None
    if conflict.kind in COOLING_KINDS:
        return anniversary(conflict.ended_on, COOLING_OFF_YEARS) - dt.timedelta(days=1)
    return conflict.ended_on


def is_threat(conflict: ConflictOfInterest, on: dt.date) -> bool:
    if conflict.archived_at is not None:
        return False
    if conflict.started_on is not None and conflict.started_on > on:
        return False
    until = threat_until(conflict)
    return until is None or on <= until


def conflict_reason(conflict: ConflictOfInterest) -> str:
    """Why the tie refuses the person, in the words the refusal shows."""
    kind = conflict.get_kind_display().lower()
    until = threat_until(conflict)
    detail = f" ({conflict.description})" if conflict.description else ""
    if until is None:
        return f"{kind}{detail}, still going on"
    if conflict.kind in COOLING_KINDS:
        free = until + dt.timedelta(days=1)
        return (
            f"{kind}{detail}, ended {conflict.ended_on:%d %b %Y}: less than "
            f"{COOLING_OFF_YEARS} years before the audit (possible from {free:%d %b %Y})"
        )
    return f"{kind}{detail}, until {until:%d %b %Y}"


def recorded_periods(client: Any, on: dt.date) -> list[ConsultancyPeriod]:
    """The consultancy pdca recorded for `client` (every receiver's periods, in order)."""
    return [period for periods in recorded_consultancy.call(client, on) for period in periods]


def period_threat_until(period: ConsultancyPeriod) -> dt.date | None:
    """The last day recorded consultancy is a threat (None: it is still going on)."""
    if period.ended_on is None:
        return None
    return anniversary(period.ended_on, COOLING_OFF_YEARS) - dt.timedelta(days=1)


def period_is_threat(period: ConsultancyPeriod, on: dt.date) -> bool:
    if period.started_on is not None and period.started_on > on:
        return False
    until = period_threat_until(period)
    return until is None or on <= until


def period_reason(period: ConsultancyPeriod) -> str:
    """Why recorded consultancy refuses one of its consultants, in the refusal's words."""
    through = f" through {period.provider}" if period.provider else ""
    where = f" ({period.source})" if period.source else ""
    text = f"consultant to the client{through}{where}"
    until = period_threat_until(period)
    if until is None:
        since = f" since {period.started_on:%Y-%m-%d}" if period.started_on else ""
        return f"{text}{since}, still going on"
    free = until + dt.timedelta(days=1)
    return (
        f"{text} until {period.ended_on:%Y-%m-%d}: less than {COOLING_OFF_YEARS} years before "
        f"the audit (possible from {free:%Y-%m-%d})"
    )


def recorded_summary(periods: Sequence[ConsultancyPeriod], since: dt.date) -> tuple[bool, str]:
    """(threat, words) of recorded consultancy for the contract review: a period still going
    on, or ended on or after `since` (two years before the review), is a threat to weigh."""
    threat = False
    parts = []
    for period in periods:
        words = f"consultancy by {period.provider}" if period.provider else "consultancy"
        words += f" ({period.source})" if period.source else ""
        if period.ended_on is None:
            words += f" since {period.started_on:%Y-%m-%d}" if period.started_on else ""
            words += ", still going on"
        else:
            words += f" from {period.started_on:%Y-%m-%d}" if period.started_on else ""
            words += f" until {period.ended_on:%Y-%m-%d}"
        if period.ended_on is None or period.ended_on >= since:
            threat = True
            words += ": an impartiality threat to weigh (17021-1 5.2)"
        else:
            words += f": ended more than {COOLING_OFF_YEARS} years ago"
        parts.append(words)
    return threat, f"Recorded in pdca: {'; '.join(parts)}." if parts else ""


def conflicts_with(
    client_id: int,
    person_ids: Iterable[int],
    on: dt.date,
    recorded: Sequence[ConsultancyPeriod] = (),
) -> dict[int, list[str]]:
    """{person id: reasons} for the people whose declared ties with the client are threats on
    `on` (one query), and those who gave the client consultancy pdca recorded (`recorded`,
    from `recorded_periods`) that is still a threat then."""
    people = list(person_ids)
    found: dict[int, list[str]] = defaultdict(list)
    rows = ConflictOfInterest.objects.filter(
        client_id=client_id, person_id__in=people, archived_at__isnull=True
    )
    for conflict in rows:
        if is_threat(conflict, on):
            found[conflict.person_id].append(conflict_reason(conflict))
    wanted = set(people)
    for period in recorded:
        if period_is_threat(period, on):
            for person_id in sorted(period.person_ids & wanted):
                found[person_id].append(period_reason(period))
    return dict(found)


def _person(user) -> str:
    return user.get_full_name() or user.email


def client_of(audit: Audit):
    """The client a certification body's audit is of (None for its other audits)."""
    cycle_audit = (
        CycleAudit.objects.filter(audit_id=audit.pk).select_related("cycle__client").first()
        if audit.pk
        else None
    )
    return cycle_audit.cycle.client if cycle_audit else None


def refuse_conflicted(audit: Audit, user, role: str, *, field: str) -> None:
    """`audits.hooks.auditor_chosen`: refuse a person with a declared tie with the client, or
    who gave it consultancy pdca recorded, that is still a threat on the audit's first day,
    naming every tie."""
    client = client_of(audit)
    if client is None:
        return
    day = audit.start_date
    reasons = conflicts_with(client.pk, [user.pk], day, recorded_periods(client, day)).get(user.pk)
    if reasons:
        raise ValidationFailed(
            [
                FieldError(
                    field,
                    f"{_person(user)} may not take part in an audit of {client}: {reason}.",
                    "conflict_of_interest",
                )
                for reason in reasons
            ]
        )


@dataclass
class Candidate:
    """One of the certification body's people as a possible team member of one audit."""

    user_id: int
    person: str
    email: str
    role: str
    qualifications: list[Qualification] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    untrained: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    led_before: list[str] = field(default_factory=list)
    on_team: bool = False

    @property
    def qualified(self) -> bool:
        return not self.missing and not self.untrained

    @property
    def gaps(self) -> list[str]:
        """What the person lacks for this audit, in the words a warning shows."""
        found = []
        if self.missing:
            found.append(f"not qualified for {', '.join(self.missing)}")
        if self.untrained:
            found.append(f"no transition training for {', '.join(self.untrained)}")
        return found

    @property
    def may_join(self) -> bool:
        return not self.conflicts and not self.on_team

    @property
    def familiarity(self) -> str:
        if not self.led_before:
            return ""
        return (
            f"Led {len(self.led_before)} earlier audit(s) of this client "
            f"({', '.join(self.led_before)}): consider the familiarity threat."
        )


def _valid(qualification: Qualification, on: dt.date) -> bool:
    return (
        qualification.status == Qualification.Status.ACTIVE
        and qualification.archived_at is None
        and qualification.granted_on <= on
        and (qualification.expires_on is None or on <= qualification.expires_on)
    )


#: Team roles that audit, and so need transition training for a new edition.
AUDITING_ROLES = (AuditTeamMember.Role.LEAD, AuditTeamMember.Role.AUDITOR)


def _competence(
    organization_id: int, ids: list[int], standards: list[Standard], day: dt.date
) -> tuple[dict[int, list[Qualification]], dict[int, set[int]]]:
    """The people's valid qualifications, and the new editions among `standards` they hold
    transition training for (two queries)."""
    held: dict[int, list[Qualification]] = defaultdict(list)
    for qualification in Qualification.objects.filter(
        organization_id=organization_id, person_id__in=ids
    ).select_related("standard"):
        if _valid(qualification, day):
            held[qualification.person_id].append(qualification)
    new = [s.pk for s in standards if s.replaces_id]
    return held, trained_for(organization_id, ids, new, day)


def _gaps(
    standards: list[Standard],
    kinds: tuple[str, ...],
    role: str,
    own: list[Qualification],
    trained: set[int],
) -> tuple[list[str], list[str]]:
    """(standards without a qualifying qualification, new editions without transition
    training). A qualification for the edition a new one replaces counts for it."""
    missing = [
        standard.full_name
        for standard in standards
        if kinds
        and not any(
            q.standard_id in (standard.pk, standard.replaces_id) and q.kind in kinds for q in own
        )
    ]
    untrained = [
        standard.full_name
        for standard in standards
        if role in AUDITING_ROLES and standard.replaces_id and standard.pk not in trained
    ]
    return missing, untrained


def competence_warnings(cycle_audit: CycleAudit, user: Any, role: str) -> list[str]:
    """What `user` lacks to audit `cycle_audit` in `role` (qualification, transition
    training), as warnings for the person who adds them; empty when nothing."""
    audit = cycle_audit.audit
    day = audit.start_date if audit else cycle_audit.due_date
    standards = audited_standards(cycle_audit)
    held, trained = _competence(cycle_audit.organization_id, [user.pk], standards, day)
    missing, untrained = _gaps(
        standards,
        QUALIFYING_KINDS.get(role, ()),
        role,
        held.get(user.pk, []),
        trained.get(user.pk, set()),
    )
    person = _person(user)
    warnings = []
    if missing:
        warnings.append(f"{person} holds no valid qualification for {', '.join(missing)}.")
    if untrained:
        warnings.append(
            f"{person} has no transition training for {', '.join(untrained)}: record it "
            "before they audit the new edition."
        )
    return warnings


def candidates(cycle_audit: CycleAudit, role: str, *, on: dt.date | None = None) -> list[Candidate]:
    """The certification body's people who could join `cycle_audit`'s team in `role`: those
    qualified for every standard of the audit (with transition training for a new edition) and
    free of conflicts first, then the others with what they lack. The same queries (the
    recorded consultancy's among them) whatever the number of people."""
    cycle = cycle_audit.cycle
    audit = cycle_audit.audit
    day = on or (audit.start_date if audit else cycle_audit.due_date)
    organization_id = cycle.organization_id
    standards = audited_standards(cycle_audit)
    members = list(
        Membership.objects.filter(
            organization_id=organization_id, role__in=TEAM_ROLES, user__is_active=True
        ).select_related("user")
    )
    ids = [m.user_id for m in members]
    kinds = QUALIFYING_KINDS.get(role, ())
    held, trained = _competence(organization_id, ids, standards, day)
    conflicts = conflicts_with(cycle.client_id, ids, day, recorded_periods(cycle.client, day))
    led: dict[int, list[str]] = defaultdict(list)
    earlier = (
        CycleAudit.objects.filter(cycle__client_id=cycle.client_id, audit__isnull=False)
        .exclude(cycle_id=cycle.pk)
        .filter(Q(audit__lead_auditor_id__in=ids))
        .select_related("audit", "cycle")
    )
    for row in earlier:
        assert row.audit is not None and row.audit.lead_auditor_id is not None
        led[row.audit.lead_auditor_id].append(f"cycle {row.cycle.number} {row.get_kind_display()}")
    on_team = set(audit.team.values_list("user_id", flat=True)) if audit else set()
    result = []
    for membership in members:
        own = held.get(membership.user_id, [])
        missing, untrained = _gaps(
            standards, kinds, role, own, trained.get(membership.user_id, set())
        )
        result.append(
            Candidate(
                user_id=membership.user_id,
                person=_person(membership.user),
                email=membership.user.email,
                role=membership.role,
                qualifications=own,
                missing=missing,
                untrained=untrained,
                conflicts=conflicts.get(membership.user_id, []),
                led_before=led.get(membership.user_id, [])
                if role == AuditTeamMember.Role.LEAD
                else [],
                on_team=membership.user_id in on_team,
            )
        )
    result.sort(key=lambda c: (bool(c.conflicts), not c.qualified, bool(c.led_before), c.person))
    return result


def register() -> None:
    hooks.auditor_chosen.register(refuse_conflicted)
