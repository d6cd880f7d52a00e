"""Pages for writing courses and paths: a course's lessons and quizzes, its questions, import
and export as one file, and a path's courses and assignments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pdca.core.exceptions import PermissionDenied, ServiceError, ValidationFailed
from pdca.core.permissions import may, scope
from pdca.core.views import add_service_error, member_required, object_for_page, require_page
from pdca.people.forms import (
    AssignForm,
    CourseForm,
    CourseImportForm,
    ModuleForm,
    PathForm,
    QuestionForm,
)
from pdca.people.models import Assignment, Course, CourseImage, Module, Question, TrainingPath
from pdca.people.services import authoring
from pdca.people.services.assignments import assign_path, path_assignment_summaries
from pdca.people.services.course_files import export_course, import_course
from pdca.people.views.training import lesson_html

if TYPE_CHECKING:
    from pdca.tenancy.middleware import MemberRequest


def _course(request: MemberRequest, pk: int, action: str = "view") -> Course:
    return object_for_page(
        request, Course.objects.filter(organization=request.organization), pk, action
    )


def _save(form, write) -> bool:
    try:
        write()
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        add_service_error(form, exc)
        return False
    return True


@member_required
def course_list(request: MemberRequest) -> HttpResponse:
    org = request.organization
    courses = scope(Course.objects.filter(organization=org, archived_at__isnull=True), request.user)
    return render(
        request,
        "people/course_list.html",
        {"courses": courses, "may_add": may(request.user, "add", Course, organization=org)},
    )


@member_required
def course_edit(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    org = request.organization
    course = _course(request, pk, "change") if pk else None
    if course is None:
        require_page(request, "add", Course, organization=org)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in CourseForm.Meta.fields}
        saved: list[Course] = []
        if _save(
            form,
            lambda: saved.append(
                authoring.save_course(org, actor=request.user, course=course, **data)
            ),
        ):
            return redirect("people:course-detail", pk=saved[0].pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "people/course_form.html", {"form": form, "course": course}, status=status
    )


@member_required
def course_detail(request: MemberRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    keeper = may(request.user, "change", course)
    modules = course.modules.prefetch_related("questions__choices")
    return render(
        request,
        "people/course_detail.html",
        {
            "course": course,
            "modules": modules,
            "keeper": keeper,
            "locked": course.record_reason(),
            "paths": course.paths.all(),
        },
    )


@member_required
def course_import(request: MemberRequest) -> HttpResponse:
    org = request.organization
    require_page(request, "add", Course, organization=org)
    form = CourseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            course = import_course(
                org, upload.read(), actor=request.user, replace=form.cleaned_data["replace"]
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None
        except ValidationFailed as exc:
            # Each problem names where in the file it is, not a field of this form.
            for error in exc.errors:
                form.add_error(
                    "file", f"{error.field}: {error.message}" if error.field else error.message
                )
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, f"Course “{course.title}” imported.")
            return redirect("people:course-detail", pk=course.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "people/course_import.html", {"form": form}, status=status)


@member_required
def course_export(request: MemberRequest, pk: int) -> HttpResponse:
    course = _course(request, pk, "change")
    response = HttpResponse(export_course(course), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{course.code}.yaml"'
    return response


@member_required
def course_image(request: MemberRequest, pk: int, name: str) -> HttpResponse:
    course = _course(request, pk)
    image = get_object_or_404(CourseImage, course=course, name=name)
    response = HttpResponse(bytes(image.data), content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
def module_edit(request: MemberRequest, pk: int, module: int | None = None) -> HttpResponse:
    course = _course(request, pk, "change")
    step = get_object_or_404(Module, pk=module, course=course) if module else None
    initial = {"kind": request.GET.get("kind", "lesson")}
    form = ModuleForm(request.POST or None, instance=step, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in ("kind", "title", "body")}
        if _save(
            form, lambda: authoring.save_module(course, actor=request.user, module=step, **data)
        ):
            return redirect("people:course-detail", pk=course.pk)
    status = 422 if request.method == "POST" else 200
    preview = lesson_html(step) if step and step.kind == Module.Kind.LESSON else ""
    return render(
        request,
        "people/module_form.html",
        {"form": form, "course": course, "module": step, "preview": preview},
        status=status,
    )


@member_required
@require_POST
def module_delete(request: MemberRequest, pk: int, module: int) -> HttpResponse:
    course = _course(request, pk, "change")
    step = get_object_or_404(Module, pk=module, course=course)
    try:
        authoring.delete_module(step, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("people:course-detail", pk=course.pk)


@member_required
def question_edit(
    request: MemberRequest, pk: int, module: int, question: int | None = None
) -> HttpResponse:
    course = _course(request, pk, "change")
    step = get_object_or_404(Module, pk=module, course=course, kind=Module.Kind.QUIZ)
    q = get_object_or_404(Question, pk=question, module=step) if question else None
    initial = {}
    if q is not None:
        initial = {
            "text": q.text,
            "kind": q.kind,
            "explanation": q.explanation,
            "choices": "\n".join(("* " if c.correct else "") + c.text for c in q.choices.all()),
        }
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(
            form,
            lambda: authoring.save_question(
                step,
                actor=request.user,
                question=q,
                text=data["text"],
                kind=data["kind"],
                explanation=data["explanation"],
                choices=authoring.parse_choices(data["choices"]),
            ),
        ):
            return redirect("people:course-detail", pk=course.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "people/question_form.html",
        {"form": form, "course": course, "module": step, "question": q},
        status=status,
    )


# --- paths ------------------------------------------------------------------------------------


def _path(request: MemberRequest, pk: int, action: str = "view") -> TrainingPath:
    return object_for_page(
        request, TrainingPath.objects.filter(organization=request.organization), pk, action
    )


@member_required
def path_edit(request: MemberRequest, pk: int | None = None) -> HttpResponse:
    org = request.organization
    path = _path(request, pk, "change") if pk else None
    if path is None:
        require_page(request, "add", TrainingPath, organization=org)
    initial = {}
    if path is not None:
        initial = {
            "code": path.code,
            "title": path.title,
            "summary": path.summary,
            "role": path.role,
            "pass_mark": path.pass_mark,
            "validity_months": path.validity_months,
            "courses": "\n".join(s.course.code for s in path.steps.select_related("course")),
        }
    form = PathForm(request.POST or None, initial=initial, organization=org)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        courses = data.pop("courses")
        saved: list[TrainingPath] = []
        if _save(
            form,
            lambda: saved.append(
                authoring.save_path(org, actor=request.user, path=path, courses=courses, **data)
            ),
        ):
            return redirect("people:path-detail", pk=saved[0].pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "people/path_form.html",
        {
            "form": form,
            "path": path,
            "courses": Course.objects.filter(organization=org, archived_at__isnull=True),
        },
        status=status,
    )


@member_required
def path_detail(request: MemberRequest, pk: int) -> HttpResponse:
    path = _path(request, pk)
    org = request.organization
    keeper = may(request.user, "add", Assignment, organization=org)
    form = AssignForm(request.POST or None, organization=org) if keeper else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise DjangoPermissionDenied("Your role may not assign training.")
        if form.is_valid() and _save(
            form, lambda: assign_path(path, actor=request.user, **form.service_data())
        ):
            messages.success(request, "Assigned.")
            return redirect("people:path-detail", pk=path.pk)
        status = 422
    steps = path.steps.select_related("course").prefetch_related("course__modules")
    assignments = (
        path_assignment_summaries(path)
        if may(request.user, "view", Assignment, organization=org)
        else []
    )
    return render(
        request,
        "people/path_detail.html",
        {"path": path, "steps": steps, "form": form, "keeper": keeper, "assignments": assignments},
        status=status,
    )
