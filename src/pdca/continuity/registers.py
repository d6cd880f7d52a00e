"""The registers of business continuity (ISO 22301), declared once: `core.registers` builds
their pages, API, spreadsheets and CLI. Their rules live in `bia_rules` and `entry_rules`;
the parts of their pages beyond the fields in `pages`."""

from __future__ import annotations

from typing import Any

from pdca.continuity import bia_rules, entry_rules
from pdca.continuity.models import (
    BiaDependency,
    BusinessImpactAnalysis,
    ContinuityPlan,
    ContinuityStrategy,
    Exercise,
    ExerciseImprovement,
    PlanContact,
    PlanRole,
)
from pdca.core.registers.spec import RegisterSpec

STANDARD = ("iso22301-2019",)


def _threats(queryset: Any, organization: Any) -> Any:
    # Disruption risks: threats of the risk register, not opportunities.
    return queryset.exclude(kind="opportunity")


def _context(name: str):
    def context(request: Any, obj: Any) -> dict[str, Any]:
        from pdca.continuity import pages

        return getattr(pages, name)(request, obj)

    return context


BUSINESS_IMPACT_ANALYSES = RegisterSpec(
    model=BusinessImpactAnalysis,
    slug="business-impact-analyses",
    namespace="continuity",
    key_field="activity",
    fields=(
        "activity",
        "product_service",
        "description",
        "process",
        "owner",
        "site",
        "mtpd_hours",
        "rto_hours",
        "rpo_hours",
        "mbco",
        "risks",
        "status",
        "review_date",
        "requirements",
    ),
    columns=(
        "activity",
        "product_service",
        "owner",
        "site",
        "suggested_mtpd_hours",
        "mtpd_hours",
        "rto_hours",
        "priority",
        "status",
    ),
    filters=("status", "owner", "site", "process", "priority"),
    search=("activity", "product_service", "description", "mbco"),
    ordering=("priority", "activity", "mtpd_hours", "rto_hours", "review_date"),
    clause_standards=STANDARD,
    clauses=("8.2.2",),
    validate=bia_rules.validate_bia,
    before_save=bia_rules.apply_derived,
    detail_template="continuity/_bia_detail.html",
    detail_context=_context("bia_context"),
    list_links=(
        ("Prioritized activities", "prioritized"),
        ("BIA method", "method"),
        ("Dependencies", "bia-dependencies-list"),
    ),
    limit_choices={"risks": _threats},
    column_labels={
        "suggested_mtpd_hours": "Suggested MTPD (h)",
        "mtpd_hours": "MTPD (h)",
        "rto_hours": "RTO (h)",
    },
    intro=(
        "Business impact analyses (ISO 22301 8.2.2): for each activity, how the impacts of a "
        "disruption grow over time on the organization's BIA method, the maximum tolerable "
        "period of disruption it suggests, and the recovery objectives. Disruption risks live "
        "in the risk register; link them here."
    ),
)

BIA_DEPENDENCIES = RegisterSpec(
    model=BiaDependency,
    slug="bia-dependencies",
    namespace="continuity",
    key_field="name",
    fields=("bia", "kind", "name", "recovery_need", "rto_hours", "notes"),
    columns=("name", "kind", "bia", "rto_hours"),
    filters=("bia", "kind"),
    search=("name", "recovery_need", "notes"),
    ordering=("name", "kind", "rto_hours"),
    user_fields=(),
    validate=bia_rules.validate_dependency,
    column_labels={"rto_hours": "Needed back within (h)"},
    intro=(
        "What each prioritized activity depends on (people and skills, sites, suppliers, IT "
        "systems, information, equipment) and how soon it must be back: never later than the "
        "activity's recovery time objective."
    ),
)

CONTINUITY_STRATEGIES = RegisterSpec(
    model=ContinuityStrategy,
    slug="continuity-strategies",
    namespace="continuity",
    fields=(
        "title",
        "kind",
        "description",
        "activities",
        "resources",
        "cost_note",
        "status",
        "owner",
        "requirements",
    ),
    columns=("title", "kind", "activities", "status", "owner"),
    filters=("kind", "status", "owner", "activities"),
    search=("title", "description", "resources", "cost_note"),
    ordering=("title", "status", "kind"),
    clause_standards=STANDARD,
    clauses=("8.3",),
    validate=entry_rules.validate_strategy,
    intro=(
        "Strategies and solutions (ISO 22301 8.3) that keep prioritized activities going or "
        "bring them back within their recovery time objectives, with the resources they need "
        "and what they cost."
    ),
)

