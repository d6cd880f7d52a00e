"""API of the certification body's certificates (added to pdca.certification.api): the
register with its filters, one certificate with its history, the one transition endpoint, the
PDF, and today's proposals. Thin endpoints over `services.certificates`,
`services.certificate_transitions` and `services.certificate_proposals`."""

import datetime as dt
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from pdca.certification.models import Certificate
from pdca.certification.services.certificate_pdf import (
    certificate_filename,
    certificate_pdf,
    verification_url,
)
from pdca.certification.services.certificate_proposals import Proposal, certificate_proposals
from pdca.certification.services.certificate_queries import (
    CertificateFilters,
    certificate_rows,
    filter_certificates,
)
from pdca.certification.services.certificate_transitions import IN_FORCE, transition_certificate
from pdca.certification.services.editions import standard_facts, transitions_of, urgent
from pdca.core.api import Id, Input, Page, Text, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.views import file_response

router = Router(tags=["certificates"])

PDF_CONTENT_TYPE = "application/pdf"


# --- schemas ----------------------------------------------------------------------------------


class CertificateEditionTransitionOut(Schema):
    standard: str = Field(description="Code of the edition being replaced, e.g. iso14001-2015")
    full_name: str = Field(description="e.g. ISO 14001:2015+A1:2024")
    successor: str = Field(description="Code of the edition replacing it, e.g. iso14001-2026")
    successor_full_name: str = Field(description="e.g. ISO 14001:2026")
    ends: dt.date | None = Field(
        description="Certificates to the replaced edition are not valid after this date"
    )
    new_certificates_until: dt.date | None = Field(
        description="Last date for a new or renewed certificate to the replaced edition"
    )
    provisional: bool = Field(description="The dates are not confirmed yet")
    ended: bool = Field(description="The transition has ended (today)")
    note: str
    text: str = Field(description="The transition in one sentence, as the pages show it")


class CertificateStandardRef(Schema):
    code: str
    name: str = Field(description="e.g. ISO 9001")
    edition: str
    edition_label: str = Field(description="The edition with its amendments: 2015+A1:2024")
    full_name: str = Field(description="How the certificate names it: ISO 9001:2015+A1:2024")
    provisional: bool = Field(description="The catalog of this edition is provisional")
    transition: CertificateEditionTransitionOut | None = Field(
        description="The move to the edition replacing this one; null when none does"
    )


class CertificateSiteRef(Schema):
    id: int
    name: str
    country: str


class CertificateClientRef(Schema):
    id: int
    reference: str
    name: str


class CertificateOut(Schema):
    id: int
    organization: str = Field(description="The certification body's slug")
    number: str
    client: CertificateClientRef
    client_name: str = Field(description="As printed")
    standards: list[CertificateStandardRef]
    scope: str
    issued_on: dt.date
    original_issued_on: dt.date
    expires_on: dt.date
    status: Certificate.Status
    status_changed_on: dt.date
    status_reason: str
    valid: bool = Field(description="Active, or active with a reduced scope")
    accredited: bool
    accreditation_body: str
    accreditation_number: str
    previous: str | None = Field(description="Number of the certificate this one replaces")
    transition: CertificateEditionTransitionOut | None = Field(
        description="For a certificate in force or suspended, the transition of its editions "
        "with the earliest end (each standard has its own); null when none is replaced"
    )


class CertificateEventOut(Schema):
    from_status: str = Field(description="Empty for the issue")
    to_status: Certificate.Status
    on: dt.date
    reason: str
    by: str | None = Field(description="E-mail of who made the change; null for the daily job")
    standards_from: list[str] = Field(description="A transfer: edition codes before it")
    standards_to: list[str] = Field(description="A transfer: edition codes after it")


class CertificateDetailOut(CertificateOut):
    sites: list[CertificateSiteRef]
    cycle: int = Field(description="Certification cycle id")
    verification_url: str
    events: list[CertificateEventOut]


