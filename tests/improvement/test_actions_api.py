"""The corrective-action API: a nonconformity's actions, planning, changing, cancelling and
implementing one, and the actions across an organization."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.activity import snapshot
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.documents.evidence.services import store_evidence
from pdca.documents.models import Document, DocumentVersion
from pdca.improvement.models import CorrectiveAction
from pdca.system.permissions import IMPLEMENTERS
from tests.improvement.test_workflow_api import entries, make_action, make_nc

pytestmark = pytest.mark.django_db

ROLES = sorted(ORGANIZATION_ROLES)
READERS = ORGANIZATION_ROLES - {Role.EMPLOYEE}
#: Who may plan and change the actions of a nonconformity the process owner owns.
PLANNERS = IMPLEMENTERS | {Role.PROCESS_OWNER}
IN_TEN_DAYS = (timezone.localdate() + dt.timedelta(days=10)).isoformat()


def actions_url(nc) -> str:
    return f"/api/v1/nonconformities/{nc.pk}/actions/"


def action_url(action, suffix: str = "") -> str:
    return f"/api/v1/corrective-actions/{action.pk}/{suffix}"


def send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, body, content_type="application/json")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


@pytest.fixture
def owner(personas):
    return personas.users[Role.PROCESS_OWNER]


@pytest.fixture
def planning(personas, owner):
    """A nonconformity whose cause is recorded, with one planned action, both the process
    owner's."""
    nc = make_nc(personas.org, "cause_analysed", owner=owner)
    return make_action(nc, owner)


@pytest.fixture
def confirmed(personas, owner):
    """A planned action of a nonconformity whose plan is confirmed."""
    nc = make_nc(personas.org, "action_planned", owner=owner)
    return make_action(nc, owner)


@pytest.fixture
def evidence(personas):
    return store_evidence(personas.org, ("list.txt", b"recall list"), actor=personas.manager)


def expect_refused(response, role: str, obj, before: dict, count: int) -> None:
    assert response.status_code == (403 if role in READERS else 404), response.content
    assert response["Content-Type"] == "application/problem+json"
    obj.refresh_from_db()
    assert snapshot(obj) == before
    assert ActivityEntry.objects.count() == count


# --- a nonconformity's actions ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_nonconformitys_actions_are_listed_to_its_readers(client, personas, planning, role):
    cancelled = make_action(planning.nonconformity, planning.owner, status="cancelled", index=1)
    login(client, personas.users[role])
    response = client.get(actions_url(planning.nonconformity))
    if role in READERS:
        assert ids(response) == [planning.pk, cancelled.pk]
    else:
        assert response.status_code == 404


def test_an_employee_sees_only_their_own_action_of_a_nonconformity_they_reported(
    client, personas, owner
):
    employee = personas.employee
    nc = make_nc(personas.org, "action_planned", owner=owner, reported_by=employee)
    make_action(nc, owner)
    theirs = make_action(nc, employee, index=1)
    login(client, employee)
    assert ids(client.get(actions_url(nc))) == [theirs.pk]
    assert [a["id"] for a in client.get(f"{actions_url(nc)[:-8]}workflow/").json()["actions"]] == [
        theirs.pk
    ]


@pytest.mark.parametrize("role", ROLES)
def test_planning_an_action_answers_each_role(client, personas, planning, role):
    nc, user = planning.nonconformity, personas.users[role]
    count = ActivityEntry.objects.count()
    login(client, user)
    body = {"title": "Train the stores", "owner": planning.owner.pk, "due_date": IN_TEN_DAYS}
    response = send(client, "post", actions_url(nc), body)
    created = CorrectiveAction.objects.exclude(pk=planning.pk)
    if role in PLANNERS:
        assert response.status_code == 201, response.content
        action = created.get()
        assert response.json()["id"] == action.pk
        assert (action.title, action.owner, action.round, action.status) == (
            "Train the stores",
            planning.owner,
            1,
            "planned",
        )
        entry = entries(action, "create", user).get()
        assert entry.via == "api"
    else:
        assert response.status_code == (403 if role in READERS else 404), response.content
        assert not created.exists()
        assert ActivityEntry.objects.count() == count


