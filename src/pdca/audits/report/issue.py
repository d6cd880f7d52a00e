"""Issuing an audit's report: each revision freezes what the report says, with its PDF stored as
evidence and that PDF's SHA-256; a later revision needs a reason. The services every page,
endpoint and command calls."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pdca.audits.findings import TEXT_LIMIT, locked_audit
from pdca.audits.models import Audit, AuditReport
from pdca.audits.report.completeness import check_complete
from pdca.core.activity import record_activity, record_create, record_update, snapshot
from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.permissions import require


def _revision_reason(audit: Audit) -> str:
    """The reason given when the current revision was started, if any."""
    from pdca.core.activity import object_label
    from pdca.core.models import ActivityEntry

    entry = (
        ActivityEntry.objects.filter(
            object_type=object_label(audit), object_id=str(audit.pk), action="start_revision"
        )
        .order_by("-seq")
        .first()
    )
    return (entry.changes.get("reason") or [None, ""])[1] if entry else ""


def report_filename(content: dict[str, Any]) -> str:
    reference = content.get("reference") or f"audit-{content.get('audit')}"
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in reference)
    return f"audit-report-{safe}-rev{content.get('revision') or 'draft'}.pdf"


def check_issuable(
    audit: Audit, *, actor: Any, reason: str = "", exceptions: Mapping[str, str] | None = None
) -> tuple[int, str, list[dict[str, str]]]:
    """The next revision's number, its reason and the exceptions it will state, or the error
    that refuses to issue it now (ServiceError). `issue_report` checks again under the audit's
    lock; the queue asks first, so a refusal is answered at once instead of by a failed job."""
    require(actor, "issue", audit)
    reason = (reason or "").strip()
    if audit.status not in (Audit.Status.REPORTING, Audit.Status.REPORT_ISSUED):
        raise Conflict(
            f"The report is issued once the audit is in reporting; {audit} is "
            f"{audit.get_status_display().lower()}.",
            code="not_reporting",
        )
    last = audit.reports.aggregate(n=Max("revision"))["n"] or 0
    revision = last + 1
    if revision > 1 and not reason and audit.status == Audit.Status.REPORTING:
        reason = _revision_reason(audit)
    if revision > 1 and not reason:
        raise ValidationFailed.single(
            "reason", f"Say why the report is revised: revision {revision} replaces {last}."
        )
    if len(reason) > TEXT_LIMIT or "\x00" in reason:
        raise ValidationFailed.single("reason", f"Keep the reason to {TEXT_LIMIT} characters.")
    stated = check_complete(audit, actor=actor, exceptions=exceptions)
    return revision, reason, stated


@transaction.atomic
def issue_report(
    audit: Audit, *, actor, reason: str = "", exceptions: Mapping[str, str] | None = None
) -> AuditReport:
    """Issue the next revision of the audit's report: its content is frozen, the PDF rendered
    from that frozen content is stored as evidence with its SHA-256, and the audit moves to
    "report issued". Revision 2 and later need a reason. An incomplete report is refused,
    naming what is missing, unless the lead auditor confirms an exception for each item
    (`exceptions`: {missing item's code: statement}), which the report then states. Pages
    queue it as a job (`audits.report.jobs.queue_issue`): a large report takes seconds."""
    from pdca.audits.report.rendering import render_pdf, report_content
    from pdca.documents.evidence.services import store_evidence

    require(actor, "issue", audit)
    audit = locked_audit(audit)
    revision, reason, stated = check_issuable(
        audit, actor=actor, reason=reason, exceptions=exceptions
    )
    issued_at = timezone.now().replace(microsecond=0)
    content = report_content(audit)
    content.update(
        revision=revision,
        issued_at=issued_at.isoformat(),
        issued_by=actor.full_name or actor.email,
        reason=reason,
        exceptions=[
            {**exception, "confirmed_by": actor.full_name or actor.email} for exception in stated
        ],
    )
    pdf = render_pdf(content)
    evidence = store_evidence(
        audit.organization,
        (report_filename(content), pdf),
        actor=actor,
        description=f"Audit report {audit.reference or audit.pk}, revision {revision}"[:300],
    )
    report = AuditReport.objects.create(
        organization=audit.organization,
        audit=audit,
        revision=revision,
        issued_at=issued_at,
        issued_by=actor,
        reason=reason,
        content=content,
        pdf=evidence,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    record_create(actor=actor, obj=report, message=f"Issued revision {revision}")
    before = snapshot(audit)
    audit.status = Audit.Status.REPORT_ISSUED
    audit.save(update_fields=["status", "updated_at"])
    record_update(
        actor=actor, obj=audit, before=before, message=f"Report revision {revision} issued"
    )
    return report


@transaction.atomic
def start_revision(audit: Audit, *, actor, reason: str) -> Audit:
    """Reopen an issued report for a new revision: the audit goes back to reporting, its
    findings may change again, and the reason is given to the next issued revision."""
    require(actor, "issue", audit)
    audit = locked_audit(audit)
    reason = (reason or "").strip()
    if audit.status != Audit.Status.REPORT_ISSUED:
        raise Conflict(
            f"A new revision is started from an issued report; {audit} is "
            f"{audit.get_status_display().lower()}.",
            code="not_issued",
        )
    if not reason:
        raise ValidationFailed.single("reason", "Say why the report needs a new revision.")
    if len(reason) > TEXT_LIMIT or "\x00" in reason:
        raise ValidationFailed.single("reason", f"Keep the reason to {TEXT_LIMIT} characters.")
    before = audit.status
    audit.status = Audit.Status.REPORTING
    audit.save(update_fields=["status", "updated_at"])
    record_activity(
        actor=actor,
        action="start_revision",
        obj=audit,
        changes={"status": [before, audit.status], "reason": [None, reason]},
        message=f"New report revision started: {reason}",
    )
    return audit


def read_report_pdf(report: AuditReport, *, actor) -> bytes:
    """The stored PDF of an issued revision, for whoever may read the report; refused when
    the stored bytes no longer hash to the SHA-256 recorded at issue."""
    from pdca.documents.evidence.services import open_evidence

    require(actor, "view", report)
    if report.pdf.sha256 != report.sha256:
        raise Conflict(_tampered(report), code="report_altered")
    download = open_evidence(report.pdf, actor=actor)
    with download.file as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != report.sha256:
        raise Conflict(_tampered(report), code="report_altered")
    return data


def _tampered(report: AuditReport) -> str:
    return (
        f"The stored PDF of revision {report.revision} no longer matches the SHA-256 recorded "
        "when it was issued; it is not handed out. Run pdca verify-evidence."
    )
