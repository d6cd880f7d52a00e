"""The leadership page: policy, commitments, representative, roles and authorities of one
management system (`?system=`, the first one by default). Thin: the reading is in
`selectors`."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from pdca.core.views import member_required, require_page
from pdca.reviews.leadership import selectors
from pdca.reviews.models import ManagementReview
from pdca.reviews.selectors import visible_systems


@member_required
def leadership(request):
    org = request.organization
    require_page(request, "view", ManagementReview, organization=org)
    systems = list(visible_systems(request.user, org).select_related("owner"))
    wanted = request.GET.get("system", "").strip()
    try:
        system = selectors.chosen_system(systems, int(wanted) if wanted else None)
    except (ValueError, LookupError):
        raise Http404("No such management system.") from None
    return render(
        request,
        "reviews/leadership.html",
        {"data": selectors.leadership(request.user, org, system, systems)},
    )
