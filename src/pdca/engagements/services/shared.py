"""What the provider of an engagement reads of its client: only what an open grant names, or
what the client attached to answer an evidence request, each read logged in the client's
activity log. Anything else is NotFound, as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from pdca.core.exceptions import NotFound
from pdca.core.models import ActivityEntry
from pdca.core.registers.spec import RegisterSpec, spec_for
from pdca.documents.evidence.services import EvidenceDownload, open_verified
from pdca.documents.models import Document, DocumentVersion, EvidenceFile
from pdca.engagements import access
from pdca.engagements.models import AccessGrant, Engagement, EvidenceRequest, FindingLink
from pdca.engagements.services.grants import shareable_registers
from pdca.engagements.services.logging import log_access
from pdca.improvement.models import Nonconformity

if TYPE_CHECKING:
    from pdca.accounts.models import User

#: Versions a document grant shows: those that were in force (a draft is shared by naming it).
IN_FORCE = (DocumentVersion.Status.PUBLISHED, DocumentVersion.Status.SUPERSEDED)


@dataclass
class Shared:
    """Everything the provider may read right now, and under which grant or request."""

    grants: list[AccessGrant]
    documents: list[Document] = field(default_factory=list)
    versions: list[DocumentVersion] = field(default_factory=list)
    evidence: list[EvidenceFile] = field(default_factory=list)
    registers: list[tuple[str, str]] = field(default_factory=list)
    answered: list[EvidenceRequest] = field(default_factory=list)


def shared_now(engagement: Engagement, *, actor: User) -> Shared:
    """What the provider's `actor` may read now: a fixed number of queries."""
    access.require_provider_reader(actor, engagement)
    grants = list(
        access.open_grants(engagement).prefetch_related(
            "documents", "versions__document", "evidence"
        )
    )
    shared = Shared(grants)
    seen_docs: dict[int, Document] = {}
    seen_versions: dict[int, DocumentVersion] = {}
    seen_files: dict[int, EvidenceFile] = {}
    slugs: list[str] = []
    for grant in grants:
        seen_docs.update({d.pk: d for d in grant.documents.all()})
        seen_versions.update({v.pk: v for v in grant.versions.all()})
        seen_files.update({f.pk: f for f in grant.evidence.all()})
        slugs.extend(s for s in grant.registers or [] if s not in slugs)
    if engagement.is_active:
        shared.answered = list(
            EvidenceRequest.objects.filter(
                engagement=engagement,
                status__in=[EvidenceRequest.Status.ANSWERED, EvidenceRequest.Status.ACCEPTED],
            ).prefetch_related("documents", "evidence")
        )
    shared.documents = sorted(seen_docs.values(), key=lambda d: (d.code, d.pk))
    shared.versions = sorted(seen_versions.values(), key=lambda v: (v.document.code, v.number))
    shared.evidence = sorted(seen_files.values(), key=lambda f: f.original_name)
    titles = shareable_registers()
    shared.registers = [(s, titles.get(s, s)) for s in slugs]
    return shared


def _request_with(
    engagement: Engagement, *, document_id: int | None = None, evidence_id: int | None = None
) -> EvidenceRequest | None:
    rows = (
        access.requests_with_document(engagement, document_id)
        if document_id is not None
        else access.requests_with_evidence(engagement, evidence_id or 0)
    )
    return rows.order_by("pk").first()


@dataclass(frozen=True)
class SharedDocument:
    document: Document
    versions: list[DocumentVersion]
    grant: AccessGrant | None


def read_document(engagement: Engagement, document_id: int, *, actor: User) -> SharedDocument:
    """A document named by an open grant (or an answered request): its versions in force and
    any version the grant names. Logged as a view in the client's log."""
    grant = access.grant_for_document(actor, engagement, document_id)
    request = None if grant else _request_with(engagement, document_id=document_id)
    if grant is None and request is None:
        raise NotFound("Nothing shared with you has this id.")
    document = Document.objects.get(
        pk=document_id, organization_id=access.client_org_id(engagement)
    )
    named_versions: QuerySet[DocumentVersion] = DocumentVersion.objects.none()
    if grant is not None:
        named_versions = DocumentVersion.objects.filter(
            pk__in=access.open_grants(engagement).values("versions")
        )
    documents_granted = (grant is not None and grant.documents.filter(pk=document_id).exists()) or (
        request is not None
    )
    condition = Q(pk__in=named_versions.values("pk"))
    if documents_granted:
        condition |= Q(status__in=IN_FORCE)
    versions = list(
        DocumentVersion.objects.filter(condition, document=document)
        .select_related("file", "approved_by")
        .order_by("-number")
    )
    log_access(grant, actor, document, what=f"document {document}", engagement=engagement)
    return SharedDocument(document, versions, grant)


