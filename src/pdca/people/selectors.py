"""Read-side queries of the people app, scoped to what the user may see: courses and paths
(every member), enrolments and quiz attempts (the person's own, or the organization's for those
who read training evidence), an attempt's per-question results, and the rows of the competence
matrix. The API and the CLI read through these, so both show the same rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from pdca.core.permissions import may, require, scope
from pdca.people.models import (
    Choice,
    Course,
    Enrolment,
    Module,
    Question,
    QuizAttempt,
    TrainingPath,
    TrainingRecord,
)
from pdca.people.services.competence import Matrix, competence_matrix
from pdca.people.services.learning import QuestionResult, score_answers


def courses_for(user: Any) -> QuerySet[Course]:
    """The courses of the user's organizations, with their module and quiz counts."""
    return (
        scope(Course.objects.all(), user)
        .select_related("organization")
        .annotate(
            module_count=Count("modules", distinct=True),
            quiz_count=Count("modules", filter=Q(modules__kind=Module.Kind.QUIZ), distinct=True),
        )
    )


def course_content(course: Course) -> list[Module]:
    """The course's modules in order, each with its questions and their choices in order."""
    choices = Prefetch("choices", queryset=Choice.objects.order_by("position"))
    questions = Prefetch(
        "questions", queryset=Question.objects.order_by("position").prefetch_related(choices)
    )
    return list(course.modules.order_by("position").prefetch_related(questions))


def may_see_answers(user: Any, course: Course) -> bool:
    """Whether the user sees which choices are right and why: those who keep the courses."""
    return may(user, "change", course)


def _modules_of_path() -> Subquery:
    modules = (
        Module.objects.filter(course__path_steps__path=OuterRef("path_id"))
        .order_by()
        .values("course__path_steps__path")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(modules, output_field=IntegerField())


def paths_for(user: Any) -> QuerySet[TrainingPath]:
    """The training paths of the user's organizations, with their course counts."""
    return (
        scope(TrainingPath.objects.all(), user)
        .select_related("organization")
        .annotate(course_count=Count("steps", distinct=True))
    )


def enrolments_for(user: Any) -> QuerySet[Enrolment]:
    """Enrolments the user may read (their own; the organization's for readers), each with the
    number of modules done and in its path."""
    return (
        scope(Enrolment.objects.all(), user)
        .select_related("organization", "person", "path")
        .annotate(
            done_count=Count("completions", distinct=True),
            module_total=Coalesce(_modules_of_path(), 0),
        )
    )


def attempts_for(user: Any) -> QuerySet[QuizAttempt]:
    """Quiz attempts the user may read (their own; the organization's for readers), with what
    scoring them again needs (the module's questions and choices)."""
    choices = Prefetch("choices", queryset=Choice.objects.order_by("position"))
    questions = Prefetch(
        "module__questions",
        queryset=Question.objects.order_by("position").prefetch_related(choices),
    )
    return (
        scope(QuizAttempt.objects.all(), user)
        .select_related("organization", "enrolment__person", "module__course")
        .prefetch_related(questions)
    )


def attempt_results(attempt: QuizAttempt) -> list[QuestionResult]:
    """Each question of the attempt's quiz: what was chosen and whether it was right."""
    questions = list(attempt.module.questions.all())
    answers = attempt.answers or {}
    chosen = {q.pk: [int(p) for p in answers.get(q.key, []) or []] for q in questions}
    return list(score_answers(questions, chosen).results)


def shows_answer_key(user: Any, attempt: QuizAttempt) -> bool:
    """Whether `user` sees the right choices and explanations of `attempt`: its learner once it
    passed (so that a retake is not a copy), and those who read someone else's attempt."""
    return attempt.passed or attempt.enrolment.person_id != getattr(user, "pk", None)


def matrix_for(
    user: Any,
    organization: Any,
    *,
    as_of: dt.date | None = None,
    site: Any = None,
    team: str = "",
    role: str = "",
    process: Any = None,
    standard: Any = None,
    people: Iterable[int] | None = None,
) -> Matrix:
    """The competence matrix of `organization`, for those who read everyone's training
    evidence (`user` None: the operator at the command line)."""
    if user is not None:
        require(user, "view", TrainingRecord, organization=organization)
    return competence_matrix(
        organization,
        as_of=as_of,
        site=site,
        team=team,
        role=role,
        process=process,
        standard=standard,
        people=people,
    )
