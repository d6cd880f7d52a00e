"""API of an audit's status steps, team, plan and meetings, and of an audit programme's
coverage. Thin endpoints over `pdca.audits.services`; audits and programmes themselves are
served by the register framework."""

import datetime as dt
from typing import Any, overload

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.audits import services
from pdca.audits.models import Audit, AuditMeeting, AuditPlanItem, AuditProgramme, AuditTeamMember
from pdca.audits.programme_pages import programme_coverage
from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Text, omitted, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import scope, visible_organization_ids
from pdca.core.selectors import history_of
from pdca.core.validation import TEXT_MAX_LENGTH
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.tenancy.models import Site

router = Router()
TAGS = ["audits"]


# --- schemas ------------------------------------------------------------------------------------


class StepOut(Schema):
    name: str = Field(description="The step, as the activity log names it")
    to: str = Field(description="The status it leads to")
    label: str
    available: bool
    reason: str | None = Field(description="Why the step is not available now")


class AuditStateOut(Schema):
    id: int
    status: Audit.Status
    steps: list[StepOut] = Field(description="The steps from the current status")


class TransitionIn(Input):
    to: Audit.Status = Field(description="The status to move to")
    comment: Text = Field("", max_length=2000)


class TeamMemberOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    audit: int = Field(alias="audit_id")
    user: int = Field(alias="user_id")
    email: str = Field(alias="user.email")
    name: str
    role: AuditTeamMember.Role
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_name(obj: AuditTeamMember) -> str:
        return obj.user.get_full_name() or obj.user.email


class TeamMemberIn(Input):
    user: Id = Field(description="User id of a member of the organization")
    role: AuditTeamMember.Role = AuditTeamMember.Role.AUDITOR


class TeamMemberCreate(TeamMemberIn):
    audit: Id


class TeamMemberUpdate(Input):
    role: AuditTeamMember.Role


class AuditPlanItemOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    audit: int = Field(alias="audit_id")
    starts_at: dt.datetime
    ends_at: dt.datetime
    site: int | None = Field(alias="site_id")
    process: int | None = Field(alias="process_id")
    requirements: list[int]
    activity: str
    auditor: int | None = Field(alias="auditor_id")
    auditee: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_requirements(obj: AuditPlanItem) -> list[int]:
        return sorted(r.pk for r in obj.requirements.all())


class PlanItemIn(Input):
    starts_at: dt.datetime
    ends_at: dt.datetime
    activity: Text = Field(min_length=1, max_length=200)
    site: Id | None = None
    process: Id | None = None
    requirements: list[Id] = Field(default_factory=list, max_length=500)
    auditor: Id | None = Field(None, description="User id of a team member")
    auditee: Text = Field("", max_length=200)


class PlanItemCreate(PlanItemIn):
    audit: Id


class PlanItemUpdate(Input):
    # Fields that cannot be empty default to None (left alone) but refuse an explicit null.
    starts_at: dt.datetime = omitted()
    ends_at: dt.datetime = omitted()
    activity: Text = omitted(min_length=1, max_length=200)
    site: Id | None = None
    process: Id | None = None
    requirements: list[Id] = omitted(max_length=500)
    auditor: Id | None = None
    auditee: Text = omitted(max_length=200)


class MeetingOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    audit: int = Field(alias="audit_id")
    kind: AuditMeeting.Kind
    held_at: dt.datetime
    attendees: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class MeetingIn(Input):
    kind: AuditMeeting.Kind
    held_at: dt.datetime
    attendees: Text = Field(min_length=1, max_length=20_000, description="One per line")
    notes: Text = Field("", max_length=TEXT_MAX_LENGTH)


class MeetingCreate(MeetingIn):
    audit: Id


class MeetingUpdate(Input):
    held_at: dt.datetime = omitted()
    attendees: Text = omitted(min_length=1, max_length=20_000)
    notes: Text = omitted(max_length=TEXT_MAX_LENGTH)


class AuditFilter(Schema):
    audit: Id | None = Field(None, description="Audit id")


class CoverageAuditOut(Schema):
    id: int
    reference: str
    title: str
    start_date: dt.date
    status: str


class CoverageRowOut(Schema):
    id: int
    label: str
    title: str
    audits: list[int] = Field(description="Ids of the audits that cover it")
    gap: bool = Field(description="No audit of the programme covers it, and it is not excluded")
    excluded: str | None = Field(
        None,
        description="The system's justification when the requirement (or a clause above it) is "
        "excluded: out of the programme's gaps",
    )


class CoverageOut(Schema):
    programme: int
    audits: list[CoverageAuditOut]
    requirements: list[CoverageRowOut]
    processes: list[CoverageRowOut]
    requirement_gaps: int
    process_gaps: int


