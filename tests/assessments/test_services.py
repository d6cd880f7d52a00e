"""Gap assessment rules: items built from the adopted standards, copying, syncing, splitting,
editing one by one or in bulk, the plan and the comparison of two assessments."""

import datetime as dt
from collections import defaultdict

import pytest
from django.utils import timezone

from pdca.assessments import services
from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityChainHead, ActivityEntry
from pdca.core.roles import Role
from pdca.standards.models import Requirement, Standard
from pdca.system import services as system_services

Q, S, AI = "iso9001-2015", "iso27001-2022", "iso42001-2023"


def std(code: str) -> Standard:
    return Standard.objects.get(code=code)


def req(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def item_of(assessment, code: str, number: str) -> GapItem:
    return assessment.items.get(covers=req(code, number))


def fields_of(exc_info) -> list[str]:
    return [e.field for e in exc_info.value.errors]


def log_state():
    return (
        list(ActivityEntry.objects.order_by("pk").values_list("pk", flat=True)),
        sorted(ActivityChainHead.objects.values_list("chain", "seq", "hash")),
    )


def entries_since(org, seq: int) -> list[ActivityEntry]:
    return list(ActivityEntry.objects.filter(organization=org, seq__gt=seq).order_by("seq"))


def last_seq(org) -> int:
    return ActivityEntry.objects.filter(organization=org).order_by("-seq").first().seq


def item_state(assessment) -> list[tuple]:
    """Every item of the assessment with its values, to show a refusal changed nothing."""
    return list(
        assessment.items.order_by("pk").values_list(
            "pk", "status", "owner", "target_date", "notes", "justification", "evidence"
        )
    )


def leaves_of(codes: list[str]) -> list[Requirement]:
    """The assessable requirements, computed apart from the service: those no live
    requirement names as its parent."""
    parents = Requirement.objects.filter(retired=False, parent__isnull=False).values("parent_id")
    return list(
        Requirement.objects.filter(standard__code__in=codes, retired=False).exclude(pk__in=parents)
    )


def standards_by_core(codes: list[str]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for r in leaves_of(codes):
        if r.core_id:
            found[r.core_id].add(r.standard_id)
    return found


def expected_item_count(codes: list[str]) -> int:
    merged = sum(len(stds) - 1 for stds in standards_by_core(codes).values())
    return len(leaves_of(codes)) - merged


def make_system(personas, codes, name="Integrated system"):
    return system_services.create_system(
        personas.org,
        name=name,
        standards=[std(c) for c in codes],
        owner=personas.manager,
        actor=personas.manager,
    )


@pytest.fixture
def system(personas, catalog):
    return make_system(personas, [Q, S])


@pytest.fixture
def assessment(personas, system):
    return services.create_assessment(system, title="Baseline", actor=personas.manager)


@pytest.fixture
def process_owner(personas):
    return personas.users[Role.PROCESS_OWNER]


# --- building items -------------------------------------------------------------------------


def test_one_item_per_leaf_requirement_with_shared_core_items(personas, catalog):
    system = make_system(personas, [Q, S, AI])
    assessment = services.create_assessment(system, title="Baseline", actor=personas.manager)
    items = list(assessment.items.prefetch_related("covers"))
    assert len(items) == expected_item_count([Q, S, AI])
    covered = [r.pk for item in items for r in item.covers.all()]
    assert sorted(covered) == sorted(r.pk for r in leaves_of([Q, S, AI]))
    all_three = [core for core, stds in standards_by_core([Q, S, AI]).items() if len(stds) == 3]
    spanning_three = [i for i in items if len({r.standard_id for r in i.covers.all()}) == 3]
    assert len(spanning_three) == len(all_three) > 0
    assert sorted(i.core_id for i in spanning_three) == sorted(all_three)
    for item in items:
        standards = {r.standard_id for r in item.covers.all()}
        assert len(standards) == item.covers.count()  # never two requirements of one standard
        if len(standards) > 1:
            assert item.core_id == item.requirement.core_id
            # named after the requirement of the first standard in reading order
            assert item.requirement.standard.name == min(r.standard.name for r in item.covers.all())
        else:
            assert item.core_id is None
    assert {i.status for i in items} == {"not_started"}


def test_the_shared_communication_item_covers_the_three_standards(personas, catalog):
    system = make_system(personas, [Q, S, AI])
    assessment = services.create_assessment(system, title="Baseline", actor=personas.manager)
    item = item_of(assessment, S, "7.4")
    assert set(item.covers.values_list("standard__code", "number")) == {
        (Q, "7.4"),
        (S, "7.4"),
        (AI, "7.4"),
    }
    assert item.requirement == req(Q, "7.4")
    assert item_of(assessment, AI, "7.4") == item


def test_a_clause_with_sub_clauses_gets_no_item_of_its_own(assessment):
    assert not assessment.items.filter(covers=req(Q, "8.3")).exists()
    assert assessment.items.filter(covers__number__startswith="8.3.").count() == 6


def test_creating_an_assessment_records_one_entry(personas, system):
    since = last_seq(personas.org)
    assessment = services.create_assessment(
        system, title=" Baseline ", started_on=dt.date(2026, 1, 5), actor=personas.manager
    )
    assert (assessment.title, assessment.started_on, assessment.status) == (
        "Baseline",
        dt.date(2026, 1, 5),
        "open",
    )
    entries = entries_since(personas.org, since)
    assert [(e.action, e.object_type) for e in entries] == [("create", "assessments.gapassessment")]


def test_started_on_defaults_to_today(assessment):
    assert assessment.started_on == timezone.localdate()


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.PROCESS_OWNER, Role.TOP_MANAGEMENT])
def test_only_implementers_start_an_assessment(personas, system, role):
    log = log_state()
    with pytest.raises(PermissionDenied):
        services.create_assessment(system, title="Baseline", actor=personas.users[role])
    assert not GapAssessment.objects.exists()
    assert not GapItem.objects.exists()
    assert log_state() == log