CONTINUITY_PLANS = RegisterSpec(
    model=ContinuityPlan,
    slug="continuity-plans",
    namespace="continuity",
    fields=(
        "title",
        "activities",
        "strategies",
        "activation_criteria",
        "recovery_steps",
        "document",
        "version",
        "last_reviewed",
        "status",
        "owner",
        "requirements",
    ),
    columns=("title", "version", "status", "last_reviewed", "owner"),
    filters=("status", "owner", "activities"),
    search=("title", "activation_criteria", "recovery_steps"),
    ordering=("title", "last_reviewed", "status"),
    clause_standards=STANDARD,
    clauses=("8.4",),
    validate=entry_rules.validate_plan,
    before_save=entry_rules.stamp_plan,
    detail_template="continuity/_plan_detail.html",
    detail_context=_context("plan_context"),
    list_links=(("Roles", "plan-roles-list"), ("Contacts", "plan-contacts-list")),
    intro=(
        "Business continuity plans (ISO 22301 8.4): the activities they cover, when they are "
        "activated, the roles and contact list, and the recovery steps. Approved plans are "
        "records."
    ),
)

PLAN_ROLES = RegisterSpec(
    model=PlanRole,
    slug="plan-roles",
    namespace="continuity",
    key_field="role",
    fields=("plan", "role", "person", "name", "deputy", "deputy_name", "responsibilities"),
    columns=("role", "plan", "person", "name", "deputy"),
    filters=("plan", "person"),
    search=("role", "name", "deputy_name", "responsibilities"),
    ordering=("role",),
    user_fields=("person", "deputy"),
    validate=entry_rules.validate_role,
    intro="Who takes which role when a continuity plan is activated, and who stands in.",
)

PLAN_CONTACTS = RegisterSpec(
    model=PlanContact,
    slug="plan-contacts",
    namespace="continuity",
    key_field="name",
    fields=("plan", "name", "company", "role", "phone", "email", "kind"),
    columns=("name", "company", "role", "phone", "email", "kind", "plan"),
    filters=("plan", "kind"),
    search=("name", "company", "role", "email"),
    ordering=("name", "kind"),
    user_fields=(),
    validate=entry_rules.validate_contact,
    intro="The contact lists of the continuity plans: staff, partners, emergency services.",
)

EXERCISES = RegisterSpec(
    model=Exercise,
    slug="exercises",
    namespace="continuity",
    fields=(
        "title",
        "exercise_type",
        "planned_date",
        "plans",
        "activities",
        "scenario",
        "objectives",
        "participants",
        "owner",
        "requirements",
    ),
    columns=("title", "exercise_type", "planned_date", "status", "actual_date", "rto_achieved"),
    filters=("exercise_type", "status", "owner", "plans"),
    search=("title", "scenario", "objectives", "participants", "observations"),
    ordering=("planned_date", "title", "status"),
    clause_standards=STANDARD,
    clauses=("8.5",),
    validate=entry_rules.validate_exercise,
    detail_template="continuity/_exercise_detail.html",
    detail_context=_context("exercise_context"),
    list_links=(
        ("Exercise programme", "programme"),
        ("Improvements", "exercise-improvements-list"),
    ),
    intro=(
        "The exercise programme (ISO 22301 8.5): exercises of the plans and activities, their "
        "results against the recovery time objectives, and the improvements they led to."
    ),
)

EXERCISE_IMPROVEMENTS = RegisterSpec(
    model=ExerciseImprovement,
    slug="exercise-improvements",
    namespace="continuity",
    key_field="description",
    fields=("exercise", "description", "owner", "due_date", "status"),
    columns=("description", "exercise", "owner", "due_date", "status", "nonconformity"),
    filters=("exercise", "owner", "status"),
    search=("description",),
    ordering=("due_date", "description", "status"),
    validate=entry_rules.validate_improvement,
    detail_template="continuity/_improvement_detail.html",
    detail_context=_context("improvement_context"),
    intro=(
        "What exercises showed should be better. One that needs corrective action opens a "
        "nonconformity."
    ),
)

SPECS: tuple[RegisterSpec, ...] = (
    BUSINESS_IMPACT_ANALYSES,
    BIA_DEPENDENCIES,
    CONTINUITY_STRATEGIES,
    CONTINUITY_PLANS,
    PLAN_ROLES,
    PLAN_CONTACTS,
    EXERCISES,
    EXERCISE_IMPROVEMENTS,
)
