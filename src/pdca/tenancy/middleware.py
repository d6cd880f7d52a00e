"""Which organization the signed-in person is working in (their choice, kept in the session)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

from pdca.core.context import channel
from pdca.core.permissions import memberships

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization


class OrganizationRequest(HttpRequest):
    """A request once this middleware has run (what pages read `organization` from)."""

    organization: Organization | None
    role: str | None


class MemberRequest(OrganizationRequest):
    """A request to a `member_required` page: signed in and working in an organization."""

    user: User
    organization: Organization


SESSION_KEY = "pdca_organization_id"


def current_organization_id(request: HttpRequest) -> int | None:
    roles = memberships(request.user)
    if not roles:
        return None
    chosen = request.session.get(SESSION_KEY)
    if chosen in roles:
        return chosen
    return min(roles)


class CurrentOrganizationMiddleware:
    """Sets `request.organization` and `request.role`, and marks writes as coming from the web."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: OrganizationRequest) -> HttpResponse:
        request.organization = None
        request.role = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            org_id = current_organization_id(request)
            if org_id is not None:
                from pdca.tenancy.models import Organization

                request.organization = Organization.objects.filter(pk=org_id).first()
                request.role = memberships(user).get(org_id)
        with channel("api" if request.path.startswith("/api/") else "web"):
            return self.get_response(request)
