"""Writing an organization's own courses and paths: the course's details, its lessons and
quizzes, each question with its choices, and a path's courses in order. A course people have
taken a quiz of is kept as it was (their answers refer to it): change a copy instead."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max

from pdca.core.activity import record_activity
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.people.models import Choice, Course, Module, PathCourse, Question, TrainingPath
from pdca.people.services.course_files import CODE, IMAGE_REF, MAX_CHOICES


def _editable(course: Course, actor) -> None:
    require(actor, "change", course)
    reason = course.record_reason()
    if reason:
        raise Conflict(
            f"This course can no longer change: {reason}. Export it and import the changed "
            "file under a new code.",
            code="is_record",
        )


def _code_free(model, organization, code: str, exclude_pk: int | None = None) -> list[FieldError]:
    if not CODE.match(code):
        return [FieldError("code", "Lower-case letters, digits and hyphens, at most 60.")]
    taken = model.objects.filter(organization=organization, code=code).exclude(pk=exclude_pk)
    return [FieldError("code", f"The code {code} is already used.")] if taken.exists() else []


@transaction.atomic
def save_course(organization, *, actor, course: Course | None = None, **fields: Any) -> Course:
    """Create a course, or change one's details (code, title, summary, language, validity)."""
    if course is None:
        require(actor, "add", Course, organization=organization)
        course = Course(organization=organization, source=Course.Source.OWN)
    else:
        require(actor, "change", course)
    errors = _code_free(Course, organization, fields.get("code", course.code), course.pk)
    if not str(fields.get("title", course.title)).strip():
        errors.append(FieldError("title", "This is required.", "required"))
    if errors:
        raise ValidationFailed(errors)
    for name, value in fields.items():
        setattr(course, name, value)
    action = "update" if course.pk else "create"
    course.save()
    record_activity(actor=actor, action=action, obj=course)
    return course


@transaction.atomic
def save_module(
    course: Course, *, actor, kind: str, title: str, body: str = "", module: Module | None = None
) -> Module:
    """Add a lesson or quiz at the end of the course, or change one."""
    _editable(course, actor)
    errors = []
    if kind not in Module.Kind.values:
        errors.append(FieldError("kind", "A module is a lesson or a quiz."))
    if not title.strip():
        errors.append(FieldError("title", "This is required.", "required"))
    images = set(course.images.values_list("name", flat=True))
    missing = [n for n in IMAGE_REF.findall(body) if n not in images]
    if missing:
        errors.append(FieldError("body", f"No such image in the course: {', '.join(missing)}."))
    if errors:
        raise ValidationFailed(errors)
    if module is None:
        last = course.modules.aggregate(n=Max("position"))["n"] or 0
        module = Module(course=course, position=last + 1)
    module.kind, module.title = kind, title.strip()
    module.body = body if kind == Module.Kind.LESSON else ""
    module.save()
    course.save(update_fields=["updated_at"])
    record_activity(actor=actor, action="update", obj=course, message=f"module {module.title}")
    return module


@transaction.atomic
def delete_module(module: Module, *, actor) -> None:
    course = module.course
    _editable(course, actor)
    title = module.title
    module.delete()
    for position, rest in enumerate(course.modules.order_by("position"), start=1):
        if rest.position != position:
            Module.objects.filter(pk=rest.pk).update(position=position)
    record_activity(actor=actor, action="update", obj=course, message=f"removed {title}")


def parse_choices(text: str) -> list[tuple[str, bool]]:
    """Choices written one per line, right ones starting with `*`."""
    choices = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            correct = line.startswith("*")
            choices.append((line.lstrip("*").strip(), correct))
    return choices


@transaction.atomic
def save_question(
    module: Module,
    *,
    actor,
    text: str,
    kind: str,
    explanation: str,
    choices: Sequence[tuple[str, bool]],
    question: Question | None = None,
) -> Question:
    """Add a question to a quiz (or change one), with its choices and which are right."""
    course = module.course
    _editable(course, actor)
    errors = []
    if module.kind != Module.Kind.QUIZ:
        errors.append(FieldError("module", "Questions belong to quizzes."))
    if not text.strip():
        errors.append(FieldError("text", "This is required.", "required"))
    if kind not in Question.Kind.values:
        errors.append(FieldError("kind", "One answer or several."))
    if not 2 <= len(choices) <= MAX_CHOICES:
        errors.append(FieldError("choices", f"Give 2 to {MAX_CHOICES} choices, one per line."))
    right = sum(1 for _, correct in choices if correct)
    if kind == Question.Kind.SINGLE and right != 1:
        errors.append(FieldError("choices", "Mark exactly one right choice with *."))
    if kind == Question.Kind.MULTIPLE and right < 1:
        errors.append(FieldError("choices", "Mark at least one right choice with *."))
    if any(len(t) > 500 for t, _ in choices):
        errors.append(FieldError("choices", "A choice is at most 500 characters."))
    if errors:
        raise ValidationFailed(errors)
    if question is None:
        last = module.questions.aggregate(n=Max("position"))["n"] or 0
        question = Question(
            module=module, position=last + 1, key=f"{course.code}-m{module.position}-q{last + 1}"
        )
    question.text, question.kind, question.explanation = text.strip(), kind, explanation.strip()
    question.save()
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=i, text=t, correct=c)
        for i, (t, c) in enumerate(choices, start=1)
    )
    record_activity(actor=actor, action="update", obj=course, message=f"question {question.key}")
    return question


@transaction.atomic
def delete_question(question: Question, *, actor) -> None:
    course = question.module.course
    _editable(course, actor)
    key = question.key
    question.delete()
    record_activity(actor=actor, action="update", obj=course, message=f"removed question {key}")


@transaction.atomic
def save_path(
    organization,
    *,
    actor,
    courses: Sequence[Course],
    path: TrainingPath | None = None,
    **fields: Any,
) -> TrainingPath:
    """Create or change a path: its details and its courses in order. The courses of a path
    people have started stay as they are."""
    if path is None:
        require(actor, "add", TrainingPath, organization=organization)
        path = TrainingPath(organization=organization, source=Course.Source.OWN)
    else:
        require(actor, "change", path)
    errors = _code_free(TrainingPath, organization, fields.get("code", path.code), path.pk)
    if not str(fields.get("title", path.title)).strip():
        errors.append(FieldError("title", "This is required.", "required"))
    if not courses:
        errors.append(FieldError("courses", "Choose at least one course.", "required"))
    if any(c.organization_id != organization.pk for c in courses):
        errors.append(FieldError("courses", "Choose courses of this organization."))
    mark = fields.get("pass_mark", path.pass_mark)
    if not isinstance(mark, int) or not 1 <= mark <= 100:
        errors.append(FieldError("pass_mark", "A percentage from 1 to 100."))
    current = (
        list(path.steps.order_by("position").values_list("course_id", flat=True)) if path.pk else []
    )
    wanted = [c.pk for c in courses]
    if path.pk and current != wanted and path.record_reason():
        errors.append(
            FieldError("courses", f"The courses can no longer change: {path.record_reason()}.")
        )
    if errors:
        raise ValidationFailed(errors)
    for name, value in fields.items():
        setattr(path, name, value)
    action = "update" if path.pk else "create"
    path.save()
    if current != wanted:
        path.steps.all().delete()
        PathCourse.objects.bulk_create(
            PathCourse(path=path, course=c, position=i) for i, c in enumerate(courses, start=1)
        )
    record_activity(actor=actor, action=action, obj=path)
    return path
