"""The improvement registers, declared once (see `core.registers`): nonconformities,
improvement opportunities and the certification bodies' deadlines. A nonconformity's status
moves only through `improvement.workflow`, so it is not a field of the register's forms."""

from __future__ import annotations

from pdca.core.registers.spec import RegisterSpec
from pdca.improvement.models import CertificationTerms, ImprovementOpportunity, Nonconformity
from pdca.improvement.validation import acting_members


def _validate_nonconformity(nonconformity, related) -> None:
    from pdca.improvement.deadlines import validate_terms_choice

    validate_terms_choice(nonconformity)


def _prepare_nonconformity(nonconformity) -> None:
    from pdca.improvement.deadlines import apply_deadlines
    from pdca.improvement.numbering import number_nonconformity

    number_nonconformity(nonconformity)
    apply_deadlines(nonconformity)


def _nonconformity_context(request, nonconformity) -> dict:
    from pdca.improvement.detail import nonconformity_detail_context

    return nonconformity_detail_context(request, nonconformity)


def _opportunity_context(request, opportunity) -> dict:
    from pdca.improvement.opportunities.services import opportunity_detail_context

    return opportunity_detail_context(request, opportunity)


def _validate_opportunity(opportunity, related) -> None:
    from pdca.improvement.opportunities.services import validate_opportunity

    validate_opportunity(opportunity, related)


def _number_opportunity(opportunity) -> None:
    from pdca.improvement.opportunities.services import number_opportunity

    number_opportunity(opportunity)


def _validate_terms(terms, related) -> None:
    from pdca.improvement.deadlines import validate_terms

    validate_terms(terms)


NONCONFORMITIES = RegisterSpec(
    model=Nonconformity,
    slug="nonconformities",
    namespace="improvement",
    fields=(
        "reference",
        "title",
        "description",
        "source",
        "severity",
        "process",
        "site",
        "owner",
        "due_date",
        "requirements",
        "risk",
        "certification_terms",
    ),
    columns=("reference", "title", "source", "severity", "status", "owner", "due_date"),
    filters=("source", "severity", "status", "owner", "process"),
    search=("reference", "title", "description", "root_cause"),
    ordering=("reference", "title", "due_date", "status"),
    clauses=("10.2",),
    shown_when={"certification_terms": ("source", ("certification_audit",))},
    limit_choices={"owner": acting_members},
    validate=_validate_nonconformity,
    before_save=_prepare_nonconformity,
    detail_template="improvement/nonconformity_detail_part.html",
    detail_context=_nonconformity_context,
    requirements_label="Requirements not met",
    list_links=(
        ("Report a nonconformity", "report"),
        ("Corrective-action tasks", "tasks"),
        ("Analytics", "analytics"),
        ("Certification body deadlines", "certification-terms-list"),
        ("Policy", "policy"),
    ),
    intro=(
        "Nonconformities from every source (clause 10.2): reported, triaged, contained by a "
        "correction, their cause analysed, corrective actions planned and implemented, then "
        "checked for effectiveness by someone other than the action owners before closure."
    ),
)

OPPORTUNITIES = RegisterSpec(
    model=ImprovementOpportunity,
    slug="opportunities",
    namespace="improvement",
    fields=(
        "reference",
        "title",
        "description",
        "source",
        "status",
        "benefit",
        "process",
        "owner",
        "due_date",
        "requirements",
    ),
    columns=("reference", "title", "source", "status", "owner", "due_date"),
    filters=("source", "status", "owner", "process"),
    search=("reference", "title", "description", "benefit"),
    ordering=("reference", "title", "due_date", "status"),
    clauses=("10.1", "10.3"),
    validate=_validate_opportunity,
    before_save=_number_opportunity,
    detail_template="improvement/opportunity_detail_part.html",
    detail_context=_opportunity_context,
    requirements_label="Requirements it concerns",
    intro=(
        "Opportunities for improvement (clauses 10.1 and 10.3): audit OFIs, suggestions and "
        "ideas from data. One that needs a corrective action is promoted to a nonconformity."
    ),
)

CERTIFICATION_TERMS = RegisterSpec(
    model=CertificationTerms,
    slug="certification-terms",
    namespace="improvement",
    fields=(
        "name",
        "is_default",
        "major_response_days",
        "major_closure_days",
        "minor_response_days",
        "minor_closure_days",
        "escalate_after_days",
        "notes",
    ),
    columns=(
        "name",
        "is_default",
        "major_response_days",
        "major_closure_days",
        "minor_response_days",
        "minor_closure_days",
    ),
    search=("name",),
    ordering=("name",),
    key_field="name",
    user_fields=(),
    validate=_validate_terms,
    intro=(
        "Each certification body's deadlines for its findings, counted from the last day of "
        "the audit. A major's corrective action must also be verified within six months of the "
        "last day of stage 2 (ISO/IEC 17021-1), whatever the body allows."
    ),
)

SPECS = (NONCONFORMITIES, OPPORTUNITIES, CERTIFICATION_TERMS)
