"""The pages of every register, built from its spec: list (filters, sorting, export and
import links), detail (values, linked requirements, the register's own part, history), create,
edit, delete, XLSX export and import, and the import template."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst

from pdca.core.exceptions import ServiceError
from pdca.core.permissions import may
from pdca.core.records.rules import closed_reason
from pdca.core.registers import display, services, spreadsheet
from pdca.core.registers import jobs as register_jobs
from pdca.core.registers.archive_views import archive_urls, record_context
from pdca.core.registers.filters import filtered, sort_key
from pdca.core.registers.forms import form_class
from pdca.core.registers.selectors import entries_for
from pdca.core.registers.spec import RegisterSpec
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    file_response,
    member_required,
    object_for_page,
    paginate,
    require_page,
)
from pdca.core.xlsx import XLSX_CONTENT_TYPE


def _entry(spec: RegisterSpec, request, pk: int, action: str = "view"):
    return object_for_page(
        request, spec.model.objects.filter(organization=request.organization), pk, action
    )


def _sort_links(spec: RegisterSpec, request, current: str) -> list[dict]:
    query = request.GET.copy()
    query.pop("page", None)
    links = []
    for name in spec.columns:
        entry = {"label": display.header(spec, name), "url": None, "active": ""}
        if name in spec.ordering:
            descending = current == name
            query["sort"] = f"-{name}" if descending else name
            entry["url"] = f"?{query.urlencode()}"
            entry["active"] = "asc" if current == name else "desc" if current == f"-{name}" else ""
        links.append(entry)
    return links


def _shown(spec: RegisterSpec, obj, name: str) -> bool:
    """False for a field of another variant (a hazard's type on an aspect)."""
    if name not in spec.shown_when:
        return True
    other, values = spec.shown_when[name]
    return str(getattr(obj, other)) in values


def list_view(spec: RegisterSpec):
    @member_required
    def view(request):
        org = request.organization
        require_page(request, "view", spec.model, organization=org)
        filterset, rows = filtered(spec, entries_for(spec, request.user, org), request.GET, org)
        order = sort_key(spec, request.GET.get("sort"))
        rows = rows.order_by(order, "pk")
        page = paginate(request, rows)
        table = [
            {"object": obj, "cells": [display.cells(spec, obj, c) for c in spec.columns]}
            for obj in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "registers/list.html",
            {
                "spec": spec,
                "page": page,
                "table": table,
                "headers": _sort_links(spec, request, order),
                "filter": filterset,
                "query": query.urlencode(),
                "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
                "can_add": may(request.user, "add", spec.model, organization=org),
                "links": [
                    (label, reverse(f"{spec.namespace}:{name}")) for label, name in spec.list_links
                ],
            },
        )

    return view


def detail_view(spec: RegisterSpec):
    @member_required
    def view(request, pk: int):
        obj = _entry(spec, request, pk)
        values = [
            (display.header(spec, name), display.cells(spec, obj, name))
            for name in spec.fields
            if name != "requirements" and _shown(spec, obj, name)
        ]
        extra = spec.detail_context(request, obj) if spec.detail_context else {}
        requirements = (
            list(obj.requirements.select_related("standard").order_by("standard__name", "sort_key"))
            if "requirements" in spec.fields
            else []
        )
        return render(
            request,
            "registers/detail.html",
            {
                "spec": spec,
                "object": obj,
                "values": values,
                "requirements": requirements,
                "extra": extra,
                "history": history_of(obj, request.user)[:50],
                **record_context(
                    spec,
                    obj,
                    can_change=may(request.user, "change", obj),
                    can_delete=may(request.user, "delete", obj),
                ),
                # A reader of this one entry (an employee's own report) may not see the list.
                "can_list": may(request.user, "view", spec.model, organization=obj.organization_id),
            },
        )

    return view


def _form_page(spec: RegisterSpec, request, form, obj=None):
    return render(request, "registers/form.html", {"spec": spec, "form": form, "object": obj})


def create_view(spec: RegisterSpec):
    @member_required
    def view(request):
        org = request.organization
        require_page(request, "add", spec.model, organization=org)
        Form = form_class(spec)
        initial = {k: v for k, v in request.GET.items() if k in spec.fields}
        form = Form(request.POST or None, initial=initial, organization=org)
        if request.method == "POST" and form.is_valid():
            try:
                obj = services.create_entry(spec, org, actor=request.user, **form.service_data())
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{capfirst(spec.verbose_name)} “{obj}” created.")
                return redirect(spec.url_name("detail"), pk=obj.pk)
        return _form_page(spec, request, form)

    return view


def edit_view(spec: RegisterSpec):
    @member_required
    def view(request, pk: int):
        obj = _entry(spec, request, pk, "change")
        closed = closed_reason(obj)
        if closed:
            messages.error(request, f"“{obj}” cannot be changed: {closed}.")
            return redirect(spec.url_name("detail"), pk=obj.pk)
        Form = form_class(spec)
        # The form works on its own copy: the service must see the stored values to record
        # what changed.
        form = Form(
            request.POST or None,
            instance=spec.model.objects.get(pk=obj.pk),
            organization=request.organization,
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.update_entry(spec, obj, actor=request.user, **form.service_data())
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{capfirst(spec.verbose_name)} “{obj}” saved.")
                return redirect(spec.url_name("detail"), pk=obj.pk)
        return _form_page(spec, request, form, obj)

    return view


def delete_view(spec: RegisterSpec):
    @member_required
    def view(request, pk: int):
        obj = _entry(spec, request, pk, "delete")
        if request.method == "POST":
            try:
                services.delete_entry(spec, obj, actor=request.user)
            except ServiceError as exc:
                messages.error(request, exc.message)
                return redirect(spec.url_name("detail"), pk=obj.pk)
            messages.success(request, f"{capfirst(spec.verbose_name)} “{obj}” deleted.")
            return redirect(spec.url_name("list"))
        return render(
            request,
            "web/confirm_delete.html",
            {
                "object": obj,
                "cancel_href": reverse(spec.url_name("detail"), args=[obj.pk]),
            },
        )

    return view


def export_view(spec: RegisterSpec):
    @member_required
    def view(request):
        org = request.organization
        require_page(request, "view", spec.model, organization=org)
        _, rows = filtered(spec, entries_for(spec, request.user, org), request.GET, org)
        rows = rows.order_by(sort_key(spec, request.GET.get("sort")), "pk")
        data = spreadsheet.export_entries(spec, rows, organization=org)
        return file_response(
            data, XLSX_CONTENT_TYPE, spreadsheet.filename(spec, org, timezone.localdate())
        )

    return view


def template_view(spec: RegisterSpec):
    @member_required
    def view(request):
        org = request.organization
        require_page(request, "view", spec.model, organization=org)
        data = spreadsheet.export_entries(spec, spec.model.objects.none(), organization=org)
        return file_response(data, XLSX_CONTENT_TYPE, f"{spec.slug}-template.xlsx")

    return view


def import_view(spec: RegisterSpec):
    @member_required
    def view(request):
        org = request.organization
        require_page(request, "add", spec.model, organization=org)
        errors: list[tuple[str, str]] = []
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                errors = [("file", "Choose an XLSX file to import.")]
            elif upload.size > spreadsheet.MAX_UPLOAD_BYTES:
                errors = [("file", "The file is larger than 5 MB.")]
            else:
                # A job checks every cell and saves all rows or none; its page follows it.
                job = register_jobs.queue_import(
                    spec,
                    org,
                    upload.read(),
                    upload.name,
                    actor=request.user,
                    dry_run=bool(request.POST.get("dry_run")),
                )
                return redirect("jobs:detail", pk=job.pk)
        return render(
            request,
            "registers/import.html",
            {"spec": spec, "errors": errors},
            status=422 if errors else 200,
        )

    return view


def register_urls(spec: RegisterSpec, prefix: str | None = None) -> list:
    """The URL patterns of `spec`'s pages, under `prefix` (the slug unless given)."""
    base = f"{prefix if prefix is not None else spec.slug}/"
    name = spec.slug
    return [
        path(base, list_view(spec), name=f"{name}-list"),
        path(f"{base}new/", create_view(spec), name=f"{name}-create"),
        path(f"{base}export.xlsx", export_view(spec), name=f"{name}-export"),
        path(f"{base}import/", import_view(spec), name=f"{name}-import"),
        path(f"{base}import/template.xlsx", template_view(spec), name=f"{name}-template"),
        path(f"{base}<int:pk>/", detail_view(spec), name=f"{name}-detail"),
        path(f"{base}<int:pk>/edit/", edit_view(spec), name=f"{name}-edit"),
        path(f"{base}<int:pk>/delete/", delete_view(spec), name=f"{name}-delete"),
        *archive_urls(spec, base),
    ]
