"""Impartiality of a certification body's people towards a client (17021-1 5.2, rule IMP-01):
each kind of declared tie refuses the person on the client's audits while it is a threat, with
the reason, through the audits' own team services; team candidates show qualification,
conflicts and familiarity."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.audits.models import AuditTeamMember
from pdca.audits.services import add_team_member, update_team_member
from pdca.certification.models import ConflictOfInterest
from pdca.certification.services.impartiality import (
    candidates,
    conflicts_with,
    is_threat,
    threat_until,
)
from pdca.core.exceptions import ValidationFailed
from pdca.core.roles import Role
from pdca.core.testing.queries import count_queries
from pdca.tenancy.models import Membership
from tests.certification.auditor_factories import make_cycle, make_cycle_audit, qualify
from tests.certification.factories import make_client

pytestmark = pytest.mark.django_db

AUDIT_DAY = dt.date(2027, 3, 10)


def declare(cb, person, client, kind, *, started=None, ended=None, description=""):
    return ConflictOfInterest.objects.create(
        organization=cb,
        person=person,
        client=client,
        kind=kind,
        started_on=started,
        ended_on=ended,
        declared_on=dt.date(2026, 1, 5),
        description=description,
    )


@pytest.mark.parametrize(
    ("kind", "ended", "threat"),
    [
        # Consultancy, implementation and employment: two years after the end.
        ("consultancy", None, True),
        ("consultancy", dt.date(2025, 3, 11), True),
        ("consultancy", dt.date(2025, 3, 10), False),
        ("implemented", dt.date(2025, 6, 1), True),
        ("implemented", dt.date(2024, 12, 31), False),
        ("employment", dt.date(2026, 1, 1), True),
        ("employment", dt.date(2025, 1, 1), False),
        # A relationship or another interest: while it lasts.
        ("relationship", None, True),
        ("relationship", AUDIT_DAY, True),
        ("relationship", AUDIT_DAY - dt.timedelta(days=1), False),
        ("other", None, True),
        ("other", dt.date(2027, 1, 1), False),
    ],
)
def test_each_kind_of_tie_is_a_threat_while_the_rule_says(personas, kind, ended, threat):
    client = make_client(personas.cb)
    conflict = declare(personas.cb, personas.users[Role.AUDITOR], client, kind, ended=ended)
    assert is_threat(conflict, AUDIT_DAY) is threat


def test_two_years_after_a_leap_day_end():
    conflict = ConflictOfInterest(kind="consultancy", ended_on=dt.date(2024, 2, 29))
    # The second anniversary of 29 February 2024 is 1 March 2026: free from that day.
    assert threat_until(conflict) == dt.date(2026, 2, 28)
    assert is_threat(conflict, dt.date(2026, 2, 28))
    assert not is_threat(conflict, dt.date(2026, 3, 1))


def test_a_tie_not_yet_started_or_archived_is_no_threat(personas):
    client = make_client(personas.cb)
    auditor = personas.users[Role.AUDITOR]
    later = declare(
        personas.cb, auditor, client, "relationship", started=AUDIT_DAY + dt.timedelta(1)
    )
    assert not is_threat(later, AUDIT_DAY)
    archived = declare(personas.cb, auditor, client, "relationship")
    archived.archived_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    archived.save()
    assert not is_threat(archived, AUDIT_DAY)


@pytest.mark.parametrize("kind", ["relationship", "consultancy", "implemented", "employment"])
def test_a_conflicted_person_is_refused_with_the_reason(personas, kind):
    cb = personas.cb
    cycle = make_cycle(cb)
    cycle_audit = make_cycle_audit(cycle, start=AUDIT_DAY)
    auditor = personas.users[Role.AUDITOR]
    declare(cb, auditor, cycle.client, kind, description="the sister of the CEO")
    with pytest.raises(ValidationFailed) as refused:
        add_team_member(
            cycle_audit.audit, auditor, "auditor", actor=personas.users[Role.CB_MANAGER]
        )
    error = refused.value.errors[0]
    assert error.field == "user"
    assert error.code == "conflict_of_interest"
    assert str(cycle.client) in error.message
    assert "the sister of the CEO" in error.message
    assert not AuditTeamMember.objects.filter(audit=cycle_audit.audit, user=auditor).exists()


def test_every_tie_is_named_and_a_free_person_joins(personas):
    cb = personas.cb
    cycle = make_cycle(cb)
    cycle_audit = make_cycle_audit(cycle, start=AUDIT_DAY)
    auditor = personas.users[Role.AUDITOR]
    declare(cb, auditor, cycle.client, "relationship")
    declare(cb, auditor, cycle.client, "consultancy", ended=dt.date(2026, 6, 30))
    with pytest.raises(ValidationFailed) as refused:
        add_team_member(cycle_audit.audit, auditor, "expert", actor=personas.users[Role.CB_MANAGER])
    assert len(refused.value.errors) == 2
    # A tie with another client does not matter.
    expert = personas.users[Role.TECHNICAL_EXPERT]
    declare(cb, expert, make_client(cb, 1), "employment")
    member = add_team_member(
        cycle_audit.audit, expert, "expert", actor=personas.users[Role.CB_MANAGER]
    )
    assert member.role == "expert"


def test_a_conflicted_lead_auditor_is_refused_on_the_audit_itself(personas):
    from pdca.audits.independence import validate_audit

    cb = personas.cb
    cycle = make_cycle(cb)
    cycle_audit = make_cycle_audit(cycle, start=AUDIT_DAY)
    lead = personas.users[Role.LEAD_AUDITOR]
    declare(cb, lead, cycle.client, "employment", ended=dt.date(2026, 12, 1))
    audit = cycle_audit.audit
    audit.lead_auditor = lead
    with pytest.raises(ValidationFailed) as refused:
        validate_audit(audit, {})
    assert refused.value.errors[0].field == "lead_auditor"
    assert refused.value.errors[0].code == "conflict_of_interest"


def test_changing_a_role_is_vetted_too(personas):
    cb = personas.cb
    cycle = make_cycle(cb)
    cycle_audit = make_cycle_audit(cycle, start=AUDIT_DAY)
    expert = personas.users[Role.TECHNICAL_EXPERT]
    manager = personas.users[Role.CB_MANAGER]
    member = add_team_member(cycle_audit.audit, expert, "observer", actor=manager)
    declare(cb, expert, cycle.client, "relationship")
    with pytest.raises(ValidationFailed) as refused:
        update_team_member(member, role="expert", actor=manager)
    assert refused.value.errors[0].field == "role"


def test_an_organizations_internal_audit_is_not_vetted(personas):
    from pdca.audits.models import Audit

    audit = Audit.objects.create(
        organization=personas.org,
        title="Internal",
        start_date=AUDIT_DAY,
        end_date=AUDIT_DAY,
    )
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    member = add_team_member(audit, auditor, "auditor", actor=personas.users[Role.SYSTEM_MANAGER])
    assert member.pk


def test_candidates_order_and_what_they_lack(personas):
    cb = personas.cb
    client = make_client(cb)
    earlier = make_cycle(cb, client, number=1)
    lead = personas.users[Role.LEAD_AUDITOR]
    make_cycle_audit(earlier, start=dt.date(2024, 3, 1), lead=lead)
    cycle = make_cycle(cb, client, number=2)
    cycle_audit = make_cycle_audit(cycle, kind="recertification", start=AUDIT_DAY)
    qualify(cb, lead)
    manager = personas.users[Role.CB_MANAGER]
    qualify(cb, manager)
    auditor = personas.users[Role.AUDITOR]
    qualify(cb, auditor, expires_on=AUDIT_DAY - dt.timedelta(days=1))
    declare(cb, personas.users[Role.TECHNICAL_EXPERT], client, "relationship")
    found = {c.email: c for c in candidates(cycle_audit, "lead")}
    assert found[manager.email].qualified and found[manager.email].may_join
    assert found[lead.email].qualified
    assert "familiarity" in found[lead.email].familiarity
    assert "cycle 1" in found[lead.email].familiarity
    # An expired qualification does not count.
    assert not found[auditor.email].qualified
    assert len(found[auditor.email].missing) == 1
    assert found[personas.users[Role.TECHNICAL_EXPERT].email].conflicts
    order = [c.email for c in candidates(cycle_audit, "lead")]
    assert order[0] == manager.email  # qualified, free, no familiarity
    assert order[-1] == personas.users[Role.TECHNICAL_EXPERT].email  # conflicted last
    # The decision maker is not a team role.
    assert personas.users[Role.CERTIFICATION_DECISION_MAKER].email not in found


def test_an_auditor_qualification_allows_the_auditor_role_not_the_lead(personas):
    cb = personas.cb
    cycle_audit = make_cycle_audit(make_cycle(cb), start=AUDIT_DAY)
    auditor = personas.users[Role.AUDITOR]
    qualify(cb, auditor, kind="auditor")
    as_auditor = {c.email: c for c in candidates(cycle_audit, "auditor")}[auditor.email]
    as_lead = {c.email: c for c in candidates(cycle_audit, "lead")}[auditor.email]
    assert as_auditor.qualified
    assert not as_lead.qualified


def test_candidates_take_the_same_queries_for_more_people(personas):
    from pdca.accounts.models import User

    cb = personas.cb
    client = make_client(cb)
    cycle_audit = make_cycle_audit(make_cycle(cb, client), start=AUDIT_DAY)

    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            user = User.objects.create_user(email=f"aud{i}@cb.example", password="x")
            Membership.objects.create(organization=cb, user=user, role=Role.AUDITOR)
            qualify(cb, user, kind="auditor")
            declare(cb, user, client, "relationship")

    grow(2, 0)
    small, _ = count_queries(lambda: candidates(cycle_audit, "auditor"))
    grow(10, 10)
    large, rows = count_queries(lambda: candidates(cycle_audit, "auditor"))
    assert small == large
    assert len(rows) >= 12


def test_conflicts_with_answers_in_one_query(personas):
    cb = personas.cb
    client = make_client(cb)
    ids = [personas.users[role].pk for role in (Role.AUDITOR, Role.LEAD_AUDITOR)]
    declare(cb, personas.users[Role.AUDITOR], client, "relationship")
    queries, found = count_queries(lambda: conflicts_with(client.pk, ids, AUDIT_DAY))
    assert queries == 1
    assert list(found) == [personas.users[Role.AUDITOR].pk]
