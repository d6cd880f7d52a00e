"""API of the certification body's intake (added to pdca.certification.api): the profile
(GET, PATCH with If-Match, images), the registers (accredited scopes, clients, client sites,
conflicts of interest), and applications with their contract review and audit time."""

import datetime as dt
import decimal
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from pdca.certification.audit_time import Adjustment
from pdca.certification.models import (
    Application,
    CertificationBodyProfile,
    Client,
    ClientSite,
)
from pdca.certification.registers import SPECS
from pdca.certification.services.applications import (
    catalog_standards,
    create_application,
    review_checks,
    transition_application,
    update_application,
)
from pdca.certification.services.audit_time import (
    calculate_application_time,
    site_sample,
)
from pdca.certification.services.profile import (
    MAX_IMAGE_BYTES,
    ensure_certification_body,
    get_profile,
    store_profile_image,
    update_profile,
)
from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Serialized, Text, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require, scope
from pdca.core.registers.api import add_register_routes
from pdca.core.selectors import history_of
from pdca.documents.models import EvidenceFile

router = Router(tags=["certification"])

Count = Field(0, ge=0, le=10_000_000)


# --- profile ----------------------------------------------------------------------------------


class CbProfileOut(Schema):
    organization: str
    accreditation_body: str
    accreditation_number: str
    address: str
    certificate_prefix: str
    major_response_days: int
    major_closure_days: int
    minor_response_days: int
    suspension_limit_months: int = Field(description="1 to 6 months")
    signatory_name: str
    signatory_title: str
    public_register: bool
    logo: int | None = Field(description="Evidence file id of the logo image")
    signature: int | None = Field(description="Evidence file id of the signature image")
    updated_at: dt.datetime


class CbProfileIn(Input):
    accreditation_body: Text | None = Field(None, max_length=200)
    accreditation_number: Text | None = Field(None, max_length=60)
    address: Text | None = Field(None, max_length=20_000)
    certificate_prefix: Text | None = Field(None, max_length=12)
    major_response_days: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    major_closure_days: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    minor_response_days: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    suspension_limit_months: int | None = Field(
        None, ge=-(2**31), le=2**31 - 1, description="1 to 6"
    )
    signatory_name: Text | None = Field(None, max_length=200)
    signatory_title: Text | None = Field(None, max_length=200)
    public_register: bool | None = None
    logo: Id | None = Field(None, description="An image already stored as the body's (or null)")
    signature: Id | None = Field(None, description="An image already stored (or null)")


class CbProfileQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


def _profile_out(profile: CertificationBodyProfile) -> dict[str, Any]:
    return {
        "organization": profile.organization.slug,
        **{
            name: getattr(profile, name)
            for name in CbProfileOut.model_fields
            if name not in ("organization", "logo", "signature")
        },
        "logo": profile.logo_id,
        "signature": profile.signature_id,
    }


def _body(request, slug: str | None):
    organization = organization_for(request.auth, slug, may_view=CertificationBodyProfile)
    ensure_certification_body(organization)
    return organization


@router.get("/cb/profile/", response=responses(CbProfileOut), summary="The body's profile")
def get_cb_profile(request, filters: Query[CbProfileQuery]):
    """The certification body's profile (made with its defaults on first use); its `ETag` is
    the version to send in `If-Match`. 404 for an organization that is not a certification
    body."""
    organization = _body(request, filters.organization)
    return _profile_out(announce(get_profile(organization)))


@router.patch("/cb/profile/", response=responses(CbProfileOut), summary="Change the profile")
def patch_cb_profile(request, filters: Query[CbProfileQuery], payload: CbProfileIn):
    """Change the given fields of the profile (the body's managers); the others stay. With
    `If-Match`, a change based on an older version is refused with 412."""
    organization = _body(request, filters.organization)
    data = payload.model_dump(exclude_unset=True)
    for name in ("logo", "signature"):
        if data.get(name) is not None:
            found = EvidenceFile.objects.filter(organization=organization, pk=data[name]).first()
            if found is None:
                raise ValidationFailed.single(name, "Not an image stored by this body.")
            data[name] = found
    profile = update_profile(organization, actor=request.auth, **data)
    return _profile_out(announce(profile))


