"""The rules of the competence matrix: expiry arithmetic, what counts as evidence, experience
adding up, who a requirement applies to, planned actions, turning gaps into assignments, and
the matrix read in the same number of queries at any size."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.registers.archive import archive_entry
from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.people.models import Assignment, TrainingRecord
from pdca.people.registers import RECORDS
from pdca.people.services.competence import (
    Status,
    competence_matrix,
    counts_as_evidence,
    create_gap_actions,
    evaluate_cell,
    experience_months,
    expiry_of,
)
from pdca.people.services.rules import EXPIRY_WARNING_DAYS, add_months, fill_expiry
from pdca.tenancy.models import Membership
from tests.people.factories import TODAY, in_days, make_path, member, record, requirement, site

pytestmark = pytest.mark.django_db


def cell(matrix, user, code: str):
    row = next(r for r in matrix.rows if r.membership.user_id == user.pk)
    index = [r.code for r in matrix.requirements].index(code)
    return row.cells[index]


def statuses(matrix, code: str) -> dict[str, str]:
    """{e-mail: status} of one requirement's column, without the people it does not apply to."""
    index = [r.code for r in matrix.requirements].index(code)
    return {
        row.membership.user.email: str(row.cells[index].status)
        for row in matrix.rows
        if row.cells[index].status != Status.NOT_APPLICABLE
    }


# --- expiry arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap year: the 29th
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),  # no 29 February next year
        (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 29)),
        (dt.date(2024, 5, 31), 1, dt.date(2024, 6, 30)),
        (dt.date(2024, 8, 31), 6, dt.date(2025, 2, 28)),
        (dt.date(2024, 11, 30), 3, dt.date(2025, 2, 28)),
        (dt.date(2024, 12, 15), 1, dt.date(2025, 1, 15)),  # across the year end
        (dt.date(2024, 3, 31), -1, dt.date(2024, 2, 29)),
        (dt.date(2025, 1, 10), -1, dt.date(2024, 12, 10)),
        (dt.date(2024, 6, 30), 0, dt.date(2024, 6, 30)),
        (dt.date(2020, 7, 1), 240, dt.date(2040, 7, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_a_passed_record_expires_as_its_path_says(personas):
    path = make_path(personas.org, personas.manager, validity_months=12)
    made = record(
        personas.org,
        personas.manager,
        personas.employee,
        path=path,
        completed_on=dt.date(2024, 1, 31),
    )
    assert made.expires_on == dt.date(2025, 1, 31)


def test_the_requirement_validity_comes_before_the_path(personas):
    path = make_path(personas.org, personas.manager, validity_months=36)
    req = requirement(personas.org, personas.manager, path=path, validity_months=6)
    made = TrainingRecord(
        organization=personas.org,
        person=personas.employee,
        requirement=req,
        path=path,
        result="passed",
        completed_on=dt.date(2024, 8, 31),
    )
    fill_expiry(made)
    assert made.expires_on == dt.date(2025, 2, 28)


@pytest.mark.parametrize("result", ["attended", "failed", "planned"])
def test_only_a_pass_gets_an_expiry_filled_in(personas, result):
    path = make_path(personas.org, personas.manager, validity_months=12)
    made = TrainingRecord(
        organization=personas.org,
        person=personas.employee,
        path=path,
        result=result,
        completed_on=dt.date(2024, 1, 1),
    )
    fill_expiry(made)
    assert made.expires_on is None


def test_an_expiry_given_is_kept(personas):
    path = make_path(personas.org, personas.manager, validity_months=12)
    made = record(
        personas.org,
        personas.manager,
        personas.employee,
        path=path,
        completed_on=dt.date(2024, 1, 1),
        expires_on=dt.date(2024, 6, 1),
    )
    assert made.expires_on == dt.date(2024, 6, 1)


def test_a_shorter_requirement_validity_ends_the_evidence_sooner(personas):
    path = make_path(personas.org, personas.manager, validity_months=36)
    req = requirement(personas.org, personas.manager, path=path, validity_months=12)
    made = record(
        personas.org,
        personas.manager,
        personas.employee,
        path=path,
        completed_on=dt.date(2024, 2, 29),
    )
    assert made.expires_on == dt.date(2027, 2, 28)  # the path's 36 months
    assert expiry_of(made, req) == dt.date(2025, 2, 28)  # the requirement's 12
    longer = requirement(personas.org, personas.manager, "CR-02", path=path, validity_months=60)
    assert expiry_of(made, longer) == dt.date(2027, 2, 28)
    open_ended = requirement(personas.org, personas.manager, "CR-03", path=path)
    no_expiry = record(
        personas.org, personas.manager, personas.employee, title="External", requirement=open_ended
    )
    assert no_expiry.expires_on is None
    assert expiry_of(no_expiry, open_ended) is None


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (-1, Status.EXPIRED),
        (0, Status.EXPIRED),  # the expiry day no longer counts
        (1, Status.EXPIRING),
        (EXPIRY_WARNING_DAYS, Status.EXPIRING),  # exactly 90 days: amber
        (EXPIRY_WARNING_DAYS + 1, Status.COMPETENT),
        (None, Status.COMPETENT),
    ],
)
def test_the_warning_starts_90_days_before_the_expiry(personas, days_left, expected):
    assert EXPIRY_WARNING_DAYS == 90
    req = requirement(personas.org, personas.manager)
    made = record(
        personas.org,
        personas.manager,
        personas.employee,
        requirement=req,
        completed_on=in_days(-400),
        expires_on=None if days_left is None else in_days(days_left),
    )
    got = evaluate_cell(req, [made], [], TODAY)
    assert got.status == expected
    assert got.evidence == made
    assert got.expires_on == made.expires_on


