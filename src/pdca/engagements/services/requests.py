"""Evidence requests: the body's auditor asks its linked client for a document, a record or a
sample of records by a due date; the client answers with existing documents or evidence files
(which the auditor may then read, logged like a grant); the auditor accepts the answer or
returns it with a reason, or withdraws the request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pdca.audits.models import Audit
from pdca.core.activity import snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.documents.models import Document, EvidenceFile
from pdca.engagements.access import CLIENT, PROVIDER, require_side
from pdca.engagements.models import Engagement, EvidenceRequest
from pdca.engagements.permissions import AUDITORS, GRANTORS
from pdca.engagements.services import checks
from pdca.engagements.services.grants import own_rows
from pdca.engagements.services.logging import record_both
from pdca.standards.models import Requirement

if TYPE_CHECKING:
    from pdca.accounts.models import User

R = EvidenceRequest.Status
TEXT_LIMIT = 20_000


@transaction.atomic
def request_evidence(
    engagement: Engagement,
    *,
    title: str,
    due_date: dt.date,
    kind: str = EvidenceRequest.Kind.DOCUMENT,
    description: str = "",
    sample_size: int | None = None,
    audit: int | None = None,
    requirement: int | None = None,
    actor: User,
) -> EvidenceRequest:
    """Ask the linked client for an item by `due_date`."""
    require_side(actor, engagement, PROVIDER, AUDITORS)
    lock_for_update(engagement, check=False)
    if not engagement.is_active or engagement.kind != Engagement.Kind.CERTIFICATION:
        raise Conflict("Evidence is requested on an active certification link.", code="not_active")
    errors: list[FieldError] = []
    title = checks.text(title, "title", errors, limit=200, required=True)
    description = checks.text(description, "description", errors, limit=TEXT_LIMIT, required=False)
    if kind not in EvidenceRequest.Kind.values:
        errors.append(FieldError("kind", f"One of: {', '.join(EvidenceRequest.Kind.values)}."))
    if kind == EvidenceRequest.Kind.SAMPLE:
        if not isinstance(sample_size, int) or isinstance(sample_size, bool) or sample_size < 1:
            errors.append(FieldError("sample_size", "Say how many records the sample holds."))
        elif sample_size > 1000:
            errors.append(FieldError("sample_size", "At most 1000."))
    else:
        sample_size = None
    if not isinstance(due_date, dt.date):
        errors.append(FieldError("due_date", "Give a date."))
    elif due_date < timezone.localdate():
        errors.append(FieldError("due_date", "The date is in the past."))
    chosen_audit = None
    if audit is not None and engagement.client_id is not None:
        chosen_audit = Audit.objects.filter(
            pk=audit,
            organization_id=engagement.organization_id,
            certification_audit__cycle__client_id=engagement.client_id,
        ).first()
    if audit is not None and chosen_audit is None:
        errors.append(FieldError("audit", "Not an audit of this client's programme."))
    chosen_requirement = None
    if requirement is not None:
        chosen_requirement = Requirement.objects.filter(pk=requirement).first()
        if chosen_requirement is None:
            errors.append(FieldError("requirement", "No such requirement."))
    if errors:
        raise ValidationFailed(errors)
    last = EvidenceRequest.objects.filter(engagement=engagement).aggregate(n=Max("number"))["n"]
    request = EvidenceRequest.objects.create(
        organization_id=engagement.organization_id,
        engagement=engagement,
        audit=chosen_audit,
        number=(last or 0) + 1,
        title=title,
        description=description,
        kind=kind,
        sample_size=sample_size,
        requirement=chosen_requirement,
        due_date=due_date,
        requested_by=actor,
    )
    record_both(
        engagement,
        request,
        actor=actor,
        action="create",
        message=f"Evidence requested by {due_date:%Y-%m-%d}: {title}.",
    )
    return request


@transaction.atomic
def answer_request(
    request: EvidenceRequest,
    *,
    documents: Sequence[int] = (),
    evidence: Sequence[int] = (),
    note: str = "",
    actor: User,
) -> EvidenceRequest:
    """The client answers with existing documents and evidence files (and a note)."""
    engagement = request.engagement
    require_side(actor, engagement, CLIENT, GRANTORS)
    lock_for_update(request)
    if not engagement.is_active:
        raise Conflict("The link has ended.", code="not_active")
    if request.status not in (R.OPEN, R.RETURNED, R.ANSWERED):
        raise Conflict(
            f"The request is {request.get_status_display().lower()}.", code="request_closed"
        )
    org_id = engagement.client_organization_id
    assert org_id is not None
    errors: list[FieldError] = []
    note = checks.text(note, "note", errors, limit=TEXT_LIMIT, required=False)
    docs = own_rows(Document, list(documents), org_id, "documents", errors)
    files = own_rows(EvidenceFile, list(evidence), org_id, "evidence", errors)
    if not errors and not docs and not files:
        errors.append(FieldError("documents", "Attach at least one document or file."))
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(request)
    request.status = R.ANSWERED
    request.answer_note = note
    request.answered_at = timezone.now()
    request.answered_by = actor
    request.save(
        update_fields=["status", "answer_note", "answered_at", "answered_by", "updated_at"]
    )
    request.documents.set(docs)
    request.evidence.set(files)
    record_both(
        engagement,
        request,
        actor=actor,
        action="answer",
        changes={
            "status": [before["status"], request.status],
            "documents": [None, [d.pk for d in docs]],
            "evidence": [None, [f.pk for f in files]],
        },
        message=f"Answered with {len(docs)} document(s) and {len(files)} file(s).",
    )
    return request


@transaction.atomic
def review_answer(
    request: EvidenceRequest, *, accept: bool, reason: str = "", actor: User
) -> EvidenceRequest:
    """The auditor accepts the answer, or returns it with what is still missing."""
    engagement = request.engagement
    require_side(actor, engagement, PROVIDER, AUDITORS)
    lock_for_update(request)
    errors: list[FieldError] = []
    if not isinstance(accept, bool):
        errors.append(FieldError("accept", "Say whether the answer is accepted."))
    reason = checks.text(reason, "reason", errors, limit=TEXT_LIMIT, required=accept is False)
    if errors:
        raise ValidationFailed(errors)
    if request.status != R.ANSWERED:
        raise Conflict("There is no answer to review.", code="not_answered")
    before = snapshot(request)
    request.status = R.ACCEPTED if accept else R.RETURNED
    request.review_note = reason
    request.reviewed_at = timezone.now()
    request.reviewed_by = actor
    request.save(
        update_fields=["status", "review_note", "reviewed_at", "reviewed_by", "updated_at"]
    )
    record_both(
        engagement,
        request,
        actor=actor,
        action="accept" if accept else "return",
        changes={"status": [before["status"], request.status]},
        message=reason or "Answer accepted.",
    )
    return request


@transaction.atomic
def withdraw_request(request: EvidenceRequest, reason: str, *, actor: User) -> EvidenceRequest:
    """The auditor no longer needs the item."""
    engagement = request.engagement
    require_side(actor, engagement, PROVIDER, AUDITORS)
    lock_for_update(request)
    errors: list[FieldError] = []
    reason = checks.text(reason, "reason", errors, limit=500, required=True)
    if errors:
        raise ValidationFailed(errors)
    if request.status in (R.ACCEPTED, R.WITHDRAWN):
        raise Conflict(
            f"The request is {request.get_status_display().lower()}.", code="request_closed"
        )
    before = snapshot(request)
    request.status = R.WITHDRAWN
    request.review_note = reason
    request.reviewed_at = timezone.now()
    request.reviewed_by = actor
    request.save(
        update_fields=["status", "review_note", "reviewed_at", "reviewed_by", "updated_at"]
    )
    record_both(
        engagement,
        request,
        actor=actor,
        action="withdraw",
        changes={"status": [before["status"], request.status]},
        message=reason,
    )
    return request


def is_overdue(request: EvidenceRequest, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return request.status in (R.OPEN, R.RETURNED) and request.due_date < today
