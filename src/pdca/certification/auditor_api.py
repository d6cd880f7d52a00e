"""API of the auditor pool and team selection: each person's qualifications, transition
training, records and audit log, the candidates for a programme audit's team (qualified and
free of conflicts first), and adding one (a conflicted person is refused with the reason, 422;
a competence gap is a warning). Recording a person's transition training for a new edition."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pdca.audits.models import AuditTeamMember
from pdca.audits.services import add_team_member
from pdca.certification.models import CycleAudit
from pdca.certification.services.auditor_pool import PoolMember, auditor_pool, declared_conflicts
from pdca.certification.services.impartiality import candidates, competence_warnings
from pdca.core.api import Id, Input, Text, organization_for, responses
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import scope
from pdca.people.models import TrainingRecord
from pdca.people.services.transition_training import record_transition_training
from pdca.tenancy.models import Membership

router = Router(tags=["certification"])

TeamRole = Literal["lead", "auditor", "expert", "observer"]


class AuditorPoolQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


QualificationKind = Literal[
    "internal_auditor", "auditor", "lead_auditor", "technical_expert", "decision_maker"
]
QualificationStatus = Literal["active", "suspended", "withdrawn"]


class PoolQualificationOut(Schema):
    kind: QualificationKind
    standard: str | None
    technical_area: str
    granted_on: dt.date
    expires_on: dt.date | None
    status: QualificationStatus


class DaysOut(Schema):
    standard: str
    role: str
    days: int


class LogEntryOut(Schema):
    audit: int
    reference: str
    client: str
    kind: str
    role: str
    start: dt.date
    end: dt.date
    standards: list[str]
    days: int


class ConflictOut(Schema):
    client: str
    kind: str
    description: str
    started_on: dt.date | None
    ended_on: dt.date | None


class TransitionTrainingOut(Schema):
    id: int = Field(description="Training record id")
    standard: str = Field(description="Code of the new edition, e.g. iso14001-2026")
    full_name: str = Field(description="e.g. ISO 14001:2026")
    title: str
    provider: str
    completed_on: dt.date | None
    expires_on: dt.date | None
    result: Literal["planned", "passed", "attended", "failed"]


class AuditorOut(Schema):
    user: int
    person: str
    email: str
    role: str
    qualifications: list[PoolQualificationOut]
    transition_training: list[TransitionTrainingOut] = Field(
        description="Transition training for new editions (needed to audit them)"
    )
    records: int = Field(description="Training records kept for the person")
    audits: int
    days: int
    days_by: list[DaysOut]


class AuditorDetailOut(AuditorOut):
    log: list[LogEntryOut]
    conflicts: list[ConflictOut]


class CandidateQuery(Schema):
    role: TeamRole = Field("auditor", description="The team role to fill")


class CandidateOut(Schema):
    user: int
    person: str
    email: str
    qualified: bool
    missing: list[str] = Field(description="Standards without a valid qualification")
    untrained: list[str] = Field(
        description="New editions audited without the person's transition training for them"
    )
    conflicts: list[str] = Field(description="Declared ties that refuse the person")
    familiarity: str
    on_team: bool


class TeamIn(Input):
    user: Id
    role: TeamRole


class CbTeamMemberOut(Schema):
    id: int
    audit: int
    user: int
    role: str
    warnings: list[str] = Field(
        description="Competence gaps of the person for this audit (qualification, transition "
        "training): added all the same"
    )


class TransitionTrainingIn(Input):
    standard: Text = Field(max_length=60, description="Code of the new edition, e.g. iso14001-2026")
    completed_on: dt.date
    provider: Text = Field("", max_length=200)
    title: Text = Field("", max_length=200, description="Default: Transition training: <edition>")
    hours: float | None = Field(None, ge=0, le=9999)
    result: Literal["passed", "attended"] = "passed"
    certificate_number: Text = Field("", max_length=100)
    notes: Text = Field("", max_length=5000)


def _training(record: TrainingRecord) -> dict:
    assert record.standard is not None
    return {
        "id": record.pk,
        "standard": record.standard.code,
        "full_name": record.standard.full_name,
        "title": record.title,
        "provider": record.provider,
        "completed_on": record.completed_on,
        "expires_on": record.expires_on,
        "result": record.result,
    }


def _auditor(member: PoolMember) -> dict:
    return {
        "user": member.user_id,
        "person": member.person,
        "email": member.email,
        "role": member.role,
        "qualifications": [
            {
                "kind": q.kind,
                "standard": q.standard.code if q.standard else None,
                "technical_area": q.technical_area,
                "granted_on": q.granted_on,
                "expires_on": q.expires_on,
                "status": q.status,
            }
            for q in member.qualifications
        ],
        "transition_training": [_training(r) for r in member.transition_training],
        "records": member.records,
        "audits": len(member.log),
        "days": member.total_days,
        "days_by": [
            {"standard": standard, "role": role, "days": days}
            for (standard, role), days in member.days_by().items()
        ],
    }


@router.get("/cb/auditors/", response=responses(list[AuditorOut]), operation_id="list_cb_auditors")
def list_auditors(request, query: Query[AuditorPoolQuery]):
    """The certification body's auditor pool: qualifications per standard and role, training
    records kept, certification audits and days (per standard and team role)."""
    organization = organization_for(request.auth, query.organization, may_view=CycleAudit)
    return [_auditor(member) for member in auditor_pool(organization)]


@router.get(
    "/cb/auditors/{user_id}/", response=responses(AuditorDetailOut), operation_id="get_cb_auditor"
)
def get_auditor(request, user_id: Id, query: Query[AuditorPoolQuery]):
    """One person of the pool, with their audit log and declared conflicts of interest."""
    organization = organization_for(request.auth, query.organization, may_view=CycleAudit)
    pool = auditor_pool(organization, person_id=user_id)
    if not pool:
        raise Http404("No such auditor.")
    member = pool[0]
    return {
        **_auditor(member),
        "log": [
            {
                "audit": e.audit_id,
                "reference": e.reference,
                "client": e.client,
                "kind": e.kind,
                "role": e.role,
                "start": e.start,
                "end": e.end,
                "standards": e.standards,
                "days": e.days,
            }
            for e in member.log
        ],
        "conflicts": [
            {
                "client": c.client.name,
                "kind": c.kind,
                "description": c.description,
                "started_on": c.started_on,
                "ended_on": c.ended_on,
            }
            for c in declared_conflicts(organization, user_id)
        ],
    }


def _scheduled(request, pk: int) -> CycleAudit:
    cycle_audit = get_object_or_404(
        scope(CycleAudit.objects.select_related("cycle__client", "audit"), request.auth), pk=pk
    )
    if cycle_audit.audit is None:
        raise ValidationFailed.single(
            "id", "This programme audit is not scheduled yet: schedule it first.", "not_scheduled"
        )
    return cycle_audit


@router.get(
    "/cb/cycle-audits/{cycle_audit_id}/candidates/",
    response=responses(list[CandidateOut]),
    operation_id="list_cb_team_candidates",
)
def list_candidates(request, cycle_audit_id: Id, query: Query[CandidateQuery]):
    """The certification body's people who could join the audit's team in `role`: qualified
    for every standard and free of conflicts first; a conflicted person would be refused."""
    cycle_audit = _scheduled(request, cycle_audit_id)
    return [
        {
            "user": c.user_id,
            "person": c.person,
            "email": c.email,
            "qualified": c.qualified,
            "missing": c.missing,
            "untrained": c.untrained,
            "conflicts": c.conflicts,
            "familiarity": c.familiarity,
            "on_team": c.on_team,
        }
        for c in candidates(cycle_audit, query.role)
    ]


@router.post(
    "/cb/cycle-audits/{cycle_audit_id}/team/",
    response=responses(CbTeamMemberOut, 201),
    operation_id="add_cb_team_member",
)
def add_member(request, cycle_audit_id: Id, payload: TeamIn):
    """Put one of the body's people on the audit's team; refused (422, code
    `conflict_of_interest`) with each declared tie that is still a threat. A missing
    qualification or transition training is answered as a warning."""
    cycle_audit = _scheduled(request, cycle_audit_id)
    audit = cycle_audit.audit
    assert audit is not None
    membership = (
        Membership.objects.filter(organization_id=audit.organization_id, user_id=payload.user)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationFailed.single("user", "Not a member of this certification body.")
    member: AuditTeamMember = add_team_member(
        audit, membership.user, payload.role, actor=request.auth
    )
    return Status(
        201,
        {
            "id": member.pk,
            "audit": audit.pk,
            "user": member.user_id,
            "role": member.role,
            "warnings": competence_warnings(cycle_audit, membership.user, payload.role),
        },
    )


@router.post(
    "/cb/auditors/{user_id}/transition-training/",
    response=responses(TransitionTrainingOut, 201),
    operation_id="record_cb_transition_training",
)
def record_training(
    request, user_id: Id, payload: TransitionTrainingIn, query: Query[AuditorPoolQuery]
):
    """Record that a person of the pool took the transition training for a new edition of a
    standard (`standard`, one that replaces an earlier edition): they need it before auditing
    that edition. The body's managers record it; 422 names the field (an unknown standard, one
    that replaces no earlier edition)."""
    from decimal import Decimal

    organization = organization_for(request.auth, query.organization, may_view=CycleAudit)
    if not auditor_pool(organization, person_id=user_id):
        raise Http404("No such auditor.")
    record = record_transition_training(
        organization,
        actor=request.auth,
        person=user_id,
        standard=payload.standard,
        completed_on=payload.completed_on,
        provider=payload.provider,
        title=payload.title,
        hours=Decimal(str(payload.hours)) if payload.hours is not None else None,
        result=payload.result,
        certificate_number=payload.certificate_number,
        notes=payload.notes,
    )
    record = TrainingRecord.objects.select_related("standard").get(pk=record.pk)
    return Status(201, _training(record))