# --- lookups ----------------------------------------------------------------------------------


def _audit_to_read(request, audit_id: int) -> Audit:
    return get_object_or_404(scope(Audit.objects.all(), request.auth), pk=audit_id)


def _audit_of_member(request, audit_id: int) -> Audit:
    """An audit of one of the user's organizations, for writes: a member without the right
    gets 403 from the service, someone of another organization 404."""
    return get_object_or_404(
        Audit.objects.filter(organization_id__in=visible_organization_ids(request.auth)),
        pk=audit_id,
    )


def _state(audit: Audit) -> dict[str, Any]:
    return {
        "id": audit.pk,
        "status": audit.status,
        "steps": [
            {
                "name": step.name,
                "to": step.target,
                "label": step.label,
                "available": reason is None,
                "reason": reason,
            }
            for step, reason in services.available_steps(audit)
        ],
    }


def _members(user) -> QuerySet[AuditTeamMember]:
    return scope(AuditTeamMember.objects.select_related("organization", "user"), user).order_by(
        "audit_id", "role", "pk"
    )


def _plan_items(user) -> QuerySet[AuditPlanItem]:
    return scope(
        AuditPlanItem.objects.select_related("organization").prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.only("pk"))
        ),
        user,
    ).order_by("audit_id", "starts_at", "pk")


def _meetings(user) -> QuerySet[AuditMeeting]:
    return scope(AuditMeeting.objects.select_related("organization"), user).order_by(
        "audit_id", "held_at", "pk"
    )


def _user(user_id: int | None, field: str):
    if user_id is None:
        return None
    found = get_user_model().objects.filter(pk=user_id).first()
    if found is None:
        raise ValidationFailed.single(field, "No such member.")
    return found


