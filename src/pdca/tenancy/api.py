"""API of organizations, sites and memberships: thin endpoints over the tenancy services."""

import datetime as dt
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.activity_api import ActivityOut
from pdca.core.api import Input, Page, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import role_in, scope
from pdca.core.roles import Role
from pdca.core.selectors import history_of
from pdca.core.validation import TEXT_MAX_LENGTH
from pdca.tenancy import services
from pdca.tenancy.invitations import api as invitations_api
from pdca.tenancy.models import Membership, Organization, Site
from pdca.tenancy.selectors import members_for, organizations_for, sites_for

router = Router()
# People join by invitation (there is no POST /memberships/): see invitations_api.
router.add_router("/", invitations_api.router)

# --- organizations ------------------------------------------------------------------------


class OrganizationOut(Schema):
    id: int
    slug: str
    name: str
    kind: Organization.Kind
    legal_name: str
    country: str
    description: str
    role: str | None = Field(None, description="Your role in this organization")
    created_at: dt.datetime


class OrganizationCreate(Input):
    name: str = Field(min_length=1, max_length=200)
    kind: Organization.Kind = Organization.Kind.ORGANIZATION
    slug: str | None = Field(None, max_length=50, pattern=r"^[a-z0-9-]{1,50}$")
    legal_name: str = Field("", max_length=200)
    country: str = Field("", max_length=2)
    description: str = Field("", max_length=TEXT_MAX_LENGTH)
    first_admin_email: str | None = Field(
        None,
        max_length=254,
        description="Existing user who becomes the first administrator (default: you)",
    )


class OrganizationUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    legal_name: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=2)
    description: str | None = Field(None, max_length=TEXT_MAX_LENGTH)


def _org_out(org: Organization, user) -> OrganizationOut:
    out = OrganizationOut.model_validate(org, from_attributes=True)
    out.role = role_in(user, org)
    return out


def _get_org(user, slug: str) -> Organization:
    return get_object_or_404(scope(Organization.objects.all(), user), slug=slug)


@router.get("/organizations/", response=responses(list[OrganizationOut]), tags=["organizations"])
@paginate(Page)
def list_organizations(request):
    """The organizations you are a member of."""
    return [_org_out(o, request.auth) for o in organizations_for(request.auth)]


@router.post("/organizations/", response=responses(OrganizationOut, 201), tags=["organizations"])
def create_organization(request, payload: OrganizationCreate):
    """Create an organization (platform administrators only)."""
    from pdca.accounts.models import User

    data = payload.model_dump(exclude={"first_admin_email"})
    first_admin = None
    if payload.first_admin_email:
        first_admin = get_object_or_404(User, email__iexact=payload.first_admin_email)
    org = services.create_organization(actor=request.auth, first_admin=first_admin, **data)
    return Status(201, _org_out(org, request.auth))


@router.get("/organizations/{slug}/", response=responses(OrganizationOut), tags=["organizations"])
def get_organization(request, slug: str):
    return _org_out(announce(_get_org(request.auth, slug)), request.auth)


@router.patch("/organizations/{slug}/", response=responses(OrganizationOut), tags=["organizations"])
def update_organization(request, slug: str, payload: OrganizationUpdate):
    org = _get_org(request.auth, slug)
    org = services.update_organization(
        org, actor=request.auth, **payload.model_dump(exclude_unset=True)
    )
    return _org_out(org, request.auth)


@router.get(
    "/organizations/{slug}/history/",
    response=responses(list[ActivityOut]),
    tags=["organizations"],
)
@paginate(Page)
def organization_history(request, slug: str):
    return history_of(_get_org(request.auth, slug), request.auth)


# --- sites --------------------------------------------------------------------------------


class SiteOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    name: str
    code: str
    address: str
    city: str
    country: str
    headcount: int | None
    is_headquarters: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class SiteCreate(Input):
    organization: str = Field(
        max_length=60, description="Slug of the organization the site belongs to"
    )
    name: str = Field(min_length=1, max_length=200)
    code: str = Field("", max_length=30)
    address: str = Field("", max_length=TEXT_MAX_LENGTH)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    headcount: int | None = Field(None, ge=0, le=10_000_000)
    is_headquarters: bool = False
    notes: str = Field("", max_length=TEXT_MAX_LENGTH)


class SiteUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    code: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=TEXT_MAX_LENGTH)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2)
    headcount: int | None = Field(None, ge=0, le=10_000_000)
    is_headquarters: bool | None = None
    notes: str | None = Field(None, max_length=TEXT_MAX_LENGTH)


