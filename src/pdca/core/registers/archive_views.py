"""The pages that archive, restore and dispose of a register entry (see `core.records`)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst

from pdca.core.exceptions import ServiceError
from pdca.core.records.rules import closed_reason, deletion_refusal, disposal_date, record_reason
from pdca.core.registers import archive
from pdca.core.registers.spec import RegisterSpec
from pdca.core.views import member_required, object_for_page


def _entry(spec: RegisterSpec, request, pk: int, action: str):
    return object_for_page(
        request, spec.model.objects.filter(organization=request.organization), pk, action
    )


def record_context(spec: RegisterSpec, obj, *, can_change: bool, can_delete: bool) -> dict:
    """What the detail page may offer for `obj`: a record shows no Delete, a closed or archived
    entry no Edit; an archived one says who archived it, when and why."""
    reason = record_reason(obj)
    closed = closed_reason(obj)
    archivable = archive.is_archivable(spec.model)
    archived = archivable and obj.archived_at is not None
    due = disposal_date(obj) if archived else None
    return {
        "record_reason": reason,
        "closed_reason": closed,
        "archivable": archivable,
        "archived": archived,
        "disposal_date": due,
        "can_change": can_change and closed is None,
        "can_delete": can_delete and reason is None and not archived,
        "can_archive": can_change and archivable and not archived,
        "can_restore": can_change and archived,
        "can_dispose": can_delete and archived and due is not None and due <= timezone.localdate(),
    }


def _reason_page(spec, request, obj, *, step: str, error: str = ""):
    return render(
        request,
        "registers/archive.html",
        {
            "spec": spec,
            "object": obj,
            "step": step,
            "error": error,
            "reason": request.POST.get("reason", ""),
            "refusal": deletion_refusal(obj) if step == "archive" else None,
            "disposal_date": disposal_date(obj),
            "cancel_href": reverse(spec.url_name("detail"), args=[obj.pk]),
        },
        status=422 if error else 200,
    )


def _reason_step_view(spec: RegisterSpec, step: str, action: str, service, done: str, then: str):
    """The page of a step that asks a reason (archive, dispose): a form, then the service."""

    @member_required
    def view(request, pk: int):
        obj = _entry(spec, request, pk, action)
        if request.method == "POST":
            try:
                service(spec, obj, actor=request.user, reason=request.POST.get("reason", ""))
            except ServiceError as exc:
                return _reason_page(spec, request, obj, step=step, error=exc.message)
            messages.success(request, f"{capfirst(spec.verbose_name)} “{obj}” {done}.")
            if then == "list":
                return redirect(spec.url_name("list"))
            return redirect(spec.url_name("detail"), pk=obj.pk)
        return _reason_page(spec, request, obj, step=step)

    return view


def restore_view(spec: RegisterSpec):
    @member_required
    def view(request, pk: int):
        obj = _entry(spec, request, pk, "change")
        if request.method == "POST":
            try:
                archive.restore_entry(
                    spec, obj, actor=request.user, reason=request.POST.get("reason", "")
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{capfirst(spec.verbose_name)} “{obj}” restored.")
        return redirect(spec.url_name("detail"), pk=obj.pk)

    return view


def archive_urls(spec: RegisterSpec, base: str) -> list:
    if not archive.is_archivable(spec.model):
        return []
    name = spec.slug
    return [
        path(
            f"{base}<int:pk>/archive/",
            _reason_step_view(
                spec, "archive", "change", archive.archive_entry, "archived", "detail"
            ),
            name=f"{name}-archive",
        ),
        path(f"{base}<int:pk>/restore/", restore_view(spec), name=f"{name}-restore"),
        path(
            f"{base}<int:pk>/dispose/",
            _reason_step_view(
                spec, "dispose", "delete", archive.dispose_entry, "disposed of (logged)", "list"
            ),
            name=f"{name}-dispose",
        ),
    ]
