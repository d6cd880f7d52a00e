"""API of a person's corrective-action tasks and of the organization's corrective-action
policy (due days and waiting periods by severity). Thin endpoints over
`pdca.improvement.selectors.capa_tasks` and `pdca.improvement.policy`."""

import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field, StrictInt

from pdca.core.api import Input, Text, organization_for, responses
from pdca.improvement.capa_shared_api import action_overdue
from pdca.improvement.models import CapaPolicy, CorrectiveAction, Nonconformity
from pdca.improvement.policy import MAX_DAYS, policy_for, update_capa_policy
from pdca.improvement.selectors import capa_tasks

router = Router(tags=["corrective action"])


class CapaOrganizationQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


# --- tasks --------------------------------------------------------------------------------


class NcTaskOut(Schema):
    id: int
    reference: str
    title: str
    status: Nonconformity.Status
    severity: str = Field(description="major, minor, or empty before triage")
    due_date: dt.date | None
    created_at: dt.datetime


class OwnedTaskOut(NcTaskOut):
    next_step: str = Field(description="What the owner does next")


class CheckTaskOut(NcTaskOut):
    check_from: dt.date = Field(description="First day of the effectiveness check")
    check_ready: bool = Field(description="The waiting period is over")


class ActionTaskOut(Schema):
    id: int
    nonconformity: int = Field(alias="nonconformity_id")
    nonconformity_reference: str = Field(alias="nonconformity.reference")
    round: int
    title: str
    due_date: dt.date
    status: CorrectiveAction.Status
    overdue: bool

    @staticmethod
    def resolve_overdue(obj: CorrectiveAction) -> bool:
        return action_overdue(obj)


class CapaTasksOut(Schema):
    organization: str
    count: int = Field(description="Things to do (the reported list is not counted)")
    overdue: int = Field(description="Actions and owned nonconformities past their due date")
    actions: list[ActionTaskOut] = Field(description="Your planned actions, overdue first")
    nonconformities: list[OwnedTaskOut] = Field(description="Nonconformities you own")
    verifications: list[CheckTaskOut] = Field(description="Effectiveness checks you may make")
    triage: list[NcTaskOut] = Field(description="Reports waiting for triage (if you triage)")
    reported: list[NcTaskOut] = Field(description="What you reported, newest first (20 at most)")


@router.get("/capa-tasks/", response=responses(CapaTasksOut), summary="My corrective-action tasks")
def list_capa_tasks(request, filters: Query[CapaOrganizationQuery]):
    """Your corrective-action tasks in one organization: actions to carry out,
    nonconformities to take through, checks to make, reports to triage."""
    organization = organization_for(request.auth, filters.organization)
    tasks = capa_tasks(request.auth, organization)
    return {
        "organization": organization.slug,
        "count": tasks.count,
        "overdue": tasks.overdue,
        "actions": tasks.actions,
        "nonconformities": tasks.nonconformities,
        "verifications": tasks.verifications,
        "triage": tasks.triage,
        "reported": tasks.reported,
    }


# --- policy -------------------------------------------------------------------------------

Days = StrictInt


class CapaPolicyOut(Schema):
    organization: str
    saved: bool = Field(description="False while the organization uses the defaults")
    major_due_days: int = Field(description="Days from triage to closure for a major")
    minor_due_days: int = Field(description="Days from triage to closure for a minor")
    major_wait_days: int = Field(description="Days after implementation before a major's check")
    minor_wait_days: int = Field(description="Days after implementation before a minor's check")


class CapaPolicyIn(Input):
    major_due_days: Days = Field(description=f"1 to {MAX_DAYS}")
    minor_due_days: Days = Field(description=f"1 to {MAX_DAYS}")
    major_wait_days: Days = Field(description=f"0 to {MAX_DAYS}")
    minor_wait_days: Days = Field(description=f"0 to {MAX_DAYS}")


def _policy_out(organization, policy: CapaPolicy) -> dict:
    return {
        "organization": organization.slug,
        "saved": policy.pk is not None,
        "major_due_days": policy.major_due_days,
        "minor_due_days": policy.minor_due_days,
        "major_wait_days": policy.major_wait_days,
        "minor_wait_days": policy.minor_wait_days,
    }


def _policy_organization(request, slug: str | None):
    return organization_for(request.auth, slug, may_view=CapaPolicy)


@router.get(
    "/capa-policy/", response=responses(CapaPolicyOut), summary="The corrective-action policy"
)
def get_capa_policy(request, filters: Query[CapaOrganizationQuery]):
    """The organization's corrective-action policy (the defaults until it saves its own)."""
    organization = _policy_organization(request, filters.organization)
    return _policy_out(organization, policy_for(organization))


@router.put(
    "/capa-policy/", response=responses(CapaPolicyOut), summary="Set the corrective-action policy"
)
def put_capa_policy(request, filters: Query[CapaOrganizationQuery], payload: CapaPolicyIn):
    """Set the policy's due days and waiting periods (implementers). New triages and checks
    follow it; dates already set stay."""
    organization = _policy_organization(request, filters.organization)
    policy = update_capa_policy(organization, actor=request.auth, **payload.model_dump())
    return _policy_out(organization, policy)
