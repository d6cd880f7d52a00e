"""API of starter templates (list, filled preview, use), document versions as DOCX or PDF,
mandatory documented information coverage, document search and "my document tasks".
Thin endpoints over pdca.documents.starters.services, rendering, coverage, search and tasks_list."""

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import Id, Input, Page, Text, organization_for, responses
from pdca.core.exceptions import NotFound, ValidationFailed
from pdca.core.jobs.api import ACCEPTED, ACCEPTED_EXTRA, accepted
from pdca.core.permissions import may, scope
from pdca.core.views import file_response
from pdca.documents import coverage as coverage_lib
from pdca.documents import rendering
from pdca.documents.models import Document, DocumentVersion
from pdca.documents.search import search_documents
from pdca.documents.starters import services as starters
from pdca.documents.tasks_list import document_tasks
from pdca.documents.versions import jobs as version_jobs
from pdca.system.models import ManagementSystem
from pdca.tenancy.models import Organization

router = Router(tags=["documents"])


# --- schemas ------------------------------------------------------------------------------


class StarterOut(Schema):
    key: str
    title: str
    doc_type: str
    code: str = Field(description="Suggested code, used when free")
    summary: str
    requirements: dict[str, list[str]] = Field(
        description="Catalog requirement numbers by standard code"
    )


class FilledStarterOut(StarterOut):
    content: str = Field(description="The Markdown filled with the organization's data")
    values: dict[str, str] = Field(description="The value of each placeholder")


class UseTemplateIn(Input):
    organization: Text = Field(max_length=60, description="Organization slug")
    system: Id | None = Field(None, description="Management system id (default: the first)")
    code: Text | None = Field(
        None,
        max_length=30,
        description="Code of the new document; empty: the numbering scheme's; "
        "left out: the template's suggestion when free",
    )


class CreatedDocumentOut(Schema):
    id: int
    code: str
    title: str
    doc_type: str
    version: int | None = Field(description="Number of the first draft")
    requirements: list[str] = Field(description="Linked requirements, as 'standard number'")


class LinkedDocumentOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    published_version: int | None = Field(alias="published_number")
    status: str


class CoverageItemOut(Schema):
    requirement: str = Field(alias="number")
    title: str
    type: str = Field(description="maintain or retain")
    what: str
    status: str = Field(description="met, in_progress, gap or excluded")
    documents: list[LinkedDocumentOut]
    justification: str = Field(description="Why the requirement is excluded")


class CoverageCounts(Schema):
    met: int
    in_progress: int
    gap: int
    excluded: int


class StandardCoverageOut(Schema):
    system: int = Field(alias="system_id")
    system_name: str = Field(alias="system")
    standard: str = Field(alias="standard_code")
    standard_name: str = Field(alias="standard")
    total: int
    counts: CoverageCounts
    percent: int = Field(description="Items met, out of the items not excluded")
    items: list[CoverageItemOut]


class CoverageFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    gaps_only: bool = Field(False, description="List only the gaps (counts stay whole)")


class SearchFilter(Schema):
    q: Text = Field(min_length=1, max_length=200, description="Words to find")
    organization: Text | None = Field(None, max_length=60, description="Organization slug")


class SearchHitOut(Schema):
    id: int
    code: str
    title: str
    doc_type: str
    version: int | None = Field(alias="version_number", description="The current version")
    version_status: str | None
    snippet: str = Field(description="HTML: escaped text with the words in <mark>")
    rank: float


class TaskOut(Schema):
    kind: str = Field(description="review, approve or acknowledge")
    document: int = Field(alias="document_id")
    code: str
    title: str
    version: int | None = Field(alias="version_id", description="Version id")
    version_number: int | None
    due: dt.date | None
    overdue: bool
    note: str
    url: str = Field(description="The page to do it on")


class OrganizationFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")


# --- lookups ------------------------------------------------------------------------------


def _organization(request, slug: str | None) -> Organization:
    """One of the user's organizations where they may read documents: the one named, or the
    only one; 404 for any other."""
    return organization_for(request.auth, slug, may_view=Document)


def _starter(key: str):
    try:
        return starters.starter_or_404(key)
    except NotFound:
        raise Http404("No such template.") from None


def _system(organization, system_id: int | None):
    if system_id is None:
        return None
    system = ManagementSystem.objects.filter(organization=organization, pk=system_id).first()
    if system is None:
        raise ValidationFailed.single("system", "Choose a management system of this organization.")
    return system


