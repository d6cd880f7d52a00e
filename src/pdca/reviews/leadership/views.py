"""The leadership page: policy, commitments, representative, roles and authorities of one
management system (`?system=`, the first one by default). Thin: the reading is in
`selectors`."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from pdca.core.views import member_required, require_page
from pdca.reviews.leadership import selectors
from pdca.reviews.models import ManagementReview
from pdca.reviews.selectors import chosen_system, visible_systems


@member_required
def leadership(request):
    org = request.organization
    require_page(request, "view", ManagementReview, organization=org)
    systems = list(visible_systems(request.user, org).select_related("owner"))
    try:
        system = chosen_system(systems, request.GET.get("system"))
    except LookupError:
        raise Http404("No such management system.") from None
    return render(
        request,
        "reviews/leadership.html",
        {"data": selectors.leadership(request.user, org, system, systems)},
    )
