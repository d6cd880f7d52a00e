"""Pages of the management system: the organization's systems, a system's home (readiness at a
glance, standards, scope, exclusions, assessments, history), its form, adopting and dropping
standards, and exclusions. Thin: the services in `pdca.system.services` hold every rule."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pdca.core.exceptions import ServiceError
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    member_required,
    object_for_page,
    paginate,
    require_page,
    scoped_or_404,
)
from pdca.standards.models import Standard
from pdca.system import hooks, services
from pdca.system.forms import AdoptForm, ExclusionForm, SystemForm
from pdca.system.models import AdoptedStandard, Exclusion, ManagementSystem


def _system(request, pk: int, action: str = "view") -> ManagementSystem:
    """The system `pk` of the current organization (404 otherwise), if the role allows
    `action` on it (403 otherwise)."""
    system = object_for_page(
        request,
        ManagementSystem.objects.filter(organization=request.organization).select_related("owner"),
        pk,
        action,
    )
    return system


# --- systems --------------------------------------------------------------------------------


@member_required
def system_list(request):
    org = request.organization
    require_page(request, "view", ManagementSystem, organization=org)
    systems = (
        scope(ManagementSystem.objects.filter(organization=org), request.user)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "adoptions",
                queryset=AdoptedStandard.objects.filter(dropped_on__isnull=True)
                .select_related("standard")
                .order_by("standard__name", "standard__edition"),
                to_attr="active_adoptions",
            )
        )
    )
    return render(
        request,
        "system/system_list.html",
        {
            "page": paginate(request, systems),
            "can_add": may(request.user, "add", ManagementSystem, organization=org),
        },
    )


@member_required
def system_create(request):
    org = request.organization
    require_page(request, "add", ManagementSystem, organization=org)
    form = SystemForm(request.POST or None, organization=org, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            system = services.create_system(
                org,
                actor=request.user,
                standards=list(data["standards"]),
                sites=list(data["sites"]),
                owner=data["owner"],
                **{name: data[name] for name in services.SYSTEM_FIELDS},
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Management system “{system.name}” created.")
            return redirect("system:system_detail", system.pk)
    return render(request, "system/system_form.html", {"form": form})


@member_required
def system_edit(request, pk: int):
    system = _system(request, pk, "change")
    form = SystemForm(
        request.POST or None,
        organization=request.organization,
        creating=False,
        initial=SystemForm.initial_for(system),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The service gets its own copy: a refused change must not show on this page's title.
        target = ManagementSystem.objects.get(pk=system.pk)
        try:
            services.update_system(
                target,
                actor=request.user,
                sites=list(data["sites"]),
                owner=data["owner"],
                **{name: data[name] for name in services.SYSTEM_FIELDS},
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Management system saved.")
            return redirect("system:system_detail", system.pk)
    return render(request, "system/system_form.html", {"form": form, "system": system})


@member_required
def system_detail(request, pk: int):
    """The system's home: readiness per standard at a glance, then everything that defines the
    system. The query count does not depend on the number of assessment items."""
    system = _system(request, pk)
    user = request.user
    adoptions = list(
        system.adoptions.select_related("standard").order_by("standard__name", "standard__edition")
    )
    active = [a for a in adoptions if a.active]
    standards = [a.standard for a in active]
    panel = hooks.readiness_panel.call(
        system, standards, user=user, organization=request.organization
    )
    can_change = may(user, "change", system)
    successors = {
        s.replaces_id: s
        for s in Standard.objects.filter(replaces__in=[a.standard for a in adoptions])
    }
    for adoption in adoptions:
        setattr(adoption, "next_edition", successors.get(adoption.standard_id))  # noqa: B010
    return render(
        request,
        "system/system_detail.html",
        {
            "system": system,
            "transitions": system.transitions.select_related("old_standard", "new_standard"),
            "active": active,
            "dropped": [a for a in adoptions if not a.active],
            # A new edition of an adopted standard is reached by moving to it, not adopting it.
            "adoptable": (
                Standard.objects.exclude(pk__in=[s.pk for s in standards])
                .exclude(replaces__in=standards)
                .order_by("name", "edition")
                if can_change
                else []
            ),
            "sites": system.sites.order_by("name"),
            "exclusions": system.exclusions.select_related("requirement__standard"),
            **panel,
            "can_change": can_change,
            "history": history_of(system, user)[:50],
        },
    )


# --- adopted standards ----------------------------------------------------------------------


@member_required
@require_POST
def standard_adopt(request, pk: int):
    system = _system(request, pk, "change")
    form = AdoptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a standard to adopt.")
        return redirect("system:system_detail", system.pk)
    standard = form.cleaned_data["standard"]
    try:
        services.adopt_standard(system, standard, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{standard} adopted; open assessments now include its requirements."
        )
    return redirect("system:system_detail", system.pk)


@member_required
def standard_drop(request, pk: int, adoption_pk: int):
    """Asks first (GET), drops on POST: the adoption stays as history, with its dates."""
    system = _system(request, pk, "change")
    adoption = scoped_or_404(
        AdoptedStandard.objects.filter(system=system, dropped_on__isnull=True).select_related(
            "standard"
        ),
        request.user,
        pk=adoption_pk,
    )
    detail = reverse("system:system_detail", args=[system.pk])
    if request.method == "POST":
        try:
            services.drop_standard(system, adoption.standard, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{adoption.standard} dropped; its history stays.")
        return redirect(detail)
    return render(
        request,
        "system/confirm.html",
        {
            "title": f"Drop {adoption.standard} from {system.name}?",
            "explanation": "The system stops following this standard: readiness leaves it "
            "out from now on. Its adoption dates and the assessment items already written "
            "for it stay, as history; it can be adopted again later.",
            "button": "Drop the standard",
            "cancel_href": detail,
        },
    )


# --- exclusions -----------------------------------------------------------------------------


@member_required
def exclusion_add(request, pk: int):
    require_page(request, "add", Exclusion, organization=request.organization)
    system = _system(request, pk, "change")
    form = ExclusionForm(request.POST or None, standards=services.active_standards(system))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exclusion = services.add_exclusion(
                system,
                data["requirement"],
                justification=data["justification"],
                actor=request.user,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{exclusion.requirement.label} excluded.")
            return redirect("system:system_detail", system.pk)
    return render(request, "system/exclusion_form.html", {"form": form, "system": system})


@member_required
def exclusion_remove(request, pk: int, exclusion_pk: int):
    system = _system(request, pk)
    exclusion = object_for_page(
        request,
        Exclusion.objects.filter(system=system).select_related("requirement__standard"),
        exclusion_pk,
        "delete",
    )
    detail = reverse("system:system_detail", args=[system.pk])
    if request.method == "POST":
        try:
            services.remove_exclusion(exclusion, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{exclusion.requirement.label} applies again.")
        return redirect(detail)
    return render(
        request,
        "system/confirm.html",
        {
            "title": f"Remove the exclusion of {exclusion.requirement.label}?",
            "explanation": "The requirement applies to the system again. Assessment items "
            "already marked not applicable keep that status until someone reassesses them.",
            "button": "Remove the exclusion",
            "cancel_href": detail,
        },
    )
