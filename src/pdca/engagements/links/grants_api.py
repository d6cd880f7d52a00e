"""API of access grants (what the client lets the provider read, until when, and who read what
under them) and of the provider's reads under them, each logged in the client's activity log.

A grant that has expired or been revoked stops working the moment it does: the provider's
next read is 404, as if the item did not exist.
"""

from typing import Any

from ninja import Query, Router, Status
from ninja.pagination import paginate

from pdca.core.api import Id, Page, responses
from pdca.core.concurrency import announce
from pdca.core.registers.display import cells, header, plain
from pdca.engagements import access
from pdca.engagements.links import lookups
from pdca.engagements.links.schemas import (
    AccessGrantDetailOut,
    AccessGrantIn,
    AccessGrantOut,
    GrantFilter,
    GrantReadOut,
    RevokeIn,
    SharedDocumentOut,
    SharedNowOut,
    SharedRegisterOut,
    SharedRegisterRef,
    SharedVersionDetailOut,
    Slug,
)
from pdca.engagements.services import grants as grant_services
from pdca.engagements.services import shared
from pdca.engagements.services.shared import SharedRegister

router = Router(tags=["access grants"])
#: Reads shown with a grant; the whole log is paged at `access-log/`.
LOG_PREVIEW = 50


def register_rows(read: SharedRegister) -> dict[str, Any]:
    """A shared register as its columns show it: values as a spreadsheet holds them."""
    spec = read.spec

    def value(obj: Any, name: str) -> Any:
        try:
            spec.model_field(name)
        except Exception:  # a property column: its text
            return "; ".join(c.text for c in cells(spec, obj, name)) or None
        return plain(spec, obj, name)

    return {
        "slug": spec.slug,
        "title": spec.title,
        "grant": read.grant.pk,
        "columns": [{"name": n, "header": header(spec, n)} for n in spec.columns],
        "rows": [{"id": o.pk, "values": {n: value(o, n) for n in spec.columns}} for o in read.rows],
    }


@router.get("/shareable-registers/", response=responses(list[SharedRegisterRef]))
def list_shareable_registers(request):
    """The registers a client may name in a grant."""
    return [
        {"slug": s, "title": t} for s, t in sorted(grant_services.shareable_registers().items())
    ]


@router.get("/engagements/{engagement_id}/grants/", response=responses(list[AccessGrantOut]))
@paginate(Page)
def list_grants(request, engagement_id: Id, filters: Query[GrantFilter]):
    """The grants of a link, latest first, read from either side."""
    engagement = lookups.engagement(request.auth, engagement_id)
    return lookups.filter_grants(lookups.grants_of(engagement), filters.status)


@router.post("/engagements/{engagement_id}/grants/", response=responses(AccessGrantOut, 201))
def grant_access(request, engagement_id: Id, payload: AccessGrantIn):
    """Let the provider read chosen documents (their versions in force), versions, evidence
    files and registers of your organization, and optionally rehearse stage 1 on one system,
    until `ends_at` (the client's system managers and top management). 409 `not_active` on a
    link that is not active."""
    engagement = lookups.engagement(request.auth, engagement_id)
    lookups.require_side(request.auth, engagement, access.CLIENT)
    grant = grant_services.grant_access(
        engagement,
        purpose=payload.purpose,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        documents=payload.documents,
        versions=payload.versions,
        evidence=payload.evidence,
        registers=payload.registers,
        system=payload.system,
        actor=request.auth,
    )
    return Status(201, announce(lookups.grant(request.auth, grant.pk)))


@router.get("/access-grants/{grant_id}/", response=responses(AccessGrantDetailOut))
def get_grant(request, grant_id: Id):
    """One grant; the client also sees the reads made under it, newest first."""
    grant: Any = lookups.grant(request.auth, grant_id)
    grant.reads = grant.access_log = None
    if access.side_of(request.auth, grant.engagement) == access.CLIENT:
        log = shared.access_log(grant)
        grant.reads = log.count()
        grant.access_log = list(log[:LOG_PREVIEW])
    return announce(grant)


@router.get("/access-grants/{grant_id}/access-log/", response=responses(list[GrantReadOut]))
@paginate(Page)
def list_grant_reads(request, grant_id: Id):
    """Every read the provider made under the grant, newest first (the client's side)."""
    grant = lookups.grant(request.auth, grant_id)
    lookups.require_side(request.auth, grant.engagement, access.CLIENT)
    return shared.access_log(grant)


@router.post("/access-grants/{grant_id}/revoke/", response=responses(AccessGrantOut))
def revoke_grant(request, grant_id: Id, payload: RevokeIn):
    """End the grant now, with the reason: the provider's next read is refused. If-Match:
    the grant's ETag. 409 when it is revoked or over already."""
    grant = lookups.grant(request.auth, grant_id)
    lookups.require_side(request.auth, grant.engagement, access.CLIENT)
    grant_services.revoke_grant(grant, payload.reason, actor=request.auth)
    return announce(lookups.grant(request.auth, grant.pk))


# --- the provider's reads -------------------------------------------------------------------


def _provider_engagement(request, engagement_id: int):
    engagement = lookups.engagement(request.auth, engagement_id)
    lookups.require_side(request.auth, engagement, access.PROVIDER)
    return engagement


@router.get("/engagements/{engagement_id}/shared/", response=responses(SharedNowOut))
def get_shared_now(request, engagement_id: Id):
    """What the client shares with you right now: the open grants, the documents, versions,
    files and registers they name, and the evidence requests whose answers you may read."""
    engagement = _provider_engagement(request, engagement_id)
    return shared.shared_now(engagement, actor=request.auth)


@router.get(
    "/engagements/{engagement_id}/shared/documents/{document_id}/",
    response=responses(SharedDocumentOut),
)
def read_shared_document(request, engagement_id: Id, document_id: Id):
    """A shared document with its versions in force (and any version a grant names); logged
    in the client's activity log."""
    engagement = _provider_engagement(request, engagement_id)
    read = shared.read_document(engagement, document_id, actor=request.auth)
    return {
        "id": read.document.pk,
        "code": read.document.code,
        "title": read.document.title,
        "grant": read.grant.pk if read.grant else None,
        "versions": read.versions,
    }


@router.get(
    "/engagements/{engagement_id}/shared/versions/{version_id}/",
    response=responses(SharedVersionDetailOut),
)
def read_shared_version(request, engagement_id: Id, version_id: Id):
    """One shared version with its text; logged in the client's activity log."""
    engagement = _provider_engagement(request, engagement_id)
    return shared.read_version(engagement, version_id, actor=request.auth)


@router.get(
    "/engagements/{engagement_id}/shared/evidence/{evidence_id}/download/",
    response=responses(None),
)
def download_shared_evidence(request, engagement_id: Id, evidence_id: Id):
    """The bytes of a shared file (named by a grant, a shared version's file, or attached to
    an answer), as an attachment; logged as a download. 409 when the stored bytes were
    altered."""
    engagement = _provider_engagement(request, engagement_id)
    return shared.download_evidence(engagement, evidence_id, actor=request.auth).as_response()


@router.get(
    "/engagements/{engagement_id}/shared/registers/{slug}/",
    response=responses(SharedRegisterOut),
)
def read_shared_register(request, engagement_id: Id, slug: Slug):
    """A shared register's entries with its list columns (archived entries left out); logged
    in the client's activity log."""
    engagement = _provider_engagement(request, engagement_id)
    return register_rows(shared.read_register(engagement, slug, actor=request.auth))
