"""The audit programme and audit registers, declared once (see `core.registers`); the
rules of audits (independence, states) live in `audits.services`."""

from __future__ import annotations

from pdca.audits.models import Audit, AuditProgramme
from pdca.core.exceptions import ValidationFailed
from pdca.core.registers.spec import RegisterSpec


def _validate_programme(programme, related) -> None:
    if (
        programme.period_end
        and programme.period_start
        and programme.period_end < programme.period_start
    ):
        raise ValidationFailed.single("period_end", "The period ends before it starts.")


def _validate_audit(audit, related) -> None:
    from pdca.audits.independence import validate_audit

    frozen = (Audit.Status.REPORT_ISSUED, Audit.Status.CLOSED)
    if audit.pk and Audit.objects.filter(pk=audit.pk, status__in=frozen).exists():
        raise ValidationFailed.single(
            "",
            "The report of this audit is issued: start a new report revision to change it.",
            code="audit_frozen",
        )
    validate_audit(audit, related)


def _audit_context(request, audit):
    from pdca.audits.audit_pages import audit_detail_context

    return audit_detail_context(request, audit)


def _programme_context(request, programme):
    from pdca.audits.programme_pages import programme_detail_context

    return programme_detail_context(request, programme)


PROGRAMMES = RegisterSpec(
    model=AuditProgramme,
    slug="audit-programmes",
    namespace="audits",
    fields=(
        "title",
        "system",
        "period_start",
        "period_end",
        "objectives",
        "risks",
        "manager",
        "status",
    ),
    columns=("title", "period_start", "period_end", "manager", "status"),
    filters=("status", "manager"),
    search=("title", "objectives"),
    ordering=("period_start", "title"),
    user_fields=("manager",),
    clauses=("9.2",),
    validate=_validate_programme,
    detail_template="audits/_programme_detail.html",
    detail_context=_programme_context,
    intro="Audit programmes (ISO 19011 clause 5): the audits of a period and what they cover.",
)

AUDITS = RegisterSpec(
    model=Audit,
    slug="audits",
    namespace="audits",
    fields=(
        "reference",
        "title",
        "audit_type",
        "programme",
        "standards",
        "scope",
        "objectives",
        "criteria",
        "sites",
        "processes",
        "requirements",
        "start_date",
        "end_date",
        "lead_auditor",
        "auditees",
        "summary",
        "conclusion",
        "recommendation",
    ),
    columns=("reference", "title", "audit_type", "start_date", "lead_auditor", "status"),
    filters=("audit_type", "status", "programme", "lead_auditor", "processes"),
    search=("reference", "title", "scope"),
    ordering=("start_date", "reference", "title", "status"),
    user_fields=("lead_auditor", "auditees"),
    clauses=("9.2",),
    validate=_validate_audit,
    detail_template="audits/_audit_detail.html",
    detail_context=_audit_context,
    requirements_label="Requirements in scope",
    intro=(
        "Internal, supplier and certification audits: scope, criteria, team and plan, the "
        "checklist and its evidence, findings and the issued report."
    ),
)

SPECS = (PROGRAMMES, AUDITS)
