"""The training pages: every page opens for those who may see it (and is 404 for another
organization), an employee takes a path (lesson, a failed quiz, a retake, a pass) and the
matrix shows them competent; keepers assign, turn gaps into actions, write and import
courses, evaluate records, and launch a campaign."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.people.models import Assignment, Course, Enrolment, Module, QuizAttempt, TrainingRecord
from pdca.people.permissions import KEEPERS
from pdca.people.services.competence import Status, competence_matrix
from pdca.people.services.rules import add_months
from tests.people.factories import (
    TODAY,
    course_text,
    in_days,
    make_path,
    member,
    record,
    requirement,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(personas):
    manager = personas.manager
    path = make_path(personas.org, manager)
    requirement(personas.org, manager, "CR-01", path=path)
    return personas, path


def pages(path, course):
    return [
        reverse("people:home"),
        reverse("people:path-list"),
        reverse("people:path-detail", args=[path.pk]),
        reverse("people:course-list"),
        reverse("people:course-detail", args=[course.pk]),
        reverse("people:competence-requirements-list"),
        reverse("people:training-records-list"),
        reverse("people:qualifications-list"),
        reverse("people:training-assignments-list"),
        reverse("people:awareness-campaigns-list"),
    ]


def test_pages_open_for_the_manager_and_are_hidden_from_outsiders(client, setup):
    personas, path = setup
    course = Course.objects.get(organization=personas.org)
    login(client, personas.manager)
    for url in [
        *pages(path, course),
        reverse("people:matrix"),
        reverse("people:path-create"),
        reverse("people:course-create"),
        reverse("people:course-import"),
    ]:
        assert client.get(url).status_code == 200, url
    login(client, personas.outsider)
    for url in (
        reverse("people:path-detail", args=[path.pk]),
        reverse("people:course-detail", args=[course.pk]),
        reverse("people:course-export", args=[course.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_an_employee_sees_paths_but_not_the_matrix_or_course_editing(client, setup):
    personas, path = setup
    course = Course.objects.get(organization=personas.org)
    login(client, personas.employee)
    assert client.get(reverse("people:home")).status_code == 200
    assert client.get(reverse("people:path-detail", args=[path.pk])).status_code == 200
    assert client.get(reverse("people:matrix")).status_code == 403
    assert client.get(reverse("people:course-edit", args=[course.pk])).status_code == 403
    assert client.get(reverse("people:course-export", args=[course.pk])).status_code == 403
    assert client.post(reverse("people:path-detail", args=[path.pk]), {}).status_code == 403


def _answer(client, enrolment, module, right: bool):
    data = {}
    for q in module.questions.prefetch_related("choices"):
        choices = [c.position for c in q.choices.all() if c.correct == right]
        data[f"q-{q.pk}"] = [str(p) for p in (choices[:1] if q.kind == "single" else choices)]
    return client.post(reverse("people:module", args=[enrolment.pk, module.pk]), data)


def test_an_employee_takes_the_path_fails_retakes_passes_and_becomes_competent(client, setup):
    personas, path = setup
    employee = personas.employee
    manager = personas.manager
    Assignment.objects.create(
        organization=personas.org, path=path, role=Role.EMPLOYEE, due_date=in_days(10)
    )
    login(client, employee)
    home = client.get(reverse("people:home")).content.decode()
    assert path.title in home and "Not started" in home

    started = client.post(reverse("people:path-start", args=[path.pk]))
    enrolment = Enrolment.objects.get(person=employee)
    assert started["Location"] == reverse("people:enrolment", args=[enrolment.pk])
    lesson, quiz = Module.objects.filter(course__path_steps__path=path).order_by("position")
    # Resuming goes to the first step not done: the lesson.
    assert client.get(started["Location"])["Location"].endswith(f"/modules/{lesson.pk}/")
    page = client.get(reverse("people:module", args=[enrolment.pk, lesson.pk]))
    assert b"Lesson 1" in page.content
    client.post(reverse("people:module", args=[enrolment.pk, lesson.pk]))
    # Now it resumes at the quiz.
    assert client.get(started["Location"])["Location"].endswith(f"/modules/{quiz.pk}/")
    quiz_page = client.get(reverse("people:module", args=[enrolment.pk, quiz.pk])).content.decode()
    assert "<fieldset" in quiz_page and "<legend" in quiz_page

    failed = _answer(client, enrolment, quiz, right=False)
    attempt = QuizAttempt.objects.get(enrolment=enrolment)
    assert failed["Location"] == reverse("people:attempt", args=[attempt.pk])
    result = client.get(failed["Location"]).content.decode()
    assert "Not passed yet" in result and "Try again" in result
    # The right answers are not shown before a pass.
    assert "(right)" not in result
    assert (
        competence_matrix(personas.org, people=[employee.pk]).rows[0].cells[0].status
        == Status.PLANNED
    )

    passed = _answer(client, enrolment, quiz, right=True)
    second = QuizAttempt.objects.get(enrolment=enrolment, number=2)
    assert second.passed and second.score == 100
    assert "Passed" in client.get(passed["Location"]).content.decode()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    record_ = TrainingRecord.objects.get(person=employee, path=path)
    # The path counts for 12 months from the pass.
    assert record_.expires_on == add_months(TODAY, 12)
    assert (
        competence_matrix(personas.org, people=[employee.pk]).rows[0].cells[0].status
        == Status.COMPETENT
    )
    # The manager's matrix page shows them competent.
    login(client, manager)
    matrix = client.get(reverse("people:matrix")).content.decode()
    assert "cell-competent" in matrix


def test_someone_else_cannot_answer_an_enrolment(client, setup):
    personas, path = setup
    login(client, personas.employee)
    client.post(reverse("people:path-start", args=[path.pk]))
    enrolment = Enrolment.objects.get(person=personas.employee)
    quiz = Module.objects.get(course__path_steps__path=path, kind="quiz")
    login(client, personas.users[Role.PROCESS_OWNER])
    response = client.post(reverse("people:module", args=[enrolment.pk, quiz.pk]), {})
    assert response.status_code == 404
    assert not QuizAttempt.objects.exists()


def test_the_manager_assigns_and_turns_gaps_into_actions(client, setup):
    personas, path = setup
    login(client, personas.manager)
    bad = client.post(reverse("people:path-detail", args=[path.pk]), {"due_date": "2000-01-01"})
    assert bad.status_code == 422 and not Assignment.objects.exists()
    ok = client.post(
        reverse("people:path-detail", args=[path.pk]),
        {"role": Role.EMPLOYEE, "due_date": in_days(30)},
    )
    assert ok.status_code == 302
    assert Assignment.objects.get().role == Role.EMPLOYEE
    detail = client.get(reverse("people:path-detail", args=[path.pk])).content.decode()
    # The one employee is covered and has not passed yet.
    assert "0 of 1" in detail
    manager_membership = personas.manager.memberships.get(organization=personas.org)
    response = client.post(
        reverse("people:gap-actions"), {"owner": manager_membership.pk, "due_date": in_days(20)}
    )
    assert response.status_code == 302
    # Everyone but the employee (already covered by the role's assignment) gets one action.
    matrix = competence_matrix(personas.org)
    assert all(cell.status != Status.MISSING for row in matrix.rows for cell in row.cells)


def test_the_manager_writes_a_course_with_a_quiz_and_exports_it(client, personas):
    login(client, personas.manager)
    created = client.post(
        reverse("people:course-create"),
        {"code": "induction", "title": "Induction", "language": "en"},
    )
    course = Course.objects.get(code="induction")
    assert created["Location"] == reverse("people:course-detail", args=[course.pk])
    client.post(
        reverse("people:module-create", args=[course.pk]),
        {"kind": "lesson", "title": "Welcome", "body": "# Hi"},
    )
    client.post(
        reverse("people:module-create", args=[course.pk]),
        {"kind": "quiz", "title": "Check", "body": ""},
    )
    quiz = course.modules.get(kind="quiz")
    refused = client.post(
        reverse("people:question-create", args=[course.pk, quiz.pk]),
        {"text": "Which?", "kind": "single", "choices": "* A\n* B\nC", "explanation": ""},
    )
    assert refused.status_code == 422 and not quiz.questions.exists()
    client.post(
        reverse("people:question-create", args=[course.pk, quiz.pk]),
        {"text": "Which?", "kind": "single", "choices": "A\n* B\nC", "explanation": "B it is."},
    )
    question = quiz.questions.get()
    assert [c.correct for c in question.choices.all()] == [False, True, False]
    exported = client.get(reverse("people:course-export", args=[course.pk]))
    assert b"format: pdca-course/1" in exported.content and b"Which?" in exported.content


def test_import_names_the_bad_field_and_writes_nothing(client, personas):
    login(client, personas.manager)
    bad = course_text("broken").replace("correct: true", "correct: maybe", 1).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("people:course-import"), {"file": SimpleUploadedFile("c.yaml", bad)}
    )
    assert response.status_code == 422
    assert b"modules[1].questions[0].choices[0].correct" in response.content
    assert not Course.objects.filter(code="broken").exists()
    good = client.post(
        reverse("people:course-import"),
        {"file": SimpleUploadedFile("c.yaml", course_text("fine").encode())},
    )
    assert good.status_code == 302 and Course.objects.filter(code="fine").exists()


def test_records_are_evaluated_for_effectiveness(client, setup):
    personas, _path = setup
    entry = record(personas.org, personas.manager, personas.employee)
    login(client, personas.manager)
    url = reverse("people:record-evaluate", args=[entry.pk])
    client.post(url, {"effectiveness": "effective", "effectiveness_notes": ""})
    entry.refresh_from_db()
    assert entry.effectiveness == "not_evaluated"
    client.post(url, {"effectiveness": "effective", "effectiveness_notes": "Observed on the line"})
    entry.refresh_from_db()
    assert (entry.effectiveness, entry.evaluated_by) == ("effective", personas.manager)
    login(client, personas.employee)
    assert (
        client.post(url, {"effectiveness": "not_effective", "effectiveness_notes": "x"}).status_code
        == 403
    )
    assert client.get(reverse("people:training-records-detail", args=[entry.pk])).status_code == 200
    other = member(personas.org, "someone@example.com")
    foreign = record(personas.org, personas.manager, other.user)
    assert (
        client.get(reverse("people:training-records-detail", args=[foreign.pk])).status_code == 404
    )


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_course_and_path_pages_by_role(client, personas, role):
    """Every member reads courses and paths and may take a path; only keepers edit them."""
    org = personas.org_for(role)
    keeper = next(
        u for r, u in personas.users.items() if r in KEEPERS and personas.org_for(r) == org
    )
    path = make_path(org, keeper, f"role-{role.replace('_', '-')}")
    course = Course.objects.get(path_steps__path=path)
    login(client, personas.users[role])
    for url in (
        reverse("people:path-detail", args=[path.pk]),
        reverse("people:course-detail", args=[course.pk]),
        reverse("people:path-list"),
        reverse("people:course-list"),
        reverse("people:home"),
    ):
        assert client.get(url).status_code == 200, url
    expected = 200 if role in KEEPERS else 403
    for url in (
        reverse("people:path-edit", args=[path.pk]),
        reverse("people:course-edit", args=[course.pk]),
        reverse("people:module-create", args=[course.pk]),
    ):
        assert client.get(url).status_code == expected, url
    started = client.post(reverse("people:path-start", args=[path.pk]))
    assert started.status_code == 302
    assert Enrolment.objects.filter(person=personas.users[role], path=path).exists()