@router.post(
    "/cb/profile/images/{which}/",
    response=responses(CbProfileOut),
    summary="Upload the logo or signature",
)
def upload_cb_profile_image(
    request,
    which: Literal["logo", "signature"],
    filters: Query[CbProfileQuery],
    file: File[UploadedFile],
):
    """Upload the certificate logo or the signatory's signature: PNG, JPEG or a plain SVG
    drawing (no scripts, event handlers or outside references), at most 1 MB."""
    organization = _body(request, filters.organization)
    if file.size and file.size > MAX_IMAGE_BYTES:
        raise ValidationFailed.single(
            which, f"The image is larger than {MAX_IMAGE_BYTES // 1024} kB."
        )
    profile = store_profile_image(
        organization, which, file.name or which, file.read(), actor=request.auth
    )
    return _profile_out(announce(profile))


# --- applications -----------------------------------------------------------------------------

Kind = Literal["initial", "recertification", "transfer", "extension"]
StatusName = Literal["draft", "submitted", "accepted", "declined", "withdrawn"]
Complexity = Literal["high", "medium", "low", "limited", ""]
Reason = Literal["no_accredited_scope", "no_competent_auditors", "impartiality_threat", "other"]


class IdenticalActivityIO(Input):
    name: Text = Field(..., min_length=1, max_length=200)
    persons: int = Field(..., ge=1, le=10_000_000)


class ApplicationOut(Schema):
    id: int
    organization: str
    reference: str
    client: int
    client_name: str
    kind: str
    standards: list[int]
    standard_codes: list[str]
    scope: str
    sites: list[int]
    sector_codes: str
    permanent_personnel: int
    temporary_personnel: int
    part_time_persons: int
    part_time_hours: float
    full_time_hours: float
    shifts: str
    repetitive_persons: int
    repetitive_justification: str
    identical_activities: list[dict[str, Any]]
    off_site_share: float
    complexity: str
    outsourced_processes: str
    integration_reduction: float
    integration_notes: str
    multi_site: bool
    consultancy_received: bool
    consultancy_by: str
    consultancy_until: dt.date | None
    status: str
    submitted_at: dt.datetime | None
    reviewed_by: str | None = Field(description="E-mail of the reviewer")
    reviewed_at: dt.datetime | None
    review_notes: str
    decline_reasons: list[str]
    url: str


class ApplicationCreate(Input):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    reference: Text = Field("", max_length=30, description="Empty: numbered APP-<year>-nnn")
    client: Id
    kind: Kind = "initial"
    standards: list[Id] = Field(..., max_length=20)
    scope: Text = Field(..., max_length=20_000)
    sites: list[Id] = Field([], max_length=1000)
    sector_codes: Text = Field("", max_length=300)
    permanent_personnel: int = Count
    temporary_personnel: int = Count
    part_time_persons: int = Count
    part_time_hours: decimal.Decimal = Field(
        decimal.Decimal(0), ge=0, le=9_999_999, decimal_places=1, allow_inf_nan=False
    )
    full_time_hours: decimal.Decimal = Field(
        decimal.Decimal(40), ge=0, le=999, decimal_places=1, allow_inf_nan=False
    )
    shifts: Text = Field("", max_length=20_000)
    repetitive_persons: int = Count
    repetitive_justification: Text = Field("", max_length=20_000)
    identical_activities: list[IdenticalActivityIO] = Field([], max_length=100)
    off_site_share: decimal.Decimal = Field(
        decimal.Decimal(0),
        ge=-99,
        le=99,
        decimal_places=2,
        allow_inf_nan=False,
        description="0 to 0.2",
    )
    complexity: Complexity = ""
    outsourced_processes: Text = Field("", max_length=20_000)
    integration_reduction: decimal.Decimal = Field(
        decimal.Decimal(0),
        ge=-999,
        le=999,
        decimal_places=1,
        allow_inf_nan=False,
        description="0 to 20 per cent, only with two or more standards",
    )
    integration_notes: Text = Field("", max_length=20_000)
    multi_site: bool = False
    consultancy_received: bool = False
    consultancy_by: Text = Field("", max_length=200)
    consultancy_until: dt.date | None = None


