"""The rules of competence records, kept in one place: what a requirement, a record, an
assignment, a campaign and a qualification must say, and when evidence expires."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.people.models import (
    Assignment,
    AwarenessCampaign,
    CompetenceRequirement,
    Qualification,
    TrainingRecord,
)

Evaluation = CompetenceRequirement.Evaluation
Result = TrainingRecord.Result
Kind = TrainingRecord.Kind

#: A cell of the matrix turns amber this many days before its evidence expires.
EXPIRY_WARNING_DAYS = 90


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months; the 31st of a shorter month is its last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def validity_of(record: TrainingRecord) -> int | None:
    """Months the record counts for: its requirement's, else its path's or course's."""
    for source in (record.requirement, record.path, record.course):
        if source is not None and source.validity_months:
            return int(source.validity_months)
    return None


def fill_expiry(record: TrainingRecord) -> None:
    """A passed training with no expiry given expires as its requirement, path or course says."""
    if record.expires_on or not record.completed_on or record.result != Result.PASSED:
        return
    months = validity_of(record)
    if months:
        record.expires_on = add_months(record.completed_on, months)


def validate_requirement(requirement: CompetenceRequirement) -> None:
    errors = []
    if requirement.evaluation == Evaluation.PATH_PASSED and requirement.path_id is None:
        errors.append(FieldError("path", "Choose the path whose pass meets this requirement."))
    if requirement.evaluation == Evaluation.EXPERIENCE and not requirement.min_experience_months:
        errors.append(
            FieldError("min_experience_months", "Say how many months of experience it asks.")
        )
    if (
        requirement.path is not None
        and requirement.path.organization_id != requirement.organization_id
    ):
        errors.append(FieldError("path", "Choose a path of this organization."))
    if errors:
        raise ValidationFailed(errors)


def validate_record(record: TrainingRecord) -> None:
    errors = []
    if record.started_on and record.completed_on and record.completed_on < record.started_on:
        errors.append(FieldError("completed_on", "The end cannot be before the start."))
    if record.expires_on and record.completed_on and record.expires_on <= record.completed_on:
        errors.append(FieldError("expires_on", "The expiry must be after the completion date."))
    if record.result in (Result.PASSED, Result.ATTENDED, Result.FAILED) and not (
        record.completed_on
    ):
        errors.append(FieldError("completed_on", "Say when it was completed.", "required"))
    if record.kind == Kind.AUDIT and not record.audit_role:
        errors.append(FieldError("audit_role", "Say the person's role in the audit.", "required"))
    if record.kind != Kind.AUDIT and record.audit_role:
        errors.append(FieldError("audit_role", "Only an audit logged has a role in the audit."))
    if record.score is not None and record.score > 100:
        errors.append(FieldError("score", "A score is a percentage, at most 100."))
    if record.kind == Kind.TRANSITION:
        if record.standard is None:
            errors.append(
                FieldError("standard", "Choose the new edition the training is for.", "required")
            )
        elif record.standard.replaces_id is None:
            errors.append(
                FieldError(
                    "standard",
                    f"{record.standard.full_name} replaces no earlier edition: transition "
                    "training is for a new edition.",
                    "not_a_new_edition",
                )
            )
    if record.recognized_by and not record.provider_recognized:
        errors.append(
            FieldError("provider_recognized", "Tick it when you name who recognizes the provider.")
        )
    if errors:
        raise ValidationFailed(errors)


def validate_assignment(assignment: Assignment) -> None:
    errors = []
    if not assignment.path_id and not assignment.action.strip():
        errors.append(FieldError("path", "Choose a path, or describe the action.", "required"))
    if assignment.person_id and (
        assignment.role or assignment.position or assignment.team or assignment.site_id
    ):
        errors.append(
            FieldError("person", "Assign to one person, or to a role, position, team or site.")
        )
    if errors:
        raise ValidationFailed(errors)


def validate_campaign(campaign: AwarenessCampaign, related: dict[str, list[Any]]) -> None:
    documents = related.get("documents")
    if documents is None and campaign.pk:
        documents = list(campaign.documents.all())
    if not documents and not campaign.path_id:
        raise ValidationFailed.single(
            "documents", "Choose documents to acknowledge, a path to pass, or both.", "required"
        )


def validate_qualification(qualification: Qualification) -> None:
    if qualification.expires_on and qualification.expires_on <= qualification.granted_on:
        raise ValidationFailed.single("expires_on", "The expiry must be after the grant date.")


def record_detail_context(request, record: TrainingRecord) -> dict[str, Any]:
    from pdca.core.permissions import may

    return {
        "may_evaluate": may(request.user, "evaluate", record) and record.result != Result.PLANNED,
        "effectiveness_choices": TrainingRecord.Effectiveness.choices,
    }
