"""API of management systems: the standards they adopt (and drop), their scope, sites and
exclusions. Thin endpoints over pdca.system.services."""

import datetime as dt
from typing import Annotated, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.accounts.models import User
from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Text, omitted, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import require, scope, visible_organization_ids
from pdca.core.selectors import history_of
from pdca.core.validation import TEXT_MAX_LENGTH
from pdca.standards.models import Requirement, Standard
from pdca.system import hooks, services
from pdca.system.models import AdoptedStandard, Exclusion, ManagementSystem
from pdca.tenancy.models import Organization, Site
from pdca.tenancy.selectors import sites_for

router = Router()


# --- schemas ------------------------------------------------------------------------------


class AdoptionOut(Schema):
    standard: str = Field(alias="standard.code", description="Standard code")
    name: str = Field(description="Standard name and edition, e.g. ISO 14001:2015")
    adopted_on: dt.date
    dropped_on: dt.date | None = Field(description="Set once dropped; the row stays as history")
    active: bool

    @staticmethod
    def resolve_name(obj: AdoptedStandard) -> str:
        return str(obj.standard)


class SiteRef(Schema):
    id: int
    name: str


class SystemOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    name: str
    status: ManagementSystem.Status
    standards: list[str] = Field(description="Codes of the standards the system follows now")
    scope_statement: str
    boundaries: str
    sites: list[int] = Field(description="Ids of the sites in scope")
    owner: str | None = Field(description="E-mail of the owner")
    certification_target_date: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_standards(obj: ManagementSystem) -> list[str]:
        return [a.standard.code for a in obj.adoptions.all() if a.dropped_on is None]

    @staticmethod
    def resolve_sites(obj: ManagementSystem) -> list[int]:
        return [s.pk for s in obj.sites.all()]

    @staticmethod
    def resolve_owner(obj: ManagementSystem) -> str | None:
        return obj.owner.email if obj.owner else None


class ScoreOut(Schema):
    """A readiness score (gap assessments compute it; the system shows it too)."""

    percent: float | None = Field(description="Readiness in percent, null when nothing applies")
    applicable: int
    points: float
    counts: dict[str, int] = Field(description="Items by status")


class StandardReadinessOut(ScoreOut):
    standard: str
    name: str


class AssessmentRef(Schema):
    id: int
    title: str
    started_on: dt.date


class SystemDetail(SystemOut):
    adoptions: list[AdoptionOut] = Field(description="Every standard ever adopted, dropped too")
    site_list: list[SiteRef] = Field(description="The sites in scope")
    exclusion_count: int
    assessment: AssessmentRef | None = Field(description="The latest open gap assessment")
    readiness: list[StandardReadinessOut] = Field(
        description="Readiness per active standard in the latest open assessment"
    )


class SystemCreate(Input):
    organization: Text = Field(max_length=60, description="Organization slug")
    name: Text = Field(min_length=1, max_length=200)
    standards: list[Annotated[Text, Field(max_length=40)]] = Field(
        [], max_length=50, description="Standard codes to adopt"
    )
    scope_statement: Text = Field("", max_length=TEXT_MAX_LENGTH)
    boundaries: Text = Field("", max_length=TEXT_MAX_LENGTH)
    sites: list[Id] = Field([], max_length=1000, description="Ids of the sites in scope")
    owner: Text | None = Field(None, max_length=254, description="E-mail of the owner")
    status: ManagementSystem.Status = ManagementSystem.Status.PLANNING
    certification_target_date: dt.date | None = None


class SystemUpdate(Input):
    # Fields that cannot be empty default to None (left alone) but refuse an explicit null.
    name: Text = omitted(min_length=1, max_length=200)
    scope_statement: Text = omitted(max_length=TEXT_MAX_LENGTH)
    boundaries: Text = omitted(max_length=TEXT_MAX_LENGTH)
    sites: list[Id] = omitted(max_length=1000, description="Ids of the sites in scope")
    owner: Text | None = Field(None, max_length=254, description="E-mail of the owner, or null")
    status: ManagementSystem.Status = omitted()
    certification_target_date: dt.date | None = None


class SystemFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    status: ManagementSystem.Status | None = None
    q: Text | None = Field(None, max_length=200, description="Text in the name or scope")


class AdoptionCreate(Input):
    standard: Text = Field(min_length=1, max_length=60, description="Standard code")


class SystemRequirementRef(Schema):
    id: int
    standard: str = Field(alias="standard.code")
    number: str
    title: str


class ExclusionOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    system: int = Field(alias="system_id")
    requirement: SystemRequirementRef
    justification: str
    created_at: dt.datetime


