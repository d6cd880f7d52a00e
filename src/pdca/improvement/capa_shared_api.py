"""Schemas and lookups shared by the corrective-action API modules (`workflow_api`,
`capa_actions_api`, `capa_tasks_api`): how a nonconformity's workflow and its actions read,
and how the ids a request names become the organization's rows."""

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Schema
from pydantic import Field

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import scope
from pdca.documents.models import DocumentVersion, EvidenceFile
from pdca.improvement.deadlines import pending_deadline
from pdca.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from pdca.improvement.workflow.services import available_steps, check_opens_on
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.tenancy.models import Site

#: Most ids one list field of a request may name.
MAX_IDS = 200


# --- schemas ------------------------------------------------------------------------------


class NcRequirementRef(Schema):
    id: int
    standard: str = Field(alias="standard.code")
    number: str


class NonconformityRef(Schema):
    id: int
    reference: str
    title: str


class CorrectiveActionOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    nonconformity: int = Field(alias="nonconformity_id")
    nonconformity_reference: str = Field(alias="nonconformity.reference")
    round: int = Field(description="The analysis round the action belongs to")
    title: str
    description: str
    owner: int = Field(alias="owner_id", description="User id of the action's owner")
    due_date: dt.date
    status: CorrectiveAction.Status
    overdue: bool = Field(description="Still planned after its due date")
    implemented_at: dt.datetime | None
    implemented_by: int | None = Field(alias="implemented_by_id", description="User id")
    implementation_note: str = Field(description="What was done, or why it was cancelled")
    evidence: list[int] = Field(description="Evidence file ids")
    document_version: int | None = Field(
        alias="document_version_id", description="The new version of a document changed"
    )
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_overdue(obj: CorrectiveAction) -> bool:
        return action_overdue(obj)

    @staticmethod
    def resolve_evidence(obj: CorrectiveAction) -> list[int]:
        return sorted(e.pk for e in obj.evidence.all())


class EffectivenessCheckOut(Schema):
    id: int
    round: int
    checked_by: int = Field(alias="checked_by_id", description="User id")
    checked_at: dt.datetime
    effective: bool
    notes: str
    evidence: list[int] = Field(description="Evidence file ids")

    @staticmethod
    def resolve_evidence(obj: EffectivenessCheck) -> list[int]:
        return sorted(e.pk for e in obj.evidence.all())


class WorkflowStepOut(Schema):
    name: str = Field(description="Use it in POST …/steps/{name}/")
    label: str
    allowed: bool = Field(description="Whether you may take it now")
    reason: str = Field(description="Why not, when not allowed")


class WorkflowDates(Schema):
    reported: dt.datetime
    triaged: dt.datetime | None
    contained: dt.datetime | None
    analysed: dt.datetime | None
    planned: dt.datetime | None
    implemented: dt.datetime | None
    verified: dt.datetime | None
    closed: dt.datetime | None


class PendingDeadlineOut(Schema):
    what: str = Field(description="What the certification body is owed next")
    date: dt.date


class WorkflowDeadlines(Schema):
    due_date: dt.date | None = Field(description="When it should be closed")
    response_due: dt.date | None = Field(description="Correction, cause and plan due to the body")
    closure_due: dt.date | None = Field(description="Corrective action verified by")
    pending: PendingDeadlineOut | None = Field(description="The next certification deadline owed")
    escalated_at: dt.datetime | None = Field(description="When top management was alerted")
    check_opens_on: dt.date | None = Field(
        description="First day of the effectiveness check (after the waiting period)"
    )


class CauseAnalysisOut(Schema):
    method: Nonconformity.CauseMethod | None
    whys: list[str]
    categories: list[str]
    root_cause: str


class NonconformityWorkflowOut(Schema):
    """A nonconformity with everything its workflow recorded and the steps open to you."""

    id: int
    organization: str
    reference: str
    title: str
    description: str
    source: Nonconformity.Source
    severity: Nonconformity.Severity | None
    status: Nonconformity.Status
    round: int = Field(description="Analysis round: a failed effectiveness check adds one")
    owner: int | None = Field(description="User id of the owner")
    reported_by: int | None = Field(description="User id of the reporter")
    process: int | None
    site: int | None
    requirements: list[NcRequirementRef]
    attachments: list[int] = Field(description="Evidence file ids of the report")
    dates: WorkflowDates
    correction: str
    correction_evidence: list[int] = Field(description="Evidence file ids")
    cause: CauseAnalysisOut
    effectiveness_criteria: str
    closure_note: str = Field(description="The closing note, or why it was dismissed")
    deadlines: WorkflowDeadlines
    recurrence_of: NonconformityRef | None = Field(
        description="The earlier nonconformity it repeats"
    )
    actions: list[CorrectiveActionOut] = Field(
        description="Corrective actions of every round you see"
    )
    checks: list[EffectivenessCheckOut] = Field(
        description="Effectiveness checks of every round you see"
    )
    steps: list[WorkflowStepOut]


# --- reading ------------------------------------------------------------------------------


def action_overdue(action: CorrectiveAction) -> bool:
    return action.status == CorrectiveAction.Status.PLANNED and action.due_date < (
        timezone.localdate()
    )