def test_the_latest_expiry_of_several_records_is_the_evidence(personas):
    req = requirement(personas.org, personas.manager)
    old, new, endless = (
        record(
            personas.org,
            personas.manager,
            personas.employee,
            title=title,
            requirement=req,
            completed_on=in_days(-500),
            expires_on=expires,
        )
        for title, expires in (("Old", in_days(-10)), ("New", in_days(30)), ("Endless", None))
    )
    assert evaluate_cell(req, [old, new], [], TODAY).evidence == new
    assert evaluate_cell(req, [old, new], [], TODAY).status == Status.EXPIRING
    assert evaluate_cell(req, [new, endless, old], [], TODAY).evidence == endless
    assert evaluate_cell(req, [new, endless, old], [], TODAY).status == Status.COMPETENT


# --- what counts as evidence ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "evaluation", "counts"),
    [
        ("passed", "path_passed", True),
        ("passed", "assessed", True),
        ("passed", "qualification", True),
        ("attended", "path_passed", False),
        ("attended", "qualification", False),
        ("attended", "assessed", True),
        ("failed", "path_passed", False),
        ("failed", "assessed", False),
        ("planned", "assessed", False),
    ],
)
def test_which_results_count_as_evidence(personas, result, evaluation, counts):
    path = make_path(personas.org, personas.manager)
    req = requirement(personas.org, personas.manager, path=path, evaluation=evaluation)
    by_requirement = TrainingRecord(person=personas.employee, requirement=req, result=result)
    by_path = TrainingRecord(person=personas.employee, path=path, result=result)
    assert counts_as_evidence(by_requirement, req) is counts
    assert counts_as_evidence(by_path, req) is counts


def test_a_record_of_another_requirement_or_path_is_no_evidence(personas):
    path = make_path(personas.org, personas.manager)
    other_path = make_path(personas.org, personas.manager, "other-path")
    req = requirement(personas.org, personas.manager, path=path)
    other = requirement(personas.org, personas.manager, "CR-02")
    assert not counts_as_evidence(TrainingRecord(requirement=other, result="passed"), req)
    assert not counts_as_evidence(TrainingRecord(path=other_path, result="passed"), req)
    assert not counts_as_evidence(TrainingRecord(result="passed"), req)
    # A requirement without a path is not met by just any path's record.
    assert not counts_as_evidence(TrainingRecord(path=path, result="passed"), other)


def test_the_matrix_reads_records_by_requirement_and_by_path_and_skips_archived_ones(personas):
    org, manager = personas.org, personas.manager
    path = make_path(org, manager)
    req = requirement(org, manager, path=path, role=Role.EMPLOYEE)
    by_path = record(org, manager, personas.employee, path=path)
    assert cell(competence_matrix(org), personas.employee, "CR-01").evidence == by_path
    archive_entry(RECORDS, by_path, actor=manager, reason="Entered twice")
    assert cell(competence_matrix(org), personas.employee, "CR-01").status == Status.MISSING
    by_requirement = record(org, manager, personas.employee, title="Again", requirement=req)
    got = cell(competence_matrix(org), personas.employee, "CR-01")
    assert (got.status, got.evidence) == (Status.COMPETENT, by_requirement)