def read_version(engagement: Engagement, version_id: int, *, actor: User) -> DocumentVersion:
    """One version: named by an open grant, or in force in a granted document."""
    access.require_provider_reader(actor, engagement)
    version = (
        DocumentVersion.objects.filter(
            pk=version_id, organization_id=access.client_org_id(engagement)
        )
        .select_related("document", "file", "approved_by", "author")
        .first()
    )
    if version is None:
        raise NotFound("Nothing shared with you has this id.")
    grants = access.open_grants(engagement)
    grant = grants.filter(versions__pk=version_id).first()
    request = None
    if grant is None and version.status in IN_FORCE:
        grant = grants.filter(documents__pk=version.document_id).first()
        if grant is None:
            request = _request_with(engagement, document_id=version.document_id)
    if grant is None and request is None:
        raise NotFound("Nothing shared with you has this id.")
    log_access(
        grant,
        actor,
        version,
        what=f"{version.document} version {version.number}",
        engagement=engagement,
    )
    return version


def download_evidence(engagement: Engagement, evidence_id: int, *, actor: User) -> EvidenceDownload:
    """The bytes of a file named by an open grant, answering a request, or holding a shared
    version's content. Logged as a download."""
    access.require_provider_reader(actor, engagement)
    evidence = EvidenceFile.objects.filter(
        pk=evidence_id, organization_id=access.client_org_id(engagement)
    ).first()
    if evidence is None:
        raise NotFound("Nothing shared with you has this id.")
    grants = access.open_grants(engagement)
    grant = grants.filter(evidence__pk=evidence_id).first()
    request = None
    if grant is None:
        # The file of a shared version.
        grant = grants.filter(
            Q(versions__file_id=evidence_id)
            | Q(documents__versions__file_id=evidence_id, documents__versions__status__in=IN_FORCE)
        ).first()
    if grant is None:
        request = _request_with(engagement, evidence_id=evidence_id)
        if request is None:
            version = (
                DocumentVersion.objects.filter(file_id=evidence_id, status__in=IN_FORCE)
                .values_list("document_id", flat=True)
                .first()
            )
            if version is not None:
                request = _request_with(engagement, document_id=version)
    linked = grant is None and request is None and _answers_a_finding(engagement, evidence_id)
    if grant is None and request is None and not linked:
        raise NotFound("Nothing shared with you has this id.")
    download = open_verified(evidence)
    log_access(
        grant, actor, evidence, action="download", what=f"file {evidence}", engagement=engagement
    )
    return download


def _answers_a_finding(engagement: Engagement, evidence_id: int) -> bool:
    """Whether the file is evidence of the client's answer to one of the body's findings (its
    correction or a corrective action): the body reviews that answer."""
    if not engagement.is_active:
        return False
    nonconformities = FindingLink.objects.filter(engagement=engagement).values("nonconformity")
    return (
        Nonconformity.objects.filter(pk__in=nonconformities)
        .filter(Q(correction_evidence__pk=evidence_id) | Q(actions__evidence__pk=evidence_id))
        .exists()
    )


@dataclass(frozen=True)
class SharedRegister:
    spec: RegisterSpec
    rows: list[Any]
    grant: AccessGrant


def read_register(
    engagement: Engagement, slug: str, *, actor: User, limit: int = 500
) -> SharedRegister:
    """The client's rows of a register an open grant names (archived rows left out)."""
    grant = access.grant_for_register(actor, engagement, slug)
    if grant is None or slug not in shareable_registers():
        raise NotFound("Nothing shared with you has this name.")
    spec = spec_for(slug)
    rows = list(
        spec.model._default_manager.filter(
            **{"organization_id": access.client_org_id(engagement), "archived_at__isnull": True}
        )
        .select_related(*spec.fk_fields)
        .prefetch_related(*spec.m2m_fields)[:limit]
    )
    log_access(grant, actor, engagement, what=f"the {spec.title} register", engagement=engagement)
    return SharedRegister(spec, rows, grant)


def access_log(grant: AccessGrant) -> QuerySet[ActivityEntry]:
    """The reads made under `grant`, newest first (the client's activity log entries)."""
    return (
        ActivityEntry.objects.filter(
            organization_id=grant.organization_id,
            action__in=["view", "download"],
            changes__grant=grant.pk,
        )
        .select_related("actor")
        .order_by("-seq")
    )
