"""API of Statements of Applicability: the SoAs, their lines (one per Annex A control), their
completeness, approval, and the approved versions. Thin endpoints over
pdca.risks.soa.services.

Lines and versions are reachable under their SoA (`/soa/{id}/lines/…`, `/soa/{id}/versions/…`)
and flat (`/soa-lines/…`, `/soa-versions/…`), which is handier for scripts that hold an id.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.accounts.models import User
from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Text, omitted, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import require, scope
from pdca.core.selectors import history_of
from pdca.risks.models import ControlApplicability, Risk, SoaVersion, StatementOfApplicability
from pdca.risks.soa import services
from pdca.standards.models import Standard
from pdca.system.models import ManagementSystem
from pdca.tenancy.models import Organization

router = Router(tags=["soa"])

Implementation = ControlApplicability.Implementation


# --- schemas ------------------------------------------------------------------------------


class CompletenessOut(Schema):
    total: int = Field(description="Lines in the SoA")
    decided: int = Field(description="Lines marked applicable or not applicable")
    justified: int = Field(description="Decided lines with a justification")
    undecided: int
    unjustified: int
    applicable: int
    excluded: int
    implemented: int
    missing: list[str] = Field(description="Numbers of the standard's controls without a line")
    percent: int = Field(description="Decided and justified lines, out of every control")
    complete: bool = Field(description="True when the SoA may be approved")
    problems: list[str]


class SoaOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    standard: str = Field(alias="standard.code")
    system: int | None = Field(alias="system_id")
    title: str
    lines: int = Field(alias="line_count", description="Lines in the SoA")
    decided: int = Field(alias="decided_count", description="Lines decided")
    latest_version: int | None = Field(alias="latest_number", description="Last approved")
    created_at: dt.datetime
    updated_at: dt.datetime


class SoaDetail(SoaOut):
    completeness: CompletenessOut


class SoaCreate(Input):
    organization: Text = Field(max_length=60, description="Organization slug")
    standard: Text = Field(max_length=60, description="Standard code, e.g. iso27001-2022")
    title: Text = Field("", max_length=200, description="Default: Statement of Applicability, …")
    system: Id | None = Field(None, description="Management system id")


class SoaUpdate(Input):
    title: Text = omitted(min_length=1, max_length=200)
    system: Id | None = Field(None, description="Management system id, or null")


class SoaFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    standard: Text | None = Field(None, max_length=60, description="Standard code")


class RiskRef(Schema):
    id: int
    code: str
    title: str


class LineOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    soa: int = Field(alias="soa_id")
    control: str = Field(alias="control.number")
    title: str = Field(alias="control.title")
    group: str | None = Field(description="Annex A group code, e.g. A.5")
    applicable: bool | None = Field(description="null until decided")
    justification: str
    implementation: Implementation
    owner: str | None = Field(description="E-mail of the owner")
    notes: str
    risks: list[RiskRef]
    updated_at: dt.datetime

    @staticmethod
    def resolve_group(obj: ControlApplicability) -> str | None:
        return obj.control.group.code if obj.control.group else None

    @staticmethod
    def resolve_owner(obj: ControlApplicability) -> str | None:
        return obj.owner.email if obj.owner else None

    @staticmethod
    def resolve_risks(obj: ControlApplicability) -> list[Risk]:
        return list(obj.risks.all())


class LineUpdate(Input):
    # Omitted fields are left alone; `applicable` and `owner` may be set to null.
    applicable: bool | None = Field(None, description="true, false, or null for undecided")
    justification: Text = omitted(max_length=10_000)
    implementation: Implementation = omitted()
    owner: Text | None = Field(None, max_length=254, description="E-mail of a member, or null")
    notes: Text = omitted(max_length=10_000)
    risks: list[Id] = omitted(max_length=500, description="Ids of the risks it treats")


class LineFilter(Schema):
    soa: Id | None = Field(None, description="SoA id (flat list only)")
    applicable: str | None = Field(
        None, pattern="^(yes|no|undecided)$", description="yes, no or undecided"
    )
    unjustified: bool = Field(False, description="Only decided lines without a justification")
    implementation: Implementation | None = None
    group: Text | None = Field(None, max_length=20, description="Annex A group code, e.g. A.7")
    q: Text | None = Field(None, max_length=200, description="Text in number, title or notes")


class SoaVersionOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    soa: int = Field(alias="soa_id")
    number: int
    approved_by: str = Field(alias="approved_by.email")
    approved_at: dt.datetime
    note: str
    sha256: str


class FrozenLine(Schema):
    control: str
    title: str
    group: str = ""
    applicable: bool | None
    justification: str
    implementation: str
    owner: str | None
    risks: list[str]
    notes: str = ""


class VersionDetail(SoaVersionOut):
    lines: list[FrozenLine]
    intact: bool = Field(description="The stored lines still match their SHA-256")

    @staticmethod
    def resolve_intact(obj: SoaVersion) -> bool:
        return services.version_intact(obj)


class ApproveIn(Input):
    note: Text = Field("", max_length=5_000, description="Why or how it was approved")


# --- lookups ------------------------------------------------------------------------------


def _soas(user) -> QuerySet[StatementOfApplicability]:
    from django.db.models import Max

    return scope(
        StatementOfApplicability.objects.select_related("organization", "standard").annotate(
            line_count=Count("lines", distinct=True),
            decided_count=Count("lines", filter=Q(lines__applicable__isnull=False), distinct=True),
            latest_number=Max("versions__number"),
        ),
        user,
    ).order_by("organization__name", "standard__name", "pk")


def _soa(request, soa_id: int) -> StatementOfApplicability:
    return get_object_or_404(_soas(request.auth), pk=soa_id)


def _detail(request, soa_id: int) -> StatementOfApplicability:
    soa = _soa(request, soa_id)
    shown: Any = soa  # with what the schema reads besides its fields
    shown.completeness = services.soa_completeness(soa).as_dict()
    return soa


def _lines(user) -> QuerySet[ControlApplicability]:
    return scope(
        ControlApplicability.objects.select_related(
            "organization", "control__group", "owner"
        ).prefetch_related("risks"),
        user,
    ).order_by("soa_id", "control__sort_key")


def _line(request, line_id: int, soa_id: int | None = None) -> ControlApplicability:
    qs = _lines(request.auth)
    if soa_id is not None:
        qs = qs.filter(soa_id=soa_id)
    return get_object_or_404(qs, pk=line_id)


def _versions(user) -> QuerySet[SoaVersion]:
    return scope(SoaVersion.objects.select_related("organization", "approved_by"), user)


def _filtered(qs: QuerySet[ControlApplicability], filters: LineFilter):
    data = filters.model_dump(exclude_none=True)
    return services.LineFilters.from_query(data).apply(qs)


def _owner(email: str | None) -> User | None:
    if email is None:
        return None
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise ValidationFailed.single("owner", f"{email} is not a member of this organization.")
    return user


def _risks(ids: list[int]) -> list[Risk]:
    found = list(Risk.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationFailed.single("risks", "Choose risks of this organization.")
    return found


def _system(organization, system_id: int | None) -> ManagementSystem | None:
    if system_id is None:
        return None
    system = ManagementSystem.objects.filter(pk=system_id, organization=organization).first()
    if system is None:
        raise ValidationFailed.single("system", "Choose a management system of this organization.")
    return system


def _update_line(request, line: ControlApplicability, payload: LineUpdate):
    require(request.auth, "change", line)
    data = payload.model_dump(exclude_unset=True)
    if "owner" in data:
        data["owner"] = _owner(data["owner"])
    if "risks" in data:
        data["risks"] = _risks(data["risks"] or [])
    for name in ("justification", "notes", "implementation"):
        if name in data and data[name] is None:
            raise ValidationFailed.single(name, "This field may not be null.")
    services.update_line(line, actor=request.auth, **data)
    return _line(request, line.pk)


# --- statements ---------------------------------------------------------------------------


@router.get("/soa/", response=responses(list[SoaOut]))
@paginate(Page)
def soa_list(request, filters: Query[SoaFilter]):
    """The Statements of Applicability of your organizations."""
    qs = _soas(request.auth)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    if filters.standard:
        qs = qs.filter(standard__code=filters.standard)
    return qs


@router.post("/soa/", response=responses(SoaDetail, 201))
def soa_create(request, payload: SoaCreate):
    """Start the SoA of a standard with Annex A controls: one undecided line per control."""
    org = get_object_or_404(
        scope(Organization.objects.all(), request.auth), slug=payload.organization
    )
    require(request.auth, "add", StatementOfApplicability, organization=org)
    standard = Standard.objects.filter(code=payload.standard).first()
    if standard is None:
        raise ValidationFailed.single("standard", f"Unknown standard: {payload.standard}.")
    soa = services.create_soa(
        org,
        standard,
        actor=request.auth,
        system=_system(org, payload.system),
        title=payload.title,
    )
    return Status(201, _detail(request, soa.pk))


@router.get("/soa/{soa_id}/", response=responses(SoaDetail))
def soa_get(request, soa_id: int):
    """The SoA with its completeness and what stands in the way of approval."""
    return announce(_detail(request, soa_id))


@router.patch("/soa/{soa_id}/", response=responses(SoaDetail))
def soa_update(request, soa_id: int, payload: SoaUpdate):
    soa = _soa(request, soa_id)
    require(request.auth, "change", soa)
    data = payload.model_dump(exclude_unset=True)
    if "title" in data and data["title"] is None:
        raise ValidationFailed.single("title", "This field may not be null.")
    if "system" in data:
        data["system"] = _system(soa.organization, data["system"])
    services.update_soa(soa, actor=request.auth, **data)
    return _detail(request, soa.pk)


@router.delete("/soa/{soa_id}/", response=responses(None, 204))
def soa_delete(request, soa_id: int):
    """Delete a draft SoA (409 once it has an approved version)."""
    services.delete_soa(_soa(request, soa_id), actor=request.auth)
    return Status(204, None)


@router.get("/soa/{soa_id}/history/", response=responses(list[ActivityOut]))
@paginate(Page)
def soa_history(request, soa_id: int):
    return history_of(_soa(request, soa_id), request.auth)


@router.get("/soa/{soa_id}/completeness/", response=responses(CompletenessOut))
def soa_completeness(request, soa_id: int):
    """Counts of lines decided, justified, applicable, excluded, implemented, the controls
    without a line, and the problems that block approval."""
    return services.soa_completeness(_soa(request, soa_id)).as_dict()


@router.post("/soa/{soa_id}/sync/", response=responses(SoaDetail))
def soa_sync(request, soa_id: int):
    """Add lines for controls the catalog gained since the SoA was started."""
    services.sync_soa(_soa(request, soa_id), actor=request.auth)
    return _detail(request, soa_id)


@router.post("/soa/{soa_id}/approve/", response=responses(VersionDetail, 201))
def soa_approve(request, soa_id: int, payload: ApproveIn):
    """Freeze the SoA as its next approved version (409 naming what is incomplete)."""
    version = services.approve_soa(_soa(request, soa_id), actor=request.auth, note=payload.note)
    return Status(201, _versions(request.auth).get(pk=version.pk))


# --- lines --------------------------------------------------------------------------------


@router.get("/soa/{soa_id}/lines/", response=responses(list[LineOut]))
@paginate(Page)
def soa_lines(request, soa_id: int, filters: Query[LineFilter]):
    """The SoA's lines in catalog order, narrowed by the filters."""
    soa = _soa(request, soa_id)
    return _filtered(_lines(request.auth).filter(soa=soa), filters)


