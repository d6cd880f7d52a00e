"""Gap-assessment pages: the list, the assessment page (readiness and the items table, edited
row by row or in bulk with htmx), the plan, the comparison, and the item pages.

Rows save as they are edited: the row posts to `item_edit`, which answers with the row as it
now stands and, out of band, the readiness summary, so the figures move without a reload.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pdca.assessments import pages, rows, services
from pdca.assessments.forms import (
    AssessmentCreateForm,
    AssessmentEditForm,
    BulkForm,
    ItemForm,
    members_of,
)
from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.readiness import compute_readiness
from pdca.core.exceptions import PermissionDenied, ServiceError, ValidationFailed
from pdca.core.permissions import may, scope
from pdca.core.registers.coverage import answers_for
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    member_required,
    object_for_page,
    paginate,
    require_page,
    scoped_or_404,
)
from pdca.standards.models import Requirement
from pdca.system.models import ManagementSystem
from pdca.system.services import active_standards


def _assessment(request, pk: int, action: str = "view") -> GapAssessment:
    assessment = object_for_page(
        request,
        GapAssessment.objects.filter(organization=request.organization).select_related("system"),
        pk,
        action,
    )
    return assessment


def _item(request, pk: int, action: str = "view") -> GapItem:
    item = object_for_page(
        request,
        GapItem.objects.filter(organization=request.organization).select_related(
            "assessment__system", "requirement__standard", "owner"
        ),
        pk,
        action,
    )
    return item


def _detail_url(assessment: GapAssessment, filters: pages.Filters | None = None) -> str:
    url = reverse("assessments:assessment_detail", args=[assessment.pk])
    query = filters.querystring() if filters else ""
    return f"{url}?{query}" if query else url


# --- the list and the assessment's own pages ----------------------------------------------


@member_required
def assessment_list(request):
    org = request.organization
    require_page(request, "view", GapAssessment, organization=org)
    assessments = scope(
        GapAssessment.objects.filter(organization=org)
        .select_related("system", "copied_from")
        .annotate(item_count=Count("items"))
        .order_by("-started_on", "-id"),
        request.user,
    )
    can_add = may(request.user, "add", GapAssessment, organization=org)
    systems = (
        list(scope(ManagementSystem.objects.filter(organization=org), request.user))
        if can_add
        else []
    )
    return render(
        request,
        "assessments/assessment_list.html",
        {"page": paginate(request, assessments), "can_add": can_add, "systems": systems},
    )


@member_required
def assessment_create(request):
    org = request.organization
    require_page(request, "add", GapAssessment, organization=org)
    systems = scope(ManagementSystem.objects.filter(organization=org), request.user)
    system_id = request.GET.get("system", "")
    if not system_id:
        return render(request, "assessments/assessment_create.html", {"systems": systems})
    system = scoped_or_404(systems, request.user, pk=system_id)
    form = AssessmentCreateForm(request.POST or None, system=system)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.create_assessment(
                system,
                title=data["title"],
                started_on=data["started_on"],
                copy_from=data["copy_from"],
                notes=data["notes"],
                actor=request.user,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Assessment started.")
            return redirect("assessments:assessment_detail", assessment.pk)
    return render(request, "assessments/assessment_create.html", {"form": form, "system": system})


def _page_context(request, assessment: GapAssessment, filter_data) -> dict:
    """Everything the assessment page shows, from one read of the items."""
    today = timezone.localdate()
    standards = active_standards(assessment.system)
    members = list(members_of(assessment.organization_id))
    items = pages.load_items(assessment, people=members)
    readiness = compute_readiness(assessment, standards, items)
    owners = rows.owner_options(members)
    filters = pages.Filters.from_query(filter_data)
    shown = [
        rows.make_row(item, request.user, today, owners)
        for item in items
        if filters.keep(item, today)
    ]
    may_change_items = any(may(request.user, "change", item) for item in items)
    return {
        "assessment": assessment,
        "system": assessment.system,
        "standards": standards,
        **pages.readiness_context(readiness),
        "rows": shown,
        "item_total": len(items),
        "item_ids": [item.pk for item in items],
        "labels": {item.pk: pages.label(item) for item in items},
        "members": members,
        "filters": filters,
        "filter_pairs": filters.pairs(),
        "clauses": pages.clause_choices(items),
        "status_choices": GapItem.Status.choices,
        "may_change_items": may_change_items,
        "bulk_form": BulkForm(item_ids=[], members=members) if may_change_items else None,
        "selected": set(),
        "can_change": may(request.user, "change", assessment),
        "can_delete": may(request.user, "delete", assessment),
    }


def _render(request, template: str, context: dict) -> HttpResponse:
    """Render a page or fragment holding item rows, drawn by rows.py (see there why)."""
    if "rows" in context:
        draw = {
            "bulk": bool(context.get("bulk_form")) or context.get("row_bulk", False),
            "selected": context.get("selected", set()),
            "csrf_token": get_token(request),
        }
        if "filters" in context:  # the whole table, by clause
            context["groups"] = pages.group_rows(
                context["rows"], context["readiness"], filtered=context["filters"].active
            )
            for group in context["groups"]:
                group.html = rows.render_rows(group.rows, **draw)
        else:  # one row, saved
            context["rows_html"] = rows.render_rows(context["rows"], **draw)
    return render(request, template, context)


def _full_page(request, context: dict) -> dict:
    """What the whole page adds to the items and readiness fragments."""
    assessment = context["assessment"]
    context["history"] = history_of(assessment, request.user)[:20]
    context["others"] = list(
        GapAssessment.objects.filter(system=assessment.system).exclude(pk=assessment.pk)
    )
    return context


@member_required
def assessment_detail(request, pk: int):
    assessment = _assessment(request, pk)
    context = _page_context(request, assessment, request.GET)
    if request.htmx and request.htmx.target == "items":
        return _render(request, "assessments/_items.html", context)
    return _render(request, "assessments/assessment_detail.html", _full_page(request, context))


@member_required
def assessment_edit(request, pk: int):
    assessment = _assessment(request, pk, "change")
    form = AssessmentEditForm(
        request.POST or None,
        initial={
            "title": assessment.title,
            "started_on": assessment.started_on,
            "status": assessment.status,
            "notes": assessment.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_assessment(assessment, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Assessment saved.")
            return redirect("assessments:assessment_detail", assessment.pk)
    return render(
        request, "assessments/assessment_form.html", {"form": form, "assessment": assessment}
    )


@member_required
def assessment_delete(request, pk: int):
    assessment = _assessment(request, pk, "delete")
    detail = reverse("assessments:assessment_detail", args=[assessment.pk])
    if request.method == "POST":
        try:
            services.delete_assessment(assessment, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(detail)
        messages.success(request, f"Assessment “{assessment.title}” deleted.")
        return redirect("assessments:assessment_list")
    return render(request, "web/confirm_delete.html", {"object": assessment, "cancel_href": detail})


# --- items --------------------------------------------------------------------------------


def _readiness_context(assessment: GapAssessment) -> dict:
    readiness = compute_readiness(assessment, active_standards(assessment.system))
    return {"assessment": assessment, **pages.readiness_context(readiness)}


def _row_response(request, item: GapItem, **row_kw) -> HttpResponse:
    """The item's row, and the assessment's readiness swapped in out of band."""
    assessment = item.assessment
    (item,) = pages.load_items(assessment, pk=item.pk)
    item.assessment = assessment
    may_reassign = may(request.user, "change", item) and services.may_change_any(request.user, item)
    owners = rows.owner_options(members_of(item.organization_id)) if may_reassign else None
    row = rows.make_row(item, request.user, timezone.localdate(), owners, **row_kw)
    context = {
        "rows": [row],
        "row_bulk": True,  # the row sits on a page with the bulk bar
        "oob": True,
        "selected": _selected(request),
        **_readiness_context(assessment),
    }
    return _render(request, "assessments/_item_saved.html", context)


@member_required
def item_detail(request, pk: int):
    item = _item(request, pk)
    covers = list(item.covers.select_related("standard", "core").order_by("standard__name"))
    return render(
        request,
        "assessments/item_detail.html",
        {
            "item": item,
            "assessment": item.assessment,
            "covers": covers,
            "answers": answers_for(covers, item.organization, request.user),
            "overdue": pages.is_overdue(item, timezone.localdate()),
            "history": history_of(item, request.user)[:50],
            "can_change": may(request.user, "change", item),
        },
    )


@member_required
def item_edit(request, pk: int):
    """The item form (a page of its own), and the htmx save of a table row."""
    item = _item(request, pk, "change")
    may_reassign = services.may_change_any(request.user, item)
    form = ItemForm(
        request.POST or None,
        organization=item.organization_id,
        may_reassign=may_reassign,
        initial={**rows.stored_values(item), "owner": item.owner_id, "evidence": item.evidence},
    )
    if request.method == "POST":
        errors: dict[str, list[str]] = {}
        if form.is_valid():
            try:
                services.update_item(item, actor=request.user, **form.changes())
            except ServiceError as exc:
                add_service_error(form, exc)
                errors = _errors_by_field(exc)
        else:
            errors = {name: [str(m) for m in found] for name, found in form.errors.items()}
        if request.htmx:
            # On a refusal the row keeps what was entered and says what is wrong.
            return _row_response(
                request, item, values=request.POST if errors else None, errors=errors
            )
        if not errors:
            messages.success(request, f"{pages.label(item)} saved.")
            return redirect(_detail_url(item.assessment) + f"#item-{item.pk}")
    elif request.htmx:
        return _row_response(request, item)
    return render(
        request,
        "assessments/item_form.html",
        {"form": form, "item": item, "assessment": item.assessment},
    )


def _errors_by_field(exc: ServiceError) -> dict[str, list[str]]:
    if isinstance(exc, ValidationFailed):
        found: dict[str, list[str]] = {}
        for error in exc.errors:
            found.setdefault(error.field.rpartition(".")[2], []).append(error.message)
        return found
    return {"": [exc.message]}


@member_required
@require_POST
def items_bulk(request, pk: int):
    """Set status, owner or target date on the selected items: all of them, or none."""
    assessment = _assessment(request, pk)
    context = _page_context(request, assessment, request.POST)
    if not context["may_change_items"]:
        raise DjangoPermissionDenied("Your role does not allow this.")
    form = BulkForm(request.POST, item_ids=context["item_ids"], members=context["members"])
    errors: list[str] = []
    if form.is_valid():
        ids = form.cleaned_data["ids"]
        try:
            updated = services.bulk_update_items(
                assessment, [{"id": i, **form.values()} for i in ids], actor=request.user
            )
        except ServiceError as exc:
            errors = _bulk_errors(exc, ids, context["labels"])
        else:
            done = f"{len(updated)} of {len(ids)} selected item(s) changed."
            if not request.htmx:
                messages.success(request, done)
                return redirect(_detail_url(assessment, context["filters"]))
            context = _page_context(request, assessment, request.POST)  # as now saved
            context.update(bulk_done=done, oob=True)
            return _render(request, "assessments/_items_saved.html", context)
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    context.update(bulk_form=form, bulk_errors=errors, selected=_selected(request))
    if request.htmx:
        return _render(request, "assessments/_items.html", context)
    return _render(request, "assessments/assessment_detail.html", _full_page(request, context))


def _selected(request) -> set[int]:
    """The item ids ticked for the bulk bar, kept ticked when the page is drawn again."""
    return {int(i) for i in request.POST.getlist("ids") if i.isdigit()}


def _bulk_errors(exc: ServiceError, ids: list[int], labels: dict[int, str]) -> list[str]:
    """The service's errors, naming the item rather than its position in the request."""
    if not isinstance(exc, ValidationFailed):
        return [exc.message]
    found = []
    for error in exc.errors:
        parts = error.field.split(".")
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            index = int(parts[1])
            label = labels.get(ids[index], f"item {ids[index]}") if index < len(ids) else ""
            found.append(f"{label}: {error.message}")
        else:
            found.append(error.message)
    return found


