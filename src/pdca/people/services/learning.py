"""Taking a training path: start (or resume where you stopped), read lessons, answer quizzes
(scored against the path's pass mark, retaken as often as needed), and on passing every quiz
the path is complete and the person's training record is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.exceptions import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from pdca.core.permissions import role_in
from pdca.people.models import (
    Choice,
    Enrolment,
    Module,
    ModuleCompletion,
    PathCourse,
    Question,
    QuizAttempt,
    TrainingPath,
    TrainingRecord,
)
from pdca.people.services.rules import fill_expiry


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    chosen: tuple[int, ...]
    correct_choices: tuple[int, ...]

    @property
    def right(self) -> bool:
        return self.chosen == self.correct_choices


@dataclass(frozen=True)
class Score:
    results: tuple[QuestionResult, ...]

    @property
    def correct(self) -> int:
        return sum(1 for r in self.results if r.right)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def percent(self) -> int:
        """Whole percent, rounded down: 79.9 % does not reach a pass mark of 80."""
        return (self.correct * 100) // self.total if self.total else 0


def score_answers(questions: Sequence[Question], answers: Mapping[int, Sequence[int]]) -> Score:
    """Score `answers` ({question id: chosen choice positions}). A question counts as right only
    when exactly its right choices are chosen: a multiple-answer question half answered, or with
    a wrong choice added, scores nothing; an unanswered question is wrong."""
    results = []
    for question in questions:
        chosen = tuple(sorted(set(answers.get(question.pk, ()))))
        right = tuple(c.position for c in question.choices.all() if c.correct)
        results.append(QuestionResult(question, chosen, right))
    return Score(tuple(results))


def path_modules(path: TrainingPath) -> list[Module]:
    """Every module of the path, in order (course by course), with its course."""
    steps = PathCourse.objects.filter(path=path).order_by("position").select_related("course")
    order = {step.course_id: step.position for step in steps}
    modules = Module.objects.filter(course_id__in=order).select_related("course")
    return sorted(modules, key=lambda m: (order[m.course_id], m.position))


def _check_member(path: TrainingPath, actor) -> None:
    if role_in(actor, path.organization_id) is None:
        raise NotFound("No such training path.")


@transaction.atomic
def start_path(path: TrainingPath, *, actor) -> Enrolment:
    """The actor's open enrolment in `path`, started now if there is none (a retake after a
    pass starts a new one)."""
    _check_member(path, actor)
    if path.is_archived:
        raise Conflict("This path is archived.", code="archived")
    if not PathCourse.objects.filter(path=path).exists():
        raise Conflict("This path has no courses yet.", code="empty_path")
    existing = Enrolment.objects.filter(path=path, person=actor, completed_at__isnull=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                organization_id=path.organization_id,
                person=actor,
                path=path,
                started_at=timezone.now(),
            )
    except IntegrityError:
        # Started at the same moment in another tab: that one is the enrolment.
        return Enrolment.objects.get(path=path, person=actor, completed_at__isnull=True)
    record_activity(actor=actor, action="start", obj=enrolment)
    return enrolment


def _own_open(enrolment: Enrolment, actor) -> Enrolment:
    """The enrolment locked for this write, if it is the actor's and still open."""
    if enrolment.person_id != actor.pk:
        raise PermissionDenied("Only the person taking the training may answer it.")
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.completed_at is not None:
        raise Conflict("This training is already completed.", code="completed")
    return locked


def _module_in_path(enrolment: Enrolment, module: Module) -> None:
    if not PathCourse.objects.filter(
        path_id=enrolment.path_id, course_id=module.course_id
    ).exists():
        raise NotFound("No such module in this path.")


def done_modules(enrolment: Enrolment) -> set[int]:
    return set(enrolment.completions.values_list("module_id", flat=True))


def resume_module(enrolment: Enrolment, modules: list[Module] | None = None) -> Module | None:
    """Where the person goes on: the first module not done yet (None when all are)."""
    modules = modules if modules is not None else path_modules(enrolment.path)
    done = done_modules(enrolment)
    return next((m for m in modules if m.pk not in done), None)


def _mark_done(enrolment: Enrolment, module: Module, now: dt.datetime) -> None:
    ModuleCompletion.objects.get_or_create(
        enrolment=enrolment, module=module, defaults={"completed_at": now}
    )
    enrolment.last_module = module
    enrolment.save(update_fields=["last_module", "updated_at"])


@transaction.atomic
def complete_lesson(enrolment: Enrolment, module: Module, *, actor) -> Enrolment:
    """Mark a lesson read; the path completes when nothing is left."""
    enrolment = _own_open(enrolment, actor)
    _module_in_path(enrolment, module)
    if module.kind != Module.Kind.LESSON:
        raise ValidationFailed.single("module", "A quiz is completed by passing it.")
    _mark_done(enrolment, module, timezone.now())
    _finish_if_done(enrolment, actor=actor)
    return enrolment


