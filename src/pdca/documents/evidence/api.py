"""API of the evidence store: list, upload (multipart), read, describe, download, history and
delete evidence files. Thin endpoints over pdca.documents.evidence.services.

Uploading the same bytes again in the same organization answers 200 with the existing file
instead of 201 with a new one.
"""

import datetime as dt
from typing import Annotated

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.activity_api import ActivityOut
from pdca.core.api import ERRORS, Input, Page, Text, responses
from pdca.core.concurrency import announce
from pdca.core.permissions import scope
from pdca.core.selectors import history_of
from pdca.documents.evidence import services
from pdca.documents.models import DocumentVersion, EvidenceFile
from pdca.tenancy.models import Organization

router = Router(tags=["evidence"])


class UseOut(Schema):
    """A document version whose content is this file."""

    version: int = Field(alias="id")
    document: int = Field(alias="document_id")
    code: str = Field(alias="document.code")
    number: int
    status: str


class EvidenceOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    name: str = Field(alias="original_name", description="Safe file name")
    content_type: str = Field(description="Detected from the content")
    size: int = Field(description="Bytes")
    sha256: str
    description: str
    uploaded_by: str | None = Field(description="E-mail of the uploader")
    created_at: dt.datetime
    used_in: list[UseOut] = Field(description="Document versions whose file this is")

    @staticmethod
    def resolve_uploaded_by(obj: EvidenceFile) -> str | None:
        return obj.uploaded_by.email if obj.uploaded_by else None

    @staticmethod
    def resolve_used_in(obj: EvidenceFile) -> list[DocumentVersion]:
        return list(obj.versions.all())


class EvidenceFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    content_type: Text | None = Field(None, max_length=120, description="e.g. application/pdf")
    sha256: Text | None = Field(None, max_length=64, description="Exact SHA-256 (hex)")
    q: Text | None = Field(None, max_length=200, description="Text in the name or description")
    unused: bool = Field(False, description="Only files no document version uses")


class EvidenceUpdate(Input):
    description: Text = Field(max_length=300)


def _files(user) -> QuerySet[EvidenceFile]:
    versions = DocumentVersion.objects.select_related("document").order_by(
        "document__code", "number"
    )
    return scope(
        EvidenceFile.objects.select_related("organization", "uploaded_by").prefetch_related(
            Prefetch("versions", queryset=versions)
        ),
        user,
    ).order_by("organization__name", "-created_at", "-pk")


def _file(request, file_id: int) -> EvidenceFile:
    return get_object_or_404(_files(request.auth), pk=file_id)


@router.get("/evidence/", response=responses(list[EvidenceOut]))
@paginate(Page)
def list_evidence(request, filters: Query[EvidenceFilter]):
    """Evidence files of your organizations, newest first."""
    qs = _files(request.auth)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    if filters.content_type:
        qs = qs.filter(content_type=filters.content_type)
    if filters.sha256:
        qs = qs.filter(sha256=filters.sha256.lower())
    if filters.q:
        qs = qs.filter(Q(original_name__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.unused:
        qs = qs.filter(versions__isnull=True)
    return qs


@router.post("/evidence/", response={200: EvidenceOut, 201: EvidenceOut, **ERRORS})
def upload_evidence(
    request,
    organization: Annotated[str, Form(max_length=60)],
    file: File[UploadedFile],
    description: Annotated[str, Form(max_length=300)] = "",
):
    """Upload a file (multipart: `file`, `organization` slug, optional `description`).

    Checked before anything is stored: size limit, type by content (PDF, images, Office and
    OpenDocument files, text), safe name. 201 with the new file; 200 with the existing one when
    the organization already holds the same bytes.
    """
    org = get_object_or_404(scope(Organization.objects.all(), request.auth), slug=organization)
    stored = services.store_evidence(org, file, actor=request.auth, description=description)
    return Status(201 if stored.created else 200, _file(request, stored.pk))


@router.get("/evidence/{file_id}/", response=responses(EvidenceOut))
def get_evidence(request, file_id: int):
    return announce(_file(request, file_id))


@router.patch("/evidence/{file_id}/", response=responses(EvidenceOut))
def update_evidence(request, file_id: int, payload: EvidenceUpdate):
    """Change the description (the bytes of a file never change)."""
    services.update_evidence(
        _file(request, file_id), actor=request.auth, description=payload.description
    )
    return _file(request, file_id)


@router.delete("/evidence/{file_id}/", response=responses(None, 204))
def delete_evidence(request, file_id: int):
    """Delete a file (409 while a document version uses it)."""
    services.delete_evidence(_file(request, file_id), actor=request.auth)
    return Status(204, None)


@router.get("/evidence/{file_id}/download/", response=responses(None))
def download_evidence(request, file_id: int):
    """The file's bytes, as an attachment; 409 when the stored bytes were altered or are
    missing. Each download is recorded in the activity log."""
    download = services.open_evidence(_file(request, file_id), actor=request.auth)
    return download.as_response()


@router.get("/evidence/{file_id}/history/", response=responses(list[ActivityOut]))
@paginate(Page)
def evidence_history(request, file_id: int):
    return history_of(_file(request, file_id), request.auth)
