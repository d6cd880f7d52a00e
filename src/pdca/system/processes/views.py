"""Pages of processes beyond their register: the process map (page and PDF), the turtle
diagram of one process, the extra part of the process's detail page, and the RACI grid (edited
cell by cell with htmx, exported as XLSX). Thin: rules live in `pdca.system.raci.services`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from pdca.accounts.models import User
from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.forms import StyledFormMixin, field_of
from pdca.core.permissions import may, scope
from pdca.core.views import member_required, require_page, scoped_or_404
from pdca.system.models import Objective, Process, RaciAssignment, Responsibility
from pdca.system.processes.map import LANES, build_map, register_url, render_svg
from pdca.system.raci import services as raci
from pdca.system.raci.export import XLSX_CONTENT_TYPE, raci_xlsx_bytes
from pdca.tenancy.models import Site

PDF_CONTENT_TYPE = "application/pdf"


def _lines(text: str) -> list[str]:
    """A multi-line field as its items, one per line."""
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


# --- process map ----------------------------------------------------------------------------


class MapFilter(StyledFormMixin, forms.Form):
    site = forms.ModelChoiceField(Site.objects.none(), required=False, empty_label="All sites")
    category = forms.ChoiceField(
        choices=[("", "All categories"), *Process.Category.choices], required=False
    )

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "site", forms.ModelChoiceField).queryset = Site.objects.filter(
            organization=organization
        )


def _map_data(request) -> dict[str, Any]:
    """The map of the current organization's active processes, filtered as asked."""
    org = request.organization
    require_page(request, "view", Process, organization=org)
    form = MapFilter(request.GET or None, organization=org)
    site = category = None
    if form.is_valid():
        site = form.cleaned_data["site"]
        category = form.cleaned_data["category"] or None
    active = scope(
        Process.objects.filter(organization=org, status=Process.Status.ACTIVE), request.user
    ).select_related("owner")
    if site is not None:
        # A process that names no site runs everywhere.
        active = active.filter(Q(sites=site) | Q(sites__isnull=True)).distinct()
    processes = list(active.order_by("code"))
    pks = [p.pk for p in processes]
    pairs = list(
        Process.feeds.through.objects.filter(from_process_id__in=pks).values_list(
            "from_process_id", "to_process_id"
        )
    )
    layout = build_map(processes, pairs, categories=[category] if category else None)
    by_pk = {p.pk: p for p in processes}
    return {
        "form": form,
        "site": site,
        "category": category,
        "layout": layout,
        "svg": render_svg(layout, title=f"Process map of {org.name}"),
        "processes": processes,
        "unconnected": [by_pk[pk] for pk in layout.unconnected],
        "lanes": LANES,
        "organization": org,
        "pdf_query": request.GET.urlencode(),
    }


@member_required
def process_map(request):
    """The process map with its legend, filters and the processes without hand-overs."""
    return render(request, "system/process_map.html", _map_data(request))


@member_required
def process_map_pdf(request):
    """The process map on one A4 landscape page."""
    from weasyprint import HTML

    context = _map_data(request)
    context["generated_at"] = timezone.localtime().replace(microsecond=0)
    html = render_to_string("system/process_map_pdf.html", context)
    response = HttpResponse(HTML(string=html).write_pdf(), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'inline; filename="process-map-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    return response


# --- one process: turtle and detail ---------------------------------------------------------


@dataclass
class ProcessLinks:
    """Everything linked to one process, read in a fixed number of queries."""

    feeds: list[Process]
    fed_by: list[Process]
    risks: list  # risks.Risk, reached through the reverse relation (risks sit above system)
    objectives: list[Objective]
    responsibilities: list[Responsibility]
    requirements: list


def process_links(process: Process, user) -> ProcessLinks:
    """Hand-overs in and out, risks, objectives, responsibilities with their RACI cells and
    linked requirements of `process`, as far as `user` may see them (seven queries). Each row
    gets its page's address as `url`."""
    links = ProcessLinks(
        feeds=list(scope(Process.objects.filter(fed_by=process), user).order_by("code")),
        fed_by=list(scope(Process.objects.filter(feeds=process), user).order_by("code")),
        risks=list(scope(process.risks.all(), user).order_by("code")),
        objectives=list(
            scope(Objective.objects.filter(process=process), user)
            .select_related("owner")
            .order_by("due_date", "title")
        ),
        responsibilities=list(
            scope(Responsibility.objects.filter(process=process), user)
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=RaciAssignment.objects.select_related("user").order_by(
                        "letter", "role", "user__full_name"
                    ),
                )
            )
            .order_by("activity")
        ),
        requirements=list(
            process.requirements.select_related("standard").order_by("standard__name", "sort_key")
        ),
    )
    for slug, rows in (
        ("processes", links.feeds + links.fed_by),
        ("risks", links.risks),
        ("objectives", links.objectives),
        ("responsibilities", links.responsibilities),
    ):
        for row in rows:
            row.url = register_url(slug, row.pk)  # type: ignore[union-attr]  # for the template
    return links


def _process(request, pk: int) -> Process:
    return scoped_or_404(
        Process.objects.filter(organization=request.organization).select_related("owner"),
        request.user,
        pk=pk,
    )


@member_required
def process_turtle(request, pk: int):
    """The turtle diagram of one process: inputs, outputs, with what, with whom, how, how
    measured, and its risks."""
    process = _process(request, pk)
    links = process_links(process, request.user)
    return render(
        request,
        "system/turtle.html",
        {
            "process": process,
            "process_url": register_url("processes", process.pk),
            "links": links,
            "inputs": _lines(process.inputs),
            "outputs": _lines(process.outputs),
            "resources": _lines(process.resources),
            "competence": _lines(process.competence),
            "methods": _lines(process.methods),
            "kpis": _lines(process.kpis),
        },
    )