def test_a_consultant_starts_an_assessment(personas, system):
    consultant = personas.users[Role.CONSULTANT]
    assessment = services.create_assessment(system, title="Baseline", actor=consultant)
    assert assessment.items.count() == expected_item_count([Q, S])


def test_an_assessment_needs_a_title(personas, system):
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_assessment(system, title="  ", actor=personas.manager)
    assert fields_of(exc_info) == ["title"]
    assert not GapAssessment.objects.exists()


def test_a_system_without_standards_cannot_be_assessed(personas, catalog):
    system = make_system(personas, [])
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_assessment(system, title="Baseline", actor=personas.manager)
    assert fields_of(exc_info) == ["system"]
    assert not GapAssessment.objects.exists()


def test_an_assessment_covers_only_active_standards(personas, system):
    system_services.drop_standard(system, std(S), actor=personas.manager)
    assessment = services.create_assessment(system, title="Q only", actor=personas.manager)
    assert assessment.items.count() == expected_item_count([Q]) == len(leaves_of([Q]))
    assert not assessment.items.filter(covers__standard__code=S).exists()


# --- copying --------------------------------------------------------------------------------


def test_a_copy_carries_status_owner_target_notes_and_evidence(personas, system, assessment):
    production = personas.users[Role.PROCESS_OWNER]
    shared = item_of(assessment, Q, "7.2")
    single = item_of(assessment, S, "A.5.1")
    services.update_item(
        shared,
        status="partial",
        owner=production,
        target_date=dt.date(2026, 6, 30),
        notes="Training matrix exists for the shop floor only.",
        evidence="HR-REC-004 competence matrix\nhttps://intranet.example/training",
        actor=personas.manager,
    )
    services.update_item(
        single,
        status="not_applicable",
        justification="Policies are covered by the group.",
        actor=personas.manager,
    )
    services.update_assessment(assessment, status="closed", actor=personas.manager)
    copy = services.create_assessment(
        system, title="Review", copy_from=assessment, actor=personas.manager
    )
    assert copy.copied_from == assessment
    assert copy.items.count() == assessment.items.count()
    new_shared = item_of(copy, Q, "7.2")
    assert (
        new_shared.status,
        new_shared.owner,
        new_shared.target_date,
        new_shared.notes,
        new_shared.evidence,
    ) == (
        "partial",
        production,
        dt.date(2026, 6, 30),
        "Training matrix exists for the shop floor only.",
        "HR-REC-004 competence matrix\nhttps://intranet.example/training",
    )
    new_single = item_of(copy, S, "A.5.1")
    assert (new_single.status, new_single.justification) == (
        "not_applicable",
        "Policies are covered by the group.",
    )
    assert copy.items.exclude(pk__in=[new_shared.pk, new_single.pk]).filter(
        status="not_started"
    ).count() == (copy.items.count() - 2)
    # the original is untouched
    assert item_of(assessment, Q, "7.2").pk != new_shared.pk
    assert item_of(assessment, Q, "7.2").status == "partial"


