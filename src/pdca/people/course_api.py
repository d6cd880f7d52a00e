"""API of courses and training paths: list and read them (every member; the right choices and
explanations of quiz questions only for those who keep the courses), import a course file,
export one, and install the paths shipped with pdca (a job). Thin endpoints over
`people.services.course_files`."""

import datetime as dt
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import ERRORS, Page, Text, organization_for, responses
from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.jobs.api import ACCEPTED, ACCEPTED_EXTRA, accepted
from pdca.core.permissions import may
from pdca.core.roles import Role
from pdca.core.views import file_response
from pdca.people import selectors
from pdca.people.install_jobs import queue_install
from pdca.people.models import Course, Module, PathCourse, Question
from pdca.people.services.course_files import (
    CODE,
    MAX_FILE_BYTES,
    MAX_MODULES,
    export_course,
    import_course,
)
from pdca.people.shared_api import Mapped, RoleOrEmpty, TrainingOrganizationQuery

router = Router(tags=["training courses and paths"])

#: Media types a course file may be sent as, besides a multipart upload.
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
YAML_CONTENT_TYPE = "application/yaml"


# --- schemas ------------------------------------------------------------------------------


class CourseOut(Schema):
    id: int
    organization: str = Field(description="Organization slug")
    code: str
    title: str
    summary: str
    language: str
    validity_months: int | None = Field(description="How long a pass counts; null: no expiry")
    source: Course.Source
    revision: int = Field(description="Raised by each import that replaces the content")
    module_count: int
    quiz_count: int
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ChoiceOut(Schema):
    position: int = Field(description="What an answer names, from 1")
    text: str
    correct: bool | None = Field(description="Null unless you keep the courses")


class QuestionOut(Schema):
    id: int
    key: str = Field(description="What an answer is keyed by")
    position: int
    kind: Question.Kind
    text: str
    choices: list[ChoiceOut]
    explanation: str | None = Field(description="Null unless you keep the courses")


class ModuleOut(Schema):
    id: int
    position: int
    kind: Module.Kind
    title: str
    body: str = Field(description="A lesson's Markdown; images as ![text](image:name.png)")
    questions: list[QuestionOut]


class CourseDetailOut(CourseOut):
    answers_shown: bool = Field(description="Whether right choices and explanations are given")
    images: list[str] = Field(description="Names of the course's images")
    modules: list[ModuleOut]


class CourseFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    q: Text | None = Field(None, max_length=200, description="Words in the code, title, summary")
    source: Course.Source | None = None
    archived: Literal["no", "yes", "all"] = Field("no", description="Archived courses")


class PathStepOut(Schema):
    position: int
    course: int = Field(description="Course id")
    code: str
    title: str
    module_count: int


class PathOut(Schema):
    id: int
    organization: str = Field(description="Organization slug")
    code: str
    title: str
    summary: str
    role: RoleOrEmpty = Field(description="The role it is meant for; empty for any")
    pass_mark: int = Field(description="Percent every quiz of the path must reach")
    validity_months: int | None = Field(description="How long a pass counts; null: no expiry")
    source: Course.Source
    course_count: int
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class PathDetailOut(PathOut):
    module_count: int
    courses: list[PathStepOut]


class PathFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    q: Text | None = Field(None, max_length=200, description="Words in the code, title, summary")
    role: Role | None = None
    archived: Literal["no", "yes", "all"] = Field("no", description="Archived paths")


class ImportQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )
    replace: bool = Field(
        False,
        description="Replace the content of the course with the file's code (refused once "
        "people have taken it)",
    )


# --- serialization ------------------------------------------------------------------------


def _course(course: Any) -> dict[str, Any]:
    return {
        "id": course.pk,
        "organization": course.organization.slug,
        "code": course.code,
        "title": course.title,
        "summary": course.summary,
        "language": course.language,
        "validity_months": course.validity_months,
        "source": course.source,
        "revision": course.revision,
        "module_count": course.module_count,
        "quiz_count": course.quiz_count,
        "archived_at": course.archived_at,
        "created_at": course.created_at,
        "updated_at": course.updated_at,
    }