def test_failed_and_attended_records_leave_a_path_requirement_a_gap(personas):
    org, manager = personas.org, personas.manager
    path = make_path(org, manager)
    requirement(org, manager, path=path, role=Role.EMPLOYEE)
    record(org, manager, personas.employee, path=path, result="failed")
    record(org, manager, personas.employee, path=path, result="attended")
    assert cell(competence_matrix(org), personas.employee, "CR-01").status == Status.MISSING


# --- experience -------------------------------------------------------------------------------


def test_experience_months_add_up_closed_and_open_entries(personas):
    as_of = dt.date(2025, 7, 1)
    rows = [
        # 182 days
        TrainingRecord(
            kind="experience", started_on=dt.date(2024, 1, 1), completed_on=dt.date(2024, 7, 1)
        ),
        # open: counts up to as_of, 181 days
        TrainingRecord(kind="experience", started_on=dt.date(2025, 1, 1), result="planned"),
        # an audit logged counts too: 10 days
        TrainingRecord(
            kind="audit", started_on=dt.date(2023, 3, 1), completed_on=dt.date(2023, 3, 11)
        ),
        # ignored: a training, a failed entry, an entry without a start, one ending in the future
        TrainingRecord(kind="training", started_on=dt.date(2020, 1, 1), completed_on=as_of),
        TrainingRecord(
            kind="experience",
            started_on=dt.date(2020, 1, 1),
            completed_on=dt.date(2021, 1, 1),
            result="failed",
        ),
        TrainingRecord(kind="experience", completed_on=dt.date(2021, 1, 1)),
    ]
    assert experience_months(rows, as_of) == round(373 / 30.44, 1) == 12.3
    future = TrainingRecord(
        kind="experience", started_on=dt.date(2025, 6, 1), completed_on=dt.date(2026, 6, 1)
    )
    assert experience_months([future], as_of) == round(30 / 30.44, 1) == 1.0
    assert experience_months([], as_of) == 0


def test_an_experience_requirement_is_met_when_the_months_add_up(personas):
    org, manager = personas.org, personas.manager
    owner = personas.users[Role.PROCESS_OWNER]
    req = requirement(
        org,
        manager,
        "CR-EXP",
        kind="experience",
        evaluation="experience",
        min_experience_months=12,
        role=Role.PROCESS_OWNER,
    )
    assert cell(competence_matrix(org), owner, "CR-EXP").status == Status.MISSING
    first = record(
        org,
        manager,
        owner,
        kind="experience",
        title="Cell leader",
        requirement=req,
        started_on=in_days(-200),
        completed_on=in_days(-20),
    )
    got = cell(competence_matrix(org), owner, "CR-EXP")
    assert (got.status, got.experience_months) == (Status.MISSING, round(180 / 30.44, 1))
    # Experience not linked to the requirement does not count for it.
    record(
        org,
        manager,
        owner,
        kind="experience",
        title="Elsewhere",
        started_on=in_days(-900),
        completed_on=in_days(-400),
    )
    assert cell(competence_matrix(org), owner, "CR-EXP").status == Status.MISSING
    record(
        org,
        manager,
        owner,
        kind="experience",
        title="Supervisor",
        requirement=req,
        started_on=in_days(-600),
        completed_on=in_days(-400),
    )
    got = cell(competence_matrix(org), owner, "CR-EXP")
    assert got.status == Status.COMPETENT
    assert got.experience_months == round(380 / 30.44, 1)
    assert got.evidence == first  # the latest entry
    assert got.expires_on is None


# --- who a requirement applies to -------------------------------------------------------------


@pytest.fixture
def staff(personas):
    """Four more people of org A on two sites and in two teams."""
    org = personas.org
    plant, office = site(org, "Plant"), site(org, "Office")
    return {
        "plant": plant,
        "office": office,
        "welder": member(
            org, "welder@a.example", team="Production", site=plant, job_title="Welder"
        ),
        "driver": member(org, "driver@a.example", team="Warehouse", site=plant, job_title="Driver"),
        "clerk": member(org, "clerk@a.example", team="Warehouse", site=office, job_title="Clerk"),
        "boss": member(
            org,
            "boss@a.example",
            Role.PROCESS_OWNER,
            team="production",
            site=office,
            job_title="welder",
        ),
    }


