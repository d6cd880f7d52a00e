"""Independence: nobody audits their own process; the refusal names the person, the process
and why, on the register, when adding a team member and when planning a slot."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.audits import services
from pdca.audits.independence import conflicts, validate_audit
from pdca.audits.models import Audit, AuditTeamMember
from pdca.core.exceptions import ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.registers.services import create_entry, update_entry
from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.system.models import RaciAssignment, Responsibility
from tests.audits.test_audit_register import make_audit, make_member, make_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(personas):
    org = personas.org
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    owner = personas.users[Role.PROCESS_OWNER]
    production = make_process(org, 1, name="Production", owner=owner)
    purchasing = make_process(org, 2, name="Purchasing")
    return org, auditor, owner, production, purchasing


def _errors(exc) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in exc.value.errors]


def test_an_owner_may_not_lead_an_internal_audit_of_their_process(personas, setup):
    org, _auditor, owner, production, purchasing = setup
    from pdca.audits.registers import AUDITS

    with pytest.raises(ValidationFailed) as exc:
        create_entry(
            AUDITS,
            org,
            actor=personas.manager,
            title="Production audit",
            start_date=dt.date(2026, 3, 2),
            end_date=dt.date(2026, 3, 3),
            lead_auditor=owner,
            processes=[production, purchasing],
        )
    assert _errors(exc) == [
        (
            "lead_auditor",
            "Process Owner A may not audit P-01 Production: they own this process; "
            "an internal auditor may not audit their own work.",
        )
    ]
    assert not Audit.objects.exists()


def test_a_supplier_audit_has_no_such_rule(personas, setup):
    org, _auditor, owner, production, _purchasing = setup
    from pdca.audits.registers import AUDITS

    audit = create_entry(
        AUDITS,
        org,
        actor=personas.manager,
        title="Supplier audit",
        audit_type="supplier",
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 3),
        lead_auditor=owner,
        processes=[production],
    )
    assert audit.lead_auditor == owner


def test_responsible_or_accountable_in_the_raci_is_not_independent(personas, setup):
    org, auditor, _owner, production, purchasing = setup
    duty = Responsibility.objects.create(
        organization=org, activity="Approve suppliers", process=purchasing
    )
    RaciAssignment.objects.create(organization=org, responsibility=duty, user=auditor, letter="A")
    informed = Responsibility.objects.create(
        organization=org, activity="Plan production", process=production
    )
    RaciAssignment.objects.create(
        organization=org, responsibility=informed, user=auditor, letter="I"
    )
    audit = make_audit(org, lead_auditor=auditor)
    with pytest.raises(ValidationFailed) as exc:
        validate_audit(audit, {"processes": [production, purchasing]})
    assert _errors(exc) == [
        (
            "lead_auditor",
            "Internal Auditor A may not audit P-02 Purchasing: they are accountable for "
            "“Approve suppliers” in this process; an internal auditor may not audit their own "
            "work.",
        )
    ]
    # Consulted or informed is no conflict.
    validate_audit(audit, {"processes": [production]})


def test_adding_a_process_owned_by_a_team_auditor_names_processes(personas, setup):
    org, auditor, owner, production, _purchasing = setup
    from pdca.audits.registers import AUDITS

    audit = make_audit(org, lead_auditor=auditor)
    AuditTeamMember.objects.create(organization=org, audit=audit, user=owner, role="auditor")
    with pytest.raises(ValidationFailed) as exc:
        update_entry(AUDITS, audit, actor=personas.manager, processes=[production])
    assert [e.field for e in exc.value.errors] == ["processes"]
    assert "Process Owner A may not audit P-01 Production" in exc.value.errors[0].message
    assert list(audit.processes.all()) == []
    # An observer owning the process is fine.
    AuditTeamMember.objects.filter(user=owner).update(role="observer")
    update_entry(AUDITS, audit, actor=personas.manager, processes=[production])
    assert list(audit.processes.all()) == [production]


def test_end_before_start_is_refused(personas):
    audit = make_audit(personas.org)
    audit.end_date = dt.date(2026, 3, 1)
    with pytest.raises(ValidationFailed) as exc:
        validate_audit(audit, {})
    assert _errors(exc) == [("end_date", "The audit ends before it starts.")]


def test_lead_auditor_must_be_a_member(personas):
    audit = make_audit(personas.org, lead_auditor=personas.outsider)
    with pytest.raises(ValidationFailed) as exc:
        validate_audit(audit, {})
    assert _errors(exc) == [("lead_auditor", "Outsider B is not a member of this organization.")]


def test_team_member_who_owns_a_process_in_scope_is_refused(personas, setup):
    org, _auditor, owner, production, _purchasing = setup
    audit = make_audit(org)
    audit.processes.set([production])
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.add_team_member(audit, owner, "auditor", actor=personas.manager)
    assert _errors(exc) == [
        (
            "user",
            "Process Owner A may not audit P-01 Production: they own this process; "
            "an internal auditor may not audit their own work.",
        )
    ]
    assert not audit.team.exists()
    assert ActivityEntry.objects.count() == entries
    # As a guide, the owner may accompany the team.
    member = services.add_team_member(audit, owner, "guide", actor=personas.manager)
    assert member.role == "guide"
    # …but may not be made an auditor later.
    with pytest.raises(ValidationFailed) as exc:
        services.update_team_member(member, actor=personas.manager, role="auditor")
    assert [e.field for e in exc.value.errors] == ["role"]
    member.refresh_from_db()
    assert member.role == "guide"


def test_conflicts_cost_two_queries_whatever_the_size(personas):
    org = personas.org
    people = [make_member(org, f"Person {i}") for i in range(6)]
    processes = [make_process(org, i, owner=people[i % 6]) for i in range(12)]
    n, found = count_queries(lambda: conflicts(org.pk, people, processes))
    assert n == 2
    assert len(found) == 12


def test_the_register_form_shows_the_refusal_on_the_lead_auditor(client, personas, setup):
    _org, _auditor, owner, production, _purchasing = setup
    login(client, personas.manager)
    response = client.post(
        "/audits/new/",
        {
            "title": "Production audit",
            "audit_type": "internal",
            "start_date": "2026-03-02",
            "end_date": "2026-03-03",
            "lead_auditor": owner.pk,
            "processes": [production.pk],
        },
    )
    assert response.status_code == 200
    assert "they own this process" in response.context["form"].errors["lead_auditor"][0]
    assert not Audit.objects.exists()