def process_detail_context(request, process: Process) -> dict[str, Any]:
    """The extra part of the generic process page (`system/_process_detail.html`): hand-overs
    in and out, risks, objectives, responsibilities, and links to the turtle and the map."""
    return {
        "links": process_links(process, request.user),
        "turtle_url": reverse("workspace:process-turtle", args=[process.pk]),
        "map_url": reverse("workspace:process-map"),
        "raci_url": reverse("workspace:raci") + f"?process={process.pk}",
    }


# --- RACI -----------------------------------------------------------------------------------


def _parse_party(organization, key: str) -> raci.Party | None:
    """A party from its key (`role:<name>` or `user:<id>`); None when malformed or when the
    person is not a member (the service says why on a save)."""
    kind, _, value = (key or "").partition(":")
    if kind == "role" and value.strip():
        return raci.Party(role=value.strip()[: raci.ROLE_MAX])
    if kind == "user" and value.isdigit():
        user = User.objects.filter(pk=int(value), memberships__organization=organization).first()
        return raci.Party(user=user) if user else None
    return None


def _members(organization):
    return User.objects.filter(memberships__organization=organization, is_active=True).order_by(
        "full_name", "email"
    )


def _raci_context(request) -> dict[str, Any]:
    org = request.organization
    require_page(request, "view", Responsibility, organization=org)
    process = None
    process_id = request.GET.get("process", "")
    if process_id.isdigit():
        process = (
            scope(Process.objects.filter(organization=org), request.user)
            .filter(pk=int(process_id))
            .first()
        )
    keys = request.GET.getlist("col")
    if request.GET.get("add_role", "").strip():
        keys.append("role:" + request.GET["add_role"].strip())
    if request.GET.get("add_user", "").isdigit():
        keys.append("user:" + request.GET["add_user"])
    added = [p for p in (_parse_party(org, k) for k in dict.fromkeys(keys)) if p]
    grid = raci.matrix(org, process, user=request.user, extra_parties=added)
    can_change = may(request.user, "change", Responsibility, organization=org)
    used_keys = {p.key for p in grid.columns}
    return {
        "grid": grid,
        "process": process,
        "processes": scope(Process.objects.filter(organization=org), request.user).order_by("code"),
        "can_change": can_change,
        "letters": raci.LETTER_LABELS,
        "added": list(dict.fromkeys(p.key for p in added)),
        "members": [u for u in _members(org) if f"user:{u.pk}" not in used_keys]
        if can_change
        else [],
        "roles": raci.roles_in_use(org) if can_change else [],
        "query": urlencode(
            ([("process", process.pk)] if process else []) + [("col", p.key) for p in added]
        ),
    }


@member_required
def raci_page(request):
    """The RACI grid: editable cell by cell for those who may change responsibilities."""
    return render(request, "system/raci.html", _raci_context(request))


@member_required
def raci_xlsx(request):
    """The grid as a workbook: coloured letters, frozen headers."""
    context = _raci_context(request)
    response = HttpResponse(
        raci_xlsx_bytes(context["grid"], organization=request.organization),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="raci-{timezone.localdate():%Y-%m-%d}.xlsx"'
    )
    return response


def _cell_response(request, responsibility, party, *, error: str = "", status: int = 200):
    row = raci.row_of(responsibility)
    return render(
        request,
        "system/_raci_cell.html",
        {
            "row": row,
            "party": party,
            "letter": row.cells.get(party.key, "") if party else "",
            "error": error,
            "can_change": True,
            "letters": raci.LETTER_LABELS,
            "oob": True,
        },
        status=status,
    )


@member_required
@require_POST
def raci_cell(request):
    """Save one cell (htmx): answers the cell drawn again, with the row's problems out of band.
    A refused save answers the cell as it is with the reason (422; the page's htmx settings
    swap it in)."""
    org = request.organization
    pk = request.POST.get("responsibility", "")
    if not pk.isdigit():
        raise Http404("No such responsibility.")
    responsibility = scoped_or_404(
        Responsibility.objects.filter(organization=org).select_related("organization"),
        request.user,
        pk=int(pk),
    )
    require_page(request, "change", responsibility)
    party = _parse_party(org, request.POST.get("party", ""))
    error = ""
    if party is None:
        error = "Choose a named role or a member of this organization."
    else:
        try:
            raci.set_assignment(
                responsibility,
                party_role=party.role,
                party_user=party.user,
                letter=request.POST.get("letter") or None,
                actor=request.user,
            )
        except ServiceError as exc:
            error = (
                "; ".join(e.message for e in exc.errors)
                if isinstance(exc, ValidationFailed)
                else exc.message
            )
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(request.POST.get("next") or reverse("workspace:raci"))
    return _cell_response(request, responsibility, party, error=error, status=422 if error else 200)


class RenameRoleForm(StyledFormMixin, forms.Form):
    old = forms.CharField(label="Role", max_length=100)
    new = forms.CharField(label="New name", max_length=200)


@member_required
@require_POST
def raci_rename(request):
    """Rename a named role in every cell of the grid."""
    org = request.organization
    require_page(request, "change", Responsibility, organization=org)
    form = RenameRoleForm(request.POST)
    if form.is_valid():
        try:
            count = raci.rename_role(
                org, form.cleaned_data["old"], form.cleaned_data["new"], actor=request.user
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Role renamed in {count} cell(s).")
    else:
        messages.error(
            request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        )
    return redirect(reverse("workspace:raci"))
