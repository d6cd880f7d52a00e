"""Schemas of the programme API (`programme_api`): what its endpoints read and answer."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field

from pdca.certification.certificate_api import CertificateEditionTransitionOut
from pdca.certification.models import (
    CertificationCycle,
    CertificationDecision,
    CycleAudit,
    FindingReview,
)
from pdca.certification.services import calendar
from pdca.certification.services import programme_audits as audits
from pdca.core.api import Id, Input, Text

# --- schemas ------------------------------------------------------------------------------


class CycleOut(Schema):
    id: int
    client: int = Field(alias="client_id")
    client_name: str = Field(alias="client.name")
    application: int | None = Field(alias="application_id")
    previous: int | None = Field(alias="previous_id")
    number: int
    status: CertificationCycle.Status
    scope: str
    standards: list[str]
    decision_date: dt.date | None
    expiry_date: dt.date | None

    @staticmethod
    def resolve_standards(obj: CertificationCycle) -> list[str]:
        return [s.code for s in obj.standards.all()]


class CycleAuditOut(Schema):
    id: int
    cycle: int = Field(alias="cycle_id")
    client_name: str = Field(alias="cycle.client.name")
    kind: CycleAudit.Kind
    sequence: int
    label: str
    status: str = Field(description="due, overdue, scheduled, in_progress, reported, cancelled")
    due_date: dt.date
    audit: int | None = Field(alias="audit_id")
    start_date: dt.date | None
    end_date: dt.date | None
    lead_auditor: str | None
    late: bool = Field(description="Held or scheduled after its due date")
    planned_days: Decimal | None
    delivered_days: Decimal | None
    deviation_reason: str
    stage1_outcome: str
    stage1_concerns: str
    reason: str
    transition_to: list[str] = Field(
        description="Codes of the new editions this audit moves the certificate to (a "
        "transition audit, or a surveillance or recertification combined with one)"
    )

    @staticmethod
    def resolve_label(obj: CycleAudit) -> str:
        return audits.label_of(obj)

    @staticmethod
    def resolve_transition_to(obj: CycleAudit) -> list[str]:
        return sorted(s.code for s in obj.transition_to.all())

    @staticmethod
    def resolve_status(obj: CycleAudit) -> str:
        return audits.status_of(obj)

    @staticmethod
    def resolve_start_date(obj: CycleAudit) -> dt.date | None:
        return obj.audit.start_date if obj.audit else None

    @staticmethod
    def resolve_end_date(obj: CycleAudit) -> dt.date | None:
        return obj.audit.end_date if obj.audit else None

    @staticmethod
    def resolve_lead_auditor(obj: CycleAudit) -> str | None:
        lead = obj.audit.lead_auditor if obj.audit else None
        return lead.email if lead else None

    @staticmethod
    def resolve_late(obj: CycleAudit) -> bool:
        return audits.is_late(obj)


class CalendarRowOut(CycleAuditOut):
    client: int = Field(alias="cycle.client_id")
    standards: list[str]

    @staticmethod
    def resolve_standards(obj: CycleAudit) -> list[str]:
        return [s.code for s in obj.cycle.standards.all()]


class FindingReviewOut(Schema):
    id: int
    finding: int = Field(alias="finding_id")
    finding_number: int = Field(alias="finding.number")
    finding_title: str = Field(alias="finding.title")
    grade: str = Field(alias="finding.grade")
    audit: int = Field(alias="finding.audit_id")
    response_due: dt.date
    closure_due: dt.date | None
    responded_on: dt.date | None
    correction: str
    root_cause: str
    corrective_action: str
    plan_status: FindingReview.PlanStatus
    plan_reviewed_on: dt.date | None
    rejection_reason: str
    verified_on: dt.date | None
    verification_method: str
    verification_notes: str


class DecisionChecklistItemOut(Schema):
    code: str
    label: str
    ok: bool
    detail: str


class DecisionOut(Schema):
    id: int
    cycle: int = Field(alias="cycle_id")
    kind: CertificationDecision.Kind
    outcome: CertificationDecision.Outcome
    decided_by: str = Field(alias="decided_by.email")
    decided_on: dt.date
    notes: str
    checklist: list[DecisionChecklistItemOut]
    certificate: int | None = Field(alias="certificate_id")


class TransitionOptionOut(Schema):
    id: int = Field(description="Programme audit id, for `combine_with`")
    label: str
    due_date: dt.date


class CycleDetail(CycleOut):
    audits: list[CycleAuditOut]
    reviews: list[FindingReviewOut]
    decisions: list[DecisionOut]
    needs_new_stage2: bool = Field(
        description="A major of stage 2 missed the six-month verification: hold a new stage 2"
    )
    transitions: list[CertificateEditionTransitionOut] = Field(
        description="The cycle's editions that newer ones replace, most urgent first"
    )
    transition_options: list[TransitionOptionOut] = Field(
        description="Surveillance and recertification audits due before the end of the "
        "transition, with which the transition audit may be combined"
    )

    @staticmethod
    def resolve_transitions(obj: CertificationCycle) -> list:
        return obj._transitions  # type: ignore[attr-defined]

    @staticmethod
    def resolve_transition_options(obj: CertificationCycle) -> list:
        return [
            {"id": item.pk, "label": audits.label_of(item), "due_date": item.due_date}
            for item in obj._transition_options  # type: ignore[attr-defined]
        ]

    @staticmethod
    def resolve_audits(obj: CertificationCycle) -> list:
        return obj._programme  # type: ignore[attr-defined]

    @staticmethod
    def resolve_reviews(obj: CertificationCycle) -> list:
        return obj._reviews  # type: ignore[attr-defined]

    @staticmethod
    def resolve_decisions(obj: CertificationCycle) -> list:
        return obj._decisions  # type: ignore[attr-defined]

    @staticmethod
    def resolve_needs_new_stage2(obj: CertificationCycle) -> bool:
        return obj._needs_new_stage2  # type: ignore[attr-defined]


class ScheduledOut(Schema):
    cycle_audit: CycleAuditOut
    warnings: list[str]


class CycleOpenIn(Input):
    application: Id = Field(description="An accepted application's id")
    with_stage1: bool = Field(False, description="Recertification: a stage 1 first")


class CycleFilter(Schema):
    client: Id | None = None
    status: CertificationCycle.Status | None = None


class CalendarFilter(Schema):
    start: dt.date | None = Field(None, description="A day of the first month shown")
    months: int = Field(3, ge=1, le=calendar.MAX_MONTHS)
    month: Text | None = Field(None, max_length=7, description="One month, YYYY-MM")
    auditor: Id | None = Field(None, description="Lead auditor or team member (user id)")
    standard: Text | None = Field(None, max_length=60, description="Standard id or code")
    status: str | None = Field(
        None,
        max_length=12,
        description="due, overdue, scheduled, in_progress, reported or cancelled",
    )
    client: Id | None = None
    overdue: bool = Field(False, description="Every overdue audit, whatever the window")


class ScheduleAuditIn(Input):
    start_date: dt.date
    end_date: dt.date
    lead_auditor: Id | None = Field(None, description="User id of the lead auditor")


class Stage1OutcomeIn(Input):
    outcome: CycleAudit.Stage1Outcome
    concerns: Text = Field("", max_length=20_000)


class DeliveredDaysIn(Input):
    days: Decimal = Field(ge=0, le=Decimal("9999.99"), decimal_places=2)
    reason: Text = Field("", max_length=20_000)


class SpecialAuditIn(Input):
    kind: CycleAudit.Kind = Field(description="special or short_notice")
    due_date: dt.date
    reason: Text = Field(min_length=1, max_length=20_000)


class RepeatStageIn(Input):
    kind: CycleAudit.Kind = Field(description="stage1 or stage2")
    reason: Text = Field("", max_length=20_000)


class ClientAnswerIn(Input):
    correction: Text = Field(min_length=1, max_length=20_000)
    root_cause: Text = Field(min_length=1, max_length=20_000)
    corrective_action: Text = Field(min_length=1, max_length=20_000)
    responded_on: dt.date


class PlanReviewIn(Input):
    accept: bool
    reason: Text = Field("", max_length=20_000, description="Required to reject")


class ActionsVerifiedIn(Input):
    method: FindingReview.Method
    notes: Text = Field(min_length=1, max_length=20_000)
    on: dt.date


class DecisionIn(Input):
    kind: CertificationDecision.Kind | None = Field(
        None,
        description="Initial, recertification, restoration, scope change or transition to a "
        "new edition (default: what the cycle calls for)",
    )
    outcome: CertificationDecision.Outcome
    notes: Text = Field("", max_length=20_000, description="Required for a refusal")
    on: dt.date | None = Field(None, description="The decision's date (default today)")


class TransitionAuditIn(Input):
    combine_with: Id | None = Field(
        None,
        description="A surveillance or recertification audit of the cycle (one of its "
        "`transition_options`) to hold the transition with; leave out for a separate "
        "transition audit",
    )
    due_date: dt.date | None = Field(
        None,
        description="A separate transition audit: due by this date (default: the end of the "
        "transition)",
    )
    to: list[Annotated[Text, Field(max_length=60)]] | None = Field(
        None,
        max_length=20,
        description="Codes of the new editions (default: every one replacing a standard of the "
        "cycle)",
    )
    reason: Text = Field("", max_length=20_000)


class FindingReviewFilter(Schema):
    cycle: Id | None = None
    plan_status: FindingReview.PlanStatus | None = None
