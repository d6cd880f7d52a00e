"""Corrective actions: planned while the plan may change, each with owner and due date;
implemented by their owner with evidence once the plan is confirmed; the plan is confirmed
only with actions, and the nonconformity marked implemented only when none is still planned."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.documents.evidence.services import store_evidence
from pdca.improvement.actions import (
    add_corrective_action,
    cancel_corrective_action,
    implement_corrective_action,
    update_corrective_action,
)
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.improvement.workflow.services import current_actions, transition_nonconformity
from tests.improvement.factories import (
    CHANGERS,
    PATH,
    Cast,
    drive,
    in_days,
    make_cast,
    state_of,
    step_data,
)

pytestmark = pytest.mark.django_db
S = Nonconformity.Status


@pytest.fixture
def cast(personas, catalog) -> Cast:
    return make_cast(personas)


def action_for(cast: Cast, nc: Nonconformity, owner=None, title="Start a recall list"):
    return add_corrective_action(
        nc,
        actor=cast.owner,
        title=title,
        owner=owner or cast[Role.EMPLOYEE],
        due_date=in_days(10),
    )


def action_state(action: CorrectiveAction) -> tuple:
    fresh = CorrectiveAction.objects.get(pk=action.pk)
    return (
        fresh.status,
        fresh.title,
        fresh.owner_id,
        fresh.due_date,
        fresh.implemented_by_id,
        fresh.implementation_note,
        sorted(fresh.evidence.values_list("pk", flat=True)),
        ActivityEntry.objects.filter(organization_id=fresh.organization_id).count(),
    )


# --- planning ---------------------------------------------------------------------------------


def test_an_action_is_planned_in_the_current_round_with_its_entry(cast):
    nc = drive(cast, S.CAUSE_ANALYSED)
    action = action_for(cast, nc)
    assert (action.round, action.status, action.owner, action.due_date) == (
        1,
        "planned",
        cast[Role.EMPLOYEE],
        in_days(10),
    )
    entry = ActivityEntry.objects.get(
        object_type="improvement.correctiveaction", object_id=str(action.pk)
    )
    assert (entry.action, entry.actor, entry.changes["title"]) == (
        "create",
        cast.owner,
        [None, "Start a recall list"],
    )


@pytest.mark.parametrize(
    "state", [s for s in PATH if s not in (S.CAUSE_ANALYSED, S.ACTION_PLANNED)]
)
def test_actions_are_planned_only_between_analysis_and_implementation(cast, state):
    nc = drive(cast, state)
    before = state_of(nc)
    with pytest.raises(Conflict) as excinfo:
        add_corrective_action(
            nc, actor=cast.manager, title="x", owner=cast.owner, due_date=in_days(3)
        )
    assert excinfo.value.code == "not_planning"
    assert state_of(nc) == before


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES - CHANGERS))
def test_a_role_that_may_not_change_the_nonconformity_cannot_plan_actions(cast, role):
    nc = drive(cast, S.CAUSE_ANALYSED)
    before = state_of(nc)
    with pytest.raises(PermissionDenied):
        add_corrective_action(
            nc, actor=cast[role], title="x", owner=cast.owner, due_date=in_days(3)
        )
    assert state_of(nc) == before


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"title": "", "owner": "employee", "due_date": 10}, ["title"]),
        ({"title": "x", "owner": None, "due_date": 10}, ["owner"]),
        ({"title": "x", "owner": "outsider", "due_date": 10}, ["owner"]),
        ({"title": "x", "owner": "employee", "due_date": -1}, ["due_date"]),
        ({"title": "x", "owner": "employee", "due_date": None}, ["due_date"]),
        ({"title": "x", "owner": "employee", "due_date": 1, "status": "implemented"}, ["status"]),
        ({"title": " ", "owner": None, "due_date": None}, ["title", "owner", "due_date"]),
    ],
)
def test_a_planned_action_names_each_bad_field(cast, personas, fields, bad):
    nc = drive(cast, S.CAUSE_ANALYSED)
    people = {"employee": cast[Role.EMPLOYEE], "outsider": personas.outsider, None: None}
    data = dict(fields)
    data["owner"] = people[data["owner"]]
    data["due_date"] = None if data["due_date"] is None else in_days(data["due_date"])
    before = state_of(nc)
    with pytest.raises(ValidationFailed) as excinfo:
        add_corrective_action(nc, actor=cast.owner, **data)
    assert sorted(e.field for e in excinfo.value.errors) == sorted(bad)
    assert state_of(nc) == before


def test_updating_a_planned_action_records_what_changed(cast):
    nc = drive(cast, S.CAUSE_ANALYSED)
    action = action_for(cast, nc)
    update_corrective_action(action, actor=cast.owner, due_date=in_days(20), title="Recall list")
    entry = ActivityEntry.objects.filter(
        object_type="improvement.correctiveaction", object_id=str(action.pk)
    ).latest("seq")
    assert (entry.action, entry.changes) == (
        "update",
        {
            "title": ["Start a recall list", "Recall list"],
            "due_date": [in_days(10).isoformat(), in_days(20).isoformat()],
        },
    )


def test_an_implemented_action_is_no_longer_changed_or_cancelled(cast):
    nc = drive(cast, S.ACTION_PLANNED)
    action = CorrectiveAction.objects.get(nonconformity=nc)
    implement_corrective_action(action, actor=action.owner, note="Done.", evidence=[cast.evidence])
    before = action_state(action)
    with pytest.raises(Conflict) as changed:
        update_corrective_action(action, actor=cast.owner, title="Other")
    with pytest.raises(Conflict) as cancelled:
        cancel_corrective_action(action, actor=cast.owner, reason="No.")
    assert (changed.value.code, cancelled.value.code) == ("action_done", "action_done")
    assert action_state(action) == before


def test_a_cancelled_action_keeps_its_reason_and_no_longer_counts(cast):
    nc = drive(cast, S.CAUSE_ANALYSED)
    action = action_for(cast, nc)
    cancel_corrective_action(action, actor=cast.owner, reason="Covered by the new procedure.")
    action.refresh_from_db()
    assert (action.status, action.implementation_note) == (
        "cancelled",
        "Covered by the new procedure.",
    )
    assert current_actions(Nonconformity.objects.get(pk=nc.pk)) == []
    assert (
        ActivityEntry.objects.filter(
            object_type="improvement.correctiveaction", object_id=str(action.pk)
        )
        .latest("seq")
        .action
        == "cancel"
    )


def test_cancelling_without_a_reason_names_the_reason(cast):
    nc = drive(cast, S.CAUSE_ANALYSED)
    action = action_for(cast, nc)
    before = action_state(action)
    with pytest.raises(ValidationFailed) as excinfo:
        cancel_corrective_action(action, actor=cast.owner, reason="")
    assert [e.field for e in excinfo.value.errors] == ["reason"]
    assert action_state(action) == before


# --- the plan needs actions; implemented needs them done ---------------------------------------


def test_the_plan_is_not_confirmed_without_an_action(cast):
    nc = drive(cast, S.CAUSE_ANALYSED)
    before = state_of(nc)
    with pytest.raises(Conflict) as excinfo:
        transition_nonconformity(nc, "plan", actor=cast.owner, **step_data(cast, "plan"))
    assert excinfo.value.code == "cannot_plan"
    assert "at least one corrective action" in excinfo.value.message
    assert state_of(nc) == before


def test_the_plan_is_not_confirmed_with_cancelled_actions_only(cast):
    nc = drive(cast, S.CAUSE_ANALYSED)
    cancel_corrective_action(action_for(cast, nc), actor=cast.owner, reason="Dropped.")
    before = state_of(nc)
    with pytest.raises(Conflict):
        transition_nonconformity(nc, "plan", actor=cast.owner, **step_data(cast, "plan"))
    assert state_of(nc) == before


def test_it_is_not_marked_implemented_while_actions_are_still_planned(cast):
    nc = drive(cast, S.ACTION_PLANNED)
    action_for(cast, nc, title="Label each gauge")
    done = CorrectiveAction.objects.get(nonconformity=nc, title="Start a recall list")
    implement_corrective_action(done, actor=done.owner, note="Done.", evidence=[cast.evidence])
    before = state_of(nc)
    with pytest.raises(Conflict) as excinfo:
        transition_nonconformity(nc, "implement", actor=cast.owner)
    assert excinfo.value.code == "cannot_implement"
    assert excinfo.value.message == "1 action(s) not implemented yet: Label each gauge."
    assert state_of(nc) == before


def test_it_is_not_marked_implemented_when_every_action_was_cancelled(cast):
    nc = drive(cast, S.ACTION_PLANNED)
    only = CorrectiveAction.objects.get(nonconformity=nc)
    cancel_corrective_action(only, actor=cast.owner, reason="Dropped.")
    before = state_of(nc)
    with pytest.raises(Conflict) as excinfo:
        transition_nonconformity(nc, "implement", actor=cast.owner)
    assert excinfo.value.message == "No corrective action was implemented in this round."
    assert state_of(nc) == before


# --- implementing an action ------------------------------------------------------------------


def test_the_owner_implements_an_action_with_evidence(cast):
    nc = drive(cast, S.ACTION_PLANNED)
    action = CorrectiveAction.objects.get(nonconformity=nc)
    employee = cast[Role.EMPLOYEE]
    implement_corrective_action(action, actor=employee, note="Done.", evidence=[cast.evidence])
    action.refresh_from_db()
    assert (action.status, action.implemented_by, action.implementation_note) == (
        "implemented",
        employee,
        "Done.",
    )
    entry = ActivityEntry.objects.filter(
        object_type="improvement.correctiveaction", object_id=str(action.pk)
    ).latest("seq")
    assert (entry.action, entry.actor, entry.changes["evidence"]) == (
        "implement",
        employee,
        [[], [cast.evidence.pk]],
    )


def test_an_action_is_not_implemented_before_the_plan_is_confirmed(cast):
    nc = drive(cast, S.CAUSE_ANALYSED)
    action = action_for(cast, nc)
    before = action_state(action)
    with pytest.raises(Conflict) as excinfo:
        implement_corrective_action(
            action, actor=action.owner, note="Done.", evidence=[cast.evidence]
        )
    assert excinfo.value.code == "plan_not_confirmed"
    assert action_state(action) == before


@pytest.mark.parametrize(
    "role",
    sorted(ORGANIZATION_ROLES - {Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.EMPLOYEE}),
)
def test_only_the_action_owner_or_an_implementer_implements_it(cast, role):
    nc = drive(cast, S.ACTION_PLANNED)
    action = CorrectiveAction.objects.get(nonconformity=nc)
    before = action_state(action)
    with pytest.raises(PermissionDenied):
        implement_corrective_action(action, actor=cast[role], note="x", evidence=[cast.evidence])
    assert action_state(action) == before


def test_implementing_without_evidence_or_note_names_both(cast):
    nc = drive(cast, S.ACTION_PLANNED)
    action = CorrectiveAction.objects.get(nonconformity=nc)
    before = action_state(action)
    with pytest.raises(ValidationFailed) as excinfo:
        implement_corrective_action(action, actor=action.owner, note=" ")
    assert [e.field for e in excinfo.value.errors] == ["note", "evidence"]
    assert action_state(action) == before


def test_implementing_with_evidence_of_another_organization_names_the_evidence(cast, personas):
    nc = drive(cast, S.ACTION_PLANNED)
    action = CorrectiveAction.objects.get(nonconformity=nc)
    theirs = store_evidence(personas.other, ("b.txt", b"theirs"), actor=personas.outsider)
    before = action_state(action)
    with pytest.raises(ValidationFailed) as excinfo:
        implement_corrective_action(action, actor=action.owner, note="x", evidence=[theirs])
    assert [e.field for e in excinfo.value.errors] == ["evidence"]
    assert action_state(action) == before


def test_an_action_is_implemented_once(cast):
    nc = drive(cast, S.ACTION_PLANNED)
    action = CorrectiveAction.objects.get(nonconformity=nc)
    implement_corrective_action(action, actor=action.owner, note="x", evidence=[cast.evidence])
    before = action_state(action)
    with pytest.raises(Conflict) as excinfo:
        implement_corrective_action(action, actor=action.owner, note="y", evidence=[cast.evidence])
    assert excinfo.value.code == "action_done"
    assert action_state(action) == before


def test_an_administrator_cannot_own_an_action(personas, catalog):
    from pdca.core.exceptions import ValidationFailed as Refused

    cast = make_cast(personas)
    nc = drive(cast, Nonconformity.Status.CAUSE_ANALYSED)
    admin = personas.users[Role.ADMIN]
    with pytest.raises(Refused) as refused:
        add_corrective_action(
            nc,
            actor=cast.manager,
            title="Fix it",
            owner=admin,
            due_date=in_days(3),
        )
    assert [e.field for e in refused.value.errors] == ["owner"]
    assert "administrator" in refused.value.errors[0].message
    assert not nc.actions.exists()
