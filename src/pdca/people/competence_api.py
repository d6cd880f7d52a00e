"""API of competence: the competence matrix (JSON and XLSX), turning its gaps into
assignments, assigning a path, an assignment's progress across the people it covers, and who
is overdue. The matrix, progress and overdue lists are read by those who read everyone's
training evidence. Thin endpoints over `people.services.competence` and `.assignments`."""

import datetime as dt
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import Id, Input, Page, Text, organization_for, responses
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import require, scope
from pdca.core.roles import Role
from pdca.core.views import file_response
from pdca.core.xlsx import XLSX_CONTENT_TYPE
from pdca.people import selectors
from pdca.people.models import Assignment, CompetenceRequirement
from pdca.people.services import reports
from pdca.people.services.assignments import assign_path, assignment_progress, overdue_training
from pdca.people.services.competence import Matrix, create_gap_actions
from pdca.people.shared_api import (
    PathRef,
    PersonRef,
    RoleOrEmpty,
    TrainingOrganizationQuery,
    member,
    path_ref,
    person_ref,
    site_of,
)
from pdca.standards.models import Standard
from pdca.system.models import Process

router = Router(tags=["competence"])

CellStatus = Literal["competent", "expiring", "expired", "planned", "missing", "n/a"]
ProgressStatus = Literal["passed", "in_progress", "not_started", "overdue"]
#: Most people or requirements a gap-actions call may name.
MAX_IDS = 1000


# --- schemas ------------------------------------------------------------------------------


class MatrixQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )
    site: Id | None = Field(None, description="Only the people of this site (id)")
    team: Text | None = Field(None, max_length=100, description="Only the people of this team")
    role: Role | None = Field(None, description="Only the people of this role")
    process: Id | None = Field(None, description="Only the requirements for this process (id)")
    standard: Text | None = Field(
        None,
        max_length=60,
        description="Standard code: only the requirements for it (and those for any standard)",
    )


class RequirementColumnOut(Schema):
    id: int
    code: str
    title: str
    kind: CompetenceRequirement.Kind
    evaluation: CompetenceRequirement.Evaluation
    mandatory: bool
    audience: str = Field(description="Who it is for")
    standard: str | None = Field(description="Standard code")
    process: int | None = Field(description="Process id")
    path: int | None = Field(description="Training path id whose pass meets it")
    validity_months: int | None


class CellOut(Schema):
    requirement: int = Field(description="Requirement id (the column)")
    status: CellStatus
    label: str
    mandatory: bool
    expires_on: dt.date | None
    evidence: int | None = Field(description="Training record id")
    evidence_title: str | None
    action: int | None = Field(description="Assignment id of the action planned")
    action_due: dt.date | None
    experience_months: float | None


class MatrixRowOut(Schema):
    person: PersonRef
    role: Role
    team: str
    site: int | None = Field(description="Site id")
    site_name: str | None
    gaps: int = Field(description="Mandatory requirements not met")
    competent: bool
    cells: list[CellOut] = Field(description="One cell per requirement, in their order")


class MatrixOut(Schema):
    organization: str
    as_of: dt.date
    people: int
    people_competent: int = Field(description="People without a mandatory gap")
    gaps: int = Field(description="Mandatory cells that are gaps")
    counts: dict[str, int] = Field(description="Cells by status (n/a left out)")
    requirements: list[RequirementColumnOut]
    rows: list[MatrixRowOut]


class GapActionsIn(Input):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    due_date: dt.date = Field(description="When the actions are due")
    owner: Id | None = Field(None, description="User id of who follows them up (default: you)")
    site: Id | None = Field(None, description="Only the gaps of this site's people")
    team: Text | None = Field(None, max_length=100, description="Only this team's people")
    role: Role | None = Field(None, description="Only the people of this role")
    process: Id | None = Field(None, description="Only requirements for this process")
    standard: Text | None = Field(None, max_length=60, description="Standard code")
    people: list[Id] | None = Field(
        None, max_length=MAX_IDS, description="Only these people (user ids)"
    )
    requirements: list[Id] | None = Field(
        None, max_length=MAX_IDS, description="Only these requirements (ids)"
    )


class TrainingAssignmentOut(Schema):
    id: int
    organization: str
    path: PathRef | None
    action: str = Field(description="What is to be done, when it is not a path")
    person: PersonRef | None
    role: RoleOrEmpty
    position: str
    team: str
    site: int | None = Field(description="Site id")
    audience: str = Field(description="Who it is for, in words")
    due_date: dt.date
    owner: PersonRef | None
    requirement: int | None = Field(description="Competence requirement id")
    campaign: int | None = Field(description="Awareness campaign id")
    note: str


class GapActionsOut(Schema):
    created: int
    assignments: list[TrainingAssignmentOut]


