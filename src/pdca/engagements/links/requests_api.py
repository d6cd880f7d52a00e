"""API of evidence requests: the certification body's auditor asks the linked client for an
item by a due date; the client answers with its documents and files (which the body may then
read under `shared/`, logged); the auditor accepts or returns the answer, or withdraws the
request. Both sides see each request and its status."""

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import Id, Input, Page, Text, responses
from pdca.core.concurrency import announce
from pdca.engagements import access
from pdca.engagements.links import lookups
from pdca.engagements.links.schemas import MAX_IDS, SharedDocumentRef, SharedFileRef, email_of
from pdca.engagements.models import EvidenceRequest
from pdca.engagements.services import requests as request_services

router = Router(tags=["evidence requests"])


class RequestAuditRef(Schema):
    id: int
    reference: str
    title: str


class RequestRequirementRef(Schema):
    id: int
    standard: str = Field(alias="standard.code")
    number: str
    title: str


class EvidenceRequestOut(Schema):
    id: int
    engagement: int = Field(alias="engagement_id")
    number: int
    reference: str = Field(description="ER-n within the engagement")
    title: str
    description: str
    kind: EvidenceRequest.Kind
    sample_size: int | None
    audit: RequestAuditRef | None
    requirement: RequestRequirementRef | None
    due_date: dt.date
    status: EvidenceRequest.Status
    overdue: bool = Field(False, description="Still awaited from the client past its due date")
    requested_by: str | None = None
    documents: list[SharedDocumentRef] = Field(description="The client's answer")
    evidence: list[SharedFileRef] = Field(description="The client's answer")
    answer_note: str
    answered_at: dt.datetime | None
    answered_by: str | None = None
    review_note: str = Field(description="Why it was returned or withdrawn")
    reviewed_at: dt.datetime | None
    reviewed_by: str | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_reference(obj: EvidenceRequest) -> str:
        return f"ER-{obj.number}"

    @staticmethod
    def resolve_overdue(obj: EvidenceRequest) -> bool:
        return request_services.is_overdue(obj)

    @staticmethod
    def resolve_requested_by(obj: EvidenceRequest) -> str | None:
        return email_of(obj.requested_by)

    @staticmethod
    def resolve_answered_by(obj: EvidenceRequest) -> str | None:
        return email_of(obj.answered_by)

    @staticmethod
    def resolve_reviewed_by(obj: EvidenceRequest) -> str | None:
        return email_of(obj.reviewed_by)

    @staticmethod
    def resolve_documents(obj: EvidenceRequest) -> list[Any]:
        return sorted(obj.documents.all(), key=lambda d: (d.code, d.pk))

    @staticmethod
    def resolve_evidence(obj: EvidenceRequest) -> list[Any]:
        return sorted(obj.evidence.all(), key=lambda f: (f.original_name, f.pk))


class EvidenceRequestFilter(Schema):
    status: EvidenceRequest.Status | None = Field(None, description="Only requests in this state")
    overdue: bool = Field(False, description="Only those awaited past their due date")


class EvidenceRequestIn(Input):
    title: Text = Field(max_length=200, description="What is asked for")
    due_date: dt.date = Field(description="Today or later")
    kind: EvidenceRequest.Kind = EvidenceRequest.Kind.DOCUMENT
    description: Text = Field("", max_length=request_services.TEXT_LIMIT)
    sample_size: int | None = Field(None, ge=1, le=1000, description="Records in a sample")
    audit: Id | None = Field(None, description="One of the body's audits of this client")
    requirement: Id | None = Field(None, description="The requirement it serves")


class EvidenceAnswerIn(Input):
    documents: list[Id] = Field([], max_length=MAX_IDS, description="Your document ids")
    evidence: list[Id] = Field([], max_length=MAX_IDS, description="Your evidence file ids")
    note: Text = Field("", max_length=request_services.TEXT_LIMIT)


