"""Pages for taking training: my training, a path, a lesson or a quiz (on a phone too), the
result of an attempt with its explanations. Thin: the rules are in `people.services`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.permissions import may, scope
from pdca.core.views import member_required, object_for_page, refuse, scoped_or_404
from pdca.documents.markdown import render_markdown
from pdca.people.models import (
    Assignment,
    AwarenessCampaign,
    CompetenceRequirement,
    Course,
    Enrolment,
    Module,
    QuizAttempt,
    TrainingPath,
    TrainingRecord,
)
from pdca.people.selectors import shows_answer_key
from pdca.people.services import learning
from pdca.people.services.assignments import my_training, overdue_training
from pdca.people.services.course_files import IMAGE_REF, install_shipped_paths

if TYPE_CHECKING:
    from pdca.tenancy.middleware import MemberRequest


def lesson_html(module: Module) -> str:
    """The lesson's Markdown as safe HTML, its `image:` links pointing at the course's images."""
    body = IMAGE_REF.sub(
        lambda m: "(" + reverse("people:course-image", args=[module.course_id, m.group(1)]) + ")",
        module.body,
    )
    return render_markdown(body)


@member_required
def home(request: MemberRequest) -> HttpResponse:
    """My training, and for those who keep training the organization's overview."""
    org = request.organization
    keeper = may(request.user, "add", Assignment, organization=org)
    reader = may(request.user, "view", TrainingRecord, organization=org)
    items = my_training(request.user, org)
    context = {
        "items": items,
        "open_items": [i for i in items if i.is_open],
        "done_items": [i for i in items if not i.is_open],
        "keeper": keeper,
        "reader": reader,
        "paths": TrainingPath.objects.filter(organization=org, archived_at__isnull=True),
        "overdue": overdue_training(org) if reader else [],
        "my_records": TrainingRecord.objects.filter(
            organization=org, person=request.user, archived_at__isnull=True
        ).select_related("path")[:20],
        "counts": {
            "requirements": CompetenceRequirement.objects.filter(
                organization=org, archived_at__isnull=True
            ).count(),
            "campaigns": AwarenessCampaign.objects.filter(
                organization=org, status="launched"
            ).count(),
        }
        if reader
        else None,
    }
    return render(request, "people/home.html", context)


@member_required
def path_list(request: MemberRequest) -> HttpResponse:
    org = request.organization
    paths = scope(TrainingPath.objects.filter(organization=org), request.user).prefetch_related(
        "steps__course"
    )
    return render(
        request,
        "people/path_list.html",
        {
            "paths": paths.filter(archived_at__isnull=True),
            "may_add": may(request.user, "add", TrainingPath, organization=org),
            "courses": Course.objects.filter(organization=org, archived_at__isnull=True).count(),
        },
    )


@member_required
@require_POST
def install_paths(request: MemberRequest) -> HttpResponse:
    try:
        paths = install_shipped_paths(request.organization, actor=request.user)
    except ServiceError as exc:
        refuse(request, exc)
        raise DjangoPermissionDenied(exc.message) from None
    messages.success(request, f"{len(paths)} shipped paths are available.")
    return redirect("people:path-list")


@member_required
@require_POST
def path_start(request: MemberRequest, pk: int) -> HttpResponse:
    path = scoped_or_404(
        TrainingPath.objects.filter(organization=request.organization), request.user, pk=pk
    )
    try:
        enrolment = learning.start_path(path, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("people:path-detail", pk=pk)
    return redirect("people:enrolment", pk=enrolment.pk)


def _my_enrolment(request: MemberRequest, pk: int) -> Enrolment:
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("path", "path__organization"),
        pk=pk,
        organization=request.organization,
    )
    # Someone else's training: readers may look at the attempts, nobody takes it for them.
    if enrolment.person_id != request.user.pk and not may(request.user, "view", enrolment):
        raise Http404("No such training.")
    return enrolment