def test_actions_are_planned_only_once_the_cause_is_recorded(client, personas, owner):
    nc = make_nc(personas.org, "contained", owner=owner)
    login(client, owner)
    body = {"title": "Train", "owner": owner.pk, "due_date": IN_TEN_DAYS}
    response = send(client, "post", actions_url(nc), body)
    assert response.status_code == 409
    assert response.json()["code"] == "not_planning"
    assert not CorrectiveAction.objects.exists()


def test_the_outsider_and_anonymous_reach_no_action(client, personas, planning, evidence):
    nc = planning.nonconformity
    before, count = snapshot(planning), ActivityEntry.objects.count()
    body = {"title": "x", "owner": planning.owner.pk, "due_date": IN_TEN_DAYS}
    calls = [
        ("get", actions_url(nc), {}),
        ("post", actions_url(nc), body),
        ("get", "/api/v1/corrective-actions/", {}),
        ("get", action_url(planning), {}),
        ("patch", action_url(planning), {"title": "Changed"}),
        ("post", action_url(planning, "cancel/"), {"reason": "No"}),
        ("post", action_url(planning, "implement/"), {"note": "x", "evidence": [evidence.pk]}),
    ]
    for method, url, payload in calls:
        assert send(client, method, url, payload).status_code == 401, url
    login(client, personas.outsider)
    for method, url, payload in calls:
        response = send(client, method, url, payload)
        if url == "/api/v1/corrective-actions/":
            assert ids(response) == []
        else:
            assert response.status_code == 404, url
    planning.refresh_from_db()
    assert snapshot(planning) == before
    assert CorrectiveAction.objects.count() == 1
    assert ActivityEntry.objects.count() == count


BAD_NEW = [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"owner": None}, "owner"),
    ({"owner": "outsider"}, "owner"),
    ({"due_date": None}, "due_date"),
    ({"due_date": "yesterday"}, "due_date"),
    ({"due_date": "soon"}, "due_date"),
    ({"description": "x" * 20_001}, "description"),
    ({"status": "implemented"}, "status"),
]


def _body(personas, base: dict, change: dict) -> dict:
    body = dict(base)
    for name, value in change.items():
        if value == "outsider":
            value = personas.outsider.pk
        elif value == "yesterday":
            value = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        body[name] = value
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(("change", "field"), BAD_NEW)
def test_a_bad_new_action_is_a_422_naming_the_field(client, personas, planning, change, field):
    base = {"title": "Train", "owner": planning.owner.pk, "due_date": IN_TEN_DAYS}
    count = ActivityEntry.objects.count()
    login(client, personas.manager)
    response = send(
        client, "post", actions_url(planning.nonconformity), _body(personas, base, change)
    )
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    assert CorrectiveAction.objects.count() == 1
    assert ActivityEntry.objects.count() == count


# --- one action ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_changing_an_action_answers_each_role(client, personas, planning, role):
    user = personas.users[role]
    before, count = snapshot(planning), ActivityEntry.objects.count()
    login(client, user)
    response = send(client, "patch", action_url(planning), {"title": "Recall list, weekly"})
    if role in PLANNERS:
        assert response.status_code == 200, response.content
        assert response.json()["title"] == "Recall list, weekly"
        planning.refresh_from_db()
        assert planning.title == "Recall list, weekly"
        changes = entries(planning, "update", user).get().changes
        assert changes == {"title": ["Start a recall list 0", "Recall list, weekly"]}
    else:
        expect_refused(response, role, planning, before, count)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"owner": None}, "owner"),
        ({"owner": "outsider"}, "owner"),
        ({"due_date": None}, "due_date"),
        ({"due_date": "yesterday"}, "due_date"),
        ({"round": 2}, "round"),
    ],
)
def test_a_bad_change_is_a_422_naming_the_field(client, personas, planning, change, field):
    body = {k: (personas.outsider.pk if v == "outsider" else v) for k, v in change.items()}
    if body.get("due_date") == "yesterday":
        body["due_date"] = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    before, count = snapshot(planning), ActivityEntry.objects.count()
    login(client, personas.manager)
    response = send(client, "patch", action_url(planning), body)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    planning.refresh_from_db()
    assert snapshot(planning) == before
    assert ActivityEntry.objects.count() == count


