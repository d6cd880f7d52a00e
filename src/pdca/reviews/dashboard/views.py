"""The top-management dashboard page and its PDF: one management system of the organization
being worked in (`?system=<id>`, the first by name otherwise), for every role that reads
management reviews. Another organization's system does not exist here (404). Thin: the
figures come from `figures.dashboard_for`."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from pdca.core.views import file_response, member_required, require_page
from pdca.reviews.dashboard.charts import charts
from pdca.reviews.dashboard.figures import Dashboard, dashboard_for
from pdca.reviews.dashboard.pdf import dashboard_pdf, filename
from pdca.reviews.models import ManagementReview
from pdca.reviews.selectors import chosen_system, visible_systems
from pdca.system.models import ManagementSystem
from pdca.tenancy.middleware import MemberRequest


def _systems(request: MemberRequest) -> tuple[list[ManagementSystem], ManagementSystem | None]:
    """The organization's systems the user sees, and the one asked for (None when there is
    none); 404 for a system that is not one of them."""
    organization = request.organization
    require_page(request, "view", ManagementReview, organization=organization)
    systems = list(visible_systems(request.user, organization))
    try:
        return systems, chosen_system(systems, request.GET.get("system"))
    except LookupError:
        raise Http404("No such management system.") from None


def _figures(request: MemberRequest, system: ManagementSystem) -> Dashboard:
    return dashboard_for(system, user=request.user)


@member_required
def dashboard(request: MemberRequest) -> HttpResponse:
    """Each tile's figures, linked to its register, with the trends of twelve months."""
    systems, system = _systems(request)
    if system is None:
        return render(request, "reviews/dashboard.html", {"systems": [], "system": None})
    figures = _figures(request, system)
    return render(
        request,
        "reviews/dashboard.html",
        {
            "systems": systems,
            "system": system,
            "d": figures,
            **charts(figures),
            "pdf_url": f"{reverse('reviews:dashboard-pdf')}?system={system.pk}",
        },
    )


@member_required
def dashboard_pdf_view(request: MemberRequest) -> HttpResponse:
    """The same figures as an A4 PDF."""
    _, system = _systems(request)
    if system is None:
        raise Http404("The organization has no management system yet.")
    figures = _figures(request, system)
    return file_response(dashboard_pdf(figures), "application/pdf", filename(figures))
