"""Findings of an audit: the services every page, endpoint and command calls.

A finding is graded and stated in three parts (the requirement, the evidence seen, what was
found). A major or minor nonconformity opens a Nonconformity for the auditee in the same
transaction, and an opportunity for improvement (OFI) opens an ImprovementOpportunity. Once the
report is issued (`audits.report_issue`) the findings stay as they are until a new revision is
started.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max

from pdca.audits import hooks
from pdca.audits.models import Audit, ChecklistItem, Finding
from pdca.core.activity import (
    record_activity,
    record_delete,
    snapshot,
)
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.records.rules import ensure_deletable

#: Audit types whose report carries a certification recommendation.
CERTIFICATION_TYPES = frozenset(
    {
        Audit.Type.STAGE1,
        Audit.Type.STAGE2,
        Audit.Type.SURVEILLANCE,
        Audit.Type.RECERTIFICATION,
        Audit.Type.SPECIAL,
    }
)
NONCONFORMITY_GRADES = frozenset({Finding.Grade.MAJOR, Finding.Grade.MINOR})
OFI = Finding.Grade.OFI
FINDING_FIELDS = (
    "grade",
    "title",
    "requirement_statement",
    "evidence",
    "statement",
    "requirements",
    "process",
    "site",
    "checklist_item",
)
TEXT_LIMIT = 20_000


def nonconformity_source(audit: Audit) -> str:
    """Where a nonconformity raised by this audit comes from, as the register names it."""
    if audit.audit_type == Audit.Type.SUPPLIER:
        return "supplier_audit"
    if audit.audit_type in CERTIFICATION_TYPES:
        return "certification_audit"
    return "internal_audit"


def three_part_statement(finding: Finding) -> str:
    """The finding as the nonconformity's description: requirement, evidence, finding."""
    return (
        f"Requirement: {finding.requirement_statement}\n\n"
        f"Evidence: {finding.evidence}\n\n"
        f"Finding: {finding.statement}"
    )


def finding_reference(audit: Audit, number: int) -> str:
    """The reference of what a finding opens in the auditee's registers (A-2026-01-F3)."""
    suffix = f"-F{number}"
    base = audit.reference or f"A{audit.pk}"
    return f"{base[: 30 - len(suffix)]}{suffix}"


def label_of(nonconformity) -> str:
    return nonconformity.reference or f"#{nonconformity.pk}"


def locked_audit(audit: Audit) -> Audit:
    """The audit's row, locked: findings are numbered and reports issued one at a time."""
    return Audit.objects.select_for_update().select_related("organization").get(pk=audit.pk)


def _refuse_when_frozen(audit: Audit) -> None:
    if audit.report_frozen:
        raise Conflict(
            f"The report of {audit} is issued ({audit.get_status_display().lower()}): its "
            "findings are frozen. Start a new report revision to change them.",
            code="report_issued",
        )


def _clean(audit: Audit, data: dict[str, Any]) -> dict[str, Any]:
    """Check the finding's fields; raise ValidationFailed naming each wrong one."""
    errors: list[FieldError] = []
    for name in ("title", "requirement_statement", "evidence", "statement"):
        value = data.get(name)
        if isinstance(value, str):
            data[name] = value.strip()
            if "\x00" in value:
                errors.append(FieldError(name, "Must not contain a NUL character."))
    grade = data.get("grade")
    if grade not in Finding.Grade.values:
        errors.append(FieldError("grade", f"Choose one of: {', '.join(Finding.Grade.values)}."))
    if not data.get("title"):
        errors.append(FieldError("title", "Give the finding a short title."))
    elif len(data["title"]) > 200:
        errors.append(FieldError("title", "Keep the title to 200 characters."))
    required = (
        ("requirement_statement", "evidence", "statement")
        if grade in NONCONFORMITY_GRADES
        else ("statement",)
    )
    for name in required:
        if not data.get(name):
            errors.append(
                FieldError(
                    name,
                    "A nonconformity is stated in three parts: the requirement, the evidence "
                    "and what was found; this part is missing."
                    if grade in NONCONFORMITY_GRADES
                    else "Say what was found.",
                    "required",
                )
            )
    for name in ("requirement_statement", "evidence", "statement"):
        if len(data.get(name) or "") > TEXT_LIMIT:
            errors.append(FieldError(name, f"Keep this to {TEXT_LIMIT} characters."))
    requirements = list(dict.fromkeys(data.get("requirements") or []))
    allowed = set(audit.standards.values_list("pk", flat=True))
    outside = [r for r in requirements if r.standard_id not in allowed]
    if outside:
        errors.append(
            FieldError(
                "requirements",
                "Not a requirement of this audit's standards: "
                f"{', '.join(f'{r.standard} {r.number}' for r in outside[:5])}.",
            )
        )
    data["requirements"] = requirements
    for name in ("process", "site"):
        value = data.get(name)
        if value is not None and value.organization_id != audit.organization_id:
            errors.append(FieldError(name, f"Choose a {name} of this organization."))
    item = data.get("checklist_item")
    if item is not None and item.audit_id != audit.pk:
        errors.append(FieldError("checklist_item", "Choose an item of this audit's checklist."))
    if errors:
        raise ValidationFailed(errors)
    return data


