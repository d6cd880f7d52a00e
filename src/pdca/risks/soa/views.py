"""Statement of Applicability pages: the list, the SoA page (completeness, the latest approved
version, the grid of lines grouped by Annex A group with filters and inline editing), a line's
own page with its history, approval, versions, downloads and the XLSX import.

Rows save as they are edited: a row posts to `soa-line-edit`, which answers with the row as it
now stands (or, refused, as entered with the error) and, out of band, the summary, so the
completeness figures move without a reload.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    file_response,
    member_required,
    object_for_page,
    paginate,
    require_page,
)
from pdca.risks.models import ControlApplicability, SoaVersion, StatementOfApplicability
from pdca.risks.soa import export as soa_export
from pdca.risks.soa import jobs as soa_jobs
from pdca.risks.soa import services
from pdca.risks.soa.forms import (
    ApproveForm,
    ImportForm,
    LineForm,
    SoaCreateForm,
    applicable_value,
    members_of,
)
from pdca.risks.soa.imports import soa_import_allowed
from pdca.standards.models import Requirement


def _soa(request, pk: int, action: str = "view") -> StatementOfApplicability:
    soa = object_for_page(
        request,
        StatementOfApplicability.objects.filter(organization=request.organization).select_related(
            "organization", "standard", "system"
        ),
        pk,
        action,
    )
    return soa


def _line(request, pk: int, action: str = "view") -> ControlApplicability:
    line = object_for_page(
        request,
        ControlApplicability.objects.filter(organization=request.organization).select_related(
            "soa__standard", "control__group", "owner"
        ),
        pk,
        action,
    )
    return line


def _version(request, soa: StatementOfApplicability, number) -> SoaVersion | None:
    if number in (None, ""):
        return None
    try:
        return soa.versions.select_related("approved_by").get(number=int(number))
    except (SoaVersion.DoesNotExist, ValueError):
        raise Http404("No such version.") from None


# --- list, create, delete -----------------------------------------------------------------


@member_required
def soa_list(request):
    org = request.organization
    require_page(request, "view", StatementOfApplicability, organization=org)
    soas = scope(
        StatementOfApplicability.objects.filter(organization=org)
        .select_related("standard")
        .annotate(
            line_count=Count("lines", distinct=True),
            justified_count=Count(
                "lines",
                filter=Q(lines__applicable__isnull=False) & ~Q(lines__justification=""),
                distinct=True,
            ),
            latest_number=Max("versions__number"),
        )
        .order_by("standard__name", "pk"),
        request.user,
    )
    controls = dict(
        Requirement.objects.filter(kind=Requirement.Kind.CONTROL, retired=False)
        .values_list("standard_id")
        .annotate(n=Count("pk"))
    )
    page = paginate(request, soas)
    for soa in page.object_list:
        expected = max(controls.get(soa.standard_id, 0), soa.line_count)
        soa.percent = round(100 * soa.justified_count / expected) if expected else 0
    return render(
        request,
        "risks/soa_list.html",
        {
            "page": page,
            "can_add": may(request.user, "add", StatementOfApplicability, organization=org),
        },
    )


@member_required
def soa_create(request):
    org = request.organization
    require_page(request, "add", StatementOfApplicability, organization=org)
    form = SoaCreateForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            soa = services.create_soa(
                org,
                data["standard"],
                actor=request.user,
                system=data["system"],
                title=data["title"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{soa.title} started: decide each control.")
            return redirect("risks:soa-detail", soa.pk)
    return render(request, "risks/soa_form.html", {"form": form})


@member_required
def soa_delete(request, pk: int):
    soa = _soa(request, pk, "delete")
    detail = reverse("risks:soa-detail", args=[soa.pk])
    if request.method == "POST":
        try:
            services.delete_soa(soa, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(detail)
        messages.success(request, f"“{soa.title}” deleted.")
        return redirect("risks:soa-list")
    return render(request, "web/confirm_delete.html", {"object": soa, "cancel_href": detail})


@member_required
@require_POST
def soa_sync(request, pk: int):
    soa = _soa(request, pk, "change")
    try:
        added = services.sync_soa(soa, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{len(added)} line(s) added for new controls.")
    return redirect("risks:soa-detail", soa.pk)


# --- the SoA page -------------------------------------------------------------------------


def _row(request, line: ControlApplicability, owners, *, values=None, errors=None) -> dict:
    """One grid row: the stored values (or what was entered when a save failed), what the
    viewer may do, and errors by field."""
    editable = may(request.user, "change", line)
    shown = {
        "applicable": applicable_value(line.applicable),
        "justification": line.justification,
        "implementation": line.implementation,
        "owner": str(line.owner_id or ""),
        "notes": line.notes,
    }
    if values:
        shown.update({k: v for k, v in values.items() if k in shown})
    reassign = editable and services.may_reassign(request.user, line)
    return {
        "line": line,
        "editable": editable,
        "owners": owners if reassign else None,
        "values": shown,
        "errors": errors or {},
        # Errors with no control of their own in the row (a refused reassignment, say).
        "other_errors": [
            m
            for name, found in (errors or {}).items()
            if name not in {"applicable", "justification", "implementation", "notes"}
            and not (name == "owner" and reassign)
            for m in found
        ],
    }


def _summary(soa, lines, version) -> dict:
    return {
        "soa": soa,
        "completeness": services.completeness_of(lines, services.missing_controls(soa)),
        "latest": version,
        "changed": services.changed_since(lines, version),
    }


@member_required
def soa_detail(request, pk: int):
    soa = _soa(request, pk)
    lines = list(services.soa_lines(soa))
    versions = list(soa.versions.select_related("approved_by").defer("lines").order_by("-number"))
    latest = soa.versions.filter(pk=versions[0].pk).first() if versions else None
    filters = services.LineFilters.from_query(request.GET)
    owners = list(members_of(soa.organization_id))
    groups: dict[str, list] = {}
    for line in lines:
        if filters.keep(line):
            group = line.control.group
            label = f"{group.code} {group.title}" if group else "Controls"
            groups.setdefault(label, []).append(_row(request, line, owners))
    context = {
        **_summary(soa, lines, latest),
        "groups": list(groups.items()),
        "shown": sum(len(rows) for rows in groups.values()),
        "filters": filters,
        "group_choices": sorted(
            {
                (line.control.group.code, line.control.group.title)
                for line in lines
                if line.control.group
            }
        ),
        "implementation_choices": ControlApplicability.Implementation.choices,
        "versions": versions,
        "history": history_of(soa, request.user)[:20],
        "can_change": may(request.user, "change", soa),
        "can_delete": may(request.user, "delete", soa) and not versions,
        "can_approve": may(request.user, "approve", soa),
        "can_import": soa_import_allowed(request.user, soa),
    }
    if request.htmx and request.htmx.target == "lines":
        return render(request, "risks/_soa_lines.html", context)
    return render(request, "risks/soa_detail.html", context)


# --- lines --------------------------------------------------------------------------------


@member_required
def soa_line(request, pk: int):
    line = _line(request, pk)
    return render(
        request,
        "risks/soa_line.html",
        {
            "line": line,
            "soa": line.soa,
            "risks": list(line.risks.order_by("code")),
            "history": history_of(line, request.user)[:50],
            "can_change": may(request.user, "change", line),
        },
    )


def _errors_by_field(exc: ServiceError) -> dict[str, list[str]]:
    if isinstance(exc, ValidationFailed):
        found: dict[str, list[str]] = {}
        for error in exc.errors:
            found.setdefault(error.field.rpartition(".")[2] or "", []).append(error.message)
        return found
    return {"": [exc.message]}


def _row_response(request, line: ControlApplicability, **row_kw) -> HttpResponse:
    soa = line.soa
    (line,) = services.soa_lines(soa).filter(pk=line.pk)
    owners = list(members_of(soa.organization_id))
    lines = list(services.soa_lines(soa))
    context = {
        "row": _row(request, line, owners, **row_kw),
        "oob": True,
        "implementation_choices": ControlApplicability.Implementation.choices,
        **_summary(soa, lines, services.latest_version(soa)),
    }
    return render(request, "risks/_soa_row_saved.html", context)


@member_required
def soa_line_edit(request, pk: int):
    """The line form (a page of its own), and the htmx save of a grid row."""
    line = _line(request, pk, "change")
    form = LineForm(
        request.POST or None,
        line=line,
        may_reassign=services.may_reassign(request.user, line),
        initial={
            "applicable": applicable_value(line.applicable),
            "justification": line.justification,
            "implementation": line.implementation,
            "owner": line.owner_id,
            "notes": line.notes,
            "risks": list(line.risks.all()),
        },
    )
    if request.method == "POST":
        errors: dict[str, list[str]] = {}
        if form.is_valid():
            try:
                services.update_line(line, actor=request.user, **form.changes())
            except ServiceError as exc:
                add_service_error(form, exc)
                errors = _errors_by_field(exc)
        else:
            errors = {name: [str(e) for e in found] for name, found in form.errors.items()}
        if request.htmx:
            return _row_response(
                request, line, values=request.POST if errors else None, errors=errors
            )
        if not errors:
            messages.success(request, f"{line.control.number} saved.")
            return redirect("risks:soa-line", line.pk)
    elif request.htmx:
        return _row_response(request, line)
    return render(
        request, "risks/soa_line_form.html", {"form": form, "line": line, "soa": line.soa}
    )


# --- approval and versions ----------------------------------------------------------------


@member_required
def soa_approve(request, pk: int):
    soa = _soa(request, pk, "approve")
    form = ApproveForm(request.POST or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            version = services.approve_soa(soa, actor=request.user, note=form.cleaned_data["note"])
        except ServiceError as exc:
            refused = exc.message
        else:
            messages.success(request, f"Version {version.number} approved and frozen.")
            return redirect("risks:soa-version", soa.pk, version.number)
    completeness = services.soa_completeness(soa)
    return render(
        request,
        "risks/soa_approve.html",
        {
            "soa": soa,
            "form": form,
            "completeness": completeness,
            "refused": refused,
            "latest": services.latest_version(soa),
        },
    )


@member_required
def soa_version(request, pk: int, number: int):
    soa = _soa(request, pk)
    version = _version(request, soa, number)
    assert version is not None  # the URL always names one
    names = soa_export.owner_names(version.lines)
    groups: dict[str, list] = {}
    for row in version.lines:
        groups.setdefault(row.get("group", "") or "Controls", []).append(
            {
                **row,
                "owner_name": names.get(row["owner"] or "", ""),
                "implementation_label": soa_export.IMPLEMENTATION_LABELS.get(
                    row["implementation"], row["implementation"]
                ),
            }
        )
    return render(
        request,
        "risks/soa_version.html",
        {
            "soa": soa,
            "version": version,
            "groups": list(groups.items()),
            "intact": services.version_intact(version),
            "others": list(soa.versions.defer("lines").order_by("-number")),
        },
    )


# --- files --------------------------------------------------------------------------------


@member_required
def soa_xlsx(request, pk: int):
    """The draft (or `?version=N`) as a workbook."""
    soa = _soa(request, pk)
    version = _version(request, soa, request.GET.get("version"))
    return file_response(
        soa_export.soa_xlsx(soa, version),
        soa_export.XLSX_CONTENT_TYPE,
        soa_export.filename(soa, version, "xlsx"),
    )


@require_POST
@member_required
def soa_pdf(request, pk: int):
    """Queue the PDF of the draft (or of the approved `version` posted) and follow it on the
    job page, which offers the download when it is ready."""
    soa = _soa(request, pk)
    version = _version(request, soa, request.POST.get("version") or request.GET.get("version"))
    job = soa_jobs.queue_pdf(soa, version, actor=request.user)
    return redirect("jobs:detail", pk=job.pk)


@member_required
def soa_import_page(request, pk: int):
    """Upload an edited export: a job checks every cell and saves the changed lines, or lists
    every bad cell and saves nothing; its page follows it."""
    soa = _soa(request, pk)
    if not soa_import_allowed(request.user, soa):
        raise DjangoPermissionDenied("Your role may not change SoA lines.")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = soa_jobs.queue_import(soa, upload.read(), upload.name, actor=request.user)
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "risks/soa_import.html", {"soa": soa, "form": form})