class CertificateFilter(Schema):
    organization: Text | None = Field(None, max_length=80, description="Body's slug")
    status: Certificate.Status | None = None
    standard: Text | None = Field(None, max_length=60, description="Standard code")
    expiring_within: int | None = Field(
        None, ge=0, le=3650, description="In force and expiring within this many days"
    )
    client: Id | None = Field(None, description="Client id")
    accredited: bool | None = None
    q: Text | None = Field(None, max_length=200, description="Words of number, client, scope")
    in_transition: bool | None = Field(
        None, description="To an edition a newer one replaces (true), or to none (false)"
    )


class CertificateTransitionIn(Input):
    to: Literal["suspended", "active", "withdrawn", "scope_reduced", "expired"] = Field(
        description="suspended; active (restore a suspended one); withdrawn; scope_reduced "
        "(with scope and/or sites); expired (after the last valid day)"
    )
    reason: Text = Field(..., max_length=500)
    on: dt.date | None = Field(None, description="Date of the change; today when left out")
    scope: Text | None = Field(None, max_length=5000, description="Reduced scope text")
    sites: list[Id] | None = Field(
        None, max_length=500, description="Ids of the sites that remain (scope_reduced)"
    )


class CertificateProposalOut(Schema):
    certificate: int = Field(description="Certificate id")
    number: str
    client_name: str
    status: Certificate.Status
    action: Literal["suspend", "withdraw", "expire"]
    to_status: Certificate.Status
    since: dt.date = Field(description="Since when the rule says so")
    reason: str = Field(description="Suggested reason")


class CertificateProposalFilter(Schema):
    organization: Text | None = Field(None, max_length=80, description="Body's slug")
    on: dt.date | None = Field(None, description="The day to propose for; today by default")


# --- serialization ----------------------------------------------------------------------------


def _out(cert: Certificate) -> dict[str, Any]:
    today = timezone.localdate()
    standards = list(cert.standards.all())
    live = cert.status in (*IN_FORCE, Certificate.Status.SUSPENDED)
    first = urgent(transitions_of(standards)) if live else None
    return {
        "id": cert.pk,
        "organization": cert.organization.slug,
        "number": cert.number,
        "client": {
            "id": cert.client_id,
            "reference": cert.client.reference,
            "name": cert.client.name,
        },
        "client_name": cert.client_name,
        "standards": [
            {k: v for k, v in standard_facts(s, today).items() if k != "title"} for s in standards
        ],
        "scope": cert.scope,
        "issued_on": cert.issued_on,
        "original_issued_on": cert.original_issued_on,
        "expires_on": cert.expires_on,
        "status": cert.status,
        "status_changed_on": cert.status_changed_on,
        "status_reason": cert.status_reason,
        "valid": cert.is_valid,
        "accredited": cert.accredited,
        "accreditation_body": cert.accreditation_body,
        "accreditation_number": cert.accreditation_number,
        "previous": cert.previous.number if cert.previous_id and cert.previous else None,
        "transition": first.as_dict(today) if first is not None else None,
    }


def _detail(cert: Certificate) -> dict[str, Any]:
    return {
        **_out(cert),
        "sites": [{"id": s.pk, "name": s.name, "country": s.country} for s in cert.sites.all()],
        "cycle": cert.cycle_id,
        "verification_url": verification_url(cert.number),
        "events": [
            {
                "from_status": e.from_status,
                "to_status": e.to_status,
                "on": e.on,
                "reason": e.reason,
                "by": e.by.email if e.by else None,
                "standards_from": e.standards_from,
                "standards_to": e.standards_to,
            }
            for e in cert.events.select_related("by").order_by("on", "id")
        ],
    }


class _Page:
    """The filtered rows for the paginator: counted in SQL, and only the page asked for is
    read and turned into its answer (not every certificate of the body)."""

    def __init__(self, rows: Any) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return self.rows.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [_out(c) for c in self.rows[window]]


def _rows(user: Any):
    return certificate_rows(user).select_related("previous")