def test_a_copy_must_come_from_the_same_system(personas, system, assessment):
    other_system = make_system(personas, [Q], name="Second system")
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_assessment(
            other_system, title="Copy", copy_from=assessment, actor=personas.manager
        )
    assert fields_of(exc_info) == ["copy_from"]
    assert GapAssessment.objects.count() == 1


# --- syncing after adopting a standard ----------------------------------------------------


def test_adopting_a_standard_adds_its_requirements_to_open_assessments(personas, catalog):
    system = make_system(personas, [Q])
    open_one = services.create_assessment(system, title="Open", actor=personas.manager)
    closed = services.create_assessment(system, title="Closed", actor=personas.manager)
    services.update_assessment(closed, status="closed", actor=personas.manager)
    before_7_4 = item_of(open_one, Q, "7.4")
    services.update_item(before_7_4, status="implemented", actor=personas.manager)
    since = last_seq(personas.org)

    system_services.adopt_standard(system, std(S), actor=personas.manager)

    assert open_one.items.count() == expected_item_count([Q, S])
    assert closed.items.count() == len(leaves_of([Q]))
    joined = item_of(open_one, S, "7.4")
    assert joined.pk == before_7_4.pk
    assert joined.status == "implemented"
    assert joined.core == req(Q, "7.4").core
    shared_cores = {c for c, stds in standards_by_core([Q, S]).items() if len(stds) == 2}
    shared_items = [
        i for i in open_one.items.prefetch_related("covers") if len(i.covers.all()) == 2
    ]
    assert sorted(i.core_id for i in shared_items) == sorted(shared_cores)
    control = item_of(open_one, S, "A.8.1")
    assert list(control.covers.all()) == [req(S, "A.8.1")]
    entries = entries_since(personas.org, since)
    assert [(e.action, e.object_type) for e in entries] == [
        ("create", "system.adoptedstandard"),
        ("sync", "assessments.gapassessment"),
    ]
    assert entries[1].object_id == str(open_one.pk)
    assert entries[1].message == (
        f"{len(leaves_of([S]))} requirement(s) of newly adopted standards added."
    )


def test_readopting_a_dropped_standard_adds_nothing_twice(personas, system, assessment):
    count = assessment.items.count()
    system_services.drop_standard(system, std(S), actor=personas.manager)
    since = last_seq(personas.org)
    system_services.adopt_standard(system, std(S), actor=personas.manager)
    assert assessment.items.count() == count
    assert [e.action for e in entries_since(personas.org, since)] == ["readopt"]


# --- splitting ------------------------------------------------------------------------------


def test_splitting_gives_one_item_per_covered_requirement_with_the_shared_values(
    personas, system, assessment
):
    production = personas.users[Role.PROCESS_OWNER]
    shared = item_of(assessment, Q, "7.4")
    services.update_item(
        shared,
        status="partial",
        owner=production,
        target_date=dt.date(2026, 5, 1),
        notes="Communication plan drafted",
        evidence="QP-07 communication plan",
        actor=personas.manager,
    )
    count = assessment.items.count()
    since = last_seq(personas.org)

    parts = services.split_item(shared, actor=personas.manager)

    assert assessment.items.count() == count + 1
    assert parts[0].pk == shared.pk
    assert [list(p.covers.values_list("standard__code", "number")) for p in parts] == [
        [(Q, "7.4")],
        [(S, "7.4")],
    ]
    for part in parts:
        part.refresh_from_db()
        assert (
            part.status,
            part.owner,
            part.target_date,
            part.notes,
            part.evidence,
            part.core,
        ) == (
            "partial",
            production,
            dt.date(2026, 5, 1),
            "Communication plan drafted",
            "QP-07 communication plan",
            None,
        )
    assert parts[1].requirement == req(S, "7.4")
    entries = entries_since(personas.org, since)
    assert [(e.action, e.object_id) for e in entries] == [
        ("create", str(parts[1].pk)),
        ("split", str(shared.pk)),
    ]
    assert entries[0].message == f"Split from item {shared.pk}."
    assert entries[1].message == "Split into 2 items: ISO 9001 7.4, ISO/IEC 27001 7.4"