@member_required
@require_POST
def item_split(request, pk: int):
    item = _item(request, pk)
    try:
        parts = services.split_item(item, actor=request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Split into {len(parts)} items, one per standard: "
            + ", ".join(f"{p.requirement.standard.name} {p.requirement.number}" for p in parts)
            + ".",
        )
    return redirect(_detail_url(item.assessment) + f"#item-{item.pk}")


# --- plan and comparison ------------------------------------------------------------------


@member_required
def assessment_plan(request, pk: int):
    assessment = _assessment(request, pk)
    today = timezone.localdate()
    items = services.plan(assessment, today=today)
    prefetch_related_objects(
        items,
        Prefetch(
            "covers",
            queryset=Requirement.objects.select_related("standard").order_by("standard__name"),
        ),
    )
    lines = [{"item": i, "overdue": pages.is_overdue(i, today)} for i in items]
    soon = today + dt.timedelta(days=30)
    return render(
        request,
        "assessments/assessment_plan.html",
        {
            "assessment": assessment,
            "lines": lines,
            "today": today,
            "overdue_count": sum(1 for line in lines if line["overdue"]),
            "soon_count": sum(
                1 for i in items if i.target_date is not None and today <= i.target_date <= soon
            ),
            "undated_count": sum(1 for i in items if i.target_date is None),
        },
    )