@pytest.mark.parametrize(
    ("audience", "covered"),
    [
        ({}, "everyone"),
        ({"role": Role.PROCESS_OWNER}, {"boss", "process_owner"}),
        ({"position": "WELDER"}, {"welder", "boss"}),  # job titles compare without case
        ({"team": "Production"}, {"welder", "boss"}),
        ({"team": "warehouse", "site": "plant"}, {"driver"}),
        ({"site": "office"}, {"clerk", "boss"}),
        ({"role": Role.EMPLOYEE, "team": "Warehouse"}, {"driver", "clerk"}),
        ({"role": Role.EMPLOYEE, "team": "Nobody"}, set()),
    ],
)
def test_who_a_requirement_applies_to(personas, staff, audience, covered):
    org = personas.org
    values = dict(audience)
    if "site" in values:
        values["site"] = staff[values["site"]]
    req = requirement(org, personas.manager, **values)
    names = {m.user.email: name for name, m in staff.items() if isinstance(m, Membership)}
    names.update(
        {u.email: role for role, u in personas.users.items() if u.email.endswith("@a.example")}
    )
    matrix = competence_matrix(org)
    applies = {names[email] for email in statuses(matrix, "CR-01")}
    everyone = {names[m.user.email] for m in Membership.objects.filter(organization=org)}
    assert applies == (everyone if covered == "everyone" else covered)
    # The matrix and the query that lists the covered people (assignments, campaigns) agree.
    listed = Membership.objects.filter(organization=org).filter(req.member_filter())
    assert {names[m.user.email] for m in listed} == applies


def test_the_matrix_filters_people_and_requirements(personas, staff):
    org, manager = personas.org, personas.manager
    requirement(org, manager, "CR-01")
    requirement(org, manager, "CR-02", team="Warehouse")
    matrix = competence_matrix(org, site=staff["plant"])
    # By team, then e-mail.
    assert [r.membership.user.email for r in matrix.rows] == [
        "welder@a.example",
        "driver@a.example",
    ]
    assert {r.membership.user.email for r in competence_matrix(org, team="WAREHOUSE").rows} == {
        "driver@a.example",
        "clerk@a.example",
    }
    only = competence_matrix(org, people=[personas.employee.pk])
    assert [r.membership.user for r in only.rows] == [personas.employee]
    assert [r.code for r in only.requirements] == ["CR-01", "CR-02"]
    assert [c.status for c in only.rows[0].cells] == [Status.MISSING, Status.NOT_APPLICABLE]


def test_inactive_people_and_archived_requirements_leave_the_matrix(personas, staff):
    from pdca.people.registers import REQUIREMENTS

    org, manager = personas.org, personas.manager
    requirement(org, manager, "CR-01")
    gone = requirement(org, manager, "CR-02")
    archive_entry(REQUIREMENTS, gone, actor=manager, reason="No longer asked")
    staff["clerk"].user.is_active = False
    staff["clerk"].user.save(update_fields=["is_active"])
    matrix = competence_matrix(org)
    assert [r.code for r in matrix.requirements] == ["CR-01"]
    assert "clerk@a.example" not in {r.membership.user.email for r in matrix.rows}


# --- planned actions --------------------------------------------------------------------------


def _assignment(org, manager, *, due: int = 30, **fields) -> Assignment:
    return Assignment.objects.create(
        organization=org, due_date=in_days(due), owner=manager, **fields
    )


def test_an_action_turns_a_gap_into_planned(personas, staff):
    org, manager = personas.org, personas.manager
    path = make_path(org, manager)
    req = requirement(org, manager, path=path, team="Warehouse")
    assert statuses(competence_matrix(org), "CR-01") == {
        "driver@a.example": "missing",
        "clerk@a.example": "missing",
    }
    # For one person, by the requirement.
    mine = _assignment(org, manager, person=staff["driver"].user, action="Shadow", requirement=req)
    # For an audience, by the path: covers the clerk (warehouse at the office), not the driver.
    _assignment(org, manager, path=path, site=staff["office"])
    # For someone else, and for another team: no effect here.
    _assignment(org, manager, person=staff["welder"].user, action="x", requirement=req)
    _assignment(org, manager, path=path, team="Production")
    matrix = competence_matrix(org)
    assert statuses(matrix, "CR-01") == {
        "driver@a.example": "planned",
        "clerk@a.example": "planned",
    }
    assert cell(matrix, staff["driver"].user, "CR-01").action == mine