def test_an_item_of_one_requirement_cannot_be_split(personas, assessment):
    single = item_of(assessment, S, "A.5.1")
    state, log = item_state(assessment), log_state()
    with pytest.raises(Conflict) as exc_info:
        services.split_item(single, actor=personas.manager)
    assert exc_info.value.code == "not_shared"
    assert item_state(assessment) == state
    assert log_state() == log


@pytest.mark.parametrize("role", [Role.PROCESS_OWNER, Role.EMPLOYEE])
def test_only_implementers_split(personas, assessment, role):
    shared = item_of(assessment, Q, "7.4")
    services.update_item(shared, owner=personas.users[role], actor=personas.manager)
    state = item_state(assessment)
    with pytest.raises(PermissionDenied):
        services.split_item(shared, actor=personas.users[role])
    assert item_state(assessment) == state


def test_a_split_item_is_not_merged_again_when_a_standard_is_adopted(personas, system, assessment):
    services.split_item(item_of(assessment, Q, "7.4"), actor=personas.manager)
    system_services.adopt_standard(system, std(AI), actor=personas.manager)
    for code in (Q, S, AI):
        assert list(item_of(assessment, code, "7.4").covers.all()) == [req(code, "7.4")]
    # other shared clauses still take in the new standard
    assert item_of(assessment, AI, "7.3") == item_of(assessment, Q, "7.3")
    assert item_of(assessment, Q, "7.3").covers.count() == 3
    assert assessment.items.count() == expected_item_count([Q, S, AI]) + 2


# --- editing one item -----------------------------------------------------------------------


def test_an_implementer_updates_an_item_and_the_change_is_recorded(personas, assessment):
    item = item_of(assessment, S, "A.5.15")
    since = last_seq(personas.org)
    services.update_item(
        item,
        status="planned",
        owner=personas.users[Role.PROCESS_OWNER],
        target_date=dt.date(2026, 7, 1),
        notes="  Access rules to be written  ",
        actor=personas.manager,
    )
    item.refresh_from_db()
    assert (item.status, item.notes) == ("planned", "Access rules to be written")
    entry = entries_since(personas.org, since)[0]
    assert (entry.action, entry.object_id) == ("update", str(item.pk))
    assert entry.changes == {
        "status": ["not_started", "planned"],
        "owner": [None, personas.users[Role.PROCESS_OWNER].pk],
        "target_date": [None, "2026-07-01"],
        "notes": ["", "Access rules to be written"],
    }


def test_not_applicable_needs_a_justification(personas, assessment):
    item = item_of(assessment, S, "A.7.4")
    log = log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.update_item(item, status="not_applicable", actor=personas.manager)
    assert fields_of(exc_info) == ["justification"]
    with pytest.raises(ValidationFailed):
        services.update_item(
            item, status="not_applicable", justification="  ", actor=personas.manager
        )
    item.refresh_from_db()
    assert item.status == "not_started"
    assert log_state() == log
    services.update_item(
        item,
        status="not_applicable",
        justification="No premises of our own to monitor.",
        actor=personas.manager,
    )
    item.refresh_from_db()
    assert item.status == "not_applicable"


def test_an_unknown_status_or_field_is_refused(personas, assessment):
    item = item_of(assessment, S, "A.7.4")
    with pytest.raises(ValidationFailed) as exc_info:
        services.update_item(item, status="done", colour="red", actor=personas.manager)
    assert sorted(fields_of(exc_info)) == ["colour", "status"]


def test_a_target_date_must_be_a_date(personas, assessment):
    item = item_of(assessment, S, "A.7.4")
    with pytest.raises(ValidationFailed) as exc_info:
        services.update_item(item, target_date="next week", actor=personas.manager)
    assert fields_of(exc_info) == ["target_date"]


