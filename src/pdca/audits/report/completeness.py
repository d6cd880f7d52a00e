"""What a report needs before it is issued, and the exceptions a lead auditor may confirm.

An issued report is a record others rely on (the auditee, the certification decision maker), so
it is complete: a summary and a conclusion, the opening and closing meetings held, every
checklist item answered (or marked not audited), and every nonconformity tied to the
requirement it breaks. When something cannot be had (the closing meeting was cancelled by the
auditee), the audit's lead auditor may issue anyway by confirming a written exception for that
item; the report then states each exception, who confirmed it and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from pdca.audits.models import Audit, AuditMeeting, Finding
from pdca.core.exceptions import FieldError, ValidationFailed

NONCONFORMITY_GRADES = (Finding.Grade.MAJOR, Finding.Grade.MINOR)
EXCEPTION_LIMIT = 2_000


@dataclass(frozen=True)
class Missing:
    """One thing the report lacks: a stable `code` (the key of its exception) and what to do."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def missing_for_issue(audit: Audit) -> list[Missing]:
    """Everything the report lacks, in the order the report reads (four queries)."""
    missing = []
    if not audit.summary.strip():
        missing.append(Missing("summary", "The report has no summary."))
    if not audit.conclusion.strip():
        missing.append(Missing("conclusion", "The report has no conclusion."))
    held = set(audit.meetings.values_list("kind", flat=True))
    for kind, label in AuditMeeting.Kind.choices:
        if kind not in held:
            missing.append(Missing(f"{kind}_meeting", f"No {label.lower()} is recorded."))
    unanswered = audit.checklist.filter(result="").order_by("sort_key", "pk")
    for item in unanswered.only("pk", "question", "sort_key"):
        missing.append(
            Missing(
                f"checklist_item_{item.pk}",
                f"Checklist item “{_short(item.question)}” is not answered "
                "(answer it, or mark it not audited).",
            )
        )
    unlinked = (
        audit.findings.filter(grade__in=NONCONFORMITY_GRADES)
        .annotate(linked=Count("requirements"))
        .filter(linked=0)
        .order_by("number")
    )
    for finding in unlinked.only("pk", "number", "title", "grade"):
        missing.append(
            Missing(
                f"finding_{finding.pk}",
                f"F{finding.number} {finding.title} is a {finding.get_grade_display().lower()} "
                "that names no requirement.",
            )
        )
    return missing


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def check_complete(
    audit: Audit, *, actor: Any, exceptions: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """The exceptions the report will state, or ValidationFailed naming each missing item (its
    code as the field) that no exception covers. Only the audit's lead auditor confirms
    exceptions, each with a written statement; an exception for something not missing is
    refused, so a report never states one that does not apply."""
    given = {
        str(code): " ".join(str(text or "").split())
        for code, text in (exceptions or {}).items()
        if str(text or "").strip()
    }
    missing = missing_for_issue(audit)
    codes = {m.code for m in missing}
    errors = [
        FieldError(f"exceptions.{code}", "Nothing is missing here: remove this exception.")
        for code in sorted(set(given) - codes)
    ]
    errors += [
        FieldError(f"exceptions.{code}", f"Keep the exception to {EXCEPTION_LIMIT} characters.")
        for code, text in given.items()
        if len(text) > EXCEPTION_LIMIT or "\x00" in text
    ]
    if given and (audit.lead_auditor_id is None or audit.lead_auditor_id != actor.pk):
        who = audit.lead_auditor.full_name if audit.lead_auditor else None
        errors.append(
            FieldError(
                "exceptions",
                f"Only the audit's lead auditor ({who}) confirms an exception."
                if who
                else "Only the audit's lead auditor confirms an exception: name one first.",
                "not_lead_auditor",
            )
        )
    errors += [FieldError(m.code, m.message, "missing") for m in missing if m.code not in given]
    if errors:
        raise ValidationFailed(
            errors,
            "The report cannot be issued yet: "
            + "; ".join(e.message for e in errors)
            + (
                " The lead auditor may confirm a written exception for an item that cannot be had."
                if any(e.code == "missing" for e in errors)
                else ""
            ),
        )
    return [
        {"code": m.code, "missing": m.message, "statement": given[m.code]}
        for m in missing
        if m.code in given
    ]