def _starter_out(starter) -> dict:
    return {
        "key": starter.key,
        "title": starter.title,
        "doc_type": str(starter.doc_type),
        "code": starter.code,
        "summary": starter.summary,
        "requirements": {code: list(numbers) for code, numbers in starter.requirements.items()},
    }


# --- starter templates --------------------------------------------------------------------


@router.get("/document-templates/", response=responses(list[StarterOut]))
def list_document_templates(request):
    """Every starter template: what it covers, its type, suggested code and requirements."""
    return [_starter_out(s) for s in starters.list_starters()]


@router.get("/document-templates/{key}/", response=responses(FilledStarterOut))
def get_document_template(
    request, key: str, filters: Query[OrganizationFilter], system: Id | None = None
):
    """A starter template filled with the organization's data (and a management system's)."""
    organization = _organization(request, filters.organization)
    starter = _starter(key)
    filled = starters.fill_starter(organization, starter.key, system=_system(organization, system))
    return {**_starter_out(starter), "content": filled.content, "values": filled.values}


@router.post("/document-templates/{key}/use/", response=responses(CreatedDocumentOut, 201))
def use_document_template(request, key: str, payload: UseTemplateIn):
    """Create a document from a starter template, with the filled text as its first draft."""
    organization = get_object_or_404(
        scope(Organization.objects.all(), request.auth), slug=payload.organization
    )
    starter = _starter(key)
    document = starters.create_from_template(
        organization,
        starter.key,
        actor=request.auth,
        system=_system(organization, payload.system),
        code=payload.code,
    )
    version = document.versions.order_by("-number").first()
    return Status(
        201,
        {
            "id": document.pk,
            "code": document.code,
            "title": document.title,
            "doc_type": document.doc_type,
            "version": version.number if version else None,
            "requirements": [
                f"{r.standard.code} {r.number}"
                for r in document.requirements.select_related("standard").order_by(
                    "standard__code", "sort_key"
                )
            ],
        },
    )


# --- versions as files --------------------------------------------------------------------


def _version(request, version_id: int) -> DocumentVersion:
    version = get_object_or_404(
        scope(DocumentVersion.objects.all(), request.auth).select_related(
            "document__organization", "document__owner", "file"
        ),
        pk=version_id,
    )
    if not may(request.auth, "view", version.document):
        raise Http404("No such object.")
    return version


@router.get("/document-versions/{version_id}/docx/", response=responses(None))
def document_version_docx(request, version_id: int):
    """One version of a document as a Word file (header block, then the text)."""
    version = _version(request, version_id)
    return file_response(
        rendering.version_docx(version),
        rendering.DOCX_CONTENT_TYPE,
        rendering.version_filename(version, "docx"),
    )


@router.post(
    "/document-versions/{version_id}/pdf/jobs/", response=ACCEPTED, openapi_extra=ACCEPTED_EXTRA
)
def queue_document_version_pdf(request, response: HttpResponse, version_id: int):
    """Queue one version of a document as an A4 PDF (code, version and page in every footer):
    202 with the job; the PDF is at the job's `links.result` once it succeeded."""
    version = _version(request, version_id)
    return accepted(response, version_jobs.queue_pdf(version, actor=request.auth))


# --- coverage, search, tasks --------------------------------------------------------------


@router.get("/documented-information/coverage/", response=responses(list[StandardCoverageOut]))
def documented_information_coverage(request, filters: Query[CoverageFilter]):
    """Per adopted standard, each item of mandatory documented information: met (a linked
    document is published), in progress, gap, or excluded, with the linked documents."""
    organization = _organization(request, filters.organization)
    return coverage_lib.coverage(request.auth, organization, gaps_only=filters.gaps_only)


@router.get("/documents/search/", response=responses(list[SearchHitOut]))
@paginate(Page)
def search_documents_api(request, filters: Query[SearchFilter]):
    """Documents whose code, title or current text (published version, else the latest)
    matches the words, best first, each with a highlighted snippet."""
    organization = _organization(request, filters.organization)
    return search_documents(request.auth, organization, filters.q)


@router.get("/documents/my-tasks/", response=responses(list[TaskOut]))
def my_document_tasks(request, filters: Query[OrganizationFilter]):
    """What the signed-in user has to do about documents: reviews due, versions to approve,
    versions to read and acknowledge."""
    organization = _organization(request, filters.organization)
    return document_tasks(request.auth, organization)