def test_the_owner_must_be_a_member_of_the_organization(personas, assessment):
    item = item_of(assessment, S, "A.7.4")
    with pytest.raises(ValidationFailed) as exc_info:
        services.update_item(item, owner=personas.outsider, actor=personas.manager)
    assert fields_of(exc_info) == ["owner"]
    item.refresh_from_db()
    assert item.owner is None
    services.update_item(item, owner=personas.employee, actor=personas.manager)
    item.refresh_from_db()
    assert item.owner == personas.employee


def test_a_process_owner_updates_their_own_item(personas, assessment, process_owner):
    item = item_of(assessment, Q, "8.5.1")
    services.update_item(item, owner=process_owner, actor=personas.manager)
    since = last_seq(personas.org)
    services.update_item(
        item,
        status="partial",
        target_date=dt.date(2026, 4, 30),
        notes="Work instructions for cells 1-4 done",
        evidence="WI-PL1-001..004",
        owner=process_owner,  # unchanged: allowed
        actor=process_owner,
    )
    item.refresh_from_db()
    assert (item.status, item.target_date, item.owner) == (
        "partial",
        dt.date(2026, 4, 30),
        process_owner,
    )
    assert entries_since(personas.org, since)[0].actor == process_owner


def test_a_process_owner_may_not_reassign_their_item(personas, assessment, process_owner):
    item = item_of(assessment, Q, "8.5.1")
    services.update_item(item, owner=process_owner, actor=personas.manager)
    state, log = item_state(assessment), log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.update_item(
            item, status="implemented", owner=personas.employee, actor=process_owner
        )
    assert fields_of(exc_info) == ["owner"]
    assert item_state(assessment) == state
    assert log_state() == log


def test_a_process_owner_may_not_touch_other_items(personas, assessment, process_owner):
    theirs = item_of(assessment, Q, "8.5.1")
    services.update_item(theirs, owner=personas.manager, actor=personas.manager)
    unowned = item_of(assessment, Q, "8.5.2")
    state, log = item_state(assessment), log_state()
    for item in (theirs, unowned):
        with pytest.raises(PermissionDenied):
            services.update_item(item, status="implemented", actor=process_owner)
    assert item_state(assessment) == state
    assert log_state() == log


@pytest.mark.parametrize(
    "role", [Role.EMPLOYEE, Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR, Role.ADMIN]
)
def test_readers_may_not_update_items_even_their_own(personas, assessment, role):
    item = item_of(assessment, Q, "8.5.1")
    services.update_item(item, owner=personas.users[role], actor=personas.manager)
    state, log = item_state(assessment), log_state()
    with pytest.raises(PermissionDenied):
        services.update_item(item, status="implemented", actor=personas.users[role])
    assert item_state(assessment) == state
    assert log_state() == log


def test_an_outsider_may_not_update_items(personas, assessment):
    item = item_of(assessment, Q, "8.5.1")
    with pytest.raises(PermissionDenied):
        services.update_item(item, status="implemented", actor=personas.outsider)
    item.refresh_from_db()
    assert item.status == "not_started"


def test_saving_without_a_change_records_nothing(personas, assessment):
    item = item_of(assessment, Q, "8.5.1")
    log = log_state()
    services.update_item(item, status="not_started", actor=personas.manager)
    assert log_state() == log


# --- bulk editing ---------------------------------------------------------------------------


def _ids(assessment, *numbers):
    return [item_of(assessment, code, number).pk for code, number in numbers]


def test_bulk_update_applies_every_change_and_records_each(personas, assessment):
    a, b, c = _ids(assessment, (Q, "8.5.1"), (Q, "8.5.2"), (S, "A.8.1"))
    since = last_seq(personas.org)
    updated = services.bulk_update_items(
        assessment,
        [
            {"id": a, "status": "implemented"},
            {"id": b, "status": "partial", "owner": personas.users[Role.PROCESS_OWNER]},
            {"id": c, "status": "not_started"},  # no change: no entry
        ],
        actor=personas.manager,
    )
    assert [i.pk for i in updated] == [a, b]
    assert dict(assessment.items.filter(pk__in=[a, b, c]).values_list("pk", "status")) == {
        a: "implemented",
        b: "partial",
        c: "not_started",
    }
    entries = entries_since(personas.org, since)
    assert [(e.action, e.object_id) for e in entries] == [("update", str(a)), ("update", str(b))]


