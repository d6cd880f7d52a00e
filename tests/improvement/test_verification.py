"""The effectiveness check: made by someone who neither owns nor carried out the actions, once
the waiting period for the severity is over; not effective sends the nonconformity back to
"contained" for a new round of analysis with new actions."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.roles import Role
from pdca.documents.evidence.services import store_evidence
from pdca.improvement.actions import add_corrective_action, cancel_corrective_action
from pdca.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from pdca.improvement.policy import update_capa_policy
from pdca.improvement.workflow.services import check_opens_on, step_state, transition_nonconformity
from tests.improvement.factories import (
    Cast,
    drive,
    entries,
    in_days,
    make_cast,
    noon,
    state_of,
    step_data,
    wait_over,
)

pytestmark = pytest.mark.django_db
S = Nonconformity.Status


@pytest.fixture
def cast(personas, catalog) -> Cast:
    return make_cast(personas)


def implemented_on(nc: Nonconformity, days_ago: int) -> None:
    Nonconformity.objects.filter(pk=nc.pk).update(implemented_at=noon(in_days(-days_ago)))


def refused_check(cast: Cast, nc: Nonconformity, actor) -> Conflict:
    before = state_of(nc)
    with pytest.raises(Conflict) as excinfo:
        transition_nonconformity(nc, "verify", actor=actor, effective=True, notes="Looked.")
    assert excinfo.value.code == "cannot_verify"
    assert state_of(nc) == before
    assert not EffectivenessCheck.objects.filter(nonconformity=nc).exists()
    return excinfo.value


def test_the_owner_of_an_action_cannot_check_it(cast):
    auditor = cast[Role.INTERNAL_AUDITOR]
    nc = drive(cast, S.IMPLEMENTED, action_owner=auditor)
    wait_over(nc)
    refused = refused_check(cast, nc, auditor)
    assert "someone else" in refused.message
    nc = Nonconformity.objects.get(pk=nc.pk)
    assert step_state(nc, "verify", auditor).allowed is False
    assert step_state(nc, "verify", cast.manager).allowed is True


def test_whoever_carried_out_an_action_cannot_check_it(cast):
    consultant = cast[Role.CONSULTANT]
    nc = drive(cast, S.IMPLEMENTED, implementer=consultant)
    wait_over(nc)
    assert CorrectiveAction.objects.get(nonconformity=nc).implemented_by == consultant
    assert "someone else" in refused_check(cast, nc, consultant).message


def test_the_owner_of_a_cancelled_action_may_check(cast):
    auditor = cast[Role.INTERNAL_AUDITOR]
    nc = drive(cast, S.CAUSE_ANALYSED)
    dropped = add_corrective_action(
        nc, actor=cast.owner, title="Buy gauges", owner=auditor, due_date=in_days(5)
    )
    cancel_corrective_action(dropped, actor=cast.owner, reason="Not needed.")
    nc = drive_on(cast, nc)
    transition_nonconformity(nc, "verify", actor=auditor, effective=True, notes="Fine.")
    assert Nonconformity.objects.get(pk=nc.pk).status == S.VERIFIED


def drive_on(cast: Cast, nc: Nonconformity) -> Nonconformity:
    """From cause analysed to implemented, with one action of the employee."""
    from pdca.improvement.actions import implement_corrective_action

    action = add_corrective_action(
        nc, actor=cast.owner, title="Recall list", owner=cast[Role.EMPLOYEE], due_date=in_days(9)
    )
    transition_nonconformity(nc, "plan", actor=cast.owner, **step_data(cast, "plan"))
    implement_corrective_action(
        action, actor=cast[Role.EMPLOYEE], note="Done.", evidence=[cast.evidence]
    )
    nc = transition_nonconformity(nc, "implement", actor=cast.owner)
    wait_over(nc)
    return nc


@pytest.mark.parametrize(("severity", "wait"), [("major", 30), ("minor", 14)])
def test_the_check_opens_on_the_last_day_of_the_waiting_period(cast, severity, wait):
    nc = drive(cast, S.IMPLEMENTED, severity=severity)
    implemented_on(nc, wait - 1)
    refused = refused_check(cast, nc, cast.manager)
    assert f"runs until {in_days(1)}" in refused.message
    assert f"waiting period for a {severity}" in refused.message

    implemented_on(nc, wait)
    assert check_opens_on(Nonconformity.objects.get(pk=nc.pk)) == in_days(0)
    transition_nonconformity(nc, "verify", actor=cast.manager, effective=True, notes="Fine.")
    assert Nonconformity.objects.get(pk=nc.pk).status == S.VERIFIED


def test_a_changed_policy_moves_the_day_the_check_opens(cast):
    nc = drive(cast, S.IMPLEMENTED, severity="minor")
    update_capa_policy(cast.org, actor=cast.manager, minor_wait_days=20)
    implemented_on(nc, 19)
    assert f"runs until {in_days(1)}" in refused_check(cast, nc, cast.manager).message
    implemented_on(nc, 20)
    transition_nonconformity(nc, "verify", actor=cast.manager, effective=True, notes="Fine.")
    assert Nonconformity.objects.get(pk=nc.pk).status == S.VERIFIED


def test_a_policy_without_waiting_lets_the_check_be_made_the_same_day(cast):
    update_capa_policy(cast.org, actor=cast.manager, major_wait_days=0)
    nc = drive(cast, S.IMPLEMENTED, severity="major")
    assert check_opens_on(nc) == in_days(0)
    transition_nonconformity(nc, "verify", actor=cast.manager, effective=True, notes="Fine.")


def test_an_effective_check_is_recorded_with_its_round_checker_and_evidence(cast):
    nc = drive(cast, S.IMPLEMENTED)
    wait_over(nc)
    auditor = cast[Role.INTERNAL_AUDITOR]
    done = transition_nonconformity(
        nc, "verify", actor=auditor, effective=True, notes="Sampled.", evidence=[cast.evidence]
    )
    check = EffectivenessCheck.objects.get(nonconformity=nc)
    assert (check.round, check.checked_by, check.effective, check.notes) == (
        1,
        auditor,
        True,
        "Sampled.",
    )
    assert list(check.evidence.all()) == [cast.evidence]
    assert done.verified_at == check.checked_at
    assert [(e.action, e.object_type) for e in entries(nc)][-1] == (
        "verify",
        "improvement.nonconformity",
    )
    from pdca.core.models import ActivityEntry

    created = ActivityEntry.objects.get(
        object_type="improvement.effectivenesscheck", object_id=str(check.pk)
    )
    assert (created.action, created.actor, created.changes["effective"]) == (
        "create",
        auditor,
        [None, True],
    )


def test_a_check_names_the_missing_verdict_and_notes(cast):
    nc = drive(cast, S.IMPLEMENTED)
    wait_over(nc)
    before = state_of(nc)
    with pytest.raises(ValidationFailed) as excinfo:
        transition_nonconformity(nc, "verify", actor=cast.manager, effective="yes", notes="")
    assert [e.field for e in excinfo.value.errors] == ["effective", "notes"]
    assert state_of(nc) == before


def test_a_check_with_evidence_of_another_organization_names_the_evidence(cast, personas):
    nc = drive(cast, S.IMPLEMENTED)
    wait_over(nc)
    theirs = store_evidence(personas.other, ("b.txt", b"theirs"), actor=personas.outsider)
    before = state_of(nc)
    with pytest.raises(ValidationFailed) as excinfo:
        transition_nonconformity(
            nc, "verify", actor=cast.manager, effective=True, notes="x", evidence=[theirs]
        )
    assert [e.field for e in excinfo.value.errors] == ["evidence"]
    assert state_of(nc) == before


# --- not effective: a new round -------------------------------------------------------------


def not_effective(cast: Cast) -> Nonconformity:
    nc = drive(cast, S.IMPLEMENTED)
    wait_over(nc)
    return transition_nonconformity(
        nc, "verify", actor=cast.manager, effective=False, notes="Two gauges expired again."
    )


def test_not_effective_reopens_the_analysis_in_round_two(cast):
    nc = not_effective(cast)
    assert (nc.status, nc.round) == (S.CONTAINED, 2)
    assert (nc.analysed_at, nc.planned_at, nc.implemented_at, nc.verified_at) == (None,) * 4
    # What was found stays on record until the new analysis replaces it.
    assert nc.root_cause == "No calibration recall list."
    check = EffectivenessCheck.objects.get(nonconformity=nc)
    assert (check.round, check.effective) == (1, False)
    last = entries(nc)[-1]
    assert (last.action, last.changes["status"], last.changes["round"]) == (
        "verify",
        ["implemented", "contained"],
        [1, 2],
    )


def test_the_old_rounds_actions_are_kept_and_do_not_count(cast):
    nc = not_effective(cast)
    old = CorrectiveAction.objects.get(nonconformity=nc)
    assert (old.round, old.status) == (1, "implemented")
    nc = transition_nonconformity(nc, "analyse", actor=cast.owner, **step_data(cast, "analyse"))
    before = state_of(nc)
    with pytest.raises(Conflict) as excinfo:
        transition_nonconformity(nc, "plan", actor=cast.owner, **step_data(cast, "plan"))
    assert excinfo.value.code == "cannot_plan"
    assert state_of(nc) == before

    new = add_corrective_action(
        nc, actor=cast.owner, title="Label each gauge", owner=cast.owner, due_date=in_days(7)
    )
    assert new.round == 2
    transition_nonconformity(nc, "plan", actor=cast.owner, **step_data(cast, "plan"))
    assert Nonconformity.objects.get(pk=nc.pk).status == S.ACTION_PLANNED
    assert CorrectiveAction.objects.get(pk=old.pk).status == "implemented"


def test_the_second_round_is_checked_and_closed(cast):
    nc = not_effective(cast)
    nc = transition_nonconformity(nc, "analyse", actor=cast.owner, **step_data(cast, "analyse"))
    nc = drive_on(cast, nc)
    # The first round's checker owns no second-round action: they may check again.
    transition_nonconformity(nc, "verify", actor=cast.manager, effective=True, notes="Fine.")
    transition_nonconformity(nc, "close", actor=cast.manager)
    assert list(
        EffectivenessCheck.objects.filter(nonconformity=nc).values_list("round", "effective")
    ) == [(1, False), (2, True)]
    assert Nonconformity.objects.get(pk=nc.pk).status == S.CLOSED