def _question(question: Question, answers: bool) -> dict[str, Any]:
    return {
        "id": question.pk,
        "key": question.key,
        "position": question.position,
        "kind": question.kind,
        "text": question.text,
        "choices": [
            {"position": c.position, "text": c.text, "correct": c.correct if answers else None}
            for c in question.choices.all()
        ],
        "explanation": question.explanation if answers else None,
    }


def course_detail(user: Any, course_id: int) -> dict[str, Any]:
    course = get_object_or_404(selectors.courses_for(user), pk=course_id)
    answers = selectors.may_see_answers(user, course)
    return {
        **_course(course),
        "answers_shown": answers,
        "images": list(course.images.order_by("name").values_list("name", flat=True)),
        "modules": [
            {
                "id": m.pk,
                "position": m.position,
                "kind": m.kind,
                "title": m.title,
                "body": m.body,
                "questions": [_question(q, answers) for q in m.questions.all()],
            }
            for m in selectors.course_content(course)
        ],
    }


def _path(path: Any) -> dict[str, Any]:
    return {
        "id": path.pk,
        "organization": path.organization.slug,
        "code": path.code,
        "title": path.title,
        "summary": path.summary,
        "role": path.role,
        "pass_mark": path.pass_mark,
        "validity_months": path.validity_months,
        "source": path.source,
        "course_count": path.course_count,
        "archived_at": path.archived_at,
        "created_at": path.created_at,
        "updated_at": path.updated_at,
    }


def path_detail(user: Any, path_id: int) -> dict[str, Any]:
    from django.db.models import Count

    path = get_object_or_404(selectors.paths_for(user), pk=path_id)
    steps = (
        PathCourse.objects.filter(path=path)
        .select_related("course")
        .annotate(module_count=Count("course__modules"))
        .order_by("position")
    )
    courses = [
        {
            "position": s.position,
            "course": s.course_id,
            "code": s.course.code,
            "title": s.course.title,
            "module_count": s.module_count,
        }
        for s in steps
    ]
    return {
        **_path(path),
        "module_count": sum(c["module_count"] for c in courses),
        "courses": courses,
    }


def _filtered(rows: QuerySet[Any], filters: Any) -> QuerySet[Any]:
    if filters.organization:
        rows = rows.filter(organization__slug=filters.organization)
    if filters.q:
        for word in filters.q.split()[:8]:
            rows = rows.filter(
                Q(code__icontains=word) | Q(title__icontains=word) | Q(summary__icontains=word)
            )
    if filters.archived != "all":
        rows = rows.filter(archived_at__isnull=filters.archived == "no")
    return rows


# --- courses ------------------------------------------------------------------------------


@router.get("/courses/", response=responses(list[CourseOut]), operation_id="list_courses")
@paginate(Page)
def list_courses(request, filters: Query[CourseFilter]):
    """The courses of your organizations (every member reads them), by code."""
    rows = _filtered(selectors.courses_for(request.auth), filters)
    if filters.source:
        rows = rows.filter(source=filters.source)
    return Mapped(rows.order_by("organization__slug", "code", "pk"), _course)


@router.get(
    "/courses/{int:course_id}/", response=responses(CourseDetailOut), operation_id="get_course"
)
def get_course(request, course_id: int):
    """A course with its lessons and quizzes in order. Quiz questions carry their right
    choices and explanations only for those who keep the courses; a learner's attempt tells
    them which answers were right."""
    return course_detail(request.auth, course_id)


def _course_file(request: HttpRequest) -> bytes:
    """The course file of the request: a multipart upload (field `file`) or a YAML body."""
    content_type = (request.content_type or "").lower()
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed.single("file", "Upload the course file in the field file.")
        if upload.size and upload.size > MAX_FILE_BYTES:
            raise ValidationFailed.single("file", "A course file is at most 8 MB.")
        return upload.read()
    if content_type in YAML_TYPES:
        return request.body
    raise ValidationFailed.single(
        "file",
        "Send the course file as a multipart upload (field file) or as an application/yaml body.",
    )


