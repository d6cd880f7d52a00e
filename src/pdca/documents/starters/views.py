"""Pages around the document register: starter templates (list, preview filled with the
organization's data, use one, download it as DOCX or PDF), any version as DOCX or PDF, the
mandatory documented information coverage (with its XLSX), search, and "my document tasks"."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.core.exceptions import NotFound, ServiceError
from pdca.core.forms import StyledFormMixin, field_of
from pdca.core.permissions import may
from pdca.core.views import (
    add_service_error,
    file_response,
    member_required,
    require_page,
    scoped_or_404,
)
from pdca.core.xlsx import XLSX_CONTENT_TYPE
from pdca.documents import coverage as coverage_lib
from pdca.documents import rendering
from pdca.documents.markdown import render_markdown
from pdca.documents.models import Document, DocumentVersion
from pdca.documents.search import search_documents
from pdca.documents.starters import services as starters
from pdca.documents.tasks_list import document_tasks
from pdca.documents.versions import jobs as version_jobs
from pdca.system.models import ManagementSystem

# --- starter templates --------------------------------------------------------------------


class UseTemplateForm(StyledFormMixin, forms.Form):
    """Making a document from a starter template."""

    code = forms.CharField(
        max_length=30,
        required=False,
        help_text="Left empty, the type's numbering scheme gives one.",
    )
    system = forms.ModelChoiceField(
        queryset=ManagementSystem.objects.none(),
        required=False,
        label="Management system",
        help_text="Whose scope, standards and sites fill the template (default: the first).",
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "system", forms.ModelChoiceField).queryset = ManagementSystem.objects.filter(
            organization=organization
        ).order_by("name")


def _starter(key: str):
    try:
        return starters.starter_or_404(key)
    except NotFound:
        raise Http404("No such template.") from None


def _system(request):
    """The management system named by `?system=` (of this organization), or None."""
    raw = request.GET.get("system", "")
    if not raw.isdigit():
        return None
    return ManagementSystem.objects.filter(organization=request.organization, pk=raw).first()


@member_required
def template_list(request):
    org = request.organization
    require_page(request, "view", Document, organization=org)
    return render(
        request,
        "documents/template_list.html",
        {
            "starters": starters.list_starters(),
            "can_add": may(request.user, "add", Document, organization=org),
        },
    )


def _detail(request, starter, form, *, system=None, status=200):
    org = request.organization
    filled = starters.fill_starter(org, starter.key, system=system)
    return render(
        request,
        "documents/template_detail.html",
        {
            "starter": starter,
            "filled": filled,
            "html": render_markdown(filled.content),
            "requirements": starters.starter_requirements(org, starter),
            "form": form,
            "can_add": may(request.user, "add", Document, organization=org),
        },
        status=status,
    )


@member_required
def template_detail(request, key: str):
    require_page(request, "view", Document, organization=request.organization)
    starter = _starter(key)
    taken = Document.objects.filter(
        organization=request.organization, code__iexact=starter.code
    ).exists()
    form = UseTemplateForm(
        initial={"code": "" if taken else starter.code, "system": _system(request)},
        organization=request.organization,
    )
    return _detail(request, starter, form, system=_system(request))


@member_required
@require_POST
def template_use(request, key: str):
    org = request.organization
    require_page(request, "add", Document, organization=org)
    starter = _starter(key)
    form = UseTemplateForm(request.POST, organization=org)
    if form.is_valid():
        try:
            document = starters.create_from_template(
                org,
                starter.key,
                actor=request.user,
                system=form.cleaned_data["system"],
                code=form.cleaned_data["code"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"{document.code} {document.title} created: its first draft is ready."
            )
            return redirect("documents:documents-detail", document.pk)
    system = form.cleaned_data.get("system") if form.is_valid() else None
    return _detail(request, starter, form, system=system, status=422)


def _template_file(request, key: str):
    require_page(request, "view", Document, organization=request.organization)
    starter = _starter(key)
    filled = starters.fill_starter(request.organization, key, system=_system(request))
    meta = {
        "organization": request.organization.name,
        "code": starter.code,
        "version": "",
        "status": "Starter template (not yet a controlled document)",
        "owner": filled.values["manager"],
    }
    return starter, filled, meta


@member_required
def template_docx(request, key: str):
    starter, filled, meta = _template_file(request, key)
    data = rendering.markdown_to_docx(filled.title, filled.content, meta=meta)
    return file_response(data, rendering.DOCX_CONTENT_TYPE, f"{starter.key}.docx")


@member_required
def template_pdf(request, key: str):
    starter, filled, meta = _template_file(request, key)
    data = rendering.markdown_to_pdf(filled.title, filled.content, meta=meta)
    return file_response(data, rendering.PDF_CONTENT_TYPE, f"{starter.key}.pdf")


# --- versions as files --------------------------------------------------------------------


def _version(request, pk: int) -> DocumentVersion:
    version = scoped_or_404(
        DocumentVersion.objects.filter(organization=request.organization).select_related(
            "document__organization", "document__owner", "file"
        ),
        request.user,
        pk=pk,
    )
    require_page(request, "view", version.document)
    return version


@member_required
def version_docx(request, pk: int):
    version = _version(request, pk)
    return file_response(
        rendering.version_docx(version),
        rendering.DOCX_CONTENT_TYPE,
        rendering.version_filename(version, "docx"),
    )


@require_POST
@member_required
def version_pdf(request, pk: int):
    """Queue the version as PDF and follow it on the job page, which offers the download."""
    version = _version(request, pk)
    job = version_jobs.queue_pdf(version, actor=request.user)
    return redirect("jobs:detail", pk=job.pk)


# --- coverage, search, tasks --------------------------------------------------------------


@member_required
def coverage(request):
    org = request.organization
    require_page(request, "view", Document, organization=org)
    gaps_only = request.GET.get("gaps") == "1"
    return render(
        request,
        "documents/coverage.html",
        {
            # Not "sections": the navigation's context already uses that name.
            "coverage_sections": coverage_lib.coverage(request.user, org, gaps_only=gaps_only),
            "gaps_only": gaps_only,
        },
    )


@member_required
def coverage_xlsx(request):
    org = request.organization
    require_page(request, "view", Document, organization=org)
    sections = coverage_lib.coverage(request.user, org, gaps_only=request.GET.get("gaps") == "1")
    return file_response(
        coverage_lib.coverage_xlsx(sections),
        XLSX_CONTENT_TYPE,
        f"documented-information-{org.slug}-{dt.date.today():%Y-%m-%d}.xlsx",
    )


@member_required
def search(request):
    org = request.organization
    require_page(request, "view", Document, organization=org)
    query = request.GET.get("q", "").strip()[:200]
    context = {"query": query, "hits": search_documents(request.user, org, query) if query else []}
    if request.headers.get("HX-Request"):
        return render(request, "documents/search_results.html", context)
    return render(request, "documents/search.html", context)


@member_required
def my_tasks(request):
    tasks = document_tasks(request.user, request.organization)
    can_list = request.organization is not None and may(
        request.user, "view", Document, organization=request.organization
    )
    return render(request, "documents/tasks.html", {"document_tasks": tasks, "can_list": can_list})


def tasks_context(request) -> dict:
    """Context for including `documents/_tasks.html` on another page (the home page)."""
    if request.organization is None:
        return {"document_tasks": []}
    return {"document_tasks": document_tasks(request.user, request.organization)}
