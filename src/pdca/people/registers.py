"""The people registers, declared once (see `core.registers`): competence requirements,
training records, qualifications, training assignments and awareness campaigns. Courses and
paths have pages of their own (modules and questions do not fit a register's form)."""

from __future__ import annotations

from pdca.core.registers.spec import RegisterSpec
from pdca.people.models import (
    Assignment,
    AwarenessCampaign,
    CompetenceRequirement,
    Qualification,
    TrainingRecord,
)

AUDIENCE_FIELDS = ("role", "position", "team", "site")


def _validate_requirement(requirement, related) -> None:
    from pdca.people.services.rules import validate_requirement

    validate_requirement(requirement)


def _validate_record(record, related) -> None:
    from pdca.people.services.rules import validate_record

    validate_record(record)


def _prepare_record(record) -> None:
    from pdca.people.services.rules import fill_expiry

    fill_expiry(record)


def _validate_assignment(assignment, related) -> None:
    from pdca.people.services.rules import validate_assignment

    validate_assignment(assignment)


def _validate_campaign(campaign, related) -> None:
    from pdca.people.services.rules import validate_campaign

    validate_campaign(campaign, related)


def _validate_qualification(qualification, related) -> None:
    from pdca.people.services.rules import validate_qualification

    validate_qualification(qualification)


def _assignment_context(request, assignment) -> dict:
    from pdca.people.services.assignments import assignment_progress

    return {"progress": assignment_progress(assignment)}


def _campaign_context(request, campaign) -> dict:
    from pdca.people.services.campaigns import campaign_detail_context

    return campaign_detail_context(request, campaign)


def _record_context(request, record) -> dict:
    from pdca.people.services.rules import record_detail_context

    return record_detail_context(request, record)


REQUIREMENTS = RegisterSpec(
    model=CompetenceRequirement,
    slug="competence-requirements",
    namespace="people",
    fields=(
        "code",
        "title",
        "description",
        "kind",
        "evaluation",
        "path",
        "min_experience_months",
        *AUDIENCE_FIELDS,
        "standard",
        "process",
        "mandatory",
        "validity_months",
        "owner",
        "requirements",
    ),
    columns=("code", "title", "kind", "evaluation", "audience_label", "standard", "mandatory"),
    column_labels={"audience_label": "Who"},
    filters=("kind", "evaluation", "role", "standard", "process", "mandatory"),
    search=("code", "title", "description", "position", "team"),
    ordering=("code", "title", "kind"),
    key_field="code",
    clauses=("7.2",),
    shown_when={
        "path": ("evaluation", ("path_passed",)),
        "min_experience_months": ("evaluation", ("experience",)),
    },
    validate=_validate_requirement,
    select_related=("standard", "site", "path", "process"),
    list_links=(("Competence matrix", "matrix"), ("Training", "home")),
    intro=(
        "What people in each role, position, team or site must have (clause 7.2 of every "
        "standard): education, training, experience, skills, qualifications; whether it is "
        "mandatory and how it is shown. Empty role, position, team and site mean everyone."
    ),
)

RECORDS = RegisterSpec(
    model=TrainingRecord,
    slug="training-records",
    namespace="people",
    fields=(
        "person",
        "kind",
        "title",
        "requirement",
        "path",
        "course",
        "provider",
        "provider_recognized",
        "recognized_by",
        "started_on",
        "completed_on",
        "hours",
        "result",
        "score",
        "certificate_number",
        "expires_on",
        "evidence",
        "standard",
        "technical_area",
        "audit_role",
        "audit_reference",
        "notes",
    ),
    columns=("person", "title", "kind", "result", "completed_on", "expires_on", "effectiveness"),
    filters=("person", "kind", "result", "requirement", "standard", "effectiveness"),
    search=("title", "provider", "certificate_number", "technical_area", "audit_reference"),
    ordering=("-completed_on", "expires_on", "title"),
    key_field="title",
    clauses=("7.2",),
    user_fields=("person",),
    shown_when={
        "audit_role": ("kind", ("audit",)),
        "audit_reference": ("kind", ("audit",)),
    },
    validate=_validate_record,
    before_save=_prepare_record,
    select_related=("person", "requirement", "standard", "path", "course", "evidence"),
    detail_template="people/record_detail_part.html",
    detail_context=_record_context,
    list_links=(("Competence matrix", "matrix"), ("Training", "home")),
    intro=(
        "Evidence of competence (clause 7.2 d): training, qualifications, education, experience, "
        "audits logged and assessments on the job, with the provider, result, certificate, "
        "expiry and evidence file, and whether the training was effective (7.2 c)."
    ),
)

QUALIFICATIONS = RegisterSpec(
    model=Qualification,
    slug="qualifications",
    namespace="people",
    fields=(
        "person",
        "kind",
        "standard",
        "technical_area",
        "granted_on",
        "expires_on",
        "granted_by",
        "basis",
        "status",
    ),
    columns=("person", "kind", "standard", "technical_area", "granted_on", "expires_on", "status"),
    filters=("person", "kind", "standard", "status"),
    search=("technical_area", "basis"),
    ordering=("person", "kind", "granted_on"),
    key_field="title",
    user_fields=("person", "granted_by"),
    validate=_validate_qualification,
    select_related=("person", "standard", "granted_by"),
    list_links=(("Training", "home"),),
    intro=(
        "Qualification decisions: internal auditors qualified by a path passed and audits "
        "observed or led, and a certification body's auditors approved per standard and "
        "technical area, each with the records it rests on."
    ),
)

ASSIGNMENTS = RegisterSpec(
    model=Assignment,
    slug="training-assignments",
    namespace="people",
    fields=(
        "path",
        "action",
        "person",
        *AUDIENCE_FIELDS,
        "due_date",
        "owner",
        "requirement",
        "note",
    ),
    columns=("title", "due_date", "owner", "requirement"),
    column_labels={"title": "Assignment"},
    filters=("path", "person", "role", "owner", "requirement"),
    search=("action", "note", "team", "position"),
    ordering=("due_date",),
    key_field="title",
    user_fields=("person", "owner"),
    validate=_validate_assignment,
    select_related=("path", "person", "owner", "site", "requirement"),
    list_links=(("Training", "home"),),
    detail_template="people/assignment_detail_part.html",
    detail_context=_assignment_context,
    intro=(
        "Training paths and other competence actions assigned to people, roles, teams or sites, "
        "with a due date and someone who follows them up. People who join later are covered."
    ),
)

CAMPAIGNS = RegisterSpec(
    model=AwarenessCampaign,
    slug="awareness-campaigns",
    namespace="people",
    fields=(
        "title",
        "description",
        "documents",
        "path",
        *AUDIENCE_FIELDS,
        "due_date",
        "owner",
    ),
    columns=("title", "status", "audience_label", "due_date", "owner"),
    column_labels={"audience_label": "Who"},
    filters=("status", "owner", "role"),
    search=("title", "description"),
    ordering=("-due_date", "title"),
    key_field="title",
    clauses=("7.3",),
    validate=_validate_campaign,
    select_related=("path", "site", "owner"),
    detail_template="people/campaign_detail_part.html",
    detail_context=_campaign_context,
    intro=(
        "Awareness (clause 7.3): published documents to acknowledge and a path to pass, for "
        "everyone a role, team or site covers. Launch it to ask and assign; its report is the "
        "evidence an auditor samples."
    ),
)

SPECS = (REQUIREMENTS, RECORDS, QUALIFICATIONS, ASSIGNMENTS, CAMPAIGNS)