def test_bulk_update_writes_nothing_when_one_change_is_wrong(personas, assessment):
    ids = _ids(assessment, (Q, "8.5.1"), (Q, "8.5.2"), (Q, "8.5.3"), (S, "A.8.1"))
    state, log = item_state(assessment), log_state()
    with pytest.raises(ValidationFailed) as exc_info:
        services.bulk_update_items(
            assessment,
            [
                {"id": ids[0], "status": "implemented"},
                {"id": ids[1], "status": "partial", "notes": "half"},
                {"id": ids[2], "status": "not_applicable"},
                {"id": ids[3], "status": "implemented"},
            ],
            actor=personas.manager,
        )
    assert fields_of(exc_info) == ["items.2.justification"]
    assert item_state(assessment) == state
    assert log_state() == log


def test_bulk_update_names_every_bad_field_by_its_position(personas, system, assessment):
    other = services.create_assessment(system, title="Other", actor=personas.manager)
    foreign = item_of(other, Q, "8.5.1").pk
    a, b = _ids(assessment, (Q, "8.5.1"), (Q, "8.5.2"))
    state = item_state(assessment)
    with pytest.raises(ValidationFailed) as exc_info:
        services.bulk_update_items(
            assessment,
            [
                {"id": a, "status": "finished"},
                {"id": foreign, "status": "implemented"},
                {"id": "x"},
                {"id": b, "owner": personas.outsider, "target_date": "soon"},
            ],
            actor=personas.manager,
        )
    assert fields_of(exc_info) == [
        "items.0.status",
        "items.1.id",
        "items.2.id",
        "items.3.owner",
        "items.3.target_date",
    ]
    assert item_state(assessment) == state


def test_bulk_update_by_a_process_owner_covers_only_their_items(
    personas, assessment, process_owner
):
    mine, not_mine = _ids(assessment, (Q, "8.5.1"), (Q, "8.5.2"))
    services.update_item(assessment.items.get(pk=mine), owner=process_owner, actor=personas.manager)
    state, log = item_state(assessment), log_state()
    with pytest.raises(PermissionDenied):
        services.bulk_update_items(
            assessment,
            [{"id": mine, "status": "implemented"}, {"id": not_mine, "status": "implemented"}],
            actor=process_owner,
        )
    assert item_state(assessment) == state
    assert log_state() == log
    services.bulk_update_items(
        assessment, [{"id": mine, "status": "implemented"}], actor=process_owner
    )
    assert assessment.items.get(pk=mine).status == "implemented"


def test_bulk_update_by_an_employee_is_refused(personas, assessment):
    state = item_state(assessment)
    with pytest.raises(PermissionDenied):
        services.bulk_update_items(
            assessment,
            [{"id": _ids(assessment, (Q, "8.5.1"))[0], "status": "implemented"}],
            actor=personas.employee,
        )
    assert item_state(assessment) == state


# --- the plan -------------------------------------------------------------------------------


def test_the_plan_lists_open_items_overdue_first_then_by_date_undated_last_then_owner(
    personas, assessment
):
    users = personas.users
    assessment.items.update(status="implemented")
    rows = {
        ("8.5.1", "partial", dt.date(2026, 2, 1), users[Role.PROCESS_OWNER]): "overdue late",
        ("8.5.2", "planned", dt.date(2026, 1, 10), None): "overdue early",
        ("8.5.3", "not_started", dt.date(2026, 3, 1), None): "due today",
        ("8.5.4", "planned", dt.date(2026, 6, 1), users[Role.SYSTEM_MANAGER]): "june, manager",
        ("8.5.5", "planned", dt.date(2026, 6, 1), users[Role.CONSULTANT]): "june, consultant",
        ("8.5.6", "partial", None, None): "undated, nobody",
        ("8.6", "planned", None, users[Role.PROCESS_OWNER]): "undated, process owner",
        ("8.7", "implemented", dt.date(2025, 1, 1), None): "done: not in the plan",
    }
    for (number, status, target, owner), notes in rows.items():
        assessment.items.filter(covers=req(Q, number)).update(
            status=status, target_date=target, owner=owner, notes=notes
        )
    na = item_of(assessment, Q, "8.3.1")
    na.status, na.justification, na.target_date = "not_applicable", "No design", None
    na.save()

    result = services.plan(assessment, today=dt.date(2026, 3, 1))

    assert [i.notes for i in result] == [
        "overdue early",
        "overdue late",
        "due today",
        "june, consultant",
        "june, manager",
        "undated, process owner",
        "undated, nobody",
    ]


