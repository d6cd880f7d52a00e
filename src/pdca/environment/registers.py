"""The registers of this app, declared once: `core.registers` builds their pages, API,
spreadsheets and CLI. Their rules live in `services` (evaluations, due dates) and
`aspect_page` (what an aspect's page adds)."""

from __future__ import annotations

from pdca.core.exceptions import ValidationFailed
from pdca.core.registers.spec import RegisterSpec
from pdca.environment.models import Aspect, ComplianceEvaluation, ComplianceObligation

STANDARDS = ("iso14001-2015",)


def _unique(model, field: str, message: str):
    def check(obj, related) -> None:
        value = getattr(obj, field)
        if (
            value
            and model.objects.filter(
                organization_id=obj.organization_id, **{f"{field}__iexact": value}
            )
            .exclude(pk=obj.pk)
            .exists()
        ):
            raise ValidationFailed.single(field, message)

    return check


def _set_next_due(obligation) -> None:
    from pdca.environment.services import set_next_due

    set_next_due(obligation)


def _validate_evaluation(evaluation, related) -> None:
    from pdca.environment.services import validate_evaluation

    validate_evaluation(evaluation)


def _aspect_context(request, aspect):
    from pdca.environment.pages import aspect_context

    return aspect_context(request, aspect)


def _obligation_context(request, obligation):
    from pdca.environment.pages import obligation_context

    return obligation_context(request, obligation)


def _evaluation_context(request, evaluation):
    from pdca.environment.pages import evaluation_context

    return evaluation_context(request, evaluation)


ASPECTS = RegisterSpec(
    model=Aspect,
    slug="aspects",
    namespace="environment",
    key_field="code",
    fields=(
        "code",
        "title",
        "subject",
        "activity",
        "lifecycle_stage",
        "condition",
        "impact_category",
        "impact",
        "site",
        "process",
        "controls",
        "obligations",
        "objectives",
        "documents",
        "owner",
        "review_date",
        "status",
        "requirements",
    ),
    columns=(
        "code",
        "title",
        "lifecycle_stage",
        "condition",
        "site",
        "score",
        "significant",
        "owner",
        "review_date",
        "status",
    ),
    filters=(
        "significant",
        "lifecycle_stage",
        "condition",
        "impact_category",
        "site",
        "process",
        "status",
        "owner",
        "obligations",
    ),
    search=("code", "title", "activity", "impact", "controls"),
    ordering=("code", "title", "score", "review_date", "status"),
    clauses=("6.1.2",),
    clause_standards=STANDARDS,
    validate=_unique(Aspect, "code", "Another aspect already has this code."),
    detail_template="environment/_aspect_detail.html",
    detail_context=_aspect_context,
    list_links=(
        ("Significant aspects", "aspects-significant"),
        ("Significance method", "significance-method"),
    ),
    select_related=("site", "owner"),
    intro=(
        "Environmental aspects of our activities, products and services and their impacts "
        "(ISO 14001 6.1.2), over the life cycle and in normal, abnormal and emergency "
        "conditions. Significance is assessed on the organization's significance method; "
        "significant aspects need objectives and operational controls."
    ),
)

OBLIGATIONS = RegisterSpec(
    model=ComplianceObligation,
    slug="compliance-obligations",
    namespace="environment",
    fields=(
        "title",
        "kind",
        "source",
        "reference",
        "jurisdiction",
        "requires",
        "site",
        "owner",
        "evaluation_frequency",
        "review_date",
        "status",
        "requirements",
    ),
    columns=("title", "kind", "source", "jurisdiction", "owner", "next_evaluation_due", "status"),
    filters=("kind", "source", "site", "owner", "status"),
    search=("title", "reference", "jurisdiction", "requires"),
    ordering=("title", "next_evaluation_due", "review_date", "status"),
    clauses=("6.1.3",),
    clause_standards=STANDARDS,
    validate=_unique(
        ComplianceObligation, "title", "A compliance obligation of this title is registered."
    ),
    before_save=_set_next_due,
    detail_template="environment/_obligation_detail.html",
    detail_context=_obligation_context,
    list_links=(
        ("Evaluations due", "obligations-due"),
        ("Evaluations of compliance", "compliance-evaluations-list"),
    ),
    select_related=("owner",),
    intro=(
        "Legal requirements and other requirements we adopted (ISO 14001 6.1.3): where each "
        "comes from, what it requires of us, who owns it, and when compliance with it is "
        "evaluated next."
    ),
)

EVALUATIONS = RegisterSpec(
    model=ComplianceEvaluation,
    slug="compliance-evaluations",
    namespace="environment",
    key_field="evaluated_on",
    fields=(
        "obligation",
        "evaluated_on",
        "evaluator",
        "result",
        "findings",
        "evidence",
        "requirements",
    ),
    user_fields=("evaluator",),
    columns=("obligation", "evaluated_on", "evaluator", "result", "status", "nonconformity"),
    filters=("obligation", "result", "status", "evaluator"),
    search=("findings", "obligation__title"),
    ordering=("evaluated_on", "result", "status"),
    clauses=("9.1.2",),
    clause_standards=STANDARDS,
    validate=_validate_evaluation,
    detail_template="environment/_evaluation_detail.html",
    detail_context=_evaluation_context,
    list_links=(("Evaluations due", "obligations-due"),),
    select_related=("obligation", "evaluator", "nonconformity"),
    intro=(
        "Evaluations of compliance with each obligation (ISO 14001 9.1.2): the result, what "
        "was found and the evidence. A draft becomes a record once recorded; a result other "
        "than compliant then opens a nonconformity."
    ),
)

SPECS = (ASPECTS, OBLIGATIONS, EVALUATIONS)
