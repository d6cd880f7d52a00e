"""Reader fields: a role without `view` on the organization still sees the rows that name it
(an employee sees the nonconformities they reported or own or own an action of, and the
actions they own), and nothing else; the other roles see what they saw before."""

from __future__ import annotations

import pytest

from pdca.core.permissions import may, scope
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.tenancy.models import Membership, Site

pytestmark = pytest.mark.django_db
READERS = ORGANIZATION_ROLES - {Role.EMPLOYEE}


def nc(org, title: str, **people) -> Nonconformity:
    return Nonconformity.objects.create(
        organization=org, title=title, description="d", source="employee", **people
    )


@pytest.fixture
def rows(personas):
    employee, manager = personas.employee, personas.manager
    return {
        "reported": nc(personas.org, "reported", reported_by=employee),
        "owned": nc(personas.org, "owned", owner=employee, reported_by=manager),
        "others": nc(personas.org, "others", reported_by=manager, owner=manager),
        "nobody": nc(personas.org, "nobody"),
        "theirs": nc(personas.other, "theirs", reported_by=personas.outsider),
    }


def visible(user, model=Nonconformity) -> list[str]:
    return sorted(str(r.title) for r in scope(model.objects.all(), user))


def test_an_employee_sees_what_they_reported_or_own_and_nothing_else(personas, rows):
    employee = personas.employee
    assert visible(employee) == ["owned", "reported"]
    assert {name: may(employee, "view", row) for name, row in rows.items()} == {
        "reported": True,
        "owned": True,
        "others": False,
        "nobody": False,
        "theirs": False,
    }


def test_an_employee_may_not_view_nonconformities_in_general(personas, rows):
    assert may(personas.employee, "view", Nonconformity, organization=personas.org) is False


def test_naming_a_reader_gives_view_only(personas, rows):
    employee = personas.employee
    # The owner rule lets them change what they own; being its reporter does not.
    assert may(employee, "change", rows["owned"]) is True
    assert may(employee, "change", rows["reported"]) is False
    assert may(employee, "delete", rows["owned"]) is False
    assert [r.title for r in scope(Nonconformity.objects.all(), employee, "change")] == ["owned"]
    assert list(scope(Nonconformity.objects.all(), employee, "delete")) == []


@pytest.mark.parametrize("role", sorted(READERS))
def test_the_other_roles_see_every_nonconformity_of_their_organization(personas, rows, role):
    user = personas.users[role]
    assert visible(user) == ["nobody", "others", "owned", "reported"]
    assert all(may(user, "view", row) for name, row in rows.items() if name != "theirs")
    assert may(user, "view", rows["theirs"]) is False


def test_the_outsider_and_the_certification_body_see_none_of_ours(personas, rows):
    assert visible(personas.outsider) == ["theirs"]
    assert visible(personas.users[Role.LEAD_AUDITOR]) == []
    assert may(personas.outsider, "view", rows["reported"]) is False


def test_an_employee_here_and_a_manager_there_sees_all_there_and_their_own_here(personas, rows):
    employee = personas.employee
    Membership.objects.create(organization=personas.other, user=employee, role=Role.SYSTEM_MANAGER)
    fresh = type(employee).objects.get(pk=employee.pk)
    assert visible(fresh) == ["owned", "reported", "theirs"]


def test_an_employee_sees_the_actions_they_own(personas, rows):
    employee = personas.employee
    mine = CorrectiveAction.objects.create(
        organization=personas.org,
        nonconformity=rows["others"],
        title="mine",
        owner=employee,
        due_date="2030-01-01",
    )
    CorrectiveAction.objects.create(
        organization=personas.org,
        nonconformity=rows["others"],
        title="not mine",
        owner=personas.manager,
        due_date="2030-01-01",
    )
    assert visible(employee, CorrectiveAction) == ["mine"]
    assert may(employee, "view", mine) is True
    assert visible(personas.users[Role.PROCESS_OWNER], CorrectiveAction) == ["mine", "not mine"]


def test_a_model_without_reader_fields_is_unchanged_for_employees(personas):
    Site.objects.create(organization=personas.org, name="Plant")
    assert [s.name for s in scope(Site.objects.all(), personas.employee)] == ["Plant"]


def action(nonconformity, owner, title="a") -> CorrectiveAction:
    return CorrectiveAction.objects.create(
        organization=nonconformity.organization,
        nonconformity=nonconformity,
        title=title,
        owner=owner,
        due_date="2030-01-01",
    )


def test_an_employee_sees_once_a_nonconformity_they_own_two_actions_of(personas, rows):
    employee = personas.employee
    action(rows["others"], employee, "one")
    action(rows["others"], employee, "two")
    action(rows["nobody"], personas.manager)
    assert visible(employee) == ["others", "owned", "reported"]
    assert scope(Nonconformity.objects.all(), employee).count() == 3
    assert may(employee, "view", rows["others"]) is True
    assert may(employee, "view", rows["nobody"]) is False


def test_an_action_path_costs_one_query_and_a_direct_field_none(
    personas, rows, django_assert_num_queries
):
    employee = type(personas.employee).objects.get(pk=personas.employee.pk)
    may(employee, "view", rows["reported"])  # reads the roles once
    with django_assert_num_queries(0):
        assert may(employee, "view", rows["reported"]) is True
    with django_assert_num_queries(1):
        assert may(employee, "view", rows["nobody"]) is False
