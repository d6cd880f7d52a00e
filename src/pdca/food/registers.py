"""The registers of this app, declared once: `core.registers` builds their pages, API,
spreadsheets and CLI. Their rules live in `food.rules`."""

from __future__ import annotations

from pdca.core.registers.spec import RegisterSpec
from pdca.food.models import (
    FlowStep,
    HazardAnalysis,
    HazardControlPlan,
    PrerequisiteProgramme,
    ProcessFlow,
    TraceabilityExercise,
)

STANDARDS = ("iso22000-2018",)


def _rules():
    from pdca.food import rules

    return rules


def _detail(name: str):
    def context(request, obj):
        from pdca.food import pages

        return getattr(pages, name)(request, obj)

    return context


def _hazard_rows(queryset):
    return queryset.select_related("step__flow")


def _steps(queryset, organization):
    return queryset.select_related("flow")


def _significant_hazards(queryset, organization):
    return queryset.filter(significant=True).select_related("step__flow")


def _plan_rows(queryset):
    return queryset.prefetch_related("hazards__step__flow")


PREREQUISITE_PROGRAMMES = RegisterSpec(
    model=PrerequisiteProgramme,
    slug="prerequisite-programmes",
    namespace="food",
    fields=(
        "title",
        "site",
        "category",
        "description",
        "owner",
        "documents",
        "frequency",
        "started_on",
        "requirements",
    ),
    columns=(
        "title",
        "site",
        "category",
        "owner",
        "frequency",
        "last_verified_on",
        "next_due",
        "overdue",
    ),
    filters=("site", "category", "owner", "frequency", "next_due"),
    search=("title", "description"),
    ordering=("title", "category", "next_due", "last_verified_on"),
    clauses=("8.2",),
    clause_standards=STANDARDS,
    validate=lambda obj, related: None,
    before_save=lambda obj: _rules().apply_programme_rules(obj),
    detail_template="food/_programme_detail.html",
    detail_context=_detail("programme_context"),
    list_links=(("Verifications", "verification-list"), ("Food safety method", "method")),
    select_related=("site", "owner"),
    column_labels={
        "last_verified_on": "Last verified",
        "next_due": "Next due",
        "overdue": "Overdue",
    },
    intro=(
        "Prerequisite programmes per site (cleaning, pest control, hygiene, allergens…), who "
        "owns them and how often they are verified; the next verification falls due one "
        "period after the last."
    ),
)

FLOWS = RegisterSpec(
    model=ProcessFlow,
    slug="food-flows",
    namespace="food",
    key_field="name",
    fields=(
        "name",
        "kind",
        "description",
        "site",
        "process",
        "owner",
        "verified_on",
        "verified_by",
        "requirements",
    ),
    user_fields=("owner", "verified_by"),
    columns=("name", "kind", "site", "owner", "verified_on"),
    filters=("kind", "site", "owner"),
    search=("name", "description"),
    ordering=("name", "verified_on"),
    clauses=("8.5.1",),
    clause_standards=STANDARDS,
    detail_template="food/_flow_detail.html",
    detail_context=_detail("flow_context"),
    select_related=("site", "owner"),
    intro=(
        "Flow diagrams of products and processes: their steps in order, checked on site by "
        "the food safety team. The hazard analysis works along them."
    ),
)

FLOW_STEPS = RegisterSpec(
    model=FlowStep,
    slug="flow-steps",
    namespace="food",
    key_field="name",
    fields=(
        "flow",
        "number",
        "name",
        "step_type",
        "description",
        "inputs",
        "outputs",
        "rework",
        "outsourced",
    ),
    user_fields=(),
    columns=("flow", "number", "name", "step_type", "outsourced"),
    filters=("flow", "step_type", "outsourced"),
    search=("name", "description", "inputs", "outputs"),
    ordering=("flow", "number", "name"),
    validate=lambda obj, related: _rules().validate_step(obj, related),
    select_related=("flow",),
    intro="The steps of the flow diagrams, numbered in the order the product goes through them.",
)

