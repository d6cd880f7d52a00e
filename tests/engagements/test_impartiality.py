"""What engagements tell a certification body's impartiality check: the consultancy its
client received as pdca recorded it (consultancy engagements with the client's organization,
the consultant role in it), which the contract review flags and team selection refuses for two
years after it ended, with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.audits.models import Audit, AuditTeamMember
from pdca.audits.services import add_team_member
from pdca.certification.hooks import ConsultancyPeriod, recorded_consultancy
from pdca.certification.models import CycleAudit
from pdca.certification.services.applications import review_checks
from pdca.certification.services.impartiality import candidates, recorded_periods
from pdca.core.exceptions import ValidationFailed
from pdca.core.roles import Role
from pdca.core.testing.queries import count_queries
from pdca.engagements import impartiality
from pdca.engagements.impartiality import consultancy_periods
from pdca.engagements.models import Engagement
from pdca.tenancy.models import Membership
from pdca.tenancy.services import change_member_role, grant_membership, remove_member
from tests.certification.auditor_factories import make_cycle, make_cycle_audit
from tests.certification.factories import make_application, make_client
from tests.engagements.portfolio.factories import make_consultancy, make_engagement, make_member

pytestmark = pytest.mark.django_db

STARTED = dt.date(2024, 6, 1)
ENDED = dt.date(2026, 3, 1)
#: Less than two years after ENDED, and the first day two years after it.
WITHIN = dt.date(2027, 3, 10)
FREE_FROM = dt.date(2028, 3, 1)
CONSULTANCY = Engagement.Kind.CONSULTANCY
CERTIFICATION = Engagement.Kind.CERTIFICATION


@pytest.fixture(autouse=True)
def receiver():
    """The receiver the engagements app registers when it starts (registered again: once)."""
    impartiality.register()
    impartiality.register()
    assert [r.__name__ for r in recorded_consultancy.receivers].count("consultancy_periods") == 1


@pytest.fixture
def world(personas):
    """Org A is the body's client (its client record linked by the body's engagement); Bright
    Path gave it consultancy from STARTED until ENDED through the body's auditor, who has
    since joined the body."""
    cb = personas.cb
    client = make_client(cb)
    make_engagement(
        cb, personas.org, kind=CERTIFICATION, client=client, by=personas.users[Role.CB_MANAGER]
    )
    bright, principal, _ = make_consultancy()
    auditor = personas.users[Role.AUDITOR]
    make_engagement(
        bright,
        personas.org,
        status=Engagement.Status.ENDED,
        started_on=STARTED,
        ended_on=ENDED,
        consultants=[auditor, principal],
    )
    return {"client": client, "bright": bright, "auditor": auditor, "principal": principal}


def audit_of(cycle_audit: CycleAudit) -> Audit:
    assert cycle_audit.audit is not None
    return cycle_audit.audit


def engagement_periods(periods: list[ConsultancyPeriod]) -> list[ConsultancyPeriod]:
    return [p for p in periods if not p.source]


# --- the receiver -------------------------------------------------------------------------


def test_the_hook_returns_the_recorded_periods(personas, world):
    tidy, _, _ = make_consultancy("Tidy Systems", "tidy")
    make_engagement(tidy, personas.org, started_on=dt.date(2026, 9, 1))
    periods = recorded_periods(world["client"], WITHIN)
    assert engagement_periods(periods) == [
        ConsultancyPeriod(
            "Bright Path Consulting",
            STARTED,
            ENDED,
            frozenset({world["auditor"].pk, world["principal"].pk}),
        ),
        ConsultancyPeriod("Tidy Systems", dt.date(2026, 9, 1), None, frozenset()),
    ]


def test_only_linked_consultancy_of_the_clients_organization_counts(personas, world):
    other_consultancy, _, _ = make_consultancy("Elsewhere Advisors", "elsewhere")
    for status in ("invited", "declined", "withdrawn"):
        make_engagement(other_consultancy, personas.org, status=status)
    # Another organization's consultancy, and a certification engagement, are not consultancy.
    make_engagement(other_consultancy, personas.other, started_on=STARTED)
    make_engagement(
        personas.cb, personas.other, kind=CERTIFICATION, client=make_client(personas.cb, 1)
    )
    periods = engagement_periods(consultancy_periods(world["client"], WITHIN))
    assert [p.provider for p in periods] == ["Bright Path Consulting"]


def test_a_client_record_not_linked_in_pdca_has_nothing_recorded(personas, world):
    unlinked = make_client(personas.cb, 2)
    queries, periods = count_queries(lambda: consultancy_periods(unlinked, WITHIN))
    assert periods == []
    assert queries == 1
    # An invitation the client never accepted links nothing either.
    make_engagement(
        personas.cb, personas.other, kind=CERTIFICATION, client=unlinked, status="invited"
    )
    assert consultancy_periods(unlinked, WITHIN) == []


def test_an_active_engagement_is_still_going_on_and_dates_fall_back(personas, world):
    Engagement.objects.filter(organization=world["bright"]).update(
        status=Engagement.Status.ACTIVE, ended_on=None, started_on=None
    )
    (period,) = engagement_periods(consultancy_periods(world["client"], WITHIN))
    assert period.ended_on is None
    accepted = Engagement.objects.get(organization=world["bright"]).accepted_at
    assert period.started_on == timezone.localdate(accepted)


def test_the_consultant_role_in_the_client_counts_while_held(personas, world):
    consultant = personas.users[Role.CONSULTANT]  # a member since the personas were made
    membership = Membership.objects.get(user=consultant, organization=personas.org)
    held = [p for p in consultancy_periods(world["client"], WITHIN) if p.source]
    assert held == [
        ConsultancyPeriod(
            "",
            timezone.localdate(membership.created_at),
            None,
            frozenset({consultant.pk}),
            "consultant role in Org A",
        )
    ]


def test_a_consultant_role_held_then_changed_or_removed_ends_the_period(personas, world):
    lead = personas.users[Role.LEAD_AUDITOR]
    expert = personas.users[Role.TECHNICAL_EXPERT]
    manager = personas.manager
    one = grant_membership(personas.org, lead, Role.CONSULTANT, actor=manager)
    change_member_role(one, role=Role.PROCESS_OWNER, actor=manager)
    two = grant_membership(personas.org, expert, Role.CONSULTANT, actor=manager)
    remove_member(two, actor=manager)
    # The principal of Bright Path also held the role: the period names the consultancy.
    principal = world["principal"]
    three = grant_membership(personas.org, principal, Role.CONSULTANT, actor=manager)
    today = timezone.localdate(one.created_at)
    held = {
        next(iter(p.person_ids)): p
        for p in consultancy_periods(world["client"], WITHIN)
        if p.source
    }
    assert (held[lead.pk].started_on, held[lead.pk].ended_on) == (today, today)
    assert (held[expert.pk].started_on, held[expert.pk].ended_on) == (today, today)
    assert held[principal.pk].ended_on is None
    assert held[principal.pk].provider == "Bright Path Consulting"
    assert held[lead.pk].provider == ""
    assert three.role == Role.CONSULTANT


def test_the_receiver_costs_the_same_queries_for_more_engagements_and_members(personas, world):
    client = world["client"]
    small, _ = count_queries(lambda: consultancy_periods(client, WITHIN))
    for i in range(6):
        consultancy, principal, _ = make_consultancy(f"Firm {i}", f"firm-{i}")
        make_engagement(
            consultancy,
            personas.org,
            status=Engagement.Status.ENDED,
            started_on=STARTED,
            ended_on=ENDED,
            consultants=[principal],
        )
        user = make_member(personas.org, f"helper{i}@firm.example", Role.EMPLOYEE)
        change_member_role(
            Membership.objects.get(user=user, organization=personas.org),
            role=Role.CONSULTANT,
            actor=personas.manager,
        )
    large, periods = count_queries(lambda: consultancy_periods(client, WITHIN))
    assert large == small
    assert len(periods) == 1 + 6 + 1 + 6  # engagements, and consultant roles


# --- the contract review ------------------------------------------------------------------


def test_the_application_review_shows_the_recorded_consultancy(personas, world):
    Membership.objects.filter(user=personas.users[Role.CONSULTANT]).delete()
    application = make_application(personas.cb, world["client"])
    checks = review_checks(application, on=WITHIN)
    assert checks.consultancy_threat is True
    assert checks.consultancy_text == (
        "No consultancy declared. Recorded in pdca: consultancy by Bright Path Consulting from "
        "2024-06-01 until 2026-03-01: an impartiality threat to weigh (17021-1 5.2)."
    )
    assert "impartiality_threat" in checks.suggested_reasons
    later = review_checks(application, on=dt.date(2028, 3, 2))
    assert later.consultancy_threat is False
    assert "ended more than 2 years ago" in later.consultancy_text


def test_the_review_weighs_declared_and_recorded_consultancy_together(personas, world):
    application = make_application(
        personas.cb,
        world["client"],
        consultancy_received=True,
        consultancy_by="Old Partner",
        consultancy_until=dt.date(2020, 1, 1),
    )
    checks = review_checks(application, on=WITHIN)
    # Declared long ago, but recorded recently and still going on (the consultant member).
    assert checks.consultancy_threat is True
    assert checks.consultancy_text.startswith("Consultancy by Old Partner until 2020-01-01")
    assert "Recorded in pdca: consultancy by Bright Path Consulting" in checks.consultancy_text
    assert "(consultant role in Org A) since" in checks.consultancy_text


# --- team selection -----------------------------------------------------------------------


def test_a_former_consultant_is_refused_within_two_years_and_allowed_after(personas, world):
    cb = personas.cb
    auditor = world["auditor"]
    manager = personas.users[Role.CB_MANAGER]
    cycle = make_cycle(cb, world["client"])
    soon = make_cycle_audit(cycle, start=WITHIN)
    last_day = make_cycle_audit(cycle, kind="surveillance", start=FREE_FROM - dt.timedelta(days=1))
    later = make_cycle_audit(cycle, kind="recertification", start=FREE_FROM)
    for cycle_audit in (soon, last_day):
        with pytest.raises(ValidationFailed) as refused:
            add_team_member(audit_of(cycle_audit), auditor, "auditor", actor=manager)
        (error,) = refused.value.errors
        assert error.field == "user"
        assert error.code == "conflict_of_interest"
        assert error.message == (
            f"{auditor.get_full_name()} may not take part in an audit of Client 000 Ltd: "
            "consultant to the client through Bright Path Consulting until 2026-03-01: less "
            "than 2 years before the audit (possible from 2028-03-01)."
        )
        assert not AuditTeamMember.objects.filter(audit=cycle_audit.audit, user=auditor).exists()
    member = add_team_member(audit_of(later), auditor, "auditor", actor=manager)
    assert member.user == auditor


def test_a_person_holding_the_consultant_role_is_refused_while_it_lasts(personas, world):
    lead = personas.users[Role.LEAD_AUDITOR]
    grant_membership(personas.org, lead, Role.CONSULTANT, actor=personas.manager)
    cycle_audit = make_cycle_audit(make_cycle(personas.cb, world["client"]), start=WITHIN)
    with pytest.raises(ValidationFailed) as refused:
        add_team_member(audit_of(cycle_audit), lead, "lead", actor=personas.users[Role.CB_MANAGER])
    assert "(consultant role in Org A) since" in refused.value.errors[0].message
    assert "still going on" in refused.value.errors[0].message


def test_a_former_consultant_is_not_refused_for_another_client(personas, world):
    other_client = make_client(personas.cb, 1)
    make_engagement(personas.cb, personas.other, kind=CERTIFICATION, client=other_client)
    cycle_audit = make_cycle_audit(make_cycle(personas.cb, other_client), start=WITHIN)
    member = add_team_member(
        audit_of(cycle_audit), world["auditor"], "auditor", actor=personas.users[Role.CB_MANAGER]
    )
    assert member.role == "auditor"


def test_team_candidates_show_the_recorded_consultancy(personas, world):
    cycle_audit = make_cycle_audit(make_cycle(personas.cb, world["client"]), start=WITHIN)
    found = {c.user_id: c for c in candidates(cycle_audit, "auditor")}
    auditor = found[world["auditor"].pk]
    assert not auditor.may_join
    assert auditor.conflicts == [
        "consultant to the client through Bright Path Consulting until 2026-03-01: less than 2 "
        "years before the audit (possible from 2028-03-01)"
    ]
    assert found[personas.users[Role.LEAD_AUDITOR].pk].conflicts == []