@pytest.mark.parametrize("role", ROLES)
def test_cancelling_an_action_answers_each_role(client, personas, planning, role):
    user = personas.users[role]
    before, count = snapshot(planning), ActivityEntry.objects.count()
    login(client, user)
    response = send(client, "post", action_url(planning, "cancel/"), {"reason": "Duplicate."})
    if role in PLANNERS:
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["implementation_note"]) == (
            "cancelled",
            "Duplicate.",
        )
        assert entries(planning, "cancel", user).get().via == "api"
    else:
        expect_refused(response, role, planning, before, count)


def test_cancelling_needs_a_reason_and_a_planned_action(client, personas, planning):
    before, count = snapshot(planning), ActivityEntry.objects.count()
    login(client, personas.manager)
    response = send(client, "post", action_url(planning, "cancel/"), {"reason": " "})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    CorrectiveAction.objects.filter(pk=planning.pk).update(status="implemented")
    planning.refresh_from_db()
    before = snapshot(planning)
    response = send(client, "post", action_url(planning, "cancel/"), {"reason": "Late."})
    assert response.status_code == 409
    assert response.json()["code"] == "action_done"
    planning.refresh_from_db()
    assert snapshot(planning) == before
    assert ActivityEntry.objects.count() == count


@pytest.mark.parametrize("role", ROLES)
def test_implementing_an_action_answers_each_role(client, personas, confirmed, evidence, role):
    user = personas.users[role]
    before, count = snapshot(confirmed), ActivityEntry.objects.count()
    login(client, user)
    body = {"note": "Recall list in place.", "evidence": [evidence.pk]}
    response = send(client, "post", action_url(confirmed, "implement/"), body)
    if role in IMPLEMENTERS | {Role.PROCESS_OWNER}:
        assert response.status_code == 200, response.content
        data = response.json()
        assert (data["status"], data["implemented_by"], data["evidence"]) == (
            "implemented",
            user.pk,
            [evidence.pk],
        )
        entry = entries(confirmed, "implement", user).get()
        assert entry.via == "api"
        assert entry.changes["evidence"] == [[], [evidence.pk]]
    else:
        expect_refused(response, role, confirmed, before, count)


def test_an_employee_implements_the_action_they_own(client, personas, owner):
    employee = personas.employee
    nc = make_nc(personas.org, "action_planned", owner=owner)
    action = make_action(nc, employee)
    author = personas.manager
    document = Document.objects.create(organization=personas.org, code="QP-1", title="Calibration")
    version = DocumentVersion.objects.create(
        organization=personas.org, document=document, number=2, content="New", author=author
    )
    login(client, employee)
    assert ids(client.get("/api/v1/corrective-actions/")) == [action.pk]
    body = {"note": "Procedure revised.", "document_version": version.pk}
    response = send(client, "post", action_url(action, "implement/"), body)
    assert response.status_code == 200, response.content
    assert (response.json()["document_version"], response.json()["evidence"]) == (version.pk, [])
    assert entries(action, "implement", employee).get().via == "api"


