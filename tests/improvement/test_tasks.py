"""Each person's corrective-action tasks: their planned actions, the nonconformities they own
with the next step, the checks they may make (never of their own actions), the reports
waiting for triage, and what they reported; in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.improvement.selectors import capa_tasks
from tests.improvement.factories import Cast, drive, in_days, make_cast, noon

pytestmark = pytest.mark.django_db
S = Nonconformity.Status


@pytest.fixture
def world(personas, catalog) -> tuple[Cast, dict[str, Nonconformity]]:
    """A report waiting for triage, a triaged one and a planned one owned by the process
    owner (the planned one's action is the employee's), and an implemented one whose action
    the internal auditor owned."""
    cast = make_cast(personas)
    ncs = {
        "reported": drive(cast, S.REPORTED),
        "triaged": drive(cast, S.TRIAGED),
        "planned": drive(cast, S.ACTION_PLANNED),
        "implemented": drive(cast, S.IMPLEMENTED, action_owner=cast[Role.INTERNAL_AUDITOR]),
    }
    return cast, ncs


def names(rows, ncs) -> list[str]:
    by_pk = {nc.pk: name for name, nc in ncs.items()}
    return [by_pk[getattr(r, "nonconformity_id", None) or r.pk] for r in rows]


def listed(user, cast, ncs) -> dict[str, list[str]]:
    tasks = capa_tasks(User.objects.get(pk=user.pk), cast.org)
    return {
        "actions": names(tasks.actions, ncs),
        "nonconformities": names(tasks.nonconformities, ncs),
        "verifications": names(tasks.verifications, ncs),
        "triage": names(tasks.triage, ncs),
        "reported": names(tasks.reported, ncs),
    }


NOTHING = {"actions": [], "nonconformities": [], "verifications": [], "triage": [], "reported": []}
EXPECTED = {
    Role.ADMIN: NOTHING,
    Role.SYSTEM_MANAGER: NOTHING | {"verifications": ["implemented"], "triage": ["reported"]},
    Role.CONSULTANT: NOTHING | {"verifications": ["implemented"], "triage": ["reported"]},
    Role.TOP_MANAGEMENT: NOTHING | {"verifications": ["implemented"]},
    Role.PROCESS_OWNER: NOTHING | {"nonconformities": ["triaged", "planned"]},
    # The internal auditor owned the implemented one's action: someone else checks it.
    Role.INTERNAL_AUDITOR: NOTHING,
    Role.EMPLOYEE: NOTHING
    | {"actions": ["planned"], "reported": ["implemented", "planned", "triaged", "reported"]},
}


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_each_role_sees_its_own_tasks(world, role):
    cast, ncs = world
    assert listed(cast[role], cast, ncs) == EXPECTED[role]


def test_the_outsider_has_no_tasks_in_our_organization(world, personas):
    cast, ncs = world
    assert listed(personas.outsider, cast, ncs) == NOTHING


def test_the_owner_sees_the_next_step_and_the_counts(world):
    cast, _ncs = world
    tasks = capa_tasks(cast.owner, cast.org)
    assert [n.next_step for n in tasks.nonconformities] == [
        "Record the correction (containment)",
        "Get the actions implemented",
    ]
    assert (tasks.count, tasks.overdue) == (2, 0)


def test_a_check_shows_when_it_opens(world):
    cast, _ncs = world
    [check] = capa_tasks(cast.manager, cast.org).verifications
    assert (check.check_from, check.check_ready) == (in_days(14), False)
    later = capa_tasks(cast.manager, cast.org, today=in_days(14)).verifications[0]
    assert later.check_ready is True


def test_overdue_items_come_first_and_are_counted(world):
    cast, ncs = world
    Nonconformity.objects.filter(pk=ncs["planned"].pk).update(due_date=in_days(-2))
    tasks = capa_tasks(cast.owner, cast.org)
    assert names(tasks.nonconformities, ncs) == ["planned", "triaged"]
    assert tasks.overdue == 1
    CorrectiveAction.objects.filter(nonconformity=ncs["planned"]).update(due_date=in_days(-1))
    employee = capa_tasks(cast[Role.EMPLOYEE], cast.org)
    assert (employee.count, employee.overdue) == (1, 1)


# --- query count ------------------------------------------------------------------------------


def rows(cast: Cast, n: int, start: int) -> None:
    """n rows of every kind the system manager sees, written directly."""
    manager, other = cast.manager, cast[Role.EMPLOYEE]
    implemented = noon(timezone.localdate() - dt.timedelta(days=3))
    for i in range(start, start + n):
        base = {"organization": cast.org, "description": "d", "source": "employee"}
        Nonconformity.objects.create(**base, title=f"R{i}", reported_by=manager)
        Nonconformity.objects.create(
            **base, title=f"T{i}", status=S.TRIAGED, owner=manager, due_date=in_days(i)
        )
        planned = Nonconformity.objects.create(
            **base, title=f"P{i}", status=S.ACTION_PLANNED, owner=other
        )
        CorrectiveAction.objects.create(
            organization=cast.org,
            nonconformity=planned,
            title="a",
            owner=manager,
            due_date=in_days(i),
        )
        done = Nonconformity.objects.create(
            **base,
            title=f"I{i}",
            status=S.IMPLEMENTED,
            implemented_at=implemented,
            severity="major",
        )
        CorrectiveAction.objects.create(
            organization=cast.org,
            nonconformity=done,
            title="b",
            owner=other,
            due_date=in_days(i),
            status="implemented",
        )


def test_the_tasks_take_the_same_queries_at_2_and_12_rows(personas, catalog):
    cast = make_cast(personas)
    rows(cast, 2, 0)
    small, tasks = count_queries(lambda: capa_tasks(User.objects.get(pk=cast.manager.pk), cast.org))
    assert [len(x) for x in (tasks.actions, tasks.nonconformities, tasks.verifications)] == [
        2,
        2,
        2,
    ]
    assert (len(tasks.triage), len(tasks.reported)) == (2, 2)
    rows(cast, 10, 2)
    large, tasks = count_queries(lambda: capa_tasks(User.objects.get(pk=cast.manager.pk), cast.org))
    assert [len(x) for x in (tasks.actions, tasks.nonconformities, tasks.verifications)] == [
        12,
        12,
        12,
    ]
    assert (len(tasks.triage), len(tasks.reported)) == (12, 12)
    assert large == small
