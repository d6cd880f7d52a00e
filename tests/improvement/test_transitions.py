"""Each step of a nonconformity's workflow: taken from every state it follows, by every role
allowed; refused (nothing written) from every other state and for every other role; one
activity entry naming the step and its actor.

The shared helpers (`make_cast`, `drive`, `state_of`) are in `tests/improvement/factories.py`."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.documents.evidence.services import store_evidence
from pdca.improvement.models import Nonconformity
from pdca.improvement.workflow.services import STEPS, available_steps, transition_nonconformity
from pdca.standards.models import Requirement
from pdca.system.models import Process
from tests.improvement.factories import (
    PATH,
    WHO_MAY,
    Cast,
    S,
    drive,
    entries,
    in_days,
    make_cast,
    ready_for,
    state_of,
    step_data,
    wait_over,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(personas, catalog) -> Cast:
    return make_cast(personas)


# --- every step from every state it follows, by every role allowed ----------------------------

ALLOWED = [
    (step, source, role)
    for step, (sources, *_rest) in STEPS.items()
    for source in sorted(sources)
    for role in sorted(WHO_MAY[step])
]


@pytest.mark.parametrize(("step", "source", "role"), ALLOWED)
def test_each_step_is_taken_from_each_state_it_follows_by_each_allowed_role(
    cast, step, source, role
):
    nc = drive(cast, source)
    ready_for(cast, nc, step)
    actor = cast[role]
    result = transition_nonconformity(nc, step, actor=actor, **step_data(cast, step))
    target = STEPS[step][1]
    assert result.status == target
    assert Nonconformity.objects.get(pk=nc.pk).status == target
    last = entries(nc)[-1]
    assert (last.action, last.actor, last.changes["status"]) == (step, actor, [source, target])


# --- refused from every other state --------------------------------------------------------


@pytest.mark.parametrize("state", [*PATH, S.DISMISSED])
def test_every_step_is_refused_from_a_state_it_does_not_follow(cast, state):
    nc = drive(cast, state)
    if state == S.IMPLEMENTED:
        wait_over(nc)
    refused = [step for step, (sources, *_rest) in STEPS.items() if state not in sources]
    assert refused, state
    for step in refused:
        before = state_of(nc)
        with pytest.raises(Conflict) as excinfo:
            transition_nonconformity(nc, step, actor=cast.manager, **step_data(cast, step))
        assert excinfo.value.code == f"cannot_{step}"
        assert "this step follows" in excinfo.value.message
        assert state_of(nc) == before


def test_an_unknown_step_is_refused_naming_the_step(cast):
    nc = drive(cast, S.REPORTED)
    before = state_of(nc)
    with pytest.raises(ValidationFailed) as excinfo:
        transition_nonconformity(nc, "reopen", actor=cast.manager)
    assert [e.field for e in excinfo.value.errors] == ["step"]
    assert state_of(nc) == before


# --- refused for every role without the permission -----------------------------------------

REFUSED_ROLES = [
    (step, role) for step in STEPS for role in sorted(ORGANIZATION_ROLES - WHO_MAY[step])
]


@pytest.mark.parametrize(("step", "role"), REFUSED_ROLES)
def test_a_role_without_the_permission_cannot_take_the_step(cast, step, role):
    source = min(STEPS[step][0], key=PATH.index)
    nc = drive(cast, source)
    ready_for(cast, nc, step)
    before = state_of(nc)
    with pytest.raises(PermissionDenied):
        transition_nonconformity(nc, step, actor=cast[role], **step_data(cast, step))
    assert state_of(nc) == before


@pytest.mark.parametrize("step", list(STEPS))
def test_a_member_of_another_organization_cannot_take_any_step(cast, personas, step):
    source = min(STEPS[step][0], key=PATH.index)
    nc = drive(cast, source)
    before = state_of(nc)
    with pytest.raises(PermissionDenied):
        transition_nonconformity(nc, step, actor=personas.outsider, **step_data(cast, step))
    assert state_of(nc) == before


def test_the_owner_of_another_nonconformity_cannot_change_this_one(cast):
    nc = drive(cast, S.TRIAGED)
    Nonconformity.objects.filter(pk=nc.pk).update(owner=cast[Role.TOP_MANAGEMENT])
    before = state_of(nc)
    with pytest.raises(PermissionDenied):
        transition_nonconformity(nc, "contain", actor=cast.owner, **step_data(cast, "contain"))
    assert state_of(nc) == before


# --- dismissing, and what each step records -------------------------------------------------


def test_an_audit_findings_nonconformity_cannot_be_dismissed(cast):
    from pdca.audits.models import Audit, Finding

    nc = drive(cast, S.REPORTED)
    audit = Audit.objects.create(
        organization=cast.org, title="Internal audit", start_date=in_days(-3), end_date=in_days(-2)
    )
    Finding.objects.create(
        organization=cast.org,
        audit=audit,
        number=1,
        grade="minor",
        title="Gauge",
        requirement_statement="Calibrated gauges.",
        evidence="Sticker expired.",
        statement="Not calibrated.",
        nonconformity=nc,
    )
    before = state_of(nc)
    with pytest.raises(Conflict) as excinfo:
        transition_nonconformity(nc, "dismiss", actor=cast.manager, **step_data(cast, "dismiss"))
    assert excinfo.value.code == "cannot_dismiss"
    assert "audit finding" in excinfo.value.message
    assert state_of(nc) == before
    dismiss = next(s for s in available_steps(nc, cast.manager) if s.name == "dismiss")
    assert (dismiss.allowed, dismiss.reason) == (False, excinfo.value.message)


def test_dismissing_records_the_reason_and_the_time(cast):
    nc = drive(cast, S.DISMISSED)
    assert nc.closure_note == "A planned stop, not a failure."
    assert nc.closed_at is not None
    assert [e.action for e in entries(nc)] == ["report", "dismiss"]


def test_each_step_writes_one_entry_naming_it_and_its_actor(cast):
    nc = drive(cast, S.CLOSED)
    owner, manager, employee = cast.owner, cast.manager, cast[Role.EMPLOYEE]
    assert [(e.action, e.actor) for e in entries(nc)] == [
        ("report", employee),
        ("triage", manager),
        ("contain", owner),
        ("analyse", owner),
        ("plan", owner),
        ("implement", owner),
        ("verify", manager),
        ("close", manager),
    ]


def test_triage_records_what_it_set(cast):
    nc = drive(cast, S.TRIAGED)
    changes = entries(nc, "triage")[0].changes
    assert changes["status"] == ["reported", "triaged"]
    assert changes["severity"] == ["", "minor"]
    assert changes["owner"] == [None, cast.owner.pk]
    assert changes["due_date"] == [None, in_days(90).isoformat()]
    assert changes["requirements"] == [None, [cast.requirement.pk]]
    assert (nc.owner, nc.process, nc.due_date) == (cast.owner, cast.process, in_days(90))


def test_containment_records_the_correction_and_its_evidence(cast):
    nc = drive(cast, S.CONTAINED)
    assert nc.correction == "Gauge withdrawn."
    assert list(nc.correction_evidence.all()) == [cast.evidence]
    assert entries(nc, "contain")[0].changes["correction_evidence"] == [None, [cast.evidence.pk]]


def test_available_steps_name_the_steps_that_follow_and_why_not(cast):
    nc = drive(cast, S.REPORTED)
    assert [(s.name, s.allowed) for s in available_steps(nc, cast.manager)] == [
        ("triage", True),
        ("dismiss", True),
    ]
    employee_steps = available_steps(nc, cast[Role.EMPLOYEE])
    assert [(s.name, s.allowed) for s in employee_steps] == [("triage", False), ("dismiss", False)]
    assert employee_steps[0].reason == "Your role may not take this step on this nonconformity."
    assert available_steps(drive(cast, S.CLOSED), cast.manager) == []


# --- each step names every bad field, and writes nothing ------------------------------------


def refused_fields(nc, step, actor, **data) -> list[str]:
    before = state_of(nc)
    with pytest.raises(ValidationFailed) as excinfo:
        transition_nonconformity(nc, step, actor=actor, **data)
    assert state_of(nc) == before
    return [e.field for e in excinfo.value.errors]


def test_triage_without_an_owner_names_the_owner(cast):
    nc = drive(cast, S.REPORTED)
    data = step_data(cast, "triage") | {"owner": None}
    assert refused_fields(nc, "triage", cast.manager, **data) == ["owner"]


def test_triage_with_an_owner_from_another_organization_names_the_owner(cast, personas):
    nc = drive(cast, S.REPORTED)
    data = step_data(cast, "triage") | {"owner": personas.outsider}
    assert refused_fields(nc, "triage", cast.manager, **data) == ["owner"]


def test_triage_with_an_inactive_owner_names_the_owner(cast):
    nc = drive(cast, S.REPORTED)
    cast[Role.EMPLOYEE].is_active = False
    cast[Role.EMPLOYEE].save()
    data = step_data(cast, "triage") | {"owner": cast[Role.EMPLOYEE]}
    assert refused_fields(nc, "triage", cast.manager, **data) == ["owner"]


def test_triage_with_a_requirement_of_a_standard_not_adopted_names_the_requirements(cast):
    from pdca.standards.models import Standard
    from pdca.system.models import AdoptedStandard, ManagementSystem

    system = ManagementSystem.objects.create(organization=cast.org, name="QMS")
    AdoptedStandard.objects.create(
        organization=cast.org,
        system=system,
        standard=Standard.objects.get(code="iso9001-2015"),
        adopted_on=in_days(-1),
    )
    isms = Requirement.objects.get(standard__code="iso27001-2022", number="8.1")
    nc = drive(cast, S.REPORTED)
    data = step_data(cast, "triage") | {"requirements": [cast.requirement, isms]}
    assert refused_fields(nc, "triage", cast.manager, **data) == ["requirements"]
    # The adopted standard's requirement alone is accepted.
    transition_nonconformity(nc, "triage", actor=cast.manager, **step_data(cast, "triage"))


def test_triage_with_a_process_of_another_organization_names_the_process(cast, personas):
    nc = drive(cast, S.REPORTED)
    theirs = Process.objects.create(organization=personas.other, name="Theirs", code="P-09")
    data = step_data(cast, "triage") | {"process": theirs}
    assert refused_fields(nc, "triage", cast.manager, **data) == ["process"]


def test_triage_with_a_due_date_in_the_past_names_the_due_date(cast):
    nc = drive(cast, S.REPORTED)
    data = step_data(cast, "triage") | {"due_date": in_days(-1)}
    assert refused_fields(nc, "triage", cast.manager, **data) == ["due_date"]


def test_triage_names_every_bad_field_at_once(cast):
    nc = drive(cast, S.REPORTED)
    fields = refused_fields(
        nc,
        "triage",
        cast.manager,
        severity="critical",
        owner=None,
        process=None,
        requirements=[],
        due_date=in_days(-1),
    )
    assert fields == ["severity", "owner", "process", "requirements", "due_date"]


def test_triage_keeps_a_chosen_due_date(cast):
    nc = drive(cast, S.REPORTED)
    data = step_data(cast, "triage") | {"due_date": in_days(5)}
    assert transition_nonconformity(nc, "triage", actor=cast.manager, **data).due_date == in_days(5)


def test_analysis_with_an_unknown_category_names_the_categories(cast):
    nc = drive(cast, S.CONTAINED)
    fields = refused_fields(
        nc,
        "analyse",
        cast.owner,
        method="categories",
        categories=["method", "luck"],
        root_cause="No recall list.",
    )
    assert fields == ["categories"]


def test_five_whys_with_one_why_only_names_the_whys(cast):
    nc = drive(cast, S.CONTAINED)
    data = step_data(cast, "analyse") | {"whys": ["Not recalled", "  "]}
    assert refused_fields(nc, "analyse", cast.owner, **data) == ["whys"]


def test_analysis_without_method_or_root_cause_names_both(cast):
    nc = drive(cast, S.CONTAINED)
    assert refused_fields(nc, "analyse", cast.owner, whys=["a", "b"]) == ["method", "root_cause"]


def test_analysis_by_categories_records_them_once_each(cast):
    nc = drive(cast, S.CONTAINED)
    done = transition_nonconformity(
        nc,
        "analyse",
        actor=cast.owner,
        method="categories",
        categories=["method", "people", "method"],
        root_cause="No recall list.",
    )
    assert (done.cause_method, done.cause_categories) == ("categories", ["method", "people"])


def test_containment_without_evidence_names_the_evidence(cast):
    nc = drive(cast, S.TRIAGED)
    assert refused_fields(nc, "contain", cast.owner, correction="Withdrawn.") == ["evidence"]


def test_containment_with_evidence_of_another_organization_names_the_evidence(cast, personas):
    nc = drive(cast, S.TRIAGED)
    theirs = store_evidence(personas.other, ("b.txt", b"theirs"), actor=personas.outsider)
    data = {"correction": "Withdrawn.", "evidence": [cast.evidence, theirs]}
    assert refused_fields(nc, "contain", cast.owner, **data) == ["evidence"]


def test_containment_with_nothing_names_the_correction_and_the_evidence(cast):
    nc = drive(cast, S.TRIAGED)
    assert refused_fields(nc, "contain", cast.owner) == ["correction", "evidence"]


def test_planning_without_criteria_names_them(cast):
    nc = drive(cast, S.CAUSE_ANALYSED)
    ready_for(cast, nc, "plan")
    assert refused_fields(nc, "plan", cast.owner) == ["effectiveness_criteria"]


def test_dismissing_without_a_reason_names_the_reason(cast):
    nc = drive(cast, S.REPORTED)
    assert refused_fields(nc, "dismiss", cast.manager, reason=" ") == ["reason"]
