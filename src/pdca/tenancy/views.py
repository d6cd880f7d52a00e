"""Pages for the current organization: its profile, sites and members."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pdca.core.exceptions import ServiceError
from pdca.core.forms import field_of
from pdca.core.permissions import may, memberships
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    member_required,
    object_for_page,
    paginate,
    require_page,
    scoped_or_404,
)
from pdca.tenancy import services
from pdca.tenancy.forms import MemberRoleForm, OrganizationForm, SiteForm
from pdca.tenancy.middleware import SESSION_KEY
from pdca.tenancy.models import Invitation, Membership, Organization, Site
from pdca.tenancy.selectors import members_for, pending_invitations, sites_for


def _save(request, form, call, success: str, redirect_to):
    """Validate the form, call the service, and on refusal show its errors on the form."""
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    return None


@member_required
def organization_detail(request):
    org = request.organization
    return render(
        request,
        "tenancy/organization_detail.html",
        {
            "org": org,
            "site_count": sites_for(request.user, org).count(),
            "member_count": members_for(request.user, org).count(),
            "history": history_of(org, request.user)[:20],
            "can_edit": may(request.user, "change", org),
        },
    )


@member_required
def organization_edit(request):
    org = request.organization
    require_page(request, "change", org)
    # The form gets its own copy: validating writes into the instance, and the service must see
    # the stored values to record what changed.
    form = OrganizationForm(request.POST or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST":
        fields = OrganizationForm.Meta.fields
        response = _save(
            request,
            form,
            lambda data: services.update_organization(
                org, actor=request.user, **{k: data[k] for k in fields}
            ),
            "Organization saved.",
            "tenancy:organization",
        )
        if response:
            return response
    return render(request, "tenancy/organization_form.html", {"form": form, "org": org})


@login_required
@require_POST
def switch_organization(request):
    try:
        org_id = int(request.POST.get("organization", ""))
    except ValueError:
        raise Http404("No such organization.") from None
    if org_id not in memberships(request.user):
        raise Http404("No such organization.")
    request.session[SESSION_KEY] = org_id
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not next_url.startswith("/"):
        next_url = "/"
    return redirect(next_url)


# --- sites --------------------------------------------------------------------------------


@member_required
def site_list(request):
    require_page(request, "view", Site, organization=request.organization)
    sites = sites_for(request.user, request.organization)
    q = request.GET.get("q", "").strip()
    if q:
        sites = sites.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(city__icontains=q))
    return render(
        request,
        "tenancy/site_list.html",
        {
            "page": paginate(request, sites),
            "q": q,
            "can_add": may(request.user, "add", Site, organization=request.organization),
        },
    )


def _site(request, pk: int, action: str = "view") -> Site:
    site = scoped_or_404(
        Site.objects.filter(organization=request.organization), request.user, pk=pk
    )
    require_page(request, action, site)
    return site


@member_required
def site_detail(request, pk: int):
    site = _site(request, pk)
    return render(
        request,
        "tenancy/site_detail.html",
        {
            "site": site,
            "history": history_of(site, request.user)[:50],
            "can_change": may(request.user, "change", site),
            "can_delete": may(request.user, "delete", site),
        },
    )


@member_required
def site_create(request):
    require_page(request, "add", Site, organization=request.organization)
    form = SiteForm(request.POST or None)
    if request.method == "POST":
        response = _save(
            request,
            form,
            lambda data: services.create_site(request.organization, actor=request.user, **data),
            "Site added.",
            lambda site: reverse("tenancy:site_detail", args=[site.pk]),
        )
        if response:
            return response
    return render(request, "tenancy/site_form.html", {"form": form})


@member_required
def site_edit(request, pk: int):
    site = _site(request, pk, "change")
    form = SiteForm(request.POST or None, instance=Site.objects.get(pk=site.pk))  # a copy, as above
    if request.method == "POST":
        response = _save(
            request,
            form,
            lambda data: services.update_site(site, actor=request.user, **data),
            "Site saved.",
            lambda s: reverse("tenancy:site_detail", args=[s.pk]),
        )
        if response:
            return response
    return render(request, "tenancy/site_form.html", {"form": form, "site": site})


@member_required
def site_delete(request, pk: int):
    site = _site(request, pk, "delete")
    if request.method == "POST":
        try:
            services.delete_site(site, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("tenancy:site_detail", site.pk)
        messages.success(request, f"Site “{site.name}” deleted.")
        return redirect("tenancy:site_list")
    return render(
        request,
        "web/confirm_delete.html",
        {"object": site, "cancel_href": reverse("tenancy:site_detail", args=[site.pk])},
    )


# --- members ------------------------------------------------------------------------------


@member_required
def member_list(request):
    require_page(request, "view", Membership, organization=request.organization)
    members = members_for(request.user, request.organization)
    role = request.GET.get("role", "")
    if role:
        members = members.filter(role=role)
    can_invite = may(request.user, "add", Invitation, organization=request.organization)
    return render(
        request,
        "tenancy/member_list.html",
        {
            "page": paginate(request, members),
            "role": role,
            "roles": field_of(
                MemberRoleForm(organization=request.organization), "role", forms.ChoiceField
            ).choices,
            "can_manage": may(
                request.user, "change", Membership, organization=request.organization
            ),
            "can_invite": can_invite,
            "invitations": pending_invitations(request.user, request.organization)
            if can_invite
            else [],
        },
    )


def _member(request, pk: int, action: str) -> Membership:
    membership = object_for_page(
        request,
        Membership.objects.select_related("user", "organization").filter(
            organization=request.organization
        ),
        pk,
        action,
    )
    return membership


@member_required
def member_edit(request, pk: int):
    membership = _member(request, pk, "change")
    form = MemberRoleForm(
        request.POST or None,
        organization=request.organization,
        initial={
            "role": membership.role,
            "job_title": membership.job_title,
            "team": membership.team,
            "site": membership.site_id,
        },
    )
    if request.method == "POST":
        response = _save(
            request,
            form,
            lambda data: services.change_member_role(membership, actor=request.user, **data),
            "Member saved.",
            "tenancy:member_list",
        )
        if response:
            return response
    return render(
        request,
        "tenancy/member_form.html",
        {"form": form, "membership": membership, "history": history_of(membership, request.user)},
    )


@member_required
def member_remove(request, pk: int):
    membership = _member(request, pk, "delete")
    if request.method == "POST":
        try:
            services.remove_member(membership, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{membership.user} removed from {membership.organization}.")
        return redirect("tenancy:member_list")
    return render(
        request,
        "web/confirm_delete.html",
        {"object": membership, "cancel_href": reverse("tenancy:member_list")},
    )
