"""Treatment actions: the services (who may manage them, owners, due dates, completion), the
API and the pages, with the generic bundles' permission matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, ViewBundle, count_queries
from pdca.core.testing.api_bundle import ROLES, login
from pdca.risks import actions
from pdca.risks.models import Risk, TreatmentAction
from pdca.risks.permissions import RISK_KEEPERS

pytestmark = pytest.mark.django_db

TODAY = actions.today()
API = "/api/v1/risk-actions/"


def host_risk(org, **fields) -> Risk:
    """The risk whose treatment plan holds the actions of a test."""
    return Risk.objects.filter(organization=org, code="R-HOST").first() or Risk.objects.create(
        organization=org, code="R-HOST", title="Host risk", **fields
    )


def make_action(org, index=0, **fields) -> TreatmentAction:
    defaults = {
        "risk": host_risk(org),
        "description": f"Treatment action {index} of {org.slug}",
        "due_date": TODAY + dt.timedelta(days=10 + index),
    }
    return TreatmentAction.objects.create(organization=org, **{**defaults, **fields})


# --- the generic bundles --------------------------------------------------------------------


class TestTreatmentActionApi(ApiBundle):
    model = TreatmentAction
    url = API
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = RISK_KEEPERS
    update_payload = {"description": "Fit a second lock", "due_date": "2031-01-31"}
    invalid_payloads = [
        ({"description": ""}, "description"),
        ({"description": None}, "description"),
        ({"due_date": None}, "due_date"),
        ({"owner": "nobody@example.com"}, "owner"),
        ({"status": "later"}, "status"),
        ({"completed_on": "2031-13-01"}, "completed_on"),
        ({"risk": 1}, "risk"),
    ]

    def make(self, org, index=0):
        return make_action(org, index)

    def create_payload(self, org):
        return {
            "risk": host_risk(org).pk,
            "description": "Train the night shift",
            "due_date": "2031-03-31",
        }


class TestTreatmentActionViews(ViewBundle):
    model = TreatmentAction
    list_url = "/risks/actions/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = RISK_KEEPERS
    invalid_form_data = [
        ({"description": "", "status": "open", "due_date": "2031-01-01"}, "description"),
        ({"description": "Train", "status": "open"}, "due_date"),
        ({"description": "Train", "status": "open", "due_date": "31/01"}, "due_date"),
        ({"description": "Train", "status": "someday", "due_date": "2031-01-01"}, "status"),
        (
            {"description": "Train", "status": "open", "due_date": "2031-01-01", "owner": "999999"},
            "owner",
        ),
        (
            {"description": "Train", "status": "done", "completed_on": "2999-01-01"},
            "completed_on",
        ),
    ]

    def make(self, org, index=0):
        return make_action(org, index)

    def create_url_for(self, org):
        return reverse("risks:action-create", args=[host_risk(org).pk])

    def edit_url(self, obj):
        return reverse("risks:action-edit", args=[obj.pk])

    def delete_url(self, obj):
        return reverse("risks:action-delete", args=[obj.pk])

    def form_data(self, org):
        return {"description": "Train the night shift", "status": "open", "due_date": "2031-03-31"}

    def edit_data(self, obj):
        return {
            "description": obj.description + " (revised)",
            "status": obj.status,
            "due_date": "2031-06-30",
        }


# --- services -------------------------------------------------------------------------------


def test_add_sets_the_organization_and_records_it(personas):
    risk = host_risk(personas.org)
    action = actions.add_treatment_action(
        risk,
        actor=personas.manager,
        description="  Fit a lock  ",
        owner=personas.employee,
        due_date=dt.date(2031, 1, 31),
    )
    assert (action.organization, action.risk, action.description) == (
        personas.org,
        risk,
        "Fit a lock",
    )
    assert (action.status, action.completed_on) == ("open", None)
    entry = ActivityEntry.objects.get(object_type="risks.treatmentaction", object_id=action.pk)
    assert (entry.action, entry.actor) == ("create", personas.manager)
    assert entry.changes["description"] == [None, "Fit a lock"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"description": ""}, "description", "This field cannot be blank."),
        ({"due_date": None}, "due_date", "An open action needs a due date."),
        ({"status": "someday"}, "status", "Value 'someday' is not a valid choice."),
        ({"colour": "red"}, "colour", "This field does not exist or cannot be changed."),
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(personas, fields, field, message):
    base = {"description": "Fit a lock", "due_date": dt.date(2031, 1, 31)}
    with pytest.raises(ValidationFailed) as caught:
        actions.add_treatment_action(
            host_risk(personas.org), actor=personas.manager, **{**base, **fields}
        )
    assert {e.field: e.message for e in caught.value.errors} == {field: message}
    assert not TreatmentAction.objects.exists()
    assert not ActivityEntry.objects.filter(object_type="risks.treatmentaction").exists()


def test_the_owner_must_be_a_member(personas):
    with pytest.raises(ValidationFailed) as caught:
        actions.add_treatment_action(
            host_risk(personas.org),
            actor=personas.manager,
            description="Fit a lock",
            due_date=TODAY,
            owner=personas.outsider,
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("owner", f"{personas.outsider} is not a member of this organization.")
    ]


def test_a_done_action_gets_its_completion_date_and_loses_it_when_reopened(personas):
    action = make_action(personas.org)
    actions.update_treatment_action(action, actor=personas.manager, status="done")
    assert action.completed_on == TODAY
    actions.update_treatment_action(action, actor=personas.manager, status="open")
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("open", None)
    actions.update_treatment_action(
        action, actor=personas.manager, status="done", completed_on=dt.date(2026, 1, 2)
    )
    assert action.completed_on == dt.date(2026, 1, 2)
    with pytest.raises(ValidationFailed) as caught:
        actions.update_treatment_action(
            action, actor=personas.manager, completed_on=TODAY + dt.timedelta(days=1)
        )
    assert caught.value.errors[0].field == "completed_on"


def test_a_cancelled_or_done_action_needs_no_due_date(personas):
    for status in ("done", "cancelled"):
        action = actions.add_treatment_action(
            host_risk(personas.org), actor=personas.manager, description=status, status=status
        )
        assert action.due_date is None


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_a_process_owner_manages_the_actions_of_their_own_risk_only(personas, role):
    user = personas.users[role]
    theirs = Risk.objects.create(organization=personas.org, code="R-1", title="T", owner=user)
    action = actions.add_treatment_action(
        theirs, actor=personas.manager, description="Step", due_date=TODAY
    )
    may_manage = role in RISK_KEEPERS or role == "process_owner"
    if may_manage:
        actions.update_treatment_action(action, actor=user, description="Step 1")
        added = actions.add_treatment_action(
            theirs, actor=user, description="Step 2", due_date=TODAY
        )
        actions.delete_treatment_action(added, actor=user)
    else:
        with pytest.raises(PermissionDenied):
            actions.update_treatment_action(action, actor=user, description="Step 1")
        with pytest.raises(PermissionDenied):
            actions.add_treatment_action(theirs, actor=user, description="Step 2", due_date=TODAY)
        with pytest.raises(PermissionDenied):
            actions.delete_treatment_action(action, actor=user)
    action.refresh_from_db()
    assert action.description == ("Step 1" if may_manage else "Step")
    assert TreatmentAction.objects.count() == 1


def test_a_process_owner_cannot_manage_actions_of_someone_elses_risk(personas):
    owner = personas.users["process_owner"]
    action = make_action(personas.org)
    with pytest.raises(PermissionDenied):
        actions.update_treatment_action(action, actor=owner, description="Mine now")
    with pytest.raises(PermissionDenied):
        actions.complete_treatment_action(action, actor=owner)
    action.refresh_from_db()
    assert action.status == "open"


def test_the_owner_of_an_action_may_complete_it(personas):
    owner = personas.users["process_owner"]
    action = make_action(personas.org, owner=owner)
    with pytest.raises(PermissionDenied):
        actions.update_treatment_action(action, actor=owner, description="Changed")
    actions.complete_treatment_action(action, actor=owner, on=dt.date(2026, 2, 1))
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("done", dt.date(2026, 2, 1))
    entry = ActivityEntry.objects.get(object_id=action.pk, action="complete")
    assert entry.changes == {
        "status": ["open", "done"],
        "completed_on": [None, "2026-02-01"],
    }
    with pytest.raises(Conflict) as caught:
        actions.complete_treatment_action(action, actor=personas.manager)
    assert caught.value.code == "not_open"


def test_an_employee_who_owns_an_action_may_not_complete_it(personas):
    # Only process owners may change what they own (the registered owner rule).
    action = make_action(personas.org, owner=personas.employee)
    with pytest.raises(PermissionDenied):
        actions.complete_treatment_action(action, actor=personas.employee)


def test_overdue(personas):
    late = make_action(personas.org, 0, due_date=TODAY - dt.timedelta(days=1))
    due_today = make_action(personas.org, 1, due_date=TODAY)
    done_late = make_action(
        personas.org, 2, due_date=TODAY - dt.timedelta(days=5), status="done", completed_on=TODAY
    )
    assert [actions.is_overdue(a) for a in (late, due_today, done_late)] == [True, False, False]
    assert list(
        TreatmentAction.objects.filter(actions.overdue_q()).values_list("pk", flat=True)
    ) == [late.pk]


# --- API extras -----------------------------------------------------------------------------


def test_api_list_filters(client, personas):
    org = personas.org
    other_risk = Risk.objects.create(organization=org, code="R-2", title="Second")
    late = make_action(org, 0, due_date=TODAY - dt.timedelta(days=3), owner=personas.employee)
    on_time = make_action(org, 1)
    done = make_action(org, 2, risk=other_risk, status="done", completed_on=TODAY)
    login(client, personas.employee)

    def ids(**params):
        response = client.get(API, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["items"]]

    assert ids() == [late.pk, on_time.pk, done.pk]
    assert ids(risk=other_risk.pk) == [done.pk]
    assert ids(status="open") == [late.pk, on_time.pk]
    assert ids(overdue="true") == [late.pk]
    assert ids(overdue="false") == [on_time.pk, done.pk]
    assert ids(organization="org-b") == []
    row = client.get(f"{API}{late.pk}/").json()
    assert row["overdue"] is True
    assert (row["risk"], row["risk_code"], row["owner"]) == (
        late.risk_id,
        "R-HOST",
        personas.employee.email,
    )
    assert client.get(API, {"status": "someday"}).status_code == 422


def test_api_create_with_an_owner_by_e_mail(client, personas):
    login(client, personas.manager)
    response = client.post(
        API,
        {
            "risk": host_risk(personas.org).pk,
            "description": "Review access",
            "owner": personas.employee.email.upper(),
            "due_date": "2031-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == personas.employee.email


def test_api_create_on_an_unknown_or_foreign_risk_is_404(client, personas):
    login(client, personas.manager)
    for risk_id in (host_risk(personas.other).pk, 10**9):
        response = client.post(
            API,
            {"risk": risk_id, "description": "x", "due_date": "2031-01-01"},
            content_type="application/json",
        )
        assert response.status_code == 404
    assert not TreatmentAction.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_api_complete_by_role(client, personas, role):
    org = personas.org_for(role)
    user = personas.users[role]
    mine = make_action(org, 0, owner=user)
    login(client, user)
    response = client.post(f"{API}{mine.pk}/complete/", {}, content_type="application/json")
    mine.refresh_from_db()
    if role in RISK_KEEPERS or role == "process_owner":
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["completed_on"]) == (
            "done",
            TODAY.isoformat(),
        )
        assert mine.status == "done"
    else:
        assert response.status_code == (403 if role in ALL_ROLES else 404)
        assert mine.status == "open"


def test_api_complete_twice_is_a_conflict(client, personas):
    action = make_action(personas.org, status="done", completed_on=TODAY)
    login(client, personas.manager)
    response = client.post(f"{API}{action.pk}/complete/", {}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_open"


# --- page extras ----------------------------------------------------------------------------


def test_action_list_shows_open_actions_overdue_first(client, personas):
    org = personas.org
    later = make_action(org, 0, due_date=TODAY + dt.timedelta(days=1))
    late = make_action(org, 1, due_date=TODAY - dt.timedelta(days=30))
    make_action(org, 2, status="done", completed_on=TODAY, description="Finished work")
    login(client, personas.employee)
    response = client.get(reverse("risks:action-list"))
    html = response.content.decode()
    assert [a.pk for a in response.context["page"]] == [late.pk, later.pk]
    assert "Finished work" not in html
    assert html.count("overdue</span>") == 1
    assert "Mark done" not in html  # an employee may not complete others' actions


def test_complete_page_by_the_owner(client, personas):
    owner = personas.users["process_owner"]
    action = make_action(personas.org, owner=owner)
    login(client, owner)
    url = reverse("risks:action-complete", args=[action.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"next": reverse("risks:action-list")})
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:action-list")
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("done", TODAY)
    # An outside address in `next` is ignored.
    other = make_action(personas.org, 1, owner=owner)
    response = client.post(
        reverse("risks:action-complete", args=[other.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/risks/{other.risk_id}/"


def test_complete_page_refuses_others_and_hides_foreign_actions(client, personas):
    action = make_action(personas.org)
    login(client, personas.employee)
    url = reverse("risks:action-complete", args=[action.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    login(client, personas.outsider)
    assert client.post(url).status_code == 404
    action.refresh_from_db()
    assert action.status == "open"


def test_create_page_redirects_to_the_risk_and_edit_page_shows_history(client, personas):
    risk = host_risk(personas.org)
    login(client, personas.manager)
    response = client.post(
        reverse("risks:action-create", args=[risk.pk]),
        {
            "description": "Train",
            "status": "open",
            "due_date": "2031-01-01",
            "owner": personas.employee.pk,
        },
    )
    assert response["Location"] == f"/risks/{risk.pk}/"
    action = TreatmentAction.objects.get()
    assert action.owner == personas.employee
    response = client.get(reverse("risks:action-edit", args=[action.pk]))
    history = response.content.decode().split('id="history"', 1)[1]
    assert "<td>create</td>" in history


def test_create_page_of_another_organizations_risk_is_404(client, personas):
    login(client, personas.manager)
    url = reverse("risks:action-create", args=[host_risk(personas.other).pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"description": "x", "status": "open", "due_date": "2031-01-01"}
        ).status_code
        == 404
    )
    assert not TreatmentAction.objects.exists()


def test_action_list_query_count_with_owners(client, personas):
    login(client, personas.manager)
    for i in range(2):
        make_action(personas.org, i, owner=personas.employee)
    small, _ = count_queries(lambda: client.get(reverse("risks:action-list")))
    for i in range(2, 14):
        make_action(
            personas.org,
            i,
            owner=personas.users["process_owner"],
            risk=Risk.objects.create(organization=personas.org, code=f"R-{i}", title="x"),
        )
    large, _ = count_queries(lambda: client.get(reverse("risks:action-list")))
    assert large == small