def _get(user: Any, certificate_id: int) -> Certificate:
    return get_object_or_404(_rows(user), pk=certificate_id)


def _proposal(p: Proposal) -> dict[str, Any]:
    return {
        "certificate": p.certificate.pk,
        "number": p.certificate.number,
        "client_name": p.certificate.client_name,
        "status": p.certificate.status,
        "action": p.action,
        "to_status": p.to_status,
        "since": p.since,
        "reason": p.reason,
    }


# --- endpoints --------------------------------------------------------------------------------


@router.get(
    "/cb/certificates/",
    response=responses(list[CertificateOut]),
    operation_id="list_certificates",
)
@paginate(Page)
def list_certificates(request, filters: Query[CertificateFilter]):
    """The certificates of the bodies you belong to, newest first; filter by status,
    standard, expiry within N days, client, accreditation and words (`q`)."""
    rows = _rows(request.auth)
    if filters.organization:
        rows = rows.filter(organization__slug=filters.organization)
    chosen = CertificateFilters(
        status=filters.status or "",
        standard=filters.standard or "",
        expiring_within=filters.expiring_within,
        client=filters.client,
        accredited=filters.accredited,
        q=filters.q or "",
        in_transition=filters.in_transition,
    )
    return _Page(filter_certificates(rows, chosen, timezone.localdate()))


@router.get(
    "/cb/certificates/proposals",
    response=responses(list[CertificateProposalOut]),
    operation_id="list_certificate_proposals",
)
def list_proposals(request, filters: Query[CertificateProposalFilter]):
    """What the rules propose today for the body's certificates: suspension for overdue
    surveillance, withdrawal for a suspension past the body's limit, expiry past the last
    valid day (the daily job carries out the expiry) or once the transition of one of its
    editions has ended without a transfer. Each is done with the transition
    endpoint, with a reason. Give `organization` when you belong to several."""
    org = organization_for(request.auth, filters.organization, may_view=Certificate)
    return [_proposal(p) for p in certificate_proposals(org, filters.on or timezone.localdate())]


@router.get(
    "/cb/certificates/{int:certificate_id}/",
    response=responses(CertificateDetailOut),
    operation_id="get_certificate",
)
def get_certificate(request, certificate_id: int):
    """One certificate with its sites and the history of its status."""
    return _detail(announce(_get(request.auth, certificate_id)))


@router.post(
    "/cb/certificates/{int:certificate_id}/transition",
    response=responses(CertificateDetailOut),
    operation_id="transition_certificate",
)
def transition(request, certificate_id: int, payload: CertificateTransitionIn):
    """Change the certificate's status (the body's managers), with a reason: suspend, restore
    (`active`), withdraw, reduce the scope (`scope_reduced` with `scope` and/or `sites`), or
    expire after the last valid day (or after the end of the transition of one of its
    editions). Renewal and the transfer to a new edition happen only through a decision. A move the
    workflow does not allow answers 409 with its code (`invalid_transition`,
    `renewal_by_decision`, `not_yet_expired`, `past_expiry`, `date_before_last_change`); bad
    input 422 naming the field. With `If-Match`, a change based on an older version is 412."""
    cert = _get(request.auth, certificate_id)
    transition_certificate(
        cert,
        payload.to,
        actor=request.auth,
        reason=payload.reason,
        on=payload.on,
        scope=payload.scope,
        sites=payload.sites,
    )
    return _detail(announce(_get(request.auth, certificate_id)))


@router.get(
    "/cb/certificates/{int:certificate_id}/pdf",
    response=responses(None),
    operation_id="get_certificate_pdf",
)
def pdf(request, certificate_id: int):
    """The certificate as a PDF (A4, with its site annex and a QR code to its public
    verification page)."""
    cert = _get(request.auth, certificate_id)
    return file_response(
        certificate_pdf(cert, actor=request.auth), PDF_CONTENT_TYPE, certificate_filename(cert)
    )