def test_the_plan_of_a_finished_assessment_is_empty(personas, assessment):
    assessment.items.update(status="implemented")
    assert services.plan(assessment) == []


# --- comparing ------------------------------------------------------------------------------


def _set(assessment, number, **values):
    assessment.items.filter(covers=req(Q, number)).update(**values)


def test_compare_says_what_improved_slipped_and_stayed(personas, catalog):
    system = make_system(personas, [Q])
    earlier = services.create_assessment(system, title="Baseline", actor=personas.manager)
    _set(earlier, "8.5.1", status="not_started")
    _set(earlier, "8.5.2", status="implemented")
    _set(earlier, "8.5.3", status="planned", target_date=dt.date(2026, 4, 1))
    _set(earlier, "8.5.4", status="planned", target_date=dt.date(2026, 6, 1))
    _set(earlier, "8.5.5", status="partial")
    _set(earlier, "8.5.6", status="partial")
    _set(earlier, "8.6", status="not_applicable", justification="x")
    services.update_assessment(earlier, status="closed", actor=personas.manager)
    later = services.create_assessment(
        system, title="Review", copy_from=earlier, actor=personas.manager
    )
    _set(later, "8.5.1", status="partial")
    _set(later, "8.5.2", status="partial")
    _set(later, "8.5.3", target_date=dt.date(2026, 6, 1))
    _set(later, "8.5.4", target_date=dt.date(2026, 4, 1))
    _set(later, "8.5.6", status="not_applicable", justification="x")
    _set(later, "8.6", status="planned")

    rows = services.compare(earlier, later)

    by_number = {m.requirement.number: m.change for m in rows}
    assert {n: by_number[n] for n in ["8.5.1", "8.5.2", "8.5.3", "8.5.4", "8.5.5", "8.5.6"]} == {
        "8.5.1": "improved",
        "8.5.2": "slipped",
        "8.5.3": "slipped",  # same status, later target date
        "8.5.4": "unchanged",  # same status, earlier target date
        "8.5.5": "unchanged",
        "8.5.6": "improved",
    }
    assert by_number["8.6"] == "slipped"
    assert len(rows) == later.items.count()
    counts = {c: sum(1 for m in rows if m.change == c) for c in ("improved", "slipped")}
    assert counts == {"improved": 2, "slipped": 3}
    moved = next(m for m in rows if m.requirement.number == "8.5.1")
    assert (moved.before.status, moved.after.status) == ("not_started", "partial")
    assert moved.before.assessment_id == earlier.pk and moved.after.assessment_id == later.pk


def test_compare_shows_requirements_added_and_gone(personas, catalog):
    system = make_system(personas, [Q, "iso14001-2015"])
    earlier = services.create_assessment(system, title="Baseline", actor=personas.manager)
    services.update_assessment(earlier, status="closed", actor=personas.manager)
    system_services.drop_standard(system, std("iso14001-2015"), actor=personas.manager)
    later = services.create_assessment(system, title="Review", actor=personas.manager)
    system_services.adopt_standard(system, std(S), actor=personas.manager)

    rows = services.compare(earlier, later)

    new = sorted(m.requirement.pk for m in rows if m.change == "new")
    assert new == sorted(
        later.items.filter(requirement__standard__code=S).values_list("requirement", flat=True)
    )
    assert new and all(m.before is None for m in rows if m.change == "new")
    gone = [m for m in rows if m.change == "gone"]
    assert sorted(m.requirement.pk for m in gone) == sorted(
        earlier.items.filter(requirement__standard__code="iso14001-2015").values_list(
            "requirement", flat=True
        )
    )
    assert gone and all(m.after is None for m in gone)
    assert {m.change for m in rows} == {"new", "gone", "unchanged"}


def test_compare_needs_two_assessments_of_the_same_system(personas, system, assessment):
    other_system = make_system(personas, [Q], name="Other")
    other = services.create_assessment(other_system, title="Other", actor=personas.manager)
    with pytest.raises(ValidationFailed) as exc_info:
        services.compare(assessment, other)
    assert fields_of(exc_info) == ["with"]