class ApplicationUpdate(Input):
    reference: Text | None = Field(None, max_length=30)
    client: Id | None = None
    kind: Kind | None = None
    standards: list[Id] | None = Field(None, max_length=20)
    scope: Text | None = Field(None, max_length=20_000)
    sites: list[Id] | None = Field(None, max_length=1000)
    sector_codes: Text | None = Field(None, max_length=300)
    permanent_personnel: int | None = Field(None, ge=0, le=10_000_000)
    temporary_personnel: int | None = Field(None, ge=0, le=10_000_000)
    part_time_persons: int | None = Field(None, ge=0, le=10_000_000)
    part_time_hours: decimal.Decimal | None = Field(
        None, ge=0, le=9_999_999, decimal_places=1, allow_inf_nan=False
    )
    full_time_hours: decimal.Decimal | None = Field(
        None, ge=0, le=999, decimal_places=1, allow_inf_nan=False
    )
    shifts: Text | None = Field(None, max_length=20_000)
    repetitive_persons: int | None = Field(None, ge=0, le=10_000_000)
    repetitive_justification: Text | None = Field(None, max_length=20_000)
    identical_activities: list[IdenticalActivityIO] | None = Field(None, max_length=100)
    off_site_share: decimal.Decimal | None = Field(
        None, ge=-99, le=99, decimal_places=2, allow_inf_nan=False
    )
    complexity: Complexity | None = None
    outsourced_processes: Text | None = Field(None, max_length=20_000)
    integration_reduction: decimal.Decimal | None = Field(
        None, ge=-999, le=999, decimal_places=1, allow_inf_nan=False
    )
    integration_notes: Text | None = Field(None, max_length=20_000)
    multi_site: bool | None = None
    consultancy_received: bool | None = None
    consultancy_by: Text | None = Field(None, max_length=200)
    consultancy_until: dt.date | None = None


class ApplicationFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    status: StatusName | None = None
    kind: Kind | None = None
    standard: Id | None = Field(None, description="Standard id")
    client: Id | None = Field(None, description="Client id")


class ApplicationTransitionIn(Input):
    to: StatusName
    reasons: list[Reason] = Field([], max_length=4, description="With `declined`: at least one")
    notes: Text = Field("", max_length=5000)


def _application_out(application: Application) -> dict[str, Any]:
    from django.urls import reverse

    standards = list(application.standards.all())
    data = {
        name: getattr(application, name)
        for name in ApplicationOut.model_fields
        if hasattr(application, name)
    }
    data.update(
        organization=application.organization.slug,
        client=application.client_id,
        client_name=application.client.name,
        standards=[s.pk for s in standards],
        standard_codes=[s.code for s in standards],
        sites=[s.pk for s in application.sites.all()],
        part_time_hours=float(application.part_time_hours),
        full_time_hours=float(application.full_time_hours),
        off_site_share=float(application.off_site_share),
        integration_reduction=float(application.integration_reduction),
        identical_activities=list(application.identical_activities or []),
        reviewed_by=application.reviewed_by.email if application.reviewed_by else None,
        url=reverse("certification:applications-detail", args=[application.pk]),
    )
    return data


def _applications(user):
    return (
        scope(Application.objects.all(), user)
        .select_related("organization", "client", "reviewed_by")
        .prefetch_related("standards", "sites")
    )


def _application(request, application_id: int) -> Application:
    return get_object_or_404(_applications(request.auth), pk=application_id)


def _resolve(organization, data: dict[str, Any]) -> dict[str, Any]:
    """Relation ids → the body's objects; an unknown id names its field (422)."""
    errors = []
    for name in ("client", "standards", "sites", "identical_activities", "kind", "complexity"):
        if name in data and data[name] is None:
            data.pop(name)  # null: left as it is
    if "client" in data:
        client = Client.objects.filter(organization=organization, pk=data["client"]).first()
        if client is None:
            errors.append(FieldError("client", f"Not a client of this body: {data['client']}."))
        data["client"] = client
    if "standards" in data:
        found = catalog_standards().in_bulk(data["standards"])
        missing = [i for i in data["standards"] if i not in found]
        if missing:
            errors.append(
                FieldError("standards", f"Not a catalog standard: {', '.join(map(str, missing))}.")
            )
        data["standards"] = [found[i] for i in data["standards"] if i in found]
    if "sites" in data:
        found_sites = ClientSite.objects.filter(organization=organization).in_bulk(data["sites"])
        missing = [i for i in data["sites"] if i not in found_sites]
        if missing:
            errors.append(
                FieldError(
                    "sites", f"Not a site of this body's clients: {', '.join(map(str, missing))}."
                )
            )
        data["sites"] = [found_sites[i] for i in data["sites"] if i in found_sites]
    if "identical_activities" in data:
        data["identical_activities"] = [dict(item) for item in data["identical_activities"]]
    if errors:
        raise ValidationFailed(errors)
    return data


