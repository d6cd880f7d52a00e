"""API of the incident workflow: report (any member), investigate and move (implementers).
The register's own endpoints (`/incidents/…`) read, change and archive incidents."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from pdca.core.api import Id, Input, Text, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import scope
from pdca.safety.models import Hazard, Incident
from pdca.safety.services import incidents as incident_services
from pdca.system.models import Process
from pdca.tenancy.models import Site

router = Router()
TAGS = ["Incidents"]


class IncidentWorkflowOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    reference: str
    title: str
    status: Incident.Status
    reported_by: int | None = Field(alias="reported_by_id")
    investigator: int | None = Field(alias="investigator_id")
    investigated_on: dt.date | None
    root_cause: str
    contributing_factors: str
    findings: str
    action_needed: bool | None
    nonconformity: int | None = Field(
        alias="nonconformity_id", description="The nonconformity the investigation opened"
    )
    closed_at: dt.datetime | None
    url: str

    @staticmethod
    def resolve_url(obj: Incident) -> str:
        return f"/incidents/{obj.pk}/"


class ReportIncidentIn(Input):
    organization: Text = Field(..., max_length=60, description="Organization slug")
    title: Text = Field(..., min_length=1, max_length=200)
    kind: Incident.Kind
    occurred_at: dt.datetime = Field(description="When it happened")
    site: Id | None = None
    location: Text = Field("", max_length=200)
    process: Id | None = None
    involved_employees: bool = False
    involved_contractors: bool = False
    involved_visitors: bool = False
    involved_public: bool = False
    people_involved: Text = Field("", max_length=5000)
    description: Text = Field(..., min_length=1, max_length=10000, description="What happened")
    immediate_actions: Text = Field("", max_length=10000)
    severity: Incident.Severity = Incident.Severity.NONE
    days_lost: int = Field(0, ge=0, le=100_000)
    hazards: list[Id] = Field(default_factory=list, max_length=100)


class InvestigationIn(Input):
    investigator: Id = Field(description="User id of the member who investigated")
    investigated_on: dt.date | None = Field(None, description="Today when left out")
    root_cause: Text = Field(..., max_length=10000)
    contributing_factors: Text = Field("", max_length=10000)
    findings: Text = Field(..., max_length=10000)
    action_needed: bool = Field(description="True opens a nonconformity (once)")


class TransitionIn(Input):
    to: Incident.Status = Field(description="investigating (from reported) or closed")


def _incident(request, incident_id: int) -> Incident:
    return get_object_or_404(
        scope(Incident.objects.select_related("organization"), request.auth), pk=incident_id
    )


def _ids(model, organization, field: str, ids: list[int]) -> list:
    found = model.objects.filter(organization=organization).in_bulk(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed.single(
            field, f"Not found in this organization: {', '.join(map(str, missing))}."
        )
    return [found[i] for i in ids]


@router.post(
    "/incidents/report/",
    response=responses(IncidentWorkflowOut, 201),
    tags=TAGS,
    operation_id="report_incident",
)
def report_incident(request, payload: ReportIncidentIn):
    """Report an incident (any member): it waits for investigation, and the reporter may
    follow it (an employee reads the incidents they reported)."""
    organization = organization_for(request.auth, payload.organization)
    data = payload.model_dump(exclude={"organization"})
    for name, model in (("site", Site), ("process", Process)):
        if data[name] is not None:
            data[name] = _ids(model, organization, name, [data[name]])[0]
    data["hazards"] = _ids(Hazard, organization, "hazards", data["hazards"])
    incident = incident_services.report_incident(organization, actor=request.auth, **data)
    return Status(201, _incident(request, incident.pk))


@router.post(
    "/incidents/{int:incident_id}/investigation/",
    response=responses(IncidentWorkflowOut),
    tags=TAGS,
    operation_id="investigate_incident",
)
def investigate_incident(request, incident_id: int, payload: InvestigationIn):
    """Record the investigation (implementers): a reported incident moves to investigating;
    when corrective action is needed, the first such investigation opens one nonconformity."""
    incident = _incident(request, incident_id)
    data = payload.model_dump()
    investigator = get_user_model().objects.filter(pk=data.pop("investigator")).first()
    if investigator is None:
        raise ValidationFailed.single("investigator", "Choose a member of this organization.")
    incident_services.investigate_incident(
        incident, actor=request.auth, investigator=investigator, **data
    )
    return announce(_incident(request, incident_id))


@router.post(
    "/incidents/{int:incident_id}/transition/",
    response=responses(IncidentWorkflowOut),
    tags=TAGS,
    operation_id="transition_incident",
)
def transition_incident(request, incident_id: int, payload: TransitionIn):
    """Move an incident: reported → investigating, investigating → closed (implementers).
    A closed incident is a record and never moves again (409 `closed`)."""
    incident = _incident(request, incident_id)
    incident_services.transition_incident(incident, payload.to, actor=request.auth)
    return announce(_incident(request, incident_id))