class AssignIn(Input):
    due_date: dt.date
    person: Id | None = Field(None, description="User id: one person (or an audience below)")
    role: RoleOrEmpty = Field("", description="Everyone of this role")
    position: Text = Field("", max_length=150, description="Everyone of this job title")
    team: Text = Field("", max_length=100, description="Everyone of this team")
    site: Id | None = Field(None, description="Everyone of this site (id)")
    owner: Id | None = Field(None, description="User id of who follows it up (default: you)")
    note: Text = Field("", max_length=300)


class ProgressRowOut(Schema):
    person: PersonRef
    team: str
    site: int | None
    status: ProgressStatus
    percent: int
    completed_on: dt.date | None


class ProgressOut(Schema):
    assignment: TrainingAssignmentOut
    people: int
    completed: int
    percent: int
    counts: dict[str, int] = Field(description="People by status")
    rows: list[ProgressRowOut]


class OverdueOut(Schema):
    person: PersonRef
    team: str
    path: PathRef
    due_date: dt.date
    days_overdue: int
    assignment: int = Field(description="Assignment id")


# --- serialization ------------------------------------------------------------------------


def _filters(organization: Any, query: Any) -> dict[str, Any]:
    """The service's keywords from the matrix filters; unknown ids and codes name their field."""
    kwargs: dict[str, Any] = {"team": (query.team or "").strip(), "role": query.role or ""}
    kwargs["site"] = site_of(organization, query.site)
    if query.process is not None:
        kwargs["process"] = Process.objects.filter(
            organization=organization, pk=query.process
        ).first()
        if kwargs["process"] is None:
            raise ValidationFailed.single(
                "process", f"No process of this organization has the id {query.process}."
            )
    if query.standard:
        kwargs["standard"] = Standard.objects.filter(code=query.standard).first()
        if kwargs["standard"] is None:
            raise ValidationFailed.single(
                "standard", f"No standard with the code {query.standard!r}."
            )
    return kwargs


def _matrix(organization: Any, matrix: Matrix) -> dict[str, Any]:
    return {
        "organization": organization.slug,
        "as_of": matrix.as_of,
        "people": len(matrix.rows),
        "people_competent": matrix.people_competent,
        "gaps": sum(row.gaps for row in matrix.rows),
        "counts": {str(status): n for status, n in matrix.counts.items()},
        "requirements": [
            {
                "id": r.pk,
                "code": r.code,
                "title": r.title,
                "kind": r.kind,
                "evaluation": r.evaluation,
                "mandatory": r.mandatory,
                "audience": r.audience_label,
                "standard": r.standard.code if r.standard else None,
                "process": r.process_id,
                "path": r.path_id,
                "validity_months": r.validity_months,
            }
            for r in matrix.requirements
        ],
        "rows": [
            {
                "person": person_ref(row.membership.user),
                "role": row.membership.role,
                "team": row.membership.team,
                "site": row.membership.site_id,
                "site_name": str(row.membership.site) if row.membership.site_id else None,
                "gaps": row.gaps,
                "competent": row.competent,
                "cells": [
                    {
                        "requirement": requirement.pk,
                        "status": str(cell.status),
                        "label": cell.status.label,
                        "mandatory": cell.mandatory,
                        "expires_on": cell.expires_on,
                        "evidence": cell.evidence.pk if cell.evidence else None,
                        "evidence_title": cell.evidence.title if cell.evidence else None,
                        "action": cell.action.pk if cell.action else None,
                        "action_due": cell.action.due_date if cell.action else None,
                        "experience_months": cell.experience_months,
                    }
                    for requirement, cell in zip(matrix.requirements, row.cells, strict=True)
                ],
            }
            for row in matrix.rows
        ],
    }


def assignment_out(assignment: Assignment) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "organization": assignment.organization.slug,
        "path": path_ref(assignment.path) if assignment.path else None,
        "action": assignment.action,
        "person": person_ref(assignment.person) if assignment.person else None,
        "role": assignment.role,
        "position": assignment.position,
        "team": assignment.team,
        "site": assignment.site_id,
        "audience": str(assignment.person) if assignment.person else assignment.audience_label,
        "due_date": assignment.due_date,
        "owner": person_ref(assignment.owner) if assignment.owner else None,
        "requirement": assignment.requirement_id,
        "campaign": assignment.campaign_id,
        "note": assignment.note,
    }


def _assignments(user: Any):
    return scope(Assignment.objects.all(), user).select_related(
        "organization", "path", "person", "owner", "site"
    )


# --- the matrix ---------------------------------------------------------------------------


@router.get(
    "/competence-matrix/", response=responses(MatrixOut), operation_id="get_competence_matrix"
)
def get_matrix(request, query: Query[MatrixQuery]):
    """People against the competence requirements that apply to them: each cell's status
    (competent, expiring within 90 days, expired, a gap with an action planned, a gap, not
    required), its evidence and expiry, and the action planned. For those who read everyone's
    training evidence (others: 403; their own training is at `/training/me/`)."""
    organization = organization_for(request.auth, query.organization)
    matrix = selectors.matrix_for(request.auth, organization, **_filters(organization, query))
    return _matrix(organization, matrix)