@member_required
def enrolment(request: MemberRequest, pk: int) -> HttpResponse:
    """Resume: go to the first module not done, or show the completed path."""
    enrolment = _my_enrolment(request, pk)
    modules = learning.path_modules(enrolment.path)
    nxt = learning.resume_module(enrolment, modules)
    if nxt is not None and enrolment.person_id == request.user.pk:
        return redirect("people:module", pk=enrolment.pk, module=nxt.pk)
    done = learning.done_modules(enrolment)
    attempts = QuizAttempt.objects.filter(enrolment=enrolment).select_related("module")
    return render(
        request,
        "people/enrolment.html",
        {"enrolment": enrolment, "modules": modules, "done": done, "attempts": attempts},
    )


def _outline(enrolment: Enrolment, current: Module) -> dict:
    modules = learning.path_modules(enrolment.path)
    done = learning.done_modules(enrolment)
    index = next(i for i, m in enumerate(modules) if m.pk == current.pk)
    return {
        "modules": modules,
        "done": done,
        "index": index + 1,
        "total": len(modules),
        "percent": (len(done) * 100) // len(modules) if modules else 0,
        "previous": modules[index - 1] if index > 0 else None,
    }


@member_required
def module(request: MemberRequest, pk: int, module: int) -> HttpResponse:
    """A lesson (read it, then go on) or a quiz (answer it, then see the result)."""
    enrolment = _my_enrolment(request, pk)
    if enrolment.person_id != request.user.pk:
        return redirect("people:enrolment", pk=pk)
    step = get_object_or_404(Module.objects.select_related("course"), pk=module)
    if not enrolment.path.steps.filter(course_id=step.course_id).exists():
        raise Http404("No such module in this path.")
    context = {"enrolment": enrolment, "module": step, **_outline(enrolment, step)}
    status = 200
    if step.kind == Module.Kind.LESSON:
        if request.method == "POST":
            if enrolment.completed_at is None:
                try:
                    learning.complete_lesson(enrolment, step, actor=request.user)
                except ServiceError as exc:
                    messages.error(request, exc.message)
            return redirect("people:enrolment", pk=pk)
        context["body"] = lesson_html(step)
        return render(request, "people/lesson.html", context)
    questions = learning.quiz_questions(step)
    context["questions"] = questions
    if request.method == "POST":
        answers = {
            q.key: [int(v) for v in request.POST.getlist(f"q-{q.pk}") if v.isdigit()]
            for q in questions
        }
        try:
            attempt = learning.submit_quiz(enrolment, step, answers, actor=request.user)
        except ValidationFailed as exc:
            context["errors"] = exc.errors
            status = 422
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("people:enrolment", pk=pk)
        else:
            return redirect("people:attempt", pk=attempt.pk)
    context["attempts"] = QuizAttempt.objects.filter(enrolment=enrolment, module=step).order_by(
        "-number"
    )
    return render(request, "people/quiz.html", context, status=status)


@member_required
def attempt(request: MemberRequest, pk: int) -> HttpResponse:
    """An attempt's score, each question right or wrong, and why."""
    attempt = object_for_page(
        request,
        QuizAttempt.objects.filter(organization=request.organization).select_related(
            "module__course", "enrolment__path", "enrolment__person"
        ),
        pk,
    )
    questions = learning.quiz_questions(attempt.module)
    lines = []
    for q in questions:
        chosen = set(attempt.answers.get(q.key, []))
        right = {c.position for c in q.choices.all() if c.correct}
        lines.append({"question": q, "chosen": chosen, "right": right, "ok": chosen == right})
    enrolment = attempt.enrolment
    own = enrolment.person_id == request.user.pk
    return render(
        request,
        "people/attempt.html",
        {
            "attempt": attempt,
            "lines": lines,
            "own": own,
            "enrolment": enrolment,
            "show_key": shows_answer_key(request.user, attempt),
        },
    )