@transaction.atomic
def raise_finding(
    audit: Audit,
    *,
    actor,
    grade: str,
    title: str,
    requirement_statement: str = "",
    evidence: str = "",
    statement: str = "",
    requirements: Iterable = (),
    process=None,
    site=None,
    checklist_item: ChecklistItem | None = None,
) -> Finding:
    """Record a finding under the audit's next number; a major or minor nonconformity opens a
    Nonconformity for the auditee. Refused once the report is issued."""
    require(actor, "add", Finding, organization=audit.organization)
    audit = locked_audit(audit)
    _refuse_when_frozen(audit)
    data = _clean(
        audit,
        {
            "grade": grade,
            "title": title,
            "requirement_statement": requirement_statement,
            "evidence": evidence,
            "statement": statement,
            "requirements": list(requirements),
            "process": process,
            "site": site,
            "checklist_item": checklist_item,
        },
    )
    number = (audit.findings.aggregate(n=Max("number"))["n"] or 0) + 1
    requirements = data.pop("requirements")
    finding = Finding.objects.create(
        organization=audit.organization, audit=audit, number=number, raised_by=actor, **data
    )
    finding.requirements.set(requirements)
    record_activity(
        actor=actor,
        action="create",
        obj=finding,
        changes={
            **{k: [None, v] for k, v in snapshot(finding).items() if v not in (None, "")},
            "requirements": [[], sorted(r.pk for r in requirements)],
        },
    )
    hooks.finding_graded.call(audit, finding, None, actor=actor)
    return finding


@transaction.atomic
def update_finding(finding: Finding, *, actor, **fields: Any) -> Finding:
    """Change the given fields of a finding. Its nonconformity follows a change of grade:
    raised to major or minor, one is opened; major and minor swap its severity; lowered to an
    observation, OFI or strength, refused while the nonconformity still awaits triage.
    Regraded to OFI, it opens an improvement opportunity (unless it opened one before);
    regraded from OFI, its opportunity is deleted if nobody took it up yet (still open), and
    otherwise stays in the auditee's register."""
    require(actor, "change", finding)
    unknown = sorted(set(fields) - set(FINDING_FIELDS))
    if unknown:
        raise ValidationFailed(
            [
                FieldError(name, "This field does not exist or cannot be changed.")
                for name in unknown
            ]
        )
    audit = locked_audit(finding.audit)
    _refuse_when_frozen(audit)
    finding = Finding.objects.select_related("nonconformity").get(pk=finding.pk)
    lock_for_update(finding)  # after the audit's lock, as every writer of its findings takes them
    current = {name: getattr(finding, name) for name in FINDING_FIELDS if name != "requirements"}
    current["requirements"] = list(finding.requirements.all())
    data = _clean(audit, {**current, **fields})
    nonconformity = finding.nonconformity
    if (
        finding.is_nonconformity
        and data["grade"] not in NONCONFORMITY_GRADES
        and nonconformity is not None
        and nonconformity.status == nonconformity.Status.REPORTED
    ):
        raise ValidationFailed.single(
            "grade",
            f"F{finding.number} opened nonconformity {label_of(nonconformity)}, which is still "
            "reported to the auditee and awaiting triage. Have it triaged or closed in the "
            "nonconformity register first: a nonconformity the auditee was told of cannot "
            "silently become an observation.",
            "nonconformity_open",
        )
    before = {**snapshot(finding), "requirements": sorted(r.pk for r in current["requirements"])}
    previous_grade = finding.grade
    requirements = data.pop("requirements")
    for name, value in data.items():
        setattr(finding, name, value)
    written = save_changed(finding)
    finding.requirements.set(requirements)
    after = {**snapshot(finding), "requirements": sorted(r.pk for r in requirements)}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes and not written:
        save_changed(finding, touch=True)  # new requirements only: still a new version
    if changes:
        record_activity(actor=actor, action="update", obj=finding, changes=changes)
    hooks.finding_graded.call(audit, finding, previous_grade, actor=actor)
    return finding


@transaction.atomic
def delete_finding(finding: Finding, *, actor) -> None:
    """Delete a finding while the report is a draft; refused once issued, and while the
    nonconformity it opened is still open (close it in the register first). An OFI's
    opportunity goes with it if nobody took it up yet; otherwise it stays, unlinked."""
    require(actor, "delete", finding)
    audit = locked_audit(finding.audit)
    _refuse_when_frozen(audit)
    nonconformity = finding.nonconformity
    if nonconformity is not None and nonconformity.status != nonconformity.Status.CLOSED:
        raise Conflict(
            f"F{finding.number} opened nonconformity {label_of(nonconformity)}, which is still "
            "open: close it in the nonconformity register before deleting the finding.",
            code="nonconformity_open",
        )
    ensure_deletable(finding)
    hooks.finding_deleted.call(finding, actor=actor)
    record_delete(actor=actor, obj=finding)
    finding.delete()