class SiteFilter(FilterSchema):
    organization: Annotated[str | None, FilterLookup("organization__slug")] = None
    q: Annotated[
        str | None, FilterLookup(["name__icontains", "code__icontains", "city__icontains"])
    ] = Field(None, description="Text in name, code or city")
    country: Annotated[str | None, FilterLookup("country__iexact")] = None


def _site(request, site_id: int) -> Site:
    return get_object_or_404(sites_for(request.auth).select_related("organization"), pk=site_id)


@router.get("/sites/", response=responses(list[SiteOut]), tags=["sites"])
@paginate(Page)
def list_sites(request, filters: Query[SiteFilter]):
    return filters.filter(sites_for(request.auth).select_related("organization"))


@router.post("/sites/", response=responses(SiteOut, 201), tags=["sites"])
def create_site(request, payload: SiteCreate):
    org = _get_org(request.auth, payload.organization)
    site = services.create_site(
        org, actor=request.auth, **payload.model_dump(exclude={"organization"})
    )
    return Status(201, site)


@router.get("/sites/{site_id}/", response=responses(SiteOut), tags=["sites"])
def get_site(request, site_id: int):
    return announce(_site(request, site_id))


@router.patch("/sites/{site_id}/", response=responses(SiteOut), tags=["sites"])
def update_site(request, site_id: int, payload: SiteUpdate):
    site = _site(request, site_id)
    return services.update_site(site, actor=request.auth, **payload.model_dump(exclude_unset=True))


@router.delete("/sites/{site_id}/", response=responses(None, 204), tags=["sites"])
def delete_site(request, site_id: int):
    services.delete_site(_site(request, site_id), actor=request.auth)
    return Status(204, None)


@router.get("/sites/{site_id}/history/", response=responses(list[ActivityOut]), tags=["sites"])
@paginate(Page)
def site_history(request, site_id: int):
    return history_of(_site(request, site_id), request.auth)


# --- memberships --------------------------------------------------------------------------


class MembershipOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    email: str = Field(alias="user.email")
    full_name: str = Field(alias="user.full_name")
    role: Role
    job_title: str
    team: str
    site: int | None = Field(None, alias="site_id")
    created_at: dt.datetime


class MembershipUpdate(Input):
    role: Role | None = None
    job_title: str | None = Field(None, max_length=150)
    team: str | None = Field(None, max_length=100)
    site: int | None = Field(None, description="A site id of the organization; 0 clears it")


class MembershipFilter(FilterSchema):
    organization: Annotated[str | None, FilterLookup("organization__slug")] = None
    role: Annotated[Role | None, FilterLookup("role")] = None
    q: Annotated[
        str | None, FilterLookup(["user__email__icontains", "user__full_name__icontains"])
    ] = None


def _membership(request, membership_id: int) -> Membership:
    return get_object_or_404(members_for(request.auth), pk=membership_id)


@router.get("/memberships/", response=responses(list[MembershipOut]), tags=["memberships"])
@paginate(Page)
def list_memberships(request, filters: Query[MembershipFilter]):
    return filters.filter(members_for(request.auth))


@router.get(
    "/memberships/{membership_id}/", response=responses(MembershipOut), tags=["memberships"]
)
def get_membership(request, membership_id: int):
    return announce(_membership(request, membership_id))


@router.patch(
    "/memberships/{membership_id}/", response=responses(MembershipOut), tags=["memberships"]
)
def update_membership(request, membership_id: int, payload: MembershipUpdate):
    membership = _membership(request, membership_id)
    site: Site | Literal[False] | None = False
    if payload.site == 0:
        site = None
    elif payload.site is not None:
        site = Site.objects.filter(
            organization_id=membership.organization_id, pk=payload.site
        ).first()
        if site is None:
            raise ValidationFailed.single("site", "No such site in this organization.")
    return services.change_member_role(
        membership,
        role=payload.role or membership.role,
        job_title=payload.job_title,
        team=payload.team,
        site=site,
        actor=request.auth,
    )


@router.delete("/memberships/{membership_id}/", response=responses(None, 204), tags=["memberships"])
def delete_membership(request, membership_id: int):
    services.remove_member(_membership(request, membership_id), actor=request.auth)
    return Status(204, None)


@router.get(
    "/memberships/{membership_id}/history/",
    response=responses(list[ActivityOut]),
    tags=["memberships"],
)
@paginate(Page)
def membership_history(request, membership_id: int):
    return history_of(_membership(request, membership_id), request.auth)