def _parse_answers(
    questions: Sequence[Question],
    answers: Mapping[str, Sequence[int]] | Mapping[int, Sequence[int]],
) -> dict[int, list[int]]:
    """{question id: positions} from answers keyed by question id or key; every position must be
    one of the question's choices, and a single-answer question takes one."""
    by_key = {q.key: q for q in questions}
    by_id = {q.pk: q for q in questions}
    parsed: dict[int, list[int]] = {}
    errors = []
    for raw_key, chosen in answers.items():
        question = by_id.get(raw_key) if isinstance(raw_key, int) else by_key.get(str(raw_key))
        if question is None and isinstance(raw_key, str) and raw_key.isdigit():
            question = by_id.get(int(raw_key))
        if question is None:
            errors.append(FieldError(f"answers.{raw_key}", "No such question in this quiz."))
            continue
        positions = {c.position for c in question.choices.all()}
        values: list[Any] = list(chosen) if isinstance(chosen, (list, tuple)) else [chosen]
        if any(not isinstance(v, int) or v not in positions for v in values):
            errors.append(
                FieldError(f"answers.{question.key}", "Choose among the question's choices.")
            )
            continue
        if question.kind == Question.Kind.SINGLE and len(set(values)) > 1:
            errors.append(FieldError(f"answers.{question.key}", "This question takes one answer."))
            continue
        parsed[question.pk] = sorted(set(values))
    if errors:
        raise ValidationFailed(errors)
    return parsed


def quiz_questions(module: Module) -> list[Question]:
    return list(
        module.questions.prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position"))
        )
    )


@transaction.atomic
def submit_quiz(
    enrolment: Enrolment,
    module: Module,
    answers: Mapping[str, Sequence[int]] | Mapping[int, Sequence[int]],
    *,
    actor,
) -> QuizAttempt:
    """Score one attempt at a quiz against the path's pass mark and keep it; a pass completes
    the quiz (and the path, when it was the last thing left). Retakes are unlimited."""
    enrolment = _own_open(enrolment, actor)
    _module_in_path(enrolment, module)
    if module.kind != Module.Kind.QUIZ:
        raise ValidationFailed.single("module", "Only a quiz takes answers.")
    questions = quiz_questions(module)
    parsed = _parse_answers(questions, answers)
    score = score_answers(questions, parsed)
    pass_mark = enrolment.path.pass_mark
    number = (
        QuizAttempt.objects.filter(enrolment=enrolment, module=module).aggregate(n=Max("number"))[
            "n"
        ]
        or 0
    ) + 1
    now = timezone.now()
    attempt = QuizAttempt.objects.create(
        organization_id=enrolment.organization_id,
        enrolment=enrolment,
        module=module,
        number=number,
        answers={q.key: parsed.get(q.pk, []) for q in questions},
        correct_count=score.correct,
        question_count=score.total,
        score=score.percent,
        pass_mark=pass_mark,
        passed=score.percent >= pass_mark,
        submitted_at=now,
    )
    record_activity(
        actor=actor,
        action="answer",
        obj=attempt,
        message=(
            f"{score.correct}/{score.total} ({score.percent} %), "
            f"{'passed' if attempt.passed else 'not passed'}"
        ),
    )
    if attempt.passed:
        _mark_done(enrolment, module, now)
        _finish_if_done(enrolment, actor=actor)
    else:
        enrolment.last_module = module
        enrolment.save(update_fields=["last_module", "updated_at"])
    return attempt


def _finish_if_done(enrolment: Enrolment, *, actor) -> None:
    if resume_module(enrolment) is not None:
        return
    path = enrolment.path
    passed_scores = list(
        QuizAttempt.objects.filter(enrolment=enrolment, passed=True).values_list("score", flat=True)
    )
    today = timezone.localdate()
    record = TrainingRecord(
        organization_id=enrolment.organization_id,
        person_id=enrolment.person_id,
        kind=TrainingRecord.Kind.TRAINING,
        title=path.title,
        path=path,
        provider=f"{path.organization} (training path in pdca)",
        started_on=timezone.localdate(enrolment.started_at),
        completed_on=today,
        result=TrainingRecord.Result.PASSED,
        score=round(sum(passed_scores) / len(passed_scores)) if passed_scores else None,
    )
    fill_expiry(record)
    record.save()
    enrolment.completed_at = timezone.now()
    enrolment.record = record
    enrolment.save(update_fields=["completed_at", "record", "updated_at"])
    record_activity(actor=actor, action="complete", obj=enrolment, message=f"passed {path.title}")
    record_activity(actor=actor, action="create", obj=record)