def test_an_action_is_implemented_only_once_the_plan_is_confirmed(
    client, personas, planning, evidence
):
    before, count = snapshot(planning), ActivityEntry.objects.count()
    login(client, planning.owner)
    body = {"note": "Done.", "evidence": [evidence.pk]}
    response = send(client, "post", action_url(planning, "implement/"), body)
    assert response.status_code == 409
    assert response.json()["code"] == "plan_not_confirmed"
    planning.refresh_from_db()
    assert snapshot(planning) == before
    assert ActivityEntry.objects.count() == count


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"note": ""}, "note"),
        ({"evidence": []}, "evidence"),
        ({"evidence": "foreign"}, "evidence"),
        ({"evidence": [999_999]}, "evidence"),
        ({"document_version": "foreign"}, "document_version"),
        ({"evidence": [0]}, "evidence.0"),
    ],
)
def test_a_bad_implementation_is_a_422_naming_the_field(
    client, personas, confirmed, evidence, change, field
):
    other = personas.other
    body = {"note": "Done.", "evidence": [evidence.pk]}
    for name, value in change.items():
        if value == "foreign" and name == "evidence":
            value = [store_evidence(other, ("b.txt", b"b"), actor=personas.outsider).pk]
        elif value == "foreign":
            document = Document.objects.create(organization=other, code="B-1", title="B")
            value = DocumentVersion.objects.create(
                organization=other, document=document, number=1, author=personas.outsider
            ).pk
        body[name] = value
    before, count = snapshot(confirmed), ActivityEntry.objects.count()
    login(client, confirmed.owner)
    response = send(client, "post", action_url(confirmed, "implement/"), body)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    confirmed.refresh_from_db()
    assert snapshot(confirmed) == before
    assert ActivityEntry.objects.count() == count


# --- the actions across an organization ---------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_readers_every_action_and_employees_their_own(client, personas, owner, role):
    nc = make_nc(personas.org, "action_planned", owner=owner)
    owned = make_action(nc, owner, index=0)
    employees = make_action(nc, personas.employee, index=1)
    theirs = make_action(make_nc(personas.other, "action_planned"), personas.outsider)
    login(client, personas.users[role])
    listed = ids(client.get("/api/v1/corrective-actions/"))
    assert theirs.pk not in listed
    if role in READERS:
        assert listed == [owned.pk, employees.pk]
    else:
        assert listed == [employees.pk]


def test_the_list_filters_mine_overdue_and_organization(client, personas, owner):
    nc = make_nc(personas.org, "action_planned", owner=owner)
    late = make_action(nc, owner, index=0, due_date=timezone.localdate() - dt.timedelta(days=3))
    mine = make_action(nc, personas.manager, index=1)
    done_late = make_action(
        nc,
        owner,
        status="implemented",
        index=2,
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )
    login(client, personas.manager)
    url = "/api/v1/corrective-actions/"
    assert ids(client.get(url, {"mine": "true"})) == [mine.pk]
    assert ids(client.get(url, {"overdue": "true"})) == [late.pk]
    assert ids(client.get(url, {"overdue": "false"})) == [done_late.pk, mine.pk]
    assert ids(client.get(url, {"organization": "org-a"})) == [late.pk, done_late.pk, mine.pk]
    assert ids(client.get(url, {"organization": "org-b"})) == []
    one = client.get(action_url(late)).json()
    assert (one["overdue"], one["nonconformity"], one["nonconformity_reference"]) == (
        True,
        nc.pk,
        "NC-0001",
    )


@pytest.mark.parametrize(
    "url", ["/api/v1/corrective-actions/", "/api/v1/nonconformities/{nc}/actions/"]
)
def test_action_lists_cost_the_same_queries_at_2_and_12_rows(
    client, personas, owner, evidence, url
):
    nc = make_nc(personas.org, "action_planned", owner=owner)
    url = url.format(nc=nc.pk)
    login(client, personas.manager)
    for i in range(2):
        make_action(nc, owner, index=i).evidence.set([evidence])
    small, response = count_queries(lambda: client.get(url))
    assert response.json()["count"] == 2
    for i in range(2, 12):
        make_action(nc, owner, index=i).evidence.set([evidence])
    large, response = count_queries(lambda: client.get(url))
    assert response.json()["count"] == 12
    assert large == small