@router.get("/soa/{soa_id}/lines/{line_id}/", response=responses(LineOut))
def soa_line_get(request, soa_id: int, line_id: int):
    return announce(_line(request, line_id, soa_id))


@router.patch("/soa/{soa_id}/lines/{line_id}/", response=responses(LineOut))
def soa_line_update(request, soa_id: int, line_id: int, payload: LineUpdate):
    """Decide a control (with its justification), set its status, owner, notes and risks."""
    return _update_line(request, _line(request, line_id, soa_id), payload)


@router.get("/soa/{soa_id}/lines/{line_id}/history/", response=responses(list[ActivityOut]))
@paginate(Page)
def soa_line_history(request, soa_id: int, line_id: int):
    return history_of(_line(request, line_id, soa_id), request.auth)


@router.get("/soa-lines/", response=responses(list[LineOut]))
@paginate(Page)
def soa_line_list_all(request, filters: Query[LineFilter]):
    """Lines of every SoA you may see (filter by `soa`)."""
    qs = _lines(request.auth)
    if filters.soa is not None:
        qs = qs.filter(soa_id=filters.soa)
    return _filtered(qs, filters)


@router.get("/soa-lines/{line_id}/", response=responses(LineOut))
def soa_line_get_flat(request, line_id: int):
    return announce(_line(request, line_id))