class EvidenceReviewIn(Input):
    accept: bool = Field(description="true accepts the answer; false returns it")
    reason: Text = Field(
        "", max_length=request_services.TEXT_LIMIT, description="What is still missing"
    )


class EvidenceWithdrawIn(Input):
    reason: Text = Field(max_length=500, description="Why it is no longer needed")


def _request(request, request_id: int, side: str | None = None) -> EvidenceRequest:
    found = lookups.evidence_request(request.auth, request_id)
    if side is not None:
        lookups.require_side(request.auth, found.engagement, side)
    return found


def _fresh(request, found: EvidenceRequest) -> EvidenceRequest:
    return announce(lookups.evidence_request(request.auth, found.pk))


@router.get(
    "/engagements/{engagement_id}/evidence-requests/",
    response=responses(list[EvidenceRequestOut]),
)
@paginate(Page)
def list_evidence_requests(request, engagement_id: Id, filters: Query[EvidenceRequestFilter]):
    """The evidence requests of a link, earliest due first, read from either side."""
    engagement = lookups.engagement(request.auth, engagement_id)
    rows = lookups.requests_of(engagement)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.overdue:
        rows = rows.filter(lookups.open_request_filter())
    return rows


@router.post(
    "/engagements/{engagement_id}/evidence-requests/",
    response=responses(EvidenceRequestOut, 201),
)
def request_evidence(request, engagement_id: Id, payload: EvidenceRequestIn):
    """Ask the linked client for a document, a record or a sample of records by a due date
    (the body's manager, lead auditors and auditors). 409 `not_active` unless the
    certification link is active."""
    engagement = lookups.engagement(request.auth, engagement_id)
    lookups.require_side(request.auth, engagement, access.PROVIDER)
    created = request_services.request_evidence(
        engagement,
        title=payload.title,
        due_date=payload.due_date,
        kind=payload.kind,
        description=payload.description,
        sample_size=payload.sample_size,
        audit=payload.audit,
        requirement=payload.requirement,
        actor=request.auth,
    )
    return Status(201, _fresh(request, created))


@router.get("/evidence-requests/{request_id}/", response=responses(EvidenceRequestOut))
def get_evidence_request(request, request_id: Id):
    """One request with the client's answer (and its ETag)."""
    return announce(_request(request, request_id))


@router.post("/evidence-requests/{request_id}/answer/", response=responses(EvidenceRequestOut))
def answer_evidence_request(request, request_id: Id, payload: EvidenceAnswerIn):
    """Answer with existing documents and evidence files of your organization (its system
    managers and top management); answering again replaces the answer. If-Match: the
    request's ETag. 409 `request_closed` once accepted or withdrawn."""
    found = _request(request, request_id, access.CLIENT)
    request_services.answer_request(
        found,
        documents=payload.documents,
        evidence=payload.evidence,
        note=payload.note,
        actor=request.auth,
    )
    return _fresh(request, found)


@router.post("/evidence-requests/{request_id}/review/", response=responses(EvidenceRequestOut))
def review_evidence_answer(request, request_id: Id, payload: EvidenceReviewIn):
    """Accept the answer, or return it saying what is still missing (`reason`, required to
    return). If-Match: the request's ETag. 409 `not_answered` when there is no answer."""
    found = _request(request, request_id, access.PROVIDER)
    request_services.review_answer(
        found, accept=payload.accept, reason=payload.reason, actor=request.auth
    )
    return _fresh(request, found)


@router.post("/evidence-requests/{request_id}/withdraw/", response=responses(EvidenceRequestOut))
def withdraw_evidence_request(request, request_id: Id, payload: EvidenceWithdrawIn):
    """Withdraw a request no longer needed, with the reason. If-Match: the request's ETag."""
    found = _request(request, request_id, access.PROVIDER)
    request_services.withdraw_request(found, payload.reason, actor=request.auth)
    return _fresh(request, found)