class ExclusionCreate(Input):
    requirement: Id | None = Field(None, description="Requirement id (or standard and number)")
    standard: Text | None = Field(None, max_length=60, description="Standard code")
    number: Text | None = Field(None, max_length=30, description="Requirement number, e.g. 8.3")
    justification: Text = Field(max_length=10_000)


class ExclusionCreateFor(ExclusionCreate):
    system: Id = Field(description="Management system id")


class ExclusionFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    system: Id | None = Field(None, description="Management system id")


# --- lookups ------------------------------------------------------------------------------


def _adoptions() -> Prefetch:
    return Prefetch(
        "adoptions",
        queryset=AdoptedStandard.objects.select_related("standard").order_by(
            "standard__name", "standard__edition"
        ),
    )


def _systems(user) -> QuerySet[ManagementSystem]:
    return scope(
        ManagementSystem.objects.select_related("organization", "owner").prefetch_related(
            _adoptions(), "sites"
        ),
        user,
    )


def _system(request, system_id: int) -> ManagementSystem:
    return get_object_or_404(_systems(request.auth), pk=system_id)


def _system_of_member(request, system_id: int) -> ManagementSystem:
    """A system of one of the user's organizations, for writes: a member without the right
    gets 403 from the service, someone of another organization 404."""
    return get_object_or_404(
        ManagementSystem.objects.filter(organization_id__in=visible_organization_ids(request.auth)),
        pk=system_id,
    )


def _member(organization, email: str | None) -> User | None:
    if email is None:
        return None
    user = User.objects.filter(
        email__iexact=email.strip(), is_active=True, memberships__organization=organization
    ).first()
    if user is None:
        raise ValidationFailed.single("owner", f"{email} is not a member of {organization}.")
    return user