@router.patch("/soa-lines/{line_id}/", response=responses(LineOut))
def soa_line_update_flat(request, line_id: int, payload: LineUpdate):
    return _update_line(request, _line(request, line_id), payload)


@router.get("/soa-lines/{line_id}/history/", response=responses(list[ActivityOut]))
@paginate(Page)
def soa_line_history_flat(request, line_id: int):
    return history_of(_line(request, line_id), request.auth)


# --- versions -----------------------------------------------------------------------------


@router.get("/soa/{soa_id}/versions/", response=responses(list[SoaVersionOut]))
@paginate(Page)
def soa_versions(request, soa_id: int):
    """The approved versions, newest first (without their lines)."""
    return _versions(request.auth).filter(soa=_soa(request, soa_id)).defer("lines")


@router.get("/soa/{soa_id}/versions/{number}/", response=responses(VersionDetail))
def soa_version_get(request, soa_id: int, number: int):
    """One approved version with its frozen lines and whether they still match the hash."""
    return get_object_or_404(_versions(request.auth), soa_id=soa_id, number=number)


@router.get("/soa-versions/", response=responses(list[SoaVersionOut]))
@paginate(Page)
def soa_version_list_all(request, soa: Id | None = None):
    """Approved versions of every SoA you may see (filter by `soa`)."""
    qs = _versions(request.auth).defer("lines").order_by("soa_id", "-number")
    return qs.filter(soa_id=soa) if soa is not None else qs


@router.get("/soa-versions/{version_id}/", response=responses(VersionDetail))
def soa_version_get_flat(request, version_id: int):
    return get_object_or_404(_versions(request.auth), pk=version_id)
