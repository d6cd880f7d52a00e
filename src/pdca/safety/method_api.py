"""API of the hazard scoring method and of worker participation."""

import datetime as dt
from typing import Annotated

from ninja import Query, Router, Schema
from pydantic import Field

from pdca.core.api import Input, Text, omitted, organization_for, responses
from pdca.core.concurrency import announce
from pdca.safety import scoring
from pdca.safety.models import Consultation, HazardMethod
from pdca.safety.selectors import participation
from pdca.safety.services import method as method_services
from pdca.safety.services.method import MAX_LABEL

router = Router()


class HazardMethodOut(Schema):
    organization: str
    saved: bool = Field(description="False while the organization uses the default method")
    name: str
    likelihood_labels: list[str] = Field(description="Level 1 first")
    severity_labels: list[str] = Field(description="Level 1 first")
    score_rule: HazardMethod.ScoreRule
    acceptable_level: int
    max_score: int
    updated_at: dt.datetime | None


class HazardMethodIn(Input):
    name: Text = omitted(min_length=1, max_length=100, description="Kept when left out")
    likelihood_labels: list[Annotated[Text, Field(max_length=MAX_LABEL)]] = Field(
        max_length=50, description="2 to 10 labels, level 1 first"
    )
    severity_labels: list[Annotated[Text, Field(max_length=MAX_LABEL)]] = Field(
        max_length=50, description="2 to 10 labels, level 1 first"
    )
    score_rule: HazardMethod.ScoreRule
    acceptable_level: int = Field(
        ge=1, le=10_000, description="The highest score accepted with the controls in place"
    )


class SafetyOrganizationQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


class TopicShareOut(Schema):
    topic: Consultation.Topic
    label: str
    total: int
    with_workers: int = Field(description="Consultations with non-managerial workers")
    share: int | None = Field(description="Per cent with non-managerial workers")


class ParticipationOut(Schema):
    organization: str
    since: dt.date
    until: dt.date
    total: int
    with_workers: int
    share: int | None
    by_topic: list[TopicShareOut]


def _method_out(method: HazardMethod) -> dict:
    return {
        "organization": method.organization.slug,
        "saved": method.pk is not None,
        "name": method.name,
        "likelihood_labels": method.likelihood_labels,
        "severity_labels": method.severity_labels,
        "score_rule": method.score_rule,
        "acceptable_level": method.acceptable_level,
        "max_score": scoring.max_score(scoring.snapshot_of(method)),
        "updated_at": method.updated_at if method.pk else None,
    }


@router.get(
    "/hazard-method/",
    response=responses(HazardMethodOut),
    tags=["Hazards"],
    operation_id="get_hazard_method",
)
def get_hazard_method(request, filters: Query[SafetyOrganizationQuery]):
    """The organization's hazard scoring method (the default until it saves its own); its
    `ETag` is the version to send in `If-Match`."""
    organization = organization_for(request.auth, filters.organization, may_view=HazardMethod)
    method = method_services.method_for(organization)
    return _method_out(announce(method) if method.pk else method)


@router.put(
    "/hazard-method/",
    response=responses(HazardMethodOut),
    tags=["Hazards"],
    operation_id="put_hazard_method",
)
def put_hazard_method(request, filters: Query[SafetyOrganizationQuery], payload: HazardMethodIn):
    """Set the whole method. Hazards scored earlier keep the method they were scored with
    until they are re-rated. With `If-Match`, a change based on an older version is refused
    with 412."""
    organization = organization_for(request.auth, filters.organization, may_view=HazardMethod)
    data = payload.model_dump(exclude_unset=True)
    if data.get("name") is None:
        data.pop("name", None)
    method = method_services.update_method(organization, actor=request.auth, **data)
    return _method_out(announce(method))


@router.get(
    "/consultations/participation/",
    response=responses(ParticipationOut),
    tags=["Consultations"],
    operation_id="get_worker_participation",
)
def get_worker_participation(request, filters: Query[SafetyOrganizationQuery]):
    """Consultations of the last twelve months, and how many had non-managerial workers
    taking part, overall and per topic."""
    organization = organization_for(request.auth, filters.organization, may_view=Consultation)
    summary = participation(organization, request.auth)
    return {"organization": organization.slug, **summary.as_dict()}