@overload
def _aware(value: dt.datetime) -> dt.datetime: ...
@overload
def _aware(value: None) -> None: ...
def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _plan_data(organization_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Ids of the body turned into the organization's objects; unknown ones name the field."""
    errors: list[FieldError] = []
    for name, model in (("site", Site), ("process", Process)):
        if data.get(name) is not None:
            found = model.objects.filter(organization_id=organization_id, pk=data[name]).first()
            if found is None:
                errors.append(FieldError(name, f"Choose a {name} of this organization."))
            data[name] = found
    if data.get("requirements") is not None:
        wanted = list(dict.fromkeys(data["requirements"]))
        by_pk = {r.pk: r for r in Requirement.objects.filter(pk__in=wanted)}
        missing = [str(pk) for pk in wanted if pk not in by_pk]
        if missing:
            errors.append(FieldError("requirements", f"No such requirement: {', '.join(missing)}."))
        data["requirements"] = [by_pk[pk] for pk in wanted if pk in by_pk]
    if "auditor" in data:
        try:
            data["auditor"] = _user(data["auditor"], "auditor")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    for name in ("starts_at", "ends_at"):
        if name in data:
            data[name] = _aware(data[name])
    if errors:
        raise ValidationFailed(errors)
    return data


# --- status -----------------------------------------------------------------------------------


@router.get("/audits/{audit_id}/transitions/", response=responses(AuditStateOut), tags=TAGS)
def audit_steps(request, audit_id: int):
    """The audit's status and the steps from it, each with the reason it is not available."""
    return _state(_audit_to_read(request, audit_id))


@router.post("/audits/{audit_id}/transition/", response=responses(AuditStateOut), tags=TAGS)
def transition_audit(request, audit_id: int, payload: TransitionIn):
    """Move the audit to another status; a refused move (409) says why. The report is issued
    through its own endpoint."""
    audit = _audit_of_member(request, audit_id)
    services.transition_audit(audit, payload.to, actor=request.auth, comment=payload.comment)
    return _state(Audit.objects.get(pk=audit.pk))


# --- team ---------------------------------------------------------------------------------------


@router.get("/audits/{audit_id}/team/", response=responses(list[TeamMemberOut]), tags=TAGS)
@paginate(Page)
def list_audit_team(request, audit_id: int):
    audit = _audit_to_read(request, audit_id)
    return _members(request.auth).filter(audit=audit)


@router.post("/audits/{audit_id}/team/", response=responses(TeamMemberOut, 201), tags=TAGS)
def add_audit_team_member(request, audit_id: int, payload: TeamMemberIn):
    """Put a member on the team; auditors of an internal audit must be independent of its
    processes, and a lead becomes the audit's lead auditor."""
    audit = _audit_of_member(request, audit_id)
    member = services.add_team_member(
        audit, _user(payload.user, "user"), payload.role, actor=request.auth
    )
    return Status(201, _members(request.auth).get(pk=member.pk))


@router.delete("/audits/{audit_id}/team/{member_id}/", response=responses(None, 204), tags=TAGS)
def remove_audit_team_member(request, audit_id: int, member_id: int):
    member = get_object_or_404(_members(request.auth), pk=member_id, audit_id=audit_id)
    services.remove_team_member(member, actor=request.auth)
    return Status(204, None)


@router.get("/audit-team-members/", response=responses(list[TeamMemberOut]), tags=TAGS)
@paginate(Page)
def list_team_members(request, filters: Query[AuditFilter]):
    """Team members of the audits you may see."""
    rows = _members(request.auth)
    if filters.audit is not None:
        rows = rows.filter(audit_id=filters.audit)
    return rows


@router.post("/audit-team-members/", response=responses(TeamMemberOut, 201), tags=TAGS)
def create_team_member(request, payload: TeamMemberCreate):
    audit = _audit_of_member(request, payload.audit)
    member = services.add_team_member(
        audit, _user(payload.user, "user"), payload.role, actor=request.auth
    )
    return Status(201, _members(request.auth).get(pk=member.pk))


@router.get("/audit-team-members/{member_id}/", response=responses(TeamMemberOut), tags=TAGS)
def get_team_member(request, member_id: int):
    return announce(get_object_or_404(_members(request.auth), pk=member_id))


@router.patch("/audit-team-members/{member_id}/", response=responses(TeamMemberOut), tags=TAGS)
def update_team_member(request, member_id: int, payload: TeamMemberUpdate):
    """Change a member's role."""
    member = get_object_or_404(_members(request.auth), pk=member_id)
    services.update_team_member(member, actor=request.auth, role=payload.role)
    return get_object_or_404(_members(request.auth), pk=member_id)


@router.delete("/audit-team-members/{member_id}/", response=responses(None, 204), tags=TAGS)
def delete_team_member(request, member_id: int):
    member = get_object_or_404(_members(request.auth), pk=member_id)
    services.remove_team_member(member, actor=request.auth)
    return Status(204, None)


@router.get(
    "/audit-team-members/{member_id}/history/",
    response=responses(list[ActivityOut]),
    tags=TAGS,
)
@paginate(Page)
def team_member_history(request, member_id: int):
    return history_of(get_object_or_404(_members(request.auth), pk=member_id), request.auth)


# --- plan ---------------------------------------------------------------------------------------


@router.get("/audits/{audit_id}/plan/", response=responses(list[AuditPlanItemOut]), tags=TAGS)
@paginate(Page)
def list_audit_plan(request, audit_id: int):
    """The audit's timetable, in time order (every member sees it)."""
    audit = _audit_to_read(request, audit_id)
    return _plan_items(request.auth).filter(audit=audit)


def _add_plan_item(request, audit: Audit, payload: PlanItemIn):
    data = _plan_data(audit.organization_id, payload.model_dump(exclude={"audit"}))
    item = services.add_plan_item(audit, actor=request.auth, **data)
    return Status(201, _plan_items(request.auth).get(pk=item.pk))


@router.post("/audits/{audit_id}/plan/", response=responses(AuditPlanItemOut, 201), tags=TAGS)
def add_audit_plan_item(request, audit_id: int, payload: PlanItemIn):
    """Add a slot to the plan: within the audit's dates, audited by a team member who is not
    planned elsewhere at the same time."""
    return _add_plan_item(request, _audit_of_member(request, audit_id), payload)


@router.get("/audit-plan-items/", response=responses(list[AuditPlanItemOut]), tags=TAGS)
@paginate(Page)
def list_plan_items(request, filters: Query[AuditFilter]):
    """Plan slots of the audits you may see."""
    rows = _plan_items(request.auth)
    if filters.audit is not None:
        rows = rows.filter(audit_id=filters.audit)
    return rows


@router.post("/audit-plan-items/", response=responses(AuditPlanItemOut, 201), tags=TAGS)
def create_plan_item(request, payload: PlanItemCreate):
    return _add_plan_item(request, _audit_of_member(request, payload.audit), payload)


@router.get("/audit-plan-items/{item_id}/", response=responses(AuditPlanItemOut), tags=TAGS)
def get_plan_item(request, item_id: int):
    return announce(get_object_or_404(_plan_items(request.auth), pk=item_id))


@router.patch("/audit-plan-items/{item_id}/", response=responses(AuditPlanItemOut), tags=TAGS)
def update_plan_item(request, item_id: int, payload: PlanItemUpdate):
    """Change the given fields of a plan slot (`requirements` replaces the list)."""
    item = get_object_or_404(_plan_items(request.auth), pk=item_id)
    data = _plan_data(item.organization_id, payload.model_dump(exclude_unset=True))
    services.update_plan_item(
        AuditPlanItem.objects.select_related("audit").get(pk=item.pk), actor=request.auth, **data
    )
    return get_object_or_404(_plan_items(request.auth), pk=item_id)


@router.delete("/audit-plan-items/{item_id}/", response=responses(None, 204), tags=TAGS)
def delete_plan_item(request, item_id: int):
    item = get_object_or_404(_plan_items(request.auth), pk=item_id)
    services.delete_plan_item(item, actor=request.auth)
    return Status(204, None)


@router.get(
    "/audit-plan-items/{item_id}/history/", response=responses(list[ActivityOut]), tags=TAGS
)
@paginate(Page)
def plan_item_history(request, item_id: int):
    return history_of(get_object_or_404(_plan_items(request.auth), pk=item_id), request.auth)


# --- meetings -----------------------------------------------------------------------------------


def _record_meeting(request, audit: Audit, payload: MeetingIn):
    meeting = services.record_meeting(
        audit,
        actor=request.auth,
        kind=payload.kind,
        held_at=_aware(payload.held_at),
        attendees=payload.attendees,
        notes=payload.notes,
    )
    return Status(201, _meetings(request.auth).get(pk=meeting.pk))


@router.get("/audits/{audit_id}/meetings/", response=responses(list[MeetingOut]), tags=TAGS)
@paginate(Page)
def list_audit_meetings(request, audit_id: int):
    audit = _audit_to_read(request, audit_id)
    return _meetings(request.auth).filter(audit=audit)


@router.post("/audits/{audit_id}/meetings/", response=responses(MeetingOut, 201), tags=TAGS)
def record_audit_meeting(request, audit_id: int, payload: MeetingIn):
    """Record the opening or closing meeting: when, who attended, what was said."""
    return _record_meeting(request, _audit_of_member(request, audit_id), payload)


@router.get("/audit-meetings/", response=responses(list[MeetingOut]), tags=TAGS)
@paginate(Page)
def list_meetings(request, filters: Query[AuditFilter]):
    rows = _meetings(request.auth)
    if filters.audit is not None:
        rows = rows.filter(audit_id=filters.audit)
    return rows


@router.post("/audit-meetings/", response=responses(MeetingOut, 201), tags=TAGS)
def create_meeting(request, payload: MeetingCreate):
    return _record_meeting(request, _audit_of_member(request, payload.audit), payload)


@router.get("/audit-meetings/{meeting_id}/", response=responses(MeetingOut), tags=TAGS)
def get_meeting(request, meeting_id: int):
    return announce(get_object_or_404(_meetings(request.auth), pk=meeting_id))


@router.patch("/audit-meetings/{meeting_id}/", response=responses(MeetingOut), tags=TAGS)
def update_meeting(request, meeting_id: int, payload: MeetingUpdate):
    meeting = get_object_or_404(_meetings(request.auth), pk=meeting_id)
    data = payload.model_dump(exclude_unset=True)
    if "held_at" in data:
        data["held_at"] = _aware(data["held_at"])
    services.update_meeting(
        AuditMeeting.objects.select_related("audit").get(pk=meeting.pk),
        actor=request.auth,
        **data,
    )
    return get_object_or_404(_meetings(request.auth), pk=meeting_id)


@router.delete("/audit-meetings/{meeting_id}/", response=responses(None, 204), tags=TAGS)
def delete_meeting(request, meeting_id: int):
    meeting = get_object_or_404(_meetings(request.auth), pk=meeting_id)
    services.delete_meeting(meeting, actor=request.auth)
    return Status(204, None)


@router.get(
    "/audit-meetings/{meeting_id}/history/", response=responses(list[ActivityOut]), tags=TAGS
)
@paginate(Page)
def meeting_history(request, meeting_id: int):
    return history_of(get_object_or_404(_meetings(request.auth), pk=meeting_id), request.auth)


# --- programme coverage -----------------------------------------------------------------------


@router.get(
    "/audit-programmes/{programme_id}/coverage/", response=responses(CoverageOut), tags=TAGS
)
def programme_coverage_matrix(request, programme_id: int):
    """Which requirements and processes each audit of the programme covers; rows no audit
    covers are gaps."""
    programme = get_object_or_404(
        scope(AuditProgramme.objects.all(), request.auth), pk=programme_id
    )
    coverage = programme_coverage(programme)
    return {
        "programme": programme.pk,
        "audits": coverage.audits,
        "requirements": [row.as_dict() for row in coverage.requirement_rows],
        "processes": [row.as_dict() for row in coverage.process_rows],
        "requirement_gaps": coverage.requirement_gaps,
        "process_gaps": coverage.process_gaps,
    }
