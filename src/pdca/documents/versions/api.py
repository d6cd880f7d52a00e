"""API of document versions (writing, review, approval, publication), their approvals, and
read-and-acknowledge requests. Thin endpoints over pdca.documents.versions.services and
pdca.documents.acknowledgements."""

import datetime as dt
from typing import Annotated

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.accounts.models import User
from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Text, omitted, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import scope, visible_organization_ids
from pdca.core.selectors import history_of
from pdca.documents import acknowledgements as acks
from pdca.documents.models import Approval, Document, DocumentVersion, EvidenceFile
from pdca.documents.versions import services

router = Router(tags=["documents"])

VersionStatus = DocumentVersion.Status
MAX_CONTENT = 1_000_000


# --- schemas ------------------------------------------------------------------------------


class VersionOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    document: int = Field(alias="document_id")
    code: str = Field(alias="document.code", description="The document's code")
    number: int
    status: VersionStatus
    content: str = Field(description="Markdown")
    file: int | None = Field(alias="file_id", description="Evidence file id, when a file")
    change_summary: str
    effective_date: dt.date | None
    author: str = Field(alias="author.email")
    submitted_at: dt.datetime | None
    approved_by: str | None = Field(None, description="E-mail of the approver")
    approved_at: dt.datetime | None
    published_at: dt.datetime | None
    content_sha256: str = Field(description="SHA-256 of what was approved")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_approved_by(obj: DocumentVersion) -> str | None:
        return obj.approved_by.email if obj.approved_by else None


class VersionCreate(Input):
    document: Id = Field(description="Document id")
    content: Text = Field("", max_length=MAX_CONTENT, description="Markdown")
    file: Id | None = Field(None, description="Evidence file id (instead of content)")
    change_summary: Text = Field("", max_length=10_000)


class VersionUpdate(Input):
    content: Text = omitted(max_length=MAX_CONTENT, description="Markdown")
    file: Id | None = Field(None, description="Evidence file id, or null")
    change_summary: Text = omitted(max_length=10_000)


class VersionFilter(Schema):
    document: Id | None = Field(None, description="Document id")
    status: VersionStatus | None = None


class TransitionIn(Input):
    to: Text = Field(
        max_length=20,
        description="Step (submit, withdraw, approve, reject, publish, obsolete) or the status "
        "to reach (in_review, approved, published, obsolete, draft)",
    )
    comment: Text = Field("", max_length=10_000, description="Needed to reject or withdraw")
    effective_date: dt.date | None = Field(None, description="On publication; default today")


class ApprovalOut(Schema):
    id: int
    version: int = Field(alias="version_id")
    reviewer: str = Field(alias="reviewer.email")
    decision: Approval.Decision
    comment: str
    created_at: dt.datetime


class AckOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    version: int = Field(alias="version_id")
    code: str = Field(alias="version.document.code")
    number: int = Field(alias="version.number")
    user: str = Field(alias="user.email")
    via_role: str
    due_date: dt.date | None
    acknowledged_at: dt.datetime | None


class AckFilter(Schema):
    version: Id | None = Field(None, description="Version id")
    pending: bool | None = Field(None, description="true: not acknowledged yet")
    mine: bool = Field(False, description="Only your own requests")


class AckRequest(Input):
    roles: list[Annotated[Text, Field(max_length=40)]] = Field(
        [], max_length=20, description="Roles whose members are asked"
    )
    users: list[Annotated[Text, Field(max_length=254)]] = Field(
        [], max_length=1000, description="E-mails of members"
    )
    due_date: dt.date | None = None
    same_people: bool = Field(False, description="Ask those asked on the previous version")


class ReportLine(Schema):
    name: str
    email: str
    role: str
    via_role: str
    due_date: dt.date | None
    acknowledged_at: dt.datetime | None
    overdue: bool


class ReportOut(Schema):
    version: int
    asked: int
    done: int
    pending: int
    overdue: int
    percent: int
    note: str = Field(description="Set when the version is no longer the published one")
    people: list[ReportLine]


# --- lookups ------------------------------------------------------------------------------


def _versions(user) -> QuerySet[DocumentVersion]:
    return scope(
        DocumentVersion.objects.select_related("organization", "document", "author", "approved_by"),
        user,
    ).order_by("document__code", "-number")


def _version(request, version_id: int) -> DocumentVersion:
    return get_object_or_404(_versions(request.auth), pk=version_id)


def _file(organization_id: int, file_id: int | None) -> EvidenceFile | None:
    if file_id is None:
        return None
    found = EvidenceFile.objects.filter(organization_id=organization_id, pk=file_id).first()
    if found is None:
        raise ValidationFailed.single(
            "file", "Choose a file of this organization's evidence store."
        )
    return found


def _users(emails: list[str]) -> list[User]:
    wanted = {e.strip().lower() for e in emails}
    found = list(User.objects.filter(email__in=wanted, is_active=True))
    missing = wanted - {u.email.lower() for u in found}
    if missing:
        raise ValidationFailed.single(
            "users", f"Not members of this organization: {', '.join(sorted(missing))}."
        )
    return found


# --- versions -----------------------------------------------------------------------------


