"""Read-side queries for organizations, sites and members, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from pdca.accounts.models import User
from pdca.core.permissions import memberships, scope
from pdca.tenancy.models import Invitation, Membership, Organization, Site


def roles_by_organization(user: User) -> dict[int, str]:
    """{organization id: role} of the user's memberships in active organizations (one query;
    core's permission layer asks this once per request)."""
    return dict(
        Membership.objects.filter(user=user, organization__is_active=True).values_list(
            "organization_id", "role"
        )
    )


def organizations_for(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=list(memberships(user)), is_active=True)


def sites_for(user: User, organization: Organization | None = None) -> QuerySet[Site]:
    qs = scope(Site.objects.all(), user)
    return qs.filter(organization=organization) if organization is not None else qs


def members_for(user: User, organization: Organization | None = None) -> QuerySet[Membership]:
    qs = scope(Membership.objects.select_related("user", "organization"), user)
    return qs.filter(organization=organization) if organization is not None else qs


def pending_invitations(user: User, organization: Organization) -> QuerySet[Invitation]:
    """The organization's unanswered invitations (expired ones too, to resend or revoke)."""
    qs = scope(Invitation.objects.select_related("invited_by"), user)
    return qs.filter(organization=organization, status=Invitation.Status.PENDING)