@router.get(
    "/cb/applications/",
    response=responses(list[ApplicationOut]),
    summary="Applications",
)
@paginate(Page)
def list_cb_applications(request, filters: Query[ApplicationFilter]):
    """The applications you may read, newest first, filtered by status, kind, standard and
    client."""
    rows = _applications(request.auth)
    values = filters.model_dump(exclude_none=True)
    if "organization" in values:
        rows = rows.filter(organization__slug=values.pop("organization"))
    if "status" in values:
        rows = rows.filter(status=values["status"])
    if "kind" in values:
        rows = rows.filter(kind=values["kind"])
    if "standard" in values:
        rows = rows.filter(standards__pk=values["standard"]).distinct()
    if "client" in values:
        rows = rows.filter(client_id=values["client"])
    return Serialized(rows.order_by("-created_at", "-pk"), _application_out)


@router.post(
    "/cb/applications/",
    response=responses(ApplicationOut, 201),
    summary="Write a draft application",
)
def create_cb_application(request, payload: ApplicationCreate):
    """Write a draft application (the body's managers); every rule names its field."""
    organization = organization_for(request.auth, payload.organization)
    require(request.auth, "add", Application, organization=organization)
    ensure_certification_body(organization)
    data = _resolve(organization, payload.model_dump(exclude={"organization"}))
    application = create_application(organization, actor=request.auth, **data)
    return Status(201, _application_out(_application(request, application.pk)))


@router.get(
    "/cb/applications/{int:application_id}/",
    response=responses(ApplicationOut),
    summary="One application",
)
def get_cb_application(request, application_id: int):
    """One application; its `ETag` is the version to send in `If-Match`."""
    return _application_out(announce(_application(request, application_id)))


@router.patch(
    "/cb/applications/{int:application_id}/",
    response=responses(ApplicationOut),
    summary="Change a draft application",
)
def patch_cb_application(request, application_id: int, payload: ApplicationUpdate):
    """Change the given fields of a draft (409 `application_not_draft` once submitted)."""
    application = _application(request, application_id)
    data = _resolve(application.organization, payload.model_dump(exclude_unset=True))
    update_application(application, actor=request.auth, **data)
    return _application_out(announce(_application(request, application_id)))


@router.post(
    "/cb/applications/{int:application_id}/transition/",
    response=responses(ApplicationOut),
    summary="Submit, accept, decline or withdraw",
)
def transition_cb_application(request, application_id: int, payload: ApplicationTransitionIn):
    """Move the application: draft → submitted → accepted or declined (the contract review,
    recording the reviewer, time, notes and reasons; declining needs at least one reason),
    draft or submitted → withdrawn. A refused move is 409 `invalid_transition` with why."""
    application = _application(request, application_id)
    transition_application(
        application, payload.to, actor=request.auth, reasons=payload.reasons, notes=payload.notes
    )
    return _application_out(announce(_application(request, application_id)))


@router.get(
    "/cb/applications/{int:application_id}/history/",
    response=responses(list[ActivityOut]),
    summary="An application's recorded changes",
)
@paginate(Page)
def cb_application_history(request, application_id: int):
    """The recorded changes of an application (writes, submission, review), newest first."""
    return history_of(_application(request, application_id), request.auth)


class ReviewStandardCheckOut(Schema):
    standard: str
    name: str
    scheme: str
    initial_days: float | None
    competent_auditors: int


class ReviewAccreditationOut(Schema):
    accredited: bool
    reason: str
    missing: list[str]


class ReviewChecksOut(Schema):
    on: dt.date
    accreditation: ReviewAccreditationOut
    standards: list[ReviewStandardCheckOut]
    audit_time_complete: bool
    consultancy_threat: bool
    consultancy: str
    declared_conflicts: int
    suggested_reasons: list[str]


@router.get(
    "/cb/applications/{int:application_id}/review-checks/",
    response=responses(ReviewChecksOut),
    summary="The contract review's checks",
)
def cb_application_checks(request, application_id: int):
    """The automatic checks of the contract review today: accreditation, audit time per
    standard, consultancy within two years, qualified auditors per standard."""
    return review_checks(_application(request, application_id)).to_dict()


