"""Awareness campaigns: launching asks the covered people to acknowledge the documents'
published versions and assigns the path; what launching refuses; and the report per person,
team and site."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.registers.services import create_entry
from pdca.core.roles import Role
from pdca.documents import acknowledgements as acks
from pdca.documents.models import Acknowledgement, DocumentVersion
from pdca.documents.versions import services as versions
from pdca.people.models import Assignment, AwarenessCampaign
from pdca.people.registers import CAMPAIGNS
from pdca.people.services.assignments import my_training
from pdca.people.services.campaigns import campaign_report, close_campaign, launch_campaign
from pdca.people.services.learning import path_modules, start_path, submit_quiz
from tests.documents.test_versions import make_document, publish
from tests.people.factories import in_days, make_path, member, right_answers, site

pytestmark = pytest.mark.django_db

RIGHT = right_answers(key_prefix="test-path-c1-")


@pytest.fixture
def world(personas):
    """Two published documents (the first in its second version), a one-quiz path, and three
    more employees: a welder at the plant, a driver at the plant and a clerk at the office."""
    org, manager = personas.org, personas.manager
    author, approver = personas.users[Role.CONSULTANT], manager
    policy = make_document(org, "POL-01", title="Quality policy")
    first = publish(policy, author=author, approver=approver, content="# One")
    second = publish(policy, author=author, approver=approver, content="# Two", summary="Two")
    rules = make_document(org, "PR-07", title="Site rules")
    rules_v1 = publish(rules, author=author, approver=approver)
    plant, office = site(org, "Plant"), site(org, "Office")
    return {
        "policy": policy,
        "rules": rules,
        "superseded": first,
        "published": [second, rules_v1],
        "path": make_path(org, manager, lessons=0),
        "plant": plant,
        "office": office,
        "welder": member(org, "welder@a.example", team="Production", site=plant).user,
        "driver": member(org, "driver@a.example", team="Warehouse", site=plant).user,
        "clerk": member(org, "clerk@a.example", team="Warehouse", site=office).user,
    }


def campaign(personas, world, **fields) -> AwarenessCampaign:
    values = {
        "title": "Policy refresh 2026",
        "documents": [world["policy"], world["rules"]],
        "path": world["path"],
        "role": Role.EMPLOYEE,
        "due_date": in_days(30),
        "owner": personas.manager,
    }
    values.update(fields)
    return create_entry(CAMPAIGNS, personas.org, actor=personas.manager, **values)


def state(made: AwarenessCampaign) -> tuple:
    fresh = AwarenessCampaign.objects.get(pk=made.pk)
    return (
        fresh.status,
        fresh.launched_at,
        Acknowledgement.objects.count(),
        Assignment.objects.count(),
        ActivityEntry.objects.count(),
    )


# --- launching --------------------------------------------------------------------------------


def test_launching_asks_the_covered_people_and_assigns_the_path(personas, world):
    made = campaign(personas, world)
    employees = {personas.employee, world["welder"], world["driver"], world["clerk"]}
    # Someone asked before is not asked twice.
    acks.request_acknowledgement(
        world["published"][1], actor=personas.manager, users=[world["clerk"]]
    )
    launched = launch_campaign(made, actor=personas.manager)
    assert (launched.status, launched.launched_by) == ("launched", personas.manager)
    assert launched.launched_at is not None
    asked = Acknowledgement.objects.filter(version__in=world["published"])
    assert {(a.version_id, a.user) for a in asked} == {
        (v.pk, u) for v in world["published"] for u in employees
    }
    assert {
        a.due_date for a in asked.exclude(user=world["clerk"], version=world["published"][1])
    } == {in_days(30)}
    assert not Acknowledgement.objects.filter(version=world["superseded"]).exists()
    (assignment,) = Assignment.objects.all()
    assert (assignment.campaign, assignment.path, assignment.role, assignment.person) == (
        launched,
        world["path"],
        Role.EMPLOYEE,
        None,
    )
    assert (assignment.due_date, assignment.owner) == (in_days(30), personas.manager)
    assert assignment.record_reason() == "it belongs to a launched awareness campaign"
    entry = ActivityEntry.objects.get(action="launch")
    assert entry.message == "4 people, 2 documents"
    # The path is now on each covered person's list, and on nobody else's.
    assert [i.path for i in my_training(world["welder"], personas.org)] == [world["path"]]
    assert my_training(personas.users[Role.PROCESS_OWNER], personas.org) == []


def test_a_campaign_for_a_team_at_a_site_covers_only_them(personas, world):
    made = campaign(personas, world, role="", team="warehouse", site=world["plant"])
    launch_campaign(made, actor=personas.manager)
    assert set(Acknowledgement.objects.values_list("user__email", flat=True)) == {
        "driver@a.example"
    }


def test_a_campaign_of_documents_only_assigns_nothing(personas, world):
    made = campaign(personas, world, path=None)
    launch_campaign(made, actor=personas.manager)
    assert Acknowledgement.objects.count() == 8
    assert not Assignment.objects.exists()


def test_an_unpublished_document_is_refused(personas, world):
    draft = make_document(personas.org, "PR-99", title="Draft procedure")
    versions.create_version(draft, actor=personas.manager, content="# Draft")
    made = campaign(personas, world, documents=[world["policy"], draft])
    before = state(made)
    with pytest.raises(ValidationFailed) as caught:
        launch_campaign(made, actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["documents"]
    assert "Draft procedure" in caught.value.errors[0].message
    assert state(made) == before


def test_a_past_due_date_is_refused(personas, world):
    made = campaign(personas, world, due_date=in_days(-1))
    before = state(made)
    with pytest.raises(ValidationFailed) as caught:
        launch_campaign(made, actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["due_date"]
    assert state(made) == before


def test_an_audience_covering_nobody_is_refused(personas, world):
    made = campaign(personas, world, team="Nobody")
    before = state(made)
    with pytest.raises(ValidationFailed) as caught:
        launch_campaign(made, actor=personas.manager)
    assert [e.field for e in caught.value.errors] == ["role"]
    assert state(made) == before


def test_a_campaign_is_launched_once(personas, world):
    made = launch_campaign(campaign(personas, world), actor=personas.manager)
    before = state(made)
    with pytest.raises(Conflict) as caught:
        launch_campaign(made, actor=personas.manager)
    assert (caught.value.status, caught.value.code) == (409, "not_draft")
    assert state(made) == before
    closed = close_campaign(made, actor=personas.manager)
    assert closed.status == "closed"
    with pytest.raises(Conflict):
        launch_campaign(closed, actor=personas.manager)
    with pytest.raises(Conflict) as caught:
        close_campaign(closed, actor=personas.manager)
    assert caught.value.code == "not_launched"


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.PROCESS_OWNER, Role.INTERNAL_AUDITOR])
def test_only_keepers_launch(personas, world, role):
    made = campaign(personas, world)
    before = state(made)
    with pytest.raises(PermissionDenied):
        launch_campaign(made, actor=personas.users[role])
    assert state(made) == before


def test_a_campaign_needs_documents_or_a_path(personas, world):
    with pytest.raises(ValidationFailed) as caught:
        campaign(personas, world, documents=[], path=None)
    assert [e.field for e in caught.value.errors] == ["documents"]


# --- the report -------------------------------------------------------------------------------


def _take(path, user, answers) -> None:
    (quiz,) = path_modules(path)
    submit_quiz(start_path(path, actor=user), quiz, answers, actor=user)


def test_the_report_per_person_team_and_site(personas, world):
    made = launch_campaign(campaign(personas, world), actor=personas.manager)
    policy, rules = world["published"]
    path = world["path"]
    welder, driver, clerk = world["welder"], world["driver"], world["clerk"]
    for version in (policy, rules):
        acks.acknowledge(version, actor=welder)
        acks.acknowledge(version, actor=clerk)
    acks.acknowledge(policy, actor=driver)
    _take(path, welder, RIGHT)  # 100 %, passed
    _take(path, driver, {**RIGHT, "test-path-c1-q-single-a": [2]})  # 80 %, passed
    _take(path, clerk, {"test-path-c1-q-single-a": [1], "test-path-c1-q-single-b": [2]})  # 40 %
    report = campaign_report(made)
    people = {
        line.membership.user.email: (
            line.acknowledged,
            line.asked,
            line.path_status,
            line.best_score,
            line.complete,
        )
        for line in report.people
    }
    assert people == {
        "welder@a.example": (2, 2, "passed", 100, True),
        "driver@a.example": (1, 2, "passed", 80, False),
        "clerk@a.example": (2, 2, "in_progress", 40, False),
        personas.employee.email: (0, 2, "not_started", None, False),
    }
    assert (report.complete, report.percent) == (1, 25)
    assert [(g.name, g.people, g.complete, g.percent, g.average_score) for g in report.teams] == [
        ("No team", 1, 0, 0, None),
        ("Production", 1, 1, 100, 100),
        ("Warehouse", 2, 0, 0, 60),
    ]
    assert [(g.name, g.people, g.complete, g.percent, g.average_score) for g in report.sites] == [
        ("No site", 1, 0, 0, None),
        ("Office", 1, 0, 0, 40),
        ("Plant", 2, 1, 50, 90),
    ]
    assert {v.pk for v in report.versions} == {policy.pk, rules.pk}
    # After the due date, whoever has not passed is overdue.
    late = campaign_report(made, as_of=in_days(31))
    assert {line.membership.user.email: line.path_status for line in late.people} == {
        "welder@a.example": "passed",
        "driver@a.example": "passed",
        "clerk@a.example": "overdue",
        personas.employee.email: "overdue",
    }


def test_a_new_version_published_during_the_campaign_is_asked_again(personas, world):
    made = launch_campaign(campaign(personas, world, path=None), actor=personas.manager)
    welder = world["welder"]
    for version in world["published"]:
        acks.acknowledge(version, actor=welder)
    line = next(p for p in campaign_report(made).people if p.membership.user == welder)
    assert (line.acknowledged, line.asked, line.path_status, line.complete) == (2, 2, "none", True)
    third = publish(
        world["policy"],
        author=personas.users[Role.CONSULTANT],
        approver=personas.manager,
        content="# Three",
        summary="Three",
    )
    assert third.status == DocumentVersion.Status.PUBLISHED
    acks.request_same_people(third, actor=personas.manager, due_date=in_days(7))
    line = next(p for p in campaign_report(made).people if p.membership.user == welder)
    assert (line.acknowledged, line.asked, line.complete) == (2, 3, False)