#: What a course file holds, as far as a schema says it (the import checks the rest and names
#: every problem by where it is).
COURSE_FILE_SCHEMA = {
    "type": "object",
    "required": ["format", "code", "title", "modules"],
    "properties": {
        "format": {"const": "pdca-course/1"},
        "code": {"type": "string", "maxLength": 60, "pattern": CODE.pattern},
        "title": {"type": "string", "maxLength": 200},
        "summary": {"type": "string", "maxLength": 2000},
        "language": {"type": "string", "maxLength": 10},
        "validity_months": {"type": ["integer", "null"], "minimum": 1, "maximum": 240},
        "modules": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_MODULES,
            "items": {
                "type": "object",
                "description": "A lesson (kind, title, body) or a quiz "
                "(kind, title, questions with key, kind, text, choices, explanation)",
            },
        },
        "images": {
            "type": "object",
            "description": "File name: base64 of a PNG, JPEG, GIF or WebP image of at most 1 MB",
            "additionalProperties": {"type": "string", "maxLength": 1_400_000},
        },
    },
}

IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "A `pdca-course/1` file: uploaded, or as the YAML body.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            YAML_CONTENT_TYPE: {"schema": COURSE_FILE_SCHEMA},
        },
    }
}


@router.post(
    "/courses/import/",
    response={200: CourseDetailOut, 201: CourseDetailOut, **ERRORS},
    operation_id="import_course",
    openapi_extra=IMPORT_BODY,
)
def import_course_file(request, query: Query[ImportQuery]):
    """Import a course file (keepers): 201 with the new course; with `replace`, the course of
    the file's code gets the file's content (200), unless people have taken it (409
    `is_record`: import it under a new code). The file is checked whole first: every problem
    is named by where it is (`modules[3].questions[2].choices`) and nothing is written."""
    organization = organization_for(request.auth, query.organization)
    if not may(request.auth, "add", Course, organization=organization):
        raise PermissionDenied("Your role may not import courses in this organization.")
    course = import_course(
        organization, _course_file(request), actor=request.auth, replace=query.replace
    )
    detail = course_detail(request.auth, course.pk)
    return Status(201 if course.revision == 1 else 200, detail)


@router.get(
    "/courses/{int:course_id}/export.yaml",
    response=responses(None),
    operation_id="export_course",
    openapi_extra={
        "responses": {
            200: {
                "description": "The course as a `pdca-course/1` file",
                "content": {
                    YAML_CONTENT_TYPE: {
                        "schema": {
                            "type": "object",
                            "required": ["format", "code", "title", "modules"],
                            "properties": {"format": {"const": "pdca-course/1"}},
                        }
                    }
                },
            }
        }
    },
)
def export_course_file(request, course_id: int):
    """The course as one `pdca-course/1` file, right choices included (keepers; what
    `POST /courses/import/` reads back)."""
    course = get_object_or_404(selectors.courses_for(request.auth), pk=course_id)
    if not selectors.may_see_answers(request.auth, course):
        raise PermissionDenied("Only those who keep the courses may export them (with answers).")
    return file_response(
        export_course(course).encode("utf-8"), YAML_CONTENT_TYPE, f"{course.code}.yaml"
    )


# --- paths --------------------------------------------------------------------------------


@router.get(
    "/training-paths/", response=responses(list[PathOut]), operation_id="list_training_paths"
)
@paginate(Page)
def list_paths(request, filters: Query[PathFilter]):
    """The training paths of your organizations (every member reads them), by title."""
    rows = _filtered(selectors.paths_for(request.auth), filters)
    if filters.role:
        rows = rows.filter(role=filters.role)
    return Mapped(rows.order_by("organization__slug", "title", "pk"), _path)


@router.get(
    "/training-paths/{int:path_id}/",
    response=responses(PathDetailOut),
    operation_id="get_training_path",
)
def get_path(request, path_id: int):
    """A training path with its courses in order and the pass mark of its quizzes."""
    return path_detail(request.auth, path_id)


@router.post(
    "/training/install/jobs/",
    response=ACCEPTED,
    operation_id="install_training_paths",
    openapi_extra=ACCEPTED_EXTRA,
)
def install(request, response: HttpResponse, query: Query[TrainingOrganizationQuery]):
    """Queue the installation of the paths written by the pdca project (awareness, internal
    auditor, lead implementer, lead auditor) with their courses (keepers): 202 with the
    job, whose `result` lists the paths and the codes of those it added.
    Courses and paths the organization has already are kept as they are: run it again after
    an upgrade to add what is new."""
    organization = organization_for(request.auth, query.organization)
    return accepted(response, queue_install(organization, actor=request.auth))