class AuditTimeCalculationOut(Schema):
    standard: str
    standard_id: int
    scheme: str
    initial_days: float
    stage1_days: float
    stage2_days: float
    surveillance_days: float
    recertification_days: float
    provisional: bool
    calculated_at: dt.datetime
    calculated_by: str | None
    inputs: dict[str, Any]
    result: dict[str, Any] = Field(description="Every figure and step, as `pdca audit-time` prints")


class AuditTimeOut(Schema):
    application: int
    status: str
    calculations: list[AuditTimeCalculationOut]
    sampling: dict[str, Any] | None
    provisional: bool


class AuditTimeAdjustmentIn(Input):
    percent: float = Field(
        ..., ge=-1e6, le=1e6, allow_inf_nan=False, description="Up (+) or down (-)"
    )
    reason: Text = Field(..., max_length=500)


class EnteredDaysIn(Input):
    standard: Text = Field(..., max_length=60, description="Catalog code, e.g. iso42001-2023")
    days: float = Field(..., ge=-1e6, le=1e6, allow_inf_nan=False)
    justification: Text = Field(..., max_length=2000)


class SiteSamplingIn(Input):
    stage: Literal["initial", "surveillance", "recertification"] = "initial"
    risk_increase: int = Field(0, ge=0, le=100_000)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    chosen: list[Id] = Field([], max_length=1000, description="Sites chosen for risk")


class AuditTimeIn(Input):
    adjustments: list[AuditTimeAdjustmentIn] = Field([], max_length=20)
    stage1_share: float = Field(1 / 3, gt=0, lt=1, allow_inf_nan=False)
    entered: list[EnteredDaysIn] = Field(
        [], max_length=10, description="Days of standards without a table (42001, 22000, 22301)"
    )
    sampling: SiteSamplingIn | None = None


def _audit_time_out(application: Application) -> dict[str, Any]:
    calculations = list(
        application.calculations.select_related("standard", "calculated_by").order_by(
            "standard__code"
        )
    )
    sampling = next(
        (c.inputs.get("sampling") for c in calculations if c.inputs.get("sampling")), None
    )
    return {
        "application": application.pk,
        "status": application.status,
        "calculations": [
            {
                "standard": c.standard.code,
                "standard_id": c.standard_id,
                "scheme": c.scheme,
                "initial_days": float(c.initial_days),
                "stage1_days": float(c.stage1_days),
                "stage2_days": float(c.stage2_days),
                "surveillance_days": float(c.surveillance_days),
                "recertification_days": float(c.recertification_days),
                "provisional": bool(c.result.get("provisional")),
                "calculated_at": c.calculated_at,
                "calculated_by": c.calculated_by.email if c.calculated_by else None,
                "inputs": c.inputs,
                "result": c.result,
            }
            for c in calculations
        ],
        "sampling": sampling,
        "provisional": any(c.result.get("provisional") for c in calculations) or bool(sampling),
    }


@router.get(
    "/cb/applications/{int:application_id}/audit-time/",
    response=responses(AuditTimeOut),
    summary="The application's audit time",
)
def get_cb_application_time(request, application_id: int):
    """The kept audit time of every standard, with every step and its basis (provisional
    figures flagged) and the multi-site sample when there is one."""
    return _audit_time_out(_application(request, application_id))


@router.post(
    "/cb/applications/{int:application_id}/audit-time/",
    response=responses(AuditTimeOut),
    summary="Calculate the application's audit time",
)
def post_cb_application_time(request, application_id: int, payload: AuditTimeIn):
    """Calculate and keep the audit time of every standard (replacing the previous one; 409
    `application_closed` after the contract review). Refusals name the field, e.g.
    `adjustments[0].reason`, `days.iso42001-2023`, `complexity`."""
    application = _application(request, application_id)
    sample = None
    if payload.sampling is not None:
        sample = site_sample(
            application,
            stage=payload.sampling.stage,
            risk_increase=payload.sampling.risk_increase,
            seed=payload.sampling.seed,
            chosen=payload.sampling.chosen,
        )
    calculate_application_time(
        application,
        actor=request.auth,
        adjustments=[Adjustment(a.percent, a.reason) for a in payload.adjustments],
        stage1_share=payload.stage1_share,
        days={e.standard: e.days for e in payload.entered} or None,
        justification={e.standard: e.justification for e in payload.entered},
        sample=sample,
    )
    return _audit_time_out(_application(request, application_id))


for _spec in SPECS:
    add_register_routes(router, _spec, prefix=f"cb/{_spec.slug}")
