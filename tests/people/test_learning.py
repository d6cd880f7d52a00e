"""Taking a path: scoring, retakes, the path's pass mark, resuming, who may answer, and the
training record a completed path writes."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.people.models import (
    Enrolment,
    Module,
    ModuleCompletion,
    QuizAttempt,
    TrainingPath,
    TrainingRecord,
)
from pdca.people.services.competence import Status, competence_matrix
from pdca.people.services.learning import (
    QuestionResult,
    Score,
    complete_lesson,
    path_modules,
    quiz_questions,
    resume_module,
    score_answers,
    start_path,
    submit_quiz,
)
from pdca.people.services.rules import add_months
from tests.people.factories import TODAY, make_path, requirement, right_answers

pytestmark = pytest.mark.django_db

PREFIX = "test-path-c1-"
RIGHT = right_answers(key_prefix=PREFIX)


@pytest.fixture
def path(personas) -> TrainingPath:
    """One course: a lesson, then a quiz of five questions (one of them multiple-answer)."""
    return make_path(personas.org, personas.manager, validity_months=24)


def modules(path) -> tuple[Module, Module]:
    lesson, quiz = path_modules(path)
    assert (lesson.kind, quiz.kind) == ("lesson", "quiz")
    return lesson, quiz


def with_wrong(count: int) -> dict[str, list[int]]:
    """The right answers with the first `count` questions answered wrongly."""
    answers = dict(RIGHT)
    for key in list(answers)[:count]:
        answers[key] = [2] if answers[key] != [2] else [1]
    return answers


# --- scoring ----------------------------------------------------------------------------------


def _score(quiz, answers: dict[str, list[int]]) -> Score:
    questions = quiz_questions(quiz)
    by_key = {q.key: q.pk for q in questions}
    return score_answers(questions, {by_key[k]: v for k, v in answers.items()})


@pytest.mark.parametrize(
    ("change", "right"),
    [
        ({}, True),
        ({"q-multiple": [3, 1]}, True),  # the order of the choices does not matter
        ({"q-multiple": [1, 3, 3]}, True),
        ({"q-multiple": [1]}, False),  # half of a multiple-answer question scores nothing
        ({"q-multiple": [1, 2, 3]}, False),  # a wrong choice added
        ({"q-multiple": [2]}, False),
        ({"q-multiple": []}, False),  # unanswered
    ],
)
def test_a_multiple_answer_question_is_right_only_with_exactly_its_right_choices(
    path, change, right
):
    _, quiz = modules(path)
    answers = {**RIGHT, **{PREFIX + k: v for k, v in change.items()}}
    score = _score(quiz, answers)
    multiple = next(r for r in score.results if r.question.key == PREFIX + "q-multiple")
    assert multiple.right is right
    assert multiple.correct_choices == (1, 3)
    assert score.correct == (5 if right else 4)


def test_single_answers_and_unanswered_questions(path):
    _, quiz = modules(path)
    score = _score(quiz, {PREFIX + "q-single-a": [1], PREFIX + "q-single-b": [1]})
    assert [r.right for r in score.results] == [True, False, False, False, False]
    assert (score.correct, score.total, score.percent) == (1, 5, 20)
    assert _score(quiz, {}).percent == 0


def test_the_percent_is_rounded_down():
    def score(right: int, total: int) -> int:
        results = tuple(
            QuestionResult(None, (1,), (1,) if i < right else (2,))  # type: ignore[arg-type]
            for i in range(total)
        )
        return Score(results).percent

    assert score(799, 1000) == 79  # 79.9 % does not reach 80
    assert score(4, 5) == 80
    assert score(2, 3) == 66
    assert score(0, 0) == 0


def test_79_9_percent_does_not_pass_80_and_exactly_the_mark_passes(personas):
    """A quiz of three questions with a pass mark of 67: two right is 66.7 %, kept as 66."""
    three = [(f"q{i}", "single", [("Right", True), ("Wrong", False)]) for i in range(1, 4)]
    path = make_path(personas.org, personas.manager, pass_mark=67, questions=three, lessons=0)
    (quiz,) = path_modules(path)
    enrolment = start_path(path, actor=personas.employee)
    answers = {"test-path-c1-q1": [1], "test-path-c1-q2": [1], "test-path-c1-q3": [2]}
    attempt = submit_quiz(enrolment, quiz, answers, actor=personas.employee)
    assert (attempt.correct_count, attempt.score, attempt.passed) == (2, 66, False)
    TrainingPath.objects.filter(pk=path.pk).update(pass_mark=66)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    attempt = submit_quiz(enrolment, quiz, answers, actor=personas.employee)
    assert (attempt.score, attempt.pass_mark, attempt.passed) == (66, 66, True)


# --- attempts ---------------------------------------------------------------------------------


def test_retakes_are_numbered_and_the_pass_mark_comes_from_the_path(personas):
    path = make_path(personas.org, personas.manager, pass_mark=100)
    _, quiz = modules(path)
    employee = personas.employee
    enrolment = start_path(path, actor=employee)
    first = submit_quiz(enrolment, quiz, with_wrong(1), actor=employee)
    second = submit_quiz(enrolment, quiz, with_wrong(3), actor=employee)
    third = submit_quiz(enrolment, quiz, RIGHT, actor=employee)
    assert [(a.number, a.score, a.pass_mark, a.passed) for a in (first, second, third)] == [
        (1, 80, 100, False),  # 80 % would pass the default mark, not this path's
        (2, 40, 100, False),
        (3, 100, 100, True),
    ]
    assert first.answers == {**RIGHT, PREFIX + "q-single-a": [2]}
    assert list(
        QuizAttempt.objects.filter(enrolment=enrolment).values_list("number", flat=True)
    ) == [
        1,
        2,
        3,
    ]
    entries = ActivityEntry.objects.filter(action="answer", object_type="people.quizattempt")
    assert [e.message for e in entries.order_by("seq")] == [
        "4/5 (80 %), not passed",
        "2/5 (40 %), not passed",
        "5/5 (100 %), passed",
    ]


def test_attempts_are_numbered_per_quiz(personas):
    path = make_path(personas.org, personas.manager, courses=2, lessons=0)
    quiz1, quiz2 = path_modules(path)
    enrolment = start_path(path, actor=personas.employee)
    submit_quiz(enrolment, quiz1, {}, actor=personas.employee)
    attempt = submit_quiz(enrolment, quiz2, {}, actor=personas.employee)
    assert attempt.number == 1


def test_resume_at_the_first_module_not_done(personas):
    path = make_path(personas.org, personas.manager, courses=2, lessons=2)
    order = path_modules(path)
    assert [(m.course.code, m.kind) for m in order] == [
        ("test-path-c1", "lesson"),
        ("test-path-c1", "lesson"),
        ("test-path-c1", "quiz"),
        ("test-path-c2", "lesson"),
        ("test-path-c2", "lesson"),
        ("test-path-c2", "quiz"),
    ]
    employee = personas.employee
    enrolment = start_path(path, actor=employee)
    assert resume_module(enrolment) == order[0]
    complete_lesson(enrolment, order[0], actor=employee)
    complete_lesson(enrolment, order[3], actor=employee)  # skipped ahead
    assert resume_module(enrolment) == order[1]
    complete_lesson(enrolment, order[1], actor=employee)
    submit_quiz(enrolment, order[2], {}, actor=employee)  # failed: still to do
    assert resume_module(enrolment) == order[2]
    assert Enrolment.objects.get(pk=enrolment.pk).last_module == order[2]
    # Starting again resumes the same enrolment.
    assert start_path(path, actor=employee) == enrolment
    assert Enrolment.objects.filter(person=employee).count() == 1


def test_reading_a_lesson_twice_counts_once(personas, path):
    lesson, _ = modules(path)
    enrolment = start_path(path, actor=personas.employee)
    complete_lesson(enrolment, lesson, actor=personas.employee)
    complete_lesson(enrolment, lesson, actor=personas.employee)
    assert ModuleCompletion.objects.filter(enrolment=enrolment).count() == 1


def test_a_lesson_takes_no_answers_and_a_quiz_is_not_read(personas, path):
    lesson, quiz = modules(path)
    enrolment = start_path(path, actor=personas.employee)
    with pytest.raises(ValidationFailed) as caught:
        submit_quiz(enrolment, lesson, {}, actor=personas.employee)
    assert [e.field for e in caught.value.errors] == ["module"]
    with pytest.raises(ValidationFailed):
        complete_lesson(enrolment, quiz, actor=personas.employee)
    assert not QuizAttempt.objects.exists()
    assert not ModuleCompletion.objects.exists()


@pytest.mark.parametrize("role", [Role.SYSTEM_MANAGER, Role.INTERNAL_AUDITOR, "outsider"])
def test_only_the_person_enrolled_answers(personas, path, role):
    lesson, quiz = modules(path)
    enrolment = start_path(path, actor=personas.employee)
    someone = personas.outsider if role == "outsider" else personas.users[role]
    with pytest.raises(PermissionDenied):
        submit_quiz(enrolment, quiz, RIGHT, actor=someone)
    with pytest.raises(PermissionDenied):
        complete_lesson(enrolment, lesson, actor=someone)
    assert not QuizAttempt.objects.exists()
    assert not ModuleCompletion.objects.exists()


def test_an_outsider_cannot_start_and_an_archived_path_is_closed(personas, path):
    with pytest.raises(NotFound):
        start_path(path, actor=personas.outsider)
    TrainingPath.objects.filter(pk=path.pk).update(archived_at=personas.org.created_at)
    path.refresh_from_db()
    with pytest.raises(Conflict) as caught:
        start_path(path, actor=personas.employee)
    assert caught.value.code == "archived"
    assert not Enrolment.objects.exists()


def test_a_module_of_another_path_is_not_found(personas, path):
    other = make_path(personas.org, personas.manager, "other-path")
    _, other_quiz = modules(other)
    enrolment = start_path(path, actor=personas.employee)
    with pytest.raises(NotFound):
        submit_quiz(enrolment, other_quiz, {}, actor=personas.employee)
    assert not QuizAttempt.objects.exists()


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"no-such-question": [1]}, "answers.no-such-question"),
        ({PREFIX + "q-single-a": [9]}, "answers." + PREFIX + "q-single-a"),
        ({PREFIX + "q-single-a": [0]}, "answers." + PREFIX + "q-single-a"),
        ({PREFIX + "q-single-a": ["1"]}, "answers." + PREFIX + "q-single-a"),
        ({PREFIX + "q-single-a": [1, 2]}, "answers." + PREFIX + "q-single-a"),
    ],
)
def test_bad_answers_name_the_question_and_write_no_attempt(personas, path, answers, field):
    _, quiz = modules(path)
    enrolment = start_path(path, actor=personas.employee)
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        submit_quiz(enrolment, quiz, {**RIGHT, **answers}, actor=personas.employee)
    assert [e.field for e in caught.value.errors] == [field]
    assert not QuizAttempt.objects.exists()
    assert ActivityEntry.objects.count() == entries


def test_answers_may_name_questions_by_id(personas, path):
    _, quiz = modules(path)
    by_key = {q.key: q.pk for q in quiz_questions(quiz)}
    enrolment = start_path(path, actor=personas.employee)
    attempt = submit_quiz(
        enrolment, quiz, {by_key[k]: v for k, v in RIGHT.items()}, actor=personas.employee
    )
    assert (attempt.score, attempt.answers) == (100, RIGHT)


# --- completing the path ----------------------------------------------------------------------


def test_completing_the_path_writes_one_record_and_makes_the_person_competent(personas, path):
    org, employee = personas.org, personas.employee
    requirement(org, personas.manager, path=path, role=Role.EMPLOYEE)
    assert competence_matrix(org).counts == {Status.MISSING: 1}
    lesson, quiz = modules(path)
    enrolment = start_path(path, actor=employee)
    submit_quiz(enrolment, quiz, with_wrong(2), actor=employee)  # 60 %
    submit_quiz(enrolment, quiz, with_wrong(1), actor=employee)  # 80 %: passed
    assert not TrainingRecord.objects.exists()  # the lesson is still to read
    complete_lesson(enrolment, lesson, actor=employee)
    enrolment.refresh_from_db()
    made = TrainingRecord.objects.get()
    assert enrolment.completed_at is not None
    assert enrolment.record == made
    assert (made.person, made.path, made.kind, made.result) == (
        employee,
        path,
        "training",
        "passed",
    )
    assert (made.completed_on, made.expires_on) == (TODAY, add_months(TODAY, 24))
    assert made.score == 80  # the mean of the passing attempts
    assert made.title == path.title
    matrix = competence_matrix(org)
    row = next(r for r in matrix.rows if r.membership.user == employee)
    assert (row.cells[0].status, row.cells[0].evidence) == (Status.COMPETENT, made)
    assert (
        ActivityEntry.objects.filter(
            action="complete", object_type="people.enrolment", object_id=str(enrolment.pk)
        ).count()
        == 1
    )


def test_a_completed_enrolment_refuses_more_answers_and_a_retake_starts_afresh(personas, path):
    employee = personas.employee
    lesson, quiz = modules(path)
    enrolment = start_path(path, actor=employee)
    complete_lesson(enrolment, lesson, actor=employee)
    submit_quiz(enrolment, quiz, RIGHT, actor=employee)
    for call in (
        lambda: submit_quiz(enrolment, quiz, RIGHT, actor=employee),
        lambda: complete_lesson(enrolment, lesson, actor=employee),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert (caught.value.status, caught.value.code) == (409, "completed")
    assert QuizAttempt.objects.count() == 1
    assert TrainingRecord.objects.count() == 1
    retake = start_path(path, actor=employee)
    assert retake != enrolment
    assert resume_module(retake) == lesson


def test_a_path_without_expiry_writes_a_record_without_one(personas):
    path = make_path(personas.org, personas.manager, validity_months=None, lessons=0)
    (quiz,) = path_modules(path)
    enrolment = start_path(path, actor=personas.employee)
    submit_quiz(enrolment, quiz, RIGHT, actor=personas.employee)
    assert TrainingRecord.objects.get().expires_on is None


def test_a_pass_entered_by_hand_counts_and_an_expired_one_does_not(personas):
    """Overdue lists and progress read the path's training records, whoever wrote them: a
    classroom session entered by hand counts, an expired pass does not."""
    from pdca.core.roles import Role
    from pdca.people.models import Assignment
    from pdca.people.services.assignments import my_training, overdue_training
    from tests.people.factories import in_days, make_path, record

    org, manager, employee = personas.org, personas.manager, personas.employee
    path = make_path(org, manager, "hand-entered")
    Assignment.objects.create(organization=org, path=path, role=Role.EMPLOYEE, due_date=in_days(-3))
    assert [o.membership.user for o in overdue_training(org)] == [employee]
    record(org, manager, employee, path=path, completed_on=in_days(-400), expires_on=in_days(-1))
    assert [o.membership.user for o in overdue_training(org)] == [employee]
    assert my_training(employee, org)[0].status == "expired"
    record(org, manager, employee, path=path, completed_on=in_days(-2), expires_on=in_days(360))
    assert overdue_training(org) == []
    assert my_training(employee, org)[0].status == "passed"