CHANGES = ("improved", "slipped", "new", "gone", "unchanged")


@member_required
def assessment_compare(request, pk: int):
    assessment = _assessment(request, pk)
    others = list(GapAssessment.objects.filter(system=assessment.system).exclude(pk=assessment.pk))
    other = None
    wanted = request.GET.get("with")
    if wanted:
        other = scoped_or_404(
            GapAssessment.objects.filter(organization=request.organization), request.user, pk=wanted
        )
    elif others:
        other = next((o for o in others if o.pk == assessment.copied_from_id), others[0])
    movements, error = [], ""
    earlier = later = None
    if other is not None and other.pk == assessment.pk:
        error = "Choose another assessment to compare this one with."
    elif other is not None:
        earlier, later = sorted((assessment, other), key=lambda a: (a.started_on, a.pk))
        try:
            movements = services.compare(earlier, later)
        except ValidationFailed as exc:
            error = " ".join(e.message for e in exc.errors)
    counts = {change: 0 for change in CHANGES}
    for m in movements:
        counts[m.change] += 1
    show_all = request.GET.get("all") == "1"
    shown = [m for m in movements if show_all or m.change != "unchanged"]
    return render(
        request,
        "assessments/assessment_compare.html",
        {
            "assessment": assessment,
            "other": other,
            "others": others,
            "earlier": earlier,
            "later": later,
            "movements": shown,
            "counts": counts,
            "show_all": show_all,
            "error": error,
        },
    )