@router.get(
    "/competence-matrix.xlsx",
    response=responses(None),
    operation_id="export_competence_matrix",
)
def export_matrix(request, query: Query[MatrixQuery]):
    """The matrix as an XLSX workbook: one row a person, one column a requirement, each cell
    its status and expiry, coloured; the requirements, every cell as a row, and the legend."""
    organization = organization_for(request.auth, query.organization)
    matrix = selectors.matrix_for(request.auth, organization, **_filters(organization, query))
    return file_response(
        reports.matrix_xlsx(matrix),
        XLSX_CONTENT_TYPE,
        reports.matrix_filename(organization, matrix.as_of),
    )


@router.post(
    "/competence-matrix/gap-actions/",
    response=responses(GapActionsOut, 201),
    operation_id="create_gap_actions",
)
def gap_actions(request, payload: GapActionsIn):
    """Turn the matrix's gaps that have no action yet into assignments for their person (the
    requirement's path, or an action to meet it), due on `due_date` and followed up by
    `owner` (keepers). The filters narrow the gaps as they narrow the matrix."""
    organization = organization_for(request.auth, payload.organization)
    require(request.auth, "add", Assignment, organization=organization)
    owner = member(organization, payload.owner, "owner") or request.auth
    matrix = selectors.matrix_for(
        request.auth, organization, people=payload.people, **_filters(organization, payload)
    )
    gaps = matrix.gaps
    if payload.requirements is not None:
        wanted = set(payload.requirements)
        known = {r.pk for r in matrix.requirements}
        unknown = sorted(wanted - known)
        if unknown:
            raise ValidationFailed.single(
                "requirements",
                f"Not a requirement in force in this matrix: {', '.join(map(str, unknown))}.",
            )
        gaps = [g for g in gaps if g.requirement.pk in wanted]
    created = create_gap_actions(
        organization, gaps, actor=request.auth, owner=owner, due_date=payload.due_date
    )
    rows = {a.pk: a for a in _assignments(request.auth).filter(pk__in=[a.pk for a in created])}
    return Status(
        201,
        {"created": len(created), "assignments": [assignment_out(rows[a.pk]) for a in created]},
    )


# --- assignments --------------------------------------------------------------------------


@router.post(
    "/training-paths/{int:path_id}/assignments/",
    response=responses(TrainingAssignmentOut, 201),
    operation_id="assign_training_path",
)
def assign(request, path_id: int, payload: AssignIn):
    """Assign the path (keepers), due on `due_date`, to one person or to everyone a role,
    position, team or site covers (all empty: everyone); people who join later are covered
    too. `owner` follows it up (default: you)."""
    path = get_object_or_404(selectors.paths_for(request.auth), pk=path_id)
    organization = path.organization
    require(request.auth, "add", Assignment, organization=organization)
    assignment = assign_path(
        path,
        actor=request.auth,
        due_date=payload.due_date,
        person=member(organization, payload.person, "person"),
        role=payload.role,
        position=payload.position,
        team=payload.team,
        site=site_of(organization, payload.site),
        owner=member(organization, payload.owner, "owner"),
        note=payload.note,
    )
    return Status(201, assignment_out(_assignments(request.auth).get(pk=assignment.pk)))


@router.get(
    "/training-assignments/{int:assignment_id}/progress/",
    response=responses(ProgressOut),
    operation_id="get_training_assignment_progress",
)
def progress(request, assignment_id: int):
    """Where each person the assignment covers stands on its path: passed (and when), in
    progress (percent done), not started, or overdue."""
    assignment = get_object_or_404(_assignments(request.auth), pk=assignment_id)
    result = assignment_progress(assignment)
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return {
        "assignment": assignment_out(assignment),
        "people": len(result.rows),
        "completed": result.completed,
        "percent": result.percent,
        "counts": counts,
        "rows": [
            {
                "person": person_ref(row.membership.user),
                "team": row.membership.team,
                "site": row.membership.site_id,
                "status": row.status,
                "percent": row.percent,
                "completed_on": row.completed_on,
            }
            for row in result.rows
        ],
    }


@router.get(
    "/training/overdue/", response=responses(list[OverdueOut]), operation_id="list_overdue_training"
)
@paginate(Page)
def overdue(request, query: Query[TrainingOrganizationQuery]):
    """Everyone whose assigned path is past its due date and not passed, longest overdue
    first (those who read training evidence; others: 403)."""
    organization = organization_for(request.auth, query.organization)
    require(request.auth, "view", Assignment, organization=organization)
    today = timezone.localdate()
    return [
        {
            "person": person_ref(item.membership.user),
            "team": item.membership.team,
            "path": path_ref(item.path),
            "due_date": item.due_date,
            "days_overdue": (today - item.due_date).days,
            "assignment": item.assignment.pk,
        }
        for item in overdue_training(organization, as_of=today)
    ]
