"""API of taking training: my training (assigned and started paths, with status, progress
and due date), starting a path, an enrolment with the next module, reading a lesson, answering
a quiz (scored at once, with what was right and why), and the attempts. A person sees their own
enrolments and attempts; those who read training evidence see their organization's. Only the
person taking a path may answer it. Thin endpoints over `people.services.learning`."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field, StrictInt

from pdca.core.api import ERRORS, Id, Input, Page, Text, organization_for, responses
from pdca.core.exceptions import NotFound
from pdca.people import selectors
from pdca.people.models import Enrolment, Module, QuizAttempt
from pdca.people.services import learning
from pdca.people.services.assignments import my_training
from pdca.people.services.course_files import MAX_CHOICES, MAX_QUESTIONS
from pdca.people.shared_api import (
    Mapped,
    ModuleRef,
    PathRef,
    PersonRef,
    module_ref,
    path_ref,
    person_ref,
)

router = Router(tags=["taking training"])

TrainingStatus = Literal["overdue", "expired", "in_progress", "not_started", "expiring", "passed"]


# --- schemas ------------------------------------------------------------------------------


class TrainingItemOut(Schema):
    path: PathRef
    status: TrainingStatus = Field(
        description="overdue, expired (take it again), in_progress, not_started, expiring (a "
        "refresher is due soon) or passed"
    )
    status_label: str
    percent: int = Field(description="Share of the path's modules done, 0 to 100")
    done: int = Field(description="Modules done in the open enrolment")
    total: int = Field(description="Modules in the path")
    due_date: dt.date | None = Field(description="The earliest due date of its assignments")
    enrolment: int | None = Field(description="Id of the open enrolment, if started")
    expires_on: dt.date | None = Field(description="When the last pass stops counting")


class MyTrainingQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


class EnrolmentOut(Schema):
    id: int
    organization: str = Field(description="Organization slug")
    person: PersonRef
    path: PathRef
    started_at: dt.datetime
    completed_at: dt.datetime | None
    record: int | None = Field(description="Training record written on passing")
    done: int = Field(description="Modules done")
    total: int = Field(description="Modules in the path")
    percent: int


class EnrolmentModuleOut(ModuleRef):
    done: bool


class EnrolmentDetailOut(EnrolmentOut):
    pass_mark: int = Field(description="Percent every quiz must reach")
    last_module: int | None = Field(description="Module id where the person stopped")
    next_module: ModuleRef | None = Field(description="Where to go on; null when all are done")
    modules: list[EnrolmentModuleOut]


class EnrolmentFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    person: Id | None = Field(None, description="User id")
    path: Id | None = Field(None, description="Training path id")
    completed: bool | None = Field(None, description="Only completed (true) or open (false) ones")


QuestionKey = Annotated[Text, Field(min_length=1, max_length=80)]
ChoicePosition = Annotated[StrictInt, Field(ge=1, le=MAX_CHOICES)]


class AnswersIn(Input):
    answers: dict[QuestionKey, list[ChoicePosition]] = Field(
        ...,
        max_length=MAX_QUESTIONS,
        description="{question key: [chosen choice positions, from 1]}; a question left out "
        "counts as wrong, a single-answer question takes one position",
    )


class QuestionResultOut(Schema):
    key: str
    text: str
    chosen: list[int] = Field(description="The positions chosen")
    right: bool = Field(description="Exactly the right choices were chosen")
    right_choices: list[int] | None = Field(description="Null unless `answers_shown`")
    explanation: str | None = Field(description="Null unless `answers_shown`")


class AttemptOut(Schema):
    id: int
    organization: str = Field(description="Organization slug")
    enrolment: int
    person: PersonRef
    module: ModuleRef
    number: int = Field(description="1 for the first attempt at this quiz, then 2, …")
    correct_count: int
    question_count: int
    score: int = Field(description="Percent right, rounded down")
    pass_mark: int
    passed: bool
    submitted_at: dt.datetime
    answers_shown: bool = Field(
        description="Whether the right choices and explanations are given: to the learner once "
        "the attempt passed (a retake is no copy), and to those reading someone else's"
    )
    results: list[QuestionResultOut]


class AttemptFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    enrolment: Id | None = Field(None, description="Enrolment id")
    person: Id | None = Field(None, description="User id")
    module: Id | None = Field(None, description="Quiz (module) id")
    passed: bool | None = None


# --- serialization ------------------------------------------------------------------------


def _percent(done: int, total: int) -> int:
    return (done * 100) // total if total else 0


def _enrolment(enrolment: Enrolment) -> dict[str, Any]:
    done, total = enrolment.done_count, enrolment.module_total  # type: ignore[attr-defined]
    if enrolment.completed_at is not None:
        done = total
    return {
        "id": enrolment.pk,
        "organization": enrolment.organization.slug,
        "person": person_ref(enrolment.person),
        "path": path_ref(enrolment.path),
        "started_at": enrolment.started_at,
        "completed_at": enrolment.completed_at,
        "record": enrolment.record_id,
        "done": done,
        "total": total,
        "percent": _percent(done, total),
    }


def enrolment_detail(user: Any, enrolment_id: int) -> dict[str, Any]:
    enrolment = get_object_or_404(selectors.enrolments_for(user), pk=enrolment_id)
    modules = learning.path_modules(enrolment.path)
    done = learning.done_modules(enrolment)
    following = None if enrolment.completed_at else learning.resume_module(enrolment, modules)
    return {
        **_enrolment(enrolment),
        "pass_mark": enrolment.path.pass_mark,
        "last_module": enrolment.last_module_id,
        "next_module": module_ref(following) if following is not None else None,
        "modules": [{**module_ref(m), "done": m.pk in done} for m in modules],
    }


def _attempt(attempt: QuizAttempt, user: Any) -> dict[str, Any]:
    shown = selectors.shows_answer_key(user, attempt)
    return {
        "id": attempt.pk,
        "organization": attempt.organization.slug,
        "enrolment": attempt.enrolment_id,
        "person": person_ref(attempt.enrolment.person),
        "module": module_ref(attempt.module),
        "number": attempt.number,
        "correct_count": attempt.correct_count,
        "question_count": attempt.question_count,
        "score": attempt.score,
        "pass_mark": attempt.pass_mark,
        "passed": attempt.passed,
        "submitted_at": attempt.submitted_at,
        "answers_shown": shown,
        "results": [
            {
                "key": r.question.key,
                "text": r.question.text,
                "chosen": list(r.chosen),
                "right": r.right,
                "right_choices": list(r.correct_choices) if shown else None,
                "explanation": r.question.explanation if shown else None,
            }
            for r in selectors.attempt_results(attempt)
        ],
    }


def _module_of(enrolment: Enrolment, module_id: int) -> Module:
    module = (
        Module.objects.filter(pk=module_id, course__organization_id=enrolment.organization_id)
        .select_related("course")
        .first()
    )
    if module is None:
        raise NotFound("No such module in this path.")
    return module


# --- my training --------------------------------------------------------------------------


@router.get("/training/me/", response=responses(list[TrainingItemOut]), operation_id="my_training")
@paginate(Page)
def get_my_training(request, query: Query[MyTrainingQuery]):
    """The paths assigned to you (to you, your role, position, team or site) and those you
    started, most urgent first: overdue, expired, in progress, not started, a refresher due,
    passed."""
    organization = organization_for(request.auth, query.organization)
    return [
        {
            "path": path_ref(item.path),
            "status": item.status,
            "status_label": item.status_label,
            "percent": item.percent,
            "done": item.done,
            "total": item.total,
            "due_date": item.due_date,
            "enrolment": item.enrolment.pk if item.enrolment else None,
            "expires_on": item.expires_on,
        }
        for item in my_training(request.auth, organization)
    ]


@router.post(
    "/training-paths/{int:path_id}/enrolments/",
    response={200: EnrolmentDetailOut, 201: EnrolmentDetailOut, **ERRORS},
    operation_id="start_training_path",
)
def start(request, path_id: int):
    """Start a path (any member of its organization): 201 with the new enrolment, or 200 with
    the one already open (resume where you stopped). After a pass, this starts a retake."""
    path = get_object_or_404(selectors.paths_for(request.auth), pk=path_id)
    before = Enrolment.objects.filter(path=path, person=request.auth, completed_at__isnull=True)
    existed = before.exists()
    enrolment = learning.start_path(path, actor=request.auth)
    return Status(200 if existed else 201, enrolment_detail(request.auth, enrolment.pk))


# --- enrolments ---------------------------------------------------------------------------


@router.get("/enrolments/", response=responses(list[EnrolmentOut]), operation_id="list_enrolments")
@paginate(Page)
def list_enrolments(request, filters: Query[EnrolmentFilter]):
    """Enrolments in training paths: your own, or your organization's if you read training
    evidence; latest first."""
    rows = selectors.enrolments_for(request.auth)
    if filters.organization:
        rows = rows.filter(organization__slug=filters.organization)
    if filters.person:
        rows = rows.filter(person_id=filters.person)
    if filters.path:
        rows = rows.filter(path_id=filters.path)
    if filters.completed is not None:
        rows = rows.filter(completed_at__isnull=not filters.completed)
    return Mapped(rows.order_by("-started_at", "-pk"), _enrolment)


@router.get(
    "/enrolments/{int:enrolment_id}/",
    response=responses(EnrolmentDetailOut),
    operation_id="get_enrolment",
)
def get_enrolment(request, enrolment_id: int):
    """An enrolment: its modules in order, which are done, and the next one."""
    return enrolment_detail(request.auth, enrolment_id)


@router.post(
    "/enrolments/{int:enrolment_id}/modules/{int:module_id}/complete/",
    response=responses(EnrolmentDetailOut),
    operation_id="complete_lesson",
)
def complete(request, enrolment_id: int, module_id: int):
    """Mark a lesson read (only the person taking the path; 403 for anyone else, 409
    `completed` once the path is passed). Reading the last thing left completes the path and
    writes the training record."""
    enrolment = get_object_or_404(selectors.enrolments_for(request.auth), pk=enrolment_id)
    learning.complete_lesson(enrolment, _module_of(enrolment, module_id), actor=request.auth)
    return enrolment_detail(request.auth, enrolment.pk)


@router.post(
    "/enrolments/{int:enrolment_id}/modules/{int:module_id}/attempts/",
    response=responses(AttemptOut, 201),
    operation_id="submit_quiz",
)
def submit(request, enrolment_id: int, module_id: int, payload: AnswersIn):
    """Answer a quiz (only the person taking the path). The attempt is scored at once: a
    question is right only when exactly its right choices are chosen (half a multiple-answer
    question is wrong), and the quiz is passed at the path's pass mark. Each question says
    whether it was right; the right choices and explanations come once the quiz is passed.
    Retakes are unlimited.
    An unknown question key, a position that is not one of the question's choices, or two
    answers to a single-answer question are refused (422 naming `answers.<key>`) and nothing
    is kept."""
    enrolment = get_object_or_404(selectors.enrolments_for(request.auth), pk=enrolment_id)
    module = _module_of(enrolment, module_id)
    attempt = learning.submit_quiz(enrolment, module, payload.answers, actor=request.auth)
    made = selectors.attempts_for(request.auth).get(pk=attempt.pk)
    return Status(201, _attempt(made, request.auth))


@router.get(
    "/enrolments/{int:enrolment_id}/attempts/",
    response=responses(list[AttemptOut]),
    operation_id="list_enrolment_attempts",
)
@paginate(Page)
def list_enrolment_attempts(request, enrolment_id: int):
    """The quiz attempts of an enrolment, by quiz and number."""
    enrolment = get_object_or_404(selectors.enrolments_for(request.auth), pk=enrolment_id)
    rows = selectors.attempts_for(request.auth).filter(enrolment=enrolment)
    order = ("module__course_id", "module__position", "number")
    return Mapped(rows.order_by(*order), lambda a: _attempt(a, request.auth))


# --- quiz attempts ------------------------------------------------------------------------


@router.get(
    "/quiz-attempts/", response=responses(list[AttemptOut]), operation_id="list_quiz_attempts"
)
@paginate(Page)
def list_attempts(request, filters: Query[AttemptFilter]):
    """Quiz attempts: your own, or your organization's if you read training evidence (what an
    auditor samples); latest first."""
    rows = selectors.attempts_for(request.auth)
    if filters.organization:
        rows = rows.filter(organization__slug=filters.organization)
    if filters.enrolment:
        rows = rows.filter(enrolment_id=filters.enrolment)
    if filters.person:
        rows = rows.filter(enrolment__person_id=filters.person)
    if filters.module:
        rows = rows.filter(module_id=filters.module)
    if filters.passed is not None:
        rows = rows.filter(passed=filters.passed)
    return Mapped(rows.order_by("-submitted_at", "-pk"), lambda a: _attempt(a, request.auth))


@router.get(
    "/quiz-attempts/{int:attempt_id}/",
    response=responses(AttemptOut),
    operation_id="get_quiz_attempt",
)
def get_attempt(request, attempt_id: int):
    """One quiz attempt with each question's answer and whether it was right."""
    attempt = get_object_or_404(selectors.attempts_for(request.auth), pk=attempt_id)
    return _attempt(attempt, request.auth)