def test_an_expired_record_with_a_new_action_is_planned_and_an_expiring_one_shows_it(personas):
    org, manager, employee = personas.org, personas.manager, personas.employee
    req = requirement(org, manager, role=Role.EMPLOYEE)
    old = record(
        org, manager, employee, requirement=req, completed_on=in_days(-400), expires_on=in_days(-5)
    )
    assert cell(competence_matrix(org), employee, "CR-01").status == Status.EXPIRED
    action = _assignment(org, manager, person=employee, action="Refresher", requirement=req)
    got = cell(competence_matrix(org), employee, "CR-01")
    assert (got.status, got.evidence, got.action) == (Status.PLANNED, old, action)
    TrainingRecord.objects.filter(pk=old.pk).update(expires_on=in_days(20))
    got = cell(competence_matrix(org), employee, "CR-01")
    assert (got.status, got.action) == (Status.EXPIRING, action)


def test_the_action_a_record_already_answered_does_not_plan_its_refresher(personas):
    """Regression: an assignment done long ago (the expired record is its result) kept the
    expired cell "planned", so no refresher could be planned for it."""
    org, manager, employee = personas.org, personas.manager, personas.employee
    path = make_path(org, manager)
    requirement(org, manager, path=path, role=Role.EMPLOYEE)
    done = _assignment(org, manager, person=employee, path=path)
    Assignment.objects.filter(pk=done.pk).update(
        created_at=dt.datetime(2023, 1, 2, 9, tzinfo=dt.UTC), due_date=dt.date(2023, 2, 1)
    )
    record(org, manager, employee, path=path, completed_on=dt.date(2023, 1, 20))
    matrix = competence_matrix(org)
    assert cell(matrix, employee, "CR-01").status == Status.EXPIRED
    created = create_gap_actions(
        org, matrix.gaps, actor=manager, owner=manager, due_date=in_days(30)
    )
    assert [a.person for a in created] == [employee]
    assert cell(competence_matrix(org), employee, "CR-01").status == Status.PLANNED


def test_an_optional_requirement_is_no_gap(personas):
    org, manager = personas.org, personas.manager
    requirement(org, manager, role=Role.EMPLOYEE, mandatory=False)
    matrix = competence_matrix(org)
    assert cell(matrix, personas.employee, "CR-01").status == Status.MISSING
    assert matrix.gaps == []
    assert matrix.people_competent == len(matrix.rows)


# --- turning gaps into actions ----------------------------------------------------------------


@pytest.fixture
def gaps(personas, staff):
    org, manager = personas.org, personas.manager
    path = make_path(org, manager)
    requirement(org, manager, "CR-01", path=path, team="Warehouse")
    requirement(org, manager, "CR-02", title="Forklift licence", team="Warehouse")
    _assignment(org, manager, person=staff["driver"].user, path=path)
    return path


def test_gap_actions_are_made_for_gaps_without_one(personas, staff, gaps):
    org, manager = personas.org, personas.manager
    owner = personas.users[Role.PROCESS_OWNER]
    matrix = competence_matrix(org)
    assert len(matrix.gaps) == 4  # driver and clerk, two requirements; the driver's CR-01 planned
    created = create_gap_actions(org, matrix.gaps, actor=manager, owner=owner, due_date=in_days(60))
    made = {(a.person.email, a.requirement.code): a for a in created}
    assert sorted(made) == [
        ("clerk@a.example", "CR-01"),
        ("clerk@a.example", "CR-02"),
        ("driver@a.example", "CR-02"),
    ]
    path_action = made[("clerk@a.example", "CR-01")]
    assert (path_action.path, path_action.action) == (gaps, "")
    licence = made[("clerk@a.example", "CR-02")]
    assert (licence.path, licence.action) == (None, "Meet CR-02: Forklift licence")
    assert {(a.owner, a.due_date) for a in created} == {(owner, in_days(60))}
    assert (
        ActivityEntry.objects.filter(
            action="create", object_type="people.assignment", actor=manager
        ).count()
        == 3
    )
    # Every gap is planned now; running it again makes nothing.
    again = competence_matrix(org)
    assert {c for c in again.counts} == {Status.PLANNED}
    assert (
        create_gap_actions(org, again.gaps, actor=manager, owner=owner, due_date=in_days(60)) == []
    )


@pytest.mark.parametrize(
    ("owner", "due", "field"),
    [
        ("outsider", 30, "owner"),
        (Role.PROCESS_OWNER, -1, "due_date"),
    ],
)
def test_bad_gap_actions_are_refused_and_write_nothing(personas, gaps, owner, due, field):
    org, manager = personas.org, personas.manager
    who = personas.outsider if owner == "outsider" else personas.users[owner]
    before = Assignment.objects.count()
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        create_gap_actions(
            org, competence_matrix(org).gaps, actor=manager, owner=who, due_date=in_days(due)
        )
    assert [e.field for e in caught.value.errors] == [field]
    assert Assignment.objects.count() == before
    assert ActivityEntry.objects.count() == entries