HAZARDS = RegisterSpec(
    model=HazardAnalysis,
    slug="food-hazards",
    namespace="food",
    key_field="hazard",
    fields=(
        "step",
        "category",
        "hazard",
        "source",
        "acceptable_level",
        "likelihood",
        "severity",
        "control_measure",
        "designed_to_control",
        "later_step_controls",
        "measurable_limit",
        "monitored_in_time",
        "assessed_on",
        "assessed_by",
        "requirements",
    ),
    user_fields=("assessed_by",),
    columns=("hazard", "step", "category", "score", "significant", "control_category"),
    filters=("step", "category", "significant", "control_category"),
    search=("hazard", "source", "control_measure"),
    ordering=("step", "category", "score", "hazard"),
    clauses=("8.5.2",),
    clause_standards=STANDARDS,
    validate=lambda obj, related: _rules().validate_hazard(obj, related),
    before_save=lambda obj: _rules().apply_hazard_rules(obj),
    detail_template="food/_hazard_detail.html",
    detail_context=_detail("hazard_context"),
    list_links=(("Food safety method", "method"),),
    annotate=_hazard_rows,
    limit_choices={"step": _steps},
    column_labels={"control_category": "Control"},
    intro=(
        "The hazard analysis, step by step: each hazard's likelihood and severity on the food "
        "safety method, whether it is significant, and whether its control is a CCP, an OPRP "
        "or left to the prerequisite programmes, with the answers that decided it."
    ),
)

CONTROL_PLAN = RegisterSpec(
    model=HazardControlPlan,
    slug="hazard-control-plan",
    namespace="food",
    key_field="code",
    fields=(
        "code",
        "category",
        "hazards",
        "control_measure",
        "parameter",
        "unit",
        "lower_limit",
        "upper_limit",
        "critical_limits",
        "action_criteria",
        "monitoring_what",
        "monitoring_how",
        "monitoring_frequency",
        "monitored_by",
        "corrections",
        "corrective_actions",
        "responsibilities",
        "records_kept",
        "owner",
        "validated_on",
        "validation_method",
        "validation_result",
        "verification",
        "last_verified_on",
        "requirements",
    ),
    user_fields=("owner", "monitored_by"),
    columns=(
        "code",
        "category",
        "parameter",
        "limits_text",
        "monitoring_frequency",
        "owner",
        "validation_result",
    ),
    filters=("category", "owner", "validation_result"),
    search=("code", "control_measure", "parameter", "critical_limits", "action_criteria"),
    ordering=("code", "category", "validated_on"),
    clauses=("8.5.4",),
    clause_standards=STANDARDS,
    validate=lambda obj, related: _rules().validate_plan(obj, related),
    detail_template="food/_plan_detail.html",
    detail_context=_detail("plan_context"),
    select_related=("owner",),
    annotate=_plan_rows,
    limit_choices={"hazards": _significant_hazards},
    shown_when={
        "parameter": ("category", ("ccp", "oprp")),
        "critical_limits": ("category", ("ccp",)),
        "action_criteria": ("category", ("oprp",)),
    },
    column_labels={"limits_text": "Limits"},
    intro=(
        "The hazard control plan: each CCP with its measurable critical limits and each OPRP "
        "with its action criteria, how they are monitored, what is done when they fail, and "
        "how their control measures were validated and are verified."
    ),
)

EXERCISES = RegisterSpec(
    model=TraceabilityExercise,
    slug="traceability-exercises",
    namespace="food",
    fields=(
        "title",
        "kind",
        "exercised_on",
        "product",
        "lot",
        "flow",
        "site",
        "one_step_back",
        "one_step_forward",
        "minutes_taken",
        "reconciled_percent",
        "led_by",
        "lessons",
        "requirements",
    ),
    user_fields=("led_by",),
    columns=(
        "title",
        "kind",
        "exercised_on",
        "lot",
        "minutes_taken",
        "reconciled_percent",
        "result",
    ),
    filters=("kind", "result", "site"),
    search=("title", "product", "lot", "lessons"),
    ordering=("exercised_on", "title", "kind"),
    clauses=("8.3", "8.9.5"),
    clause_standards=STANDARDS,
    validate=lambda obj, related: _rules().validate_exercise(obj, related),
    before_save=lambda obj: _rules().apply_exercise_rules(obj),
    detail_template="food/_exercise_detail.html",
    detail_context=_detail("exercise_context"),
    select_related=("site", "led_by"),
    intro=(
        "Traceability tests, mock recalls and real withdrawals: one step back, one step "
        "forward, the time taken and the quantity reconciled against the method's targets."
    ),
)

SPECS: tuple[RegisterSpec, ...] = (
    PREREQUISITE_PROGRAMMES,
    FLOWS,
    FLOW_STEPS,
    HAZARDS,
    CONTROL_PLAN,
    EXERCISES,
)