def actions_of(user) -> QuerySet[CorrectiveAction]:
    """The corrective actions the user may read, ready to serialize."""
    return (
        scope(CorrectiveAction.objects.all(), user)
        .select_related("organization", "nonconformity")
        .prefetch_related("evidence")
        .order_by("due_date", "pk")
    )


def nonconformities_of(user) -> QuerySet[Nonconformity]:
    return scope(Nonconformity.objects.select_related("organization"), user)


def nonconformity_for(request, nc_id: int) -> Nonconformity:
    """A nonconformity the caller may read (404 for anyone else, including other orgs)."""
    return get_object_or_404(nonconformities_of(request.auth), pk=nc_id)


def workflow_view(nc_id: int, user) -> dict[str, Any]:
    """Everything `NonconformityWorkflowOut` shows, for a nonconformity the user may read."""
    every_action = Prefetch("actions", queryset=CorrectiveAction.objects.order_by("round", "pk"))
    nc = get_object_or_404(
        nonconformities_of(user)
        .select_related("recurrence_of")
        .prefetch_related(
            "requirements__standard", "attachments", "correction_evidence", every_action
        ),
        pk=nc_id,
    )
    actions = actions_of(user).filter(nonconformity=nc).order_by("round", "due_date", "pk")
    checks = (
        scope(EffectivenessCheck.objects.filter(nonconformity=nc), user)
        .prefetch_related("evidence")
        .order_by("round", "checked_at", "pk")
    )
    pending = pending_deadline(nc)
    return {
        "id": nc.pk,
        "organization": nc.organization.slug,
        "reference": nc.reference,
        "title": nc.title,
        "description": nc.description,
        "source": nc.source,
        "severity": nc.severity or None,
        "status": nc.status,
        "round": nc.round,
        "owner": nc.owner_id,
        "reported_by": nc.reported_by_id,
        "process": nc.process_id,
        "site": nc.site_id,
        "requirements": list(nc.requirements.all()),
        "attachments": sorted(f.pk for f in nc.attachments.all()),
        "dates": {
            "reported": nc.created_at,
            "triaged": nc.triaged_at,
            "contained": nc.contained_at,
            "analysed": nc.analysed_at,
            "planned": nc.planned_at,
            "implemented": nc.implemented_at,
            "verified": nc.verified_at,
            "closed": nc.closed_at,
        },
        "correction": nc.correction,
        "correction_evidence": sorted(f.pk for f in nc.correction_evidence.all()),
        "cause": {
            "method": nc.cause_method or None,
            "whys": nc.whys,
            "categories": nc.cause_categories,
            "root_cause": nc.root_cause,
        },
        "effectiveness_criteria": nc.effectiveness_criteria,
        "closure_note": nc.closure_note,
        "deadlines": {
            "due_date": nc.due_date,
            "response_due": nc.response_due,
            "closure_due": nc.closure_due,
            "pending": {"what": pending[0], "date": pending[1]} if pending else None,
            "escalated_at": nc.escalated_at,
            "check_opens_on": check_opens_on(nc),
        },
        "recurrence_of": nc.recurrence_of,
        "actions": list(actions),
        "checks": list(checks),
        "steps": [vars(step) for step in available_steps(nc, user)],
    }


# --- turning ids into the organization's rows ---------------------------------------------


def _one(queryset: QuerySet, value: int | None, name: str, errors: list[FieldError]):
    if value is None:
        return None
    row = queryset.filter(pk=value).first()
    if row is None:
        what = "a member of" if name == "owner" else f"a {name.replace('_', ' ')} of"
        errors.append(FieldError(name, f"{value} is not {what} this organization."))
    return row


def _many(queryset: QuerySet, values: list[int], name: str, errors: list[FieldError]) -> list:
    found = queryset.in_bulk(values)
    missing = [v for v in values if v not in found]
    if missing:
        listed = ", ".join(map(str, missing[:5]))
        errors.append(FieldError(name, f"Not found in this organization: {listed}."))
    return [found[v] for v in dict.fromkeys(values) if v in found]


def resolve_ids(organization_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the ids in `data` (owner, process, site, requirements, evidence,
    document_version) by the organization's rows; an id it does not have names its field.
    Missing or null values are left for the service to judge."""
    User = get_user_model()
    errors: list[FieldError] = []
    members = User.objects.filter(
        memberships__organization_id=organization_id, is_active=True
    ).distinct()
    singles = {
        "owner": members,
        "process": Process.objects.filter(organization_id=organization_id),
        "site": Site.objects.filter(organization_id=organization_id),
        "document_version": DocumentVersion.objects.filter(organization_id=organization_id),
    }
    for name, queryset in singles.items():
        if name in data:
            data[name] = _one(queryset, data[name], name, errors)
    if data.get("evidence") is not None:
        files = EvidenceFile.objects.filter(organization_id=organization_id)
        data["evidence"] = _many(files, data["evidence"], "evidence", errors)
    if data.get("requirements") is not None:
        requirements = Requirement.objects.select_related("standard")
        data["requirements"] = _many(requirements, data["requirements"], "requirements", errors)
    if errors:
        raise ValidationFailed(errors)
    return data