def test_only_keepers_turn_gaps_into_actions(personas, gaps):
    org = personas.org
    before = Assignment.objects.count()
    for role in (Role.EMPLOYEE, Role.PROCESS_OWNER, Role.INTERNAL_AUDITOR, Role.TOP_MANAGEMENT):
        with pytest.raises(PermissionDenied):
            create_gap_actions(
                org,
                competence_matrix(org).gaps,
                actor=personas.users[role],
                owner=personas.manager,
                due_date=in_days(30),
            )
    assert Assignment.objects.count() == before


def test_a_gap_of_another_organization_is_refused_and_nothing_is_half_written(personas, gaps):
    org, manager = personas.org, personas.manager
    other = personas.other
    requirement(other, personas.outsider, "CR-B", title="Theirs")
    foreign = competence_matrix(other).gaps
    assert foreign
    mixed = [*competence_matrix(org).gaps, *foreign]
    before = Assignment.objects.count()
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        create_gap_actions(org, mixed, actor=manager, owner=manager, due_date=in_days(30))
    assert [e.field for e in caught.value.errors] == ["gaps"]
    assert Assignment.objects.count() == before
    assert ActivityEntry.objects.count() == entries
    assert not Assignment.objects.filter(organization=org, requirement__organization=other).exists()


# --- query count ------------------------------------------------------------------------------


def _grow(org, manager, start: int, count: int, reqs, path, plant) -> None:
    """`count` more members with a record each for every requirement, and an action for some."""
    from pdca.accounts.models import User

    users = User.objects.bulk_create(
        User(email=f"p{i}@a.example", full_name=f"Person {i}") for i in range(start, start + count)
    )
    Membership.objects.bulk_create(
        Membership(
            organization=org,
            user=u,
            role=Role.EMPLOYEE if i % 3 else Role.PROCESS_OWNER,
            team=("Production", "Warehouse")[i % 2],
            site=plant if i % 4 else None,
        )
        for i, u in enumerate(users)
    )
    records = []
    for i, u in enumerate(users):
        records += [
            TrainingRecord(
                organization=org,
                person=u,
                title="Path",
                path=path,
                result="passed",
                completed_on=in_days(-300 - i),
                expires_on=in_days(60 + i * 7 - 200),
            ),
            TrainingRecord(
                organization=org,
                person=u,
                title="Licence",
                kind="qualification",
                requirement=reqs[1],
                result="passed",
                completed_on=in_days(-100),
                expires_on=in_days(1000),
            ),
            TrainingRecord(
                organization=org,
                person=u,
                title="Experience",
                kind="experience",
                requirement=reqs[2],
                started_on=in_days(-500 - i * 10),
                completed_on=in_days(-1),
            ),
        ]
    TrainingRecord.objects.bulk_create(records)
    Assignment.objects.bulk_create(
        Assignment(
            organization=org,
            person=u,
            requirement=reqs[i % 3],
            action="Catch up",
            due_date=in_days(30),
            owner=manager,
        )
        for i, u in enumerate(users)
        if i % 5 == 0
    )


def test_the_matrix_takes_the_same_queries_for_5_and_60_people(personas):
    org, manager = personas.org, personas.manager
    plant = site(org)
    path = make_path(org, manager)
    reqs = [
        requirement(org, manager, "CR-01", path=path),
        requirement(org, manager, "CR-02", kind="qualification", team="Warehouse", site=plant),
        requirement(
            org,
            manager,
            "CR-03",
            kind="experience",
            evaluation="experience",
            min_experience_months=12,
            role=Role.PROCESS_OWNER,
        ),
    ]
    _assignment(org, manager, path=path, team="Production")
    _grow(org, manager, 0, 5, reqs, path, plant)
    small_count, small = count_queries(lambda: competence_matrix(org))
    _grow(org, manager, 5, 55, reqs, path, plant)
    big_count, big = count_queries(lambda: competence_matrix(org))
    assert len(small.rows) == 7 + 5 and len(big.rows) == 7 + 60
    # members, requirements, records, actions
    assert small_count == big_count == 4
    assert len(big.counts) >= 4  # a realistic mix: several statuses
    # Reading every cell's title touches nothing more.
    queries, _ = count_queries(lambda: [c.title for r in big.rows for c in r.cells])
    assert queries == 0