@router.get("/document-versions/", response=responses(list[VersionOut]))
@paginate(Page)
def list_document_versions(request, filters: Query[VersionFilter]):
    """Versions of the documents you may see (filter by document and status)."""
    qs = _versions(request.auth)
    if filters.document is not None:
        qs = qs.filter(document_id=filters.document)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.post("/document-versions/", response=responses(VersionOut, 201))
def create_document_version(request, payload: VersionCreate):
    """Start a document's next version (409 while another one is open). Without content or a
    file it starts from the published content."""
    document = get_object_or_404(
        Document.objects.filter(organization_id__in=visible_organization_ids(request.auth)),
        pk=payload.document,
    )
    version = services.create_version(
        document,
        actor=request.auth,
        content=payload.content,
        file=_file(document.organization_id, payload.file),
        change_summary=payload.change_summary,
    )
    return Status(201, _versions(request.auth).get(pk=version.pk))


@router.get("/document-versions/{version_id}/", response=responses(VersionOut))
def get_document_version(request, version_id: int):
    return announce(_version(request, version_id))


@router.patch("/document-versions/{version_id}/", response=responses(VersionOut))
def update_document_version(request, version_id: int, payload: VersionUpdate):
    """Change a draft (409 for any other status: a published version never changes)."""
    version = _version(request, version_id)
    data = payload.model_dump(exclude_unset=True)
    for name in ("content", "change_summary"):
        if name in data and data[name] is None:
            raise ValidationFailed.single(name, "This field may not be null.")
    if "file" in data:
        data["file"] = _file(version.organization_id, data["file"])
    services.update_version(version, actor=request.auth, **data)
    return _version(request, version_id)


@router.delete("/document-versions/{version_id}/", response=responses(None, 204))
def delete_document_version(request, version_id: int):
    """Delete a draft (409 for any other status)."""
    services.delete_version(_version(request, version_id), actor=request.auth)
    return Status(204, None)


@router.post("/document-versions/{version_id}/transition/", response=responses(VersionOut))
def transition_document_version(request, version_id: int, payload: TransitionIn):
    """Move the version one step: submit, withdraw, approve, reject (with a comment), publish
    (supersedes the published version) or obsolete (withdraws the document)."""
    version = _version(request, version_id)
    services.transition_version(
        version,
        payload.to,
        actor=request.auth,
        comment=payload.comment,
        effective_date=payload.effective_date,
    )
    return _version(request, version_id)


@router.get("/document-versions/{version_id}/history/", response=responses(list[ActivityOut]))
@paginate(Page)
def document_version_history(request, version_id: int):
    return history_of(_version(request, version_id), request.auth)


@router.get("/document-versions/{version_id}/approvals/", response=responses(list[ApprovalOut]))
@paginate(Page)
def document_version_approvals(request, version_id: int):
    """Reviewers' decisions on the version, oldest first."""
    version = _version(request, version_id)
    return scope(Approval.objects.filter(version=version), request.auth).select_related("reviewer")


# --- acknowledgements ---------------------------------------------------------------------


def _acks(user) -> QuerySet:
    return acks.visible_acknowledgements(user).select_related(
        "organization", "version__document", "user"
    )


@router.get("/acknowledgements/", response=responses(list[AckOut]))
@paginate(Page)
def list_acknowledgements(request, filters: Query[AckFilter]):
    """Your own read-and-acknowledge requests, and all of them where your role reads the
    report."""
    qs = _acks(request.auth).order_by("version_id", "user__email")
    if filters.mine:
        qs = qs.filter(user=request.auth)
    if filters.version is not None:
        qs = qs.filter(version_id=filters.version)
    if filters.pending is not None:
        qs = qs.filter(acknowledged_at__isnull=filters.pending)
    return qs


@router.post(
    "/document-versions/{version_id}/acknowledgements/", response=responses(list[AckOut], 201)
)
def request_acknowledgements(request, version_id: int, payload: AckRequest):
    """Ask roles and people to read and acknowledge the published version (those already
    asked are skipped); `same_people` asks again those asked on the previous version. Answers
    the requests made."""
    version = _version(request, version_id)
    if payload.same_people:
        made = acks.request_same_people(version, actor=request.auth, due_date=payload.due_date)
    else:
        made = acks.request_acknowledgement(
            version,
            actor=request.auth,
            roles=payload.roles,
            users=_users(payload.users),
            due_date=payload.due_date,
        )
    return Status(201, list(_acks(request.auth).filter(pk__in=[a.pk for a in made])))


@router.post("/document-versions/{version_id}/acknowledge/", response=responses(AckOut))
def acknowledge_document_version(request, version_id: int):
    """Confirm you read the published version (only when asked; again changes nothing)."""
    ack = acks.acknowledge(_version(request, version_id), actor=request.auth)
    return _acks(request.auth).get(pk=ack.pk)


@router.get(
    "/document-versions/{version_id}/acknowledgement-report/", response=responses(ReportOut)
)
def acknowledgement_report(request, version_id: int):
    """Who was asked, who confirmed, who is pending or late (your own line only, unless your
    role reads the report)."""
    return acks.report_for(request.auth, _version(request, version_id)).as_dict()
