"""A person's corrective-action tasks (GET /api/v1/capa-tasks/) and the organization's
corrective-action policy (GET/PUT /api/v1/capa-policy/)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import CapaPolicy
from pdca.system.permissions import IMPLEMENTERS
from pdca.tenancy.models import Membership
from tests.improvement.test_workflow_api import entries, make_action, make_nc

pytestmark = pytest.mark.django_db

ROLES = sorted(ORGANIZATION_ROLES)
TASKS = "/api/v1/capa-tasks/"
POLICY = "/api/v1/capa-policy/"
VERIFIERS = IMPLEMENTERS | {Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR}
NEW_POLICY = {
    "major_due_days": 45,
    "minor_due_days": 120,
    "major_wait_days": 60,
    "minor_wait_days": 7,
}


def put(client, body: dict, org: str = "org-a"):
    return client.put(f"{POLICY}?organization={org}", body, content_type="application/json")


# --- tasks --------------------------------------------------------------------------------


@pytest.fixture
def work(personas):
    """One of each kind of task in org A: a report to triage, a nonconformity and an action
    the process owner owns, one the system manager owns, and an implemented nonconformity to
    check."""
    owner = personas.users[Role.PROCESS_OWNER]
    org = personas.org
    reported = make_nc(org, "reported", index=0, reported_by=personas.employee)
    owned = make_nc(org, "contained", index=1, owner=owner)
    planned = make_nc(org, "action_planned", index=2, owner=personas.manager)
    action = make_action(planned, owner, due_date=timezone.localdate() - dt.timedelta(days=2))
    checkable = make_nc(org, "implemented", index=3, owner=personas.manager)
    make_action(checkable, owner, status="implemented", index=1)
    return {
        "reported": reported,
        "owned": owned,
        "planned": planned,
        "action": action,
        "checkable": checkable,
    }


def task_ids(data: dict) -> dict:
    return {
        name: [row["id"] for row in data[name]]
        for name in ("actions", "nonconformities", "verifications", "triage", "reported")
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_member_gets_their_own_tasks(client, personas, work, role):
    login(client, personas.users[role])
    response = client.get(TASKS, {"organization": "org-a"})
    assert response.status_code == 200, response.content
    data = response.json()
    got = task_ids(data)
    expected = {
        "actions": [work["action"].pk] if role == Role.PROCESS_OWNER else [],
        "nonconformities": {
            Role.PROCESS_OWNER: [work["owned"].pk],
            Role.SYSTEM_MANAGER: [work["planned"].pk],
        }.get(role, []),
        "verifications": [work["checkable"].pk] if role in VERIFIERS else [],
        "triage": [work["reported"].pk] if role in IMPLEMENTERS else [],
        "reported": [work["reported"].pk] if role == Role.EMPLOYEE else [],
    }
    assert got == expected
    assert data["organization"] == "org-a"
    assert data["count"] == sum(len(v) for k, v in expected.items() if k != "reported")


def test_the_process_owners_tasks_say_what_is_next_and_what_is_late(client, personas, work):
    login(client, personas.users[Role.PROCESS_OWNER])
    data = client.get(TASKS).json()
    assert data["overdue"] == 1
    assert data["actions"][0]["overdue"] is True
    assert data["actions"][0]["nonconformity_reference"] == "NC-0003"
    assert data["nonconformities"][0]["next_step"] == "Analyse the cause"


def test_a_check_is_listed_with_the_day_it_opens(client, personas, work):
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    check = client.get(TASKS).json()["verifications"][0]
    implemented = timezone.localdate(work["checkable"].implemented_at)
    assert check["check_from"] == str(implemented + dt.timedelta(days=14))
    assert check["check_ready"] is True


def test_tasks_are_404_to_the_outsider_and_401_to_anonymous(client, personas, work):
    assert client.get(TASKS, {"organization": "org-a"}).status_code == 401
    login(client, personas.outsider)
    assert client.get(TASKS, {"organization": "org-a"}).status_code == 404
    own = client.get(TASKS).json()
    assert (own["organization"], own["count"]) == ("org-b", 0)


def test_a_member_of_two_organizations_names_one(client, personas):
    Membership.objects.create(
        organization=personas.other, user=personas.manager, role=Role.EMPLOYEE
    )
    login(client, personas.manager)
    response = client.get(TASKS)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["organization"]
    assert client.get(TASKS, {"organization": "org-b"}).json()["organization"] == "org-b"


def test_tasks_cost_the_same_queries_at_2_and_12_rows(client, personas):
    manager, owner, org = personas.manager, personas.users[Role.PROCESS_OWNER], personas.org

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            make_nc(org, "reported", index=4 * i, reported_by=manager)
            make_nc(org, "triaged", index=4 * i + 1, owner=manager)
            planned = make_nc(org, "action_planned", index=4 * i + 2, owner=owner)
            make_action(planned, manager, index=i)
            checkable = make_nc(org, "implemented", index=4 * i + 3, owner=owner)
            make_action(checkable, owner, status="implemented", index=i)

    login(client, manager)
    add(0, 2)
    small, response = count_queries(lambda: client.get(TASKS))
    assert [len(v) for v in task_ids(response.json()).values()] == [2, 2, 2, 2, 2]
    add(2, 12)
    large, response = count_queries(lambda: client.get(TASKS))
    assert [len(v) for v in task_ids(response.json()).values()] == [12, 12, 12, 12, 12]
    assert large == small


# --- policy -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_the_policy(client, personas, role):
    login(client, personas.users[role])
    response = client.get(POLICY, {"organization": "org-a"})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "organization": "org-a",
        "saved": False,
        "major_due_days": 60,
        "minor_due_days": 90,
        "major_wait_days": 30,
        "minor_wait_days": 14,
    }


@pytest.mark.parametrize("role", ROLES)
def test_implementers_set_the_policy_and_others_get_403(client, personas, role):
    user = personas.users[role]
    count = ActivityEntry.objects.count()
    login(client, user)
    response = put(client, NEW_POLICY)
    if role in IMPLEMENTERS:
        assert response.status_code == 200, response.content
        assert response.json() == {"organization": "org-a", "saved": True, **NEW_POLICY}
        policy = CapaPolicy.objects.get(organization=personas.org)
        assert policy.major_wait_days == 60
        entry = entries(policy, "create", user).get()
        assert entry.via == "api"
        assert entry.changes["minor_due_days"] == [None, 120]
    else:
        assert response.status_code == 403, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert not CapaPolicy.objects.exists()
        assert ActivityEntry.objects.count() == count


def test_a_second_change_records_only_what_changed(client, personas):
    login(client, personas.manager)
    put(client, NEW_POLICY)
    response = put(client, {**NEW_POLICY, "minor_wait_days": 21})
    assert response.json()["minor_wait_days"] == 21
    policy = CapaPolicy.objects.get()
    assert entries(policy, "update", personas.manager).get().changes == {"minor_wait_days": [7, 21]}


def test_the_policy_is_404_to_the_outsider_and_401_to_anonymous(client, personas):
    assert client.get(POLICY, {"organization": "org-a"}).status_code == 401
    assert put(client, NEW_POLICY).status_code == 401
    login(client, personas.outsider)
    assert client.get(POLICY, {"organization": "org-a"}).status_code == 404
    assert put(client, NEW_POLICY).status_code == 404
    assert not CapaPolicy.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"major_due_days": 0}, "major_due_days"),
        ({"minor_due_days": "30"}, "minor_due_days"),
        ({"major_wait_days": -1}, "major_wait_days"),
        ({"minor_wait_days": 731}, "minor_wait_days"),
        ({"minor_wait_days": True}, "minor_wait_days"),
        ({"major_due_days": 1.5}, "major_due_days"),
        ({"major_due_days": None}, "major_due_days"),
        ({"grace_days": 3}, "grace_days"),
    ],
)
def test_a_bad_policy_is_a_422_naming_the_field(client, personas, change, field):
    body = {**NEW_POLICY, **change}
    body = {k: v for k, v in body.items() if v is not None}
    count = ActivityEntry.objects.count()
    login(client, personas.manager)
    response = put(client, body)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    assert not CapaPolicy.objects.exists()
    assert ActivityEntry.objects.count() == count