# --- assessments as a whole ---------------------------------------------------------------


def test_updating_and_closing_an_assessment(personas, assessment):
    since = last_seq(personas.org)
    services.update_assessment(
        assessment, title="Baseline 2026", status="closed", actor=personas.manager
    )
    assessment.refresh_from_db()
    assert (assessment.title, assessment.status) == ("Baseline 2026", "closed")
    entry = entries_since(personas.org, since)[0]
    assert entry.changes == {"title": ["Baseline", "Baseline 2026"], "status": ["open", "closed"]}


def test_an_assessment_status_is_open_or_closed(personas, assessment):
    with pytest.raises(ValidationFailed) as exc_info:
        services.update_assessment(assessment, status="done", actor=personas.manager)
    assert fields_of(exc_info) == ["status"]
    assessment.refresh_from_db()
    assert assessment.status == "open"


def test_deleting_an_assessment_removes_its_items(personas, assessment):
    since = last_seq(personas.org)
    services.delete_assessment(assessment, actor=personas.manager)
    assert not GapAssessment.objects.exists()
    assert not GapItem.objects.exists()
    assert [e.action for e in entries_since(personas.org, since)] == ["delete"]


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.PROCESS_OWNER])
def test_only_implementers_edit_or_delete_an_assessment(personas, assessment, role):
    log = log_state()
    with pytest.raises(PermissionDenied):
        services.update_assessment(assessment, title="Mine", actor=personas.users[role])
    with pytest.raises(PermissionDenied):
        services.delete_assessment(assessment, actor=personas.users[role])
    assessment.refresh_from_db()
    assert assessment.title == "Baseline"
    assert log_state() == log


def test_owners_by_email_finds_active_members_only(personas, assessment):
    found = services.owners_by_email(
        personas.org,
        [" Process_Owner@a.example", "manager@b.example", "nobody@a.example", ""],
    )
    assert found == {"process_owner@a.example": personas.users[Role.PROCESS_OWNER]}


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_organization_has_an_integrated_system_with_a_half_done_review(catalog):
    from pdca.assessments.readiness import compute_readiness
    from pdca.demo import load_demo
    from pdca.system.models import ManagementSystem

    load_demo()
    system = ManagementSystem.objects.get(
        organization__slug="acme", name="Acme integrated management system"
    )
    assert system.name == "Acme integrated management system"
    assert (system.owner.email, system.status) == ("quality@acme.example", "implementing")
    assert system.sites.count() == 2
    assert 240 <= (system.certification_target_date - timezone.localdate()).days <= 310
    assert [s.code for s in system_services.active_standards(system)] == [
        "iso14001-2015",
        "iso45001-2018",
        Q,
        S,
        AI,
    ]
    assert [e.requirement.label for e in system.exclusions.all()] == ["ISO 9001 8.3"]
    baseline, review = system.assessments.order_by("started_on")
    assert (baseline.title, baseline.status) == ("Baseline", "closed")
    assert (review.title, review.status, review.copied_from) == (
        "Half-year review",
        "open",
        baseline,
    )
    assert 100 <= (timezone.localdate() - baseline.started_on).days <= 140
    assert review.items.filter(covers__number__startswith="8.3.", status="not_applicable").count()
    standards = system_services.active_standards(system)
    before = compute_readiness(baseline, standards).overall.percent
    now = compute_readiness(review, standards).overall.percent
    assert 30 <= before < now and 40 <= now <= 60
    plan = services.plan(review)
    assert any(i.target_date and i.target_date < timezone.localdate() for i in plan)
    owners = set(review.items.values_list("owner__email", flat=True))
    assert {"quality@acme.example", "production@acme.example"} <= owners
    assert ActivityEntry.objects.filter(
        actor__email="production@acme.example", object_type="assessments.gapitem"
    ).exists()
    changes = {m.change for m in services.compare(baseline, review)}
    assert {"improved", "slipped", "unchanged"} <= changes

    counts = (GapAssessment.objects.count(), GapItem.objects.count(), ActivityEntry.objects.count())
    load_demo()
    assert (
        GapAssessment.objects.count(),
        GapItem.objects.count(),
        ActivityEntry.objects.count(),
    ) == counts
