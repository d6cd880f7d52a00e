"""The risk-side registers, declared once: the framework in `core.registers` builds their
pages, API, spreadsheets and CLI from these specs. Their rules (scales, variants, scores)
live in `risks.risk_rules`."""

from __future__ import annotations

from pdca.core.registers.spec import RegisterSpec
from pdca.risks.models import AISystem, ImpactAssessment, Risk

VARIANT_FIELDS = {
    "activity": ("kind", ("aspect", "hazard")),
    "condition": ("kind", ("aspect",)),
    "environmental_impact": ("kind", ("aspect",)),
    "legal_obligation": ("kind", ("aspect",)),
    "hazard_type": ("kind", ("hazard",)),
    "exposed": ("kind", ("hazard",)),
    "asset": ("kind", ("infosec",)),
    "threat": ("kind", ("infosec",)),
    "vulnerability": ("kind", ("infosec",)),
    "confidentiality": ("kind", ("infosec",)),
    "integrity": ("kind", ("infosec",)),
    "availability": ("kind", ("infosec",)),
    "controls": ("kind", ("infosec",)),
}


def _validate_risk(risk, related) -> None:
    from pdca.risks.risk_rules import validate_risk

    validate_risk(risk, related)


def _score_risk(risk) -> None:
    from pdca.risks.risk_rules import apply_scores

    apply_scores(risk)


def _risk_context(request, risk):
    from pdca.risks.risk_rules import risk_detail_context

    return risk_detail_context(request, risk)


def _validate_assessment(assessment, related) -> None:
    from pdca.risks.risk_rules import validate_impact_assessment

    validate_impact_assessment(assessment, related)


def _score_assessment(assessment) -> None:
    from pdca.risks.risk_rules import apply_impact_score

    apply_impact_score(assessment)


def _annex_a_controls(queryset, organization):
    return queryset.filter(kind="control", standard__code__startswith="iso27001")


def _unique_code(risk, related) -> None:
    from pdca.core.exceptions import ValidationFailed

    if (
        risk.code
        and Risk.objects.filter(organization_id=risk.organization_id, code__iexact=risk.code)
        .exclude(pk=risk.pk)
        .exists()
    ):
        raise ValidationFailed.single("code", f"Another risk already has the code {risk.code}.")


def _validate_risk_entry(risk, related) -> None:
    _unique_code(risk, related)
    _validate_risk(risk, related)


def _unique_ai_name(system, related) -> None:
    from pdca.core.exceptions import ValidationFailed

    if (
        AISystem.objects.filter(organization_id=system.organization_id, name__iexact=system.name)
        .exclude(pk=system.pk)
        .exists()
    ):
        raise ValidationFailed.single("name", "An AI system of this name is already registered.")


RISKS = RegisterSpec(
    model=Risk,
    slug="risks",
    namespace="risks",
    key_field="code",
    fields=(
        "kind",
        "code",
        "title",
        "description",
        "category",
        "owner",
        "processes",
        "activity",
        "condition",
        "environmental_impact",
        "legal_obligation",
        "hazard_type",
        "exposed",
        "asset",
        "threat",
        "vulnerability",
        "confidentiality",
        "integrity",
        "availability",
        "inherent_likelihood",
        "inherent_impact",
        "treatment",
        "treatment_plan",
        "controls",
        "residual_likelihood",
        "residual_impact",
        "status",
        "review_date",
        "requirements",
    ),
    columns=(
        "code",
        "title",
        "kind",
        "owner",
        "inherent_score",
        "treatment",
        "residual_score",
        "status",
        "review_date",
    ),
    filters=(
        "kind",
        "status",
        "treatment",
        "owner",
        "processes",
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
    ),
    hidden_filters=(
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
    ),
    search=("code", "title", "description", "asset", "activity"),
    ordering=("code", "title", "inherent_score", "residual_score", "review_date", "status"),
    clauses=("6.1",),
    validate=_validate_risk_entry,
    before_save=_score_risk,
    detail_template="risks/_risk_detail.html",
    detail_context=_risk_context,
    list_links=(("Heat map", "heatmap"), ("Risk method", "method"), ("Actions", "action-list")),
    limit_choices={"controls": _annex_a_controls},
    shown_when=VARIANT_FIELDS,
    intro=(
        "Risks and opportunities (clause 6.1), environmental aspects, OH&S hazards and "
        "information security risks, rated on the organization's risk method before and after "
        "treatment."
    ),
)

AI_SYSTEMS = RegisterSpec(
    model=AISystem,
    slug="ai-systems",
    namespace="risks",
    key_field="name",
    fields=(
        "name",
        "purpose",
        "owner",
        "role",
        "provider_name",
        "stage",
        "data_used",
        "people_affected",
        "process",
        "requirements",
    ),
    columns=("name", "role", "stage", "owner", "process"),
    filters=("role", "stage", "owner", "process"),
    search=("name", "purpose", "data_used", "people_affected", "provider_name"),
    ordering=("name", "stage", "role"),
    clause_standards=("iso42001-2023",),
    clauses=("4.1", "6.1.4"),
    validate=_unique_ai_name,
    intro=(
        "The AI systems the organization provides, develops or uses (ISO/IEC 42001): purpose, "
        "owner, life-cycle stage, the data they use and the people they affect."
    ),
)

IMPACT_ASSESSMENTS = RegisterSpec(
    model=ImpactAssessment,
    slug="impact-assessments",
    namespace="risks",
    fields=(
        "ai_system",
        "title",
        "assessed_on",
        "assessor",
        "impact_individuals",
        "impact_groups",
        "impact_society",
        "likelihood",
        "severity",
        "measures",
        "review_date",
        "status",
        "requirements",
    ),
    user_fields=("assessor",),
    columns=("title", "ai_system", "assessed_on", "assessor", "score", "status", "review_date"),
    filters=("ai_system", "status", "assessor"),
    search=("title", "impact_individuals", "impact_groups", "impact_society", "measures"),
    ordering=("assessed_on", "title", "score", "review_date"),
    clause_standards=("iso42001-2023",),
    clauses=("6.1.4", "8.4"),
    validate=_validate_assessment,
    before_save=_score_assessment,
    intro=(
        "AI system impact assessments (ISO/IEC 42001 6.1.4): what an AI system could do to "
        "individuals, groups and society, how likely and how severe, and the measures taken."
    ),
)

SPECS = (RISKS, AI_SYSTEMS, IMPACT_ASSESSMENTS)