def _standards(codes: list[str], field: str = "standards") -> list[Standard]:
    found = {s.code: s for s in Standard.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationFailed.single(field, f"Unknown standard: {', '.join(unknown)}.")
    return [found[c] for c in dict.fromkeys(codes)]


def _sites(user, organization, ids: list[int]) -> list[Site]:
    found = list(sites_for(user, organization).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationFailed.single("sites", "Choose sites of this organization.")
    return found


def _exclusions(user) -> QuerySet[Exclusion]:
    return scope(
        Exclusion.objects.select_related("organization", "requirement__standard"), user
    ).order_by("system_id", "requirement__standard__name", "requirement__sort_key")


def _requirement(payload: ExclusionCreate) -> Requirement:
    qs = Requirement.objects.select_related("standard")
    if payload.requirement is not None:
        found = qs.filter(pk=payload.requirement).first()
    elif payload.standard and payload.number:
        found = qs.filter(standard__code=payload.standard, number=payload.number).first()
    else:
        raise ValidationFailed.single(
            "requirement", "Give the requirement id, or the standard code and the number."
        )
    if found is None:
        raise ValidationFailed.single("requirement", "No such requirement.")
    return found


def _detail(system: ManagementSystem) -> ManagementSystem:
    """The system with its adoptions, sites, exclusion count and readiness: a fixed number of
    queries, whatever the number of standards or items."""
    active = [a.standard for a in system.adoptions.all() if a.dropped_on is None]
    assessment, readiness = hooks.readiness_summary.call(system, active)
    shown: Any = system  # with what SystemOut reads besides its fields
    shown.site_list = list(system.sites.all())
    shown.assessment = assessment
    shown.readiness = readiness
    return system


def _fetch_detail(request, system_id: int) -> ManagementSystem:
    system = get_object_or_404(
        _systems(request.auth).annotate(exclusion_count=Count("exclusions")), pk=system_id
    )
    return _detail(system)


# --- systems ------------------------------------------------------------------------------


@router.get("/systems/", response=responses(list[SystemOut]), tags=["systems"])
@paginate(Page)
def list_systems(request, filters: Query[SystemFilter]):
    """The management systems of your organizations."""
    qs = _systems(request.auth)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(scope_statement__icontains=filters.q))
    return qs


@router.post("/systems/", response=responses(SystemDetail, 201), tags=["systems"])
def create_system(request, payload: SystemCreate):
    """Create a management system adopting the given standards as one integrated system."""
    org = get_object_or_404(
        scope(Organization.objects.all(), request.auth), slug=payload.organization
    )
    require(request.auth, "add", ManagementSystem, organization=org)
    data = payload.model_dump(exclude={"organization", "standards", "sites", "owner"})
    system = services.create_system(
        org,
        standards=_standards(payload.standards),
        sites=_sites(request.auth, org, payload.sites),
        owner=_member(org, payload.owner),
        actor=request.auth,
        **data,
    )
    return Status(201, _fetch_detail(request, system.pk))


@router.get("/systems/{system_id}/", response=responses(SystemDetail), tags=["systems"])
def get_system(request, system_id: int):
    """The system with its standards (dropped ones too), sites, exclusions and readiness."""
    return announce(_fetch_detail(request, system_id))


@router.patch("/systems/{system_id}/", response=responses(SystemDetail), tags=["systems"])
def update_system(request, system_id: int, payload: SystemUpdate):
    system = _system(request, system_id)
    require(request.auth, "change", system)
    data = payload.model_dump(exclude_unset=True)
    if "sites" in data:
        data["sites"] = _sites(request.auth, system.organization, data["sites"] or [])
    if "owner" in data:
        data["owner"] = _member(system.organization, data["owner"])
    services.update_system(system, actor=request.auth, **data)
    return _fetch_detail(request, system.pk)


@router.get(
    "/systems/{system_id}/history/", response=responses(list[ActivityOut]), tags=["systems"]
)
@paginate(Page)
def system_history(request, system_id: int):
    return history_of(_system(request, system_id), request.auth)


# --- adopted standards --------------------------------------------------------------------


@router.get(
    "/systems/{system_id}/standards/", response=responses(list[AdoptionOut]), tags=["systems"]
)
def list_adoptions(request, system_id: int):
    """Every standard the system adopted, with the dates; dropped ones stay as history."""
    return list(_system(request, system_id).adoptions.all())


@router.post(
    "/systems/{system_id}/standards/", response=responses(AdoptionOut, 201), tags=["systems"]
)
def adopt_standard(request, system_id: int, payload: AdoptionCreate):
    """Adopt a standard; open gap assessments gain its requirements (409 if adopted already)."""
    system = _system(request, system_id)
    require(request.auth, "change", system)
    (standard,) = _standards([payload.standard], field="standard")
    return Status(201, services.adopt_standard(system, standard, actor=request.auth))


@router.delete(
    "/systems/{system_id}/standards/{code}/", response=responses(AdoptionOut), tags=["systems"]
)
def drop_standard(request, system_id: int, code: str):
    """Drop a standard: the adoption stays with its dates, and assessment items stay too."""
    system = _system(request, system_id)
    standard = get_object_or_404(Standard, code=code)
    return services.drop_standard(system, standard, actor=request.auth)


# --- exclusions ---------------------------------------------------------------------------


def _create_exclusion(request, system: ManagementSystem, payload: ExclusionCreate):
    require(request.auth, "change", system)
    exclusion = services.add_exclusion(
        system,
        _requirement(payload),
        justification=payload.justification,
        actor=request.auth,
    )
    return Status(201, _exclusions(request.auth).get(pk=exclusion.pk))


@router.get(
    "/systems/{system_id}/exclusions/",
    response=responses(list[ExclusionOut]),
    tags=["exclusions"],
)
@paginate(Page)
def list_system_exclusions(request, system_id: int):
    """Requirements the system declares not applicable, with their justifications."""
    return _exclusions(request.auth).filter(system=_system(request, system_id))


@router.post(
    "/systems/{system_id}/exclusions/",
    response=responses(ExclusionOut, 201),
    tags=["exclusions"],
)
def create_system_exclusion(request, system_id: int, payload: ExclusionCreate):
    """Declare a requirement not applicable; open assessments mark its items so."""
    return _create_exclusion(request, _system_of_member(request, system_id), payload)


@router.get("/exclusions/", response=responses(list[ExclusionOut]), tags=["exclusions"])
@paginate(Page)
def list_exclusions(request, filters: Query[ExclusionFilter]):
    """Exclusions of every system you may see."""
    qs = _exclusions(request.auth)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    if filters.system is not None:
        qs = qs.filter(system_id=filters.system)
    return qs


@router.post("/exclusions/", response=responses(ExclusionOut, 201), tags=["exclusions"])
def create_exclusion(request, payload: ExclusionCreateFor):
    """The same as POST /systems/{id}/exclusions/, naming the system in the body."""
    return _create_exclusion(request, _system_of_member(request, payload.system), payload)


@router.get("/exclusions/{exclusion_id}/", response=responses(ExclusionOut), tags=["exclusions"])
def get_exclusion(request, exclusion_id: int):
    return get_object_or_404(_exclusions(request.auth), pk=exclusion_id)


@router.delete("/exclusions/{exclusion_id}/", response=responses(None, 204), tags=["exclusions"])
def delete_exclusion(request, exclusion_id: int):
    exclusion = get_object_or_404(
        _exclusions(request.auth).select_related("system"), pk=exclusion_id
    )
    services.remove_exclusion(exclusion, actor=request.auth)
    return Status(204, None)
