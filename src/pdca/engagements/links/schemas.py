"""Schemas of the engagements API (links, grants, shared reads) and the fields each side sees.

One engagement reads differently from its two sides: the provider (certification body or
consultancy) sees its own notes and client record; the client does not. Schemas learn who is
reading from their validation context: the API's request (`request.auth`), or `{"viewer": user}`
from the command line (None there: the operator, who sees everything). The schemas of evidence
requests, audits and findings sit with their endpoints (`requests_api.py`, `audits_api.py`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, Field

from pdca.core.api import Id, Input, Text
from pdca.documents.models import DocumentVersion
from pdca.engagements import access
from pdca.engagements.models import AccessGrant, Engagement
from pdca.engagements.services.grants import shareable_registers

Side = Literal["provider", "client"]
EngagementState = Literal["invited", "expired", "active", "declined", "withdrawn", "ended"]
GrantState = Literal["scheduled", "active", "expired", "revoked"]
#: A register's slug, as `pdca register list` names it.
Slug = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")]
#: Ids a body may name at once (more is refused, naming the field).
MAX_IDS = 500


def viewer(context: Any) -> Any:
    """Who reads: the API request's user, or the command line's `viewer` (None: operator)."""
    context = context or {}
    request = context.get("request")
    if request is not None:
        return getattr(request, "auth", None)
    return context.get("viewer")


def side_for(context: Any, engagement: Engagement) -> str | None:
    user = viewer(context)
    return access.side_of(user, engagement) if user is not None else None


def provider_reads(context: Any, engagement: Engagement) -> bool:
    """Whether the reader sees the provider's own fields: its members, and the operator."""
    return viewer(context) is None or side_for(context, engagement) == access.PROVIDER


def email_of(user: Any) -> str | None:
    return user.email if user is not None else None


# --- small references ----------------------------------------------------------------------


class LinkedOrganizationOut(Schema):
    id: int
    slug: str
    name: str


class ClientRecordOut(Schema):
    """The certification body's own record of its client."""

    id: int
    reference: str
    name: str


class SharedDocumentRef(Schema):
    id: int
    code: str
    title: str


class SharedVersionRef(Schema):
    id: int
    document: int = Field(alias="document_id")
    code: str = Field(alias="document.code")
    number: int
    status: DocumentVersion.Status


class SharedFileRef(Schema):
    id: int
    name: str = Field(alias="original_name")
    content_type: str
    size: int = Field(description="Bytes")
    sha256: str


class SharedRegisterRef(Schema):
    slug: str
    title: str


class SharedSystemRef(Schema):
    id: int
    name: str


# --- engagements ---------------------------------------------------------------------------


class EngagementOut(Schema):
    """A link between a provider and a client organization, from the reader's side."""

    id: int
    kind: Engagement.Kind
    status: EngagementState = Field(
        alias="state", description="An invitation past its expiry reads `expired`"
    )
    side: Side | None = Field(None, description="The side you read it from")
    provider: LinkedOrganizationOut = Field(alias="organization")
    client_organization: LinkedOrganizationOut | None = Field(
        description="The client's organization, once it accepted"
    )
    client_record: ClientRecordOut | None = Field(
        None, description="The certification body's client record (its side only)"
    )
    title: str
    notes: str | None = Field(None, description="The provider's notes (its side only)")
    invited_email: str
    invited_by: str | None = None
    expires_at: dt.datetime = Field(description="When the invitation link stops working")
    accepted_by: str | None = None
    accepted_at: dt.datetime | None
    ended_at: dt.datetime | None
    ended_by: str | None = None
    end_reason: str
    started_on: dt.date | None = Field(description="A consultancy's first day")
    ended_on: dt.date | None = Field(description="A consultancy's last day")
    consultants: list[str] = Field([], description="E-mails of the consultants who worked on it")
    created_at: dt.datetime

    @staticmethod
    def resolve_side(obj: Engagement, context: Any) -> str | None:
        return side_for(context, obj)

    @staticmethod
    def resolve_client_record(obj: Engagement, context: Any) -> Any:
        return obj.client if provider_reads(context, obj) else None

    @staticmethod
    def resolve_notes(obj: Engagement, context: Any) -> str | None:
        return obj.notes if provider_reads(context, obj) else None

    @staticmethod
    def resolve_invited_by(obj: Engagement) -> str | None:
        return email_of(obj.invited_by)

    @staticmethod
    def resolve_accepted_by(obj: Engagement) -> str | None:
        return email_of(obj.accepted_by)

    @staticmethod
    def resolve_ended_by(obj: Engagement) -> str | None:
        return email_of(obj.ended_by)

    @staticmethod
    def resolve_consultants(obj: Engagement) -> list[str]:
        return sorted(u.email for u in obj.consultants.all())


class InvitedOut(Schema):
    engagement: EngagementOut
    url: str = Field(description="The invitation link: shown this once, mailed to the invitee")


class EngagementInvitationOut(Schema):
    """An invitation as the person holding its link sees it, with the organizations they may
    accept it for."""

    provider: LinkedOrganizationOut
    kind: Engagement.Kind
    title: str
    invited_email: str
    status: EngagementState
    expires_at: dt.datetime
    organizations: list[LinkedOrganizationOut] = Field(
        description="Organizations you manage that may accept it (their ids go in `accept`)"
    )


class EngagementFilter(Schema):
    side: Side | None = Field(None, description="Only links you read from this side")
    status: EngagementState | None = Field(None, description="Only links in this state")
    kind: Engagement.Kind | None = None


class InviteIn(Input):
    organization: Text | None = Field(
        None, max_length=60, description="Your organization's slug (when you have several)"
    )
    email: Text = Field(max_length=254, description="The client manager's e-mail address")
    title: Text = Field(max_length=200, description="e.g. ISO 9001 certification of Acme")
    client: Id | None = Field(
        None, description="A certification body's client record (`GET /cb/clients/`)"
    )
    notes: Text = Field("", max_length=20_000)


class SecretIn(Input):
    secret: Text = Field(min_length=1, max_length=100, description="The secret from the link")


class AcceptIn(SecretIn):
    organization: Id = Field(description="Id of the organization you accept the link for")


class EndIn(Input):
    reason: Text = Field(max_length=500, description="Why the link ends")


class ConsultancyIn(Input):
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    consultants: list[Id] = Field(
        [], max_length=200, description="User ids of the consultancy's members who worked on it"
    )


# --- grants ----------------------------------------------------------------------------------


class AccessGrantOut(Schema):
    """What the client lets the provider read, and until when."""

    id: int
    engagement: int = Field(alias="engagement_id")
    purpose: str
    status: GrantState = Field(alias="state")
    starts_at: dt.datetime
    ends_at: dt.datetime
    documents: list[SharedDocumentRef] = Field(description="Their versions in force are shared")
    versions: list[SharedVersionRef]
    evidence: list[SharedFileRef]
    registers: list[SharedRegisterRef]
    system: SharedSystemRef | None = Field(description="A system to rehearse stage 1 on")
    granted_by: str | None = None
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None = None
    revoke_reason: str

    @staticmethod
    def resolve_documents(obj: AccessGrant) -> list[Any]:
        return sorted(obj.documents.all(), key=lambda d: (d.code, d.pk))

    @staticmethod
    def resolve_versions(obj: AccessGrant) -> list[Any]:
        return sorted(obj.versions.all(), key=lambda v: (v.document.code, v.number))

    @staticmethod
    def resolve_evidence(obj: AccessGrant) -> list[Any]:
        return sorted(obj.evidence.all(), key=lambda f: (f.original_name, f.pk))

    @staticmethod
    def resolve_registers(obj: AccessGrant) -> list[dict[str, str]]:
        titles = shareable_registers()
        return [{"slug": s, "title": titles.get(s, s)} for s in obj.registers or []]

    @staticmethod
    def resolve_granted_by(obj: AccessGrant) -> str | None:
        return email_of(obj.granted_by)

    @staticmethod
    def resolve_revoked_by(obj: AccessGrant) -> str | None:
        return email_of(obj.revoked_by)


class GrantReadOut(Schema):
    """One read the provider made under a grant (an entry of the client's activity log)."""

    at: dt.datetime = Field(alias="created_at")
    by: str = Field(alias="actor_label", description="E-mail of the provider's member")
    action: Literal["view", "download"]
    object_type: str
    object_id: str
    message: str


class AccessGrantDetailOut(AccessGrantOut):
    reads: int | None = Field(None, description="Reads made under it (the client's side only)")
    access_log: list[GrantReadOut] | None = Field(
        None,
        description="The latest reads, newest first (the client's side only; all of them at "
        "`/access-grants/{id}/access-log/`)",
    )


class AccessGrantIn(Input):
    purpose: Text = Field(max_length=200, description="e.g. Stage 1 document review")
    starts_at: AwareDatetime | None = Field(None, description="Default: now")
    ends_at: AwareDatetime = Field(description="At most 400 days after the start")
    documents: list[Id] = Field([], max_length=MAX_IDS, description="Document ids")
    versions: list[Id] = Field([], max_length=MAX_IDS, description="Document version ids")
    evidence: list[Id] = Field([], max_length=MAX_IDS, description="Evidence file ids")
    registers: list[Slug] = Field(
        [], max_length=100, description="Register slugs (`GET /shareable-registers/`)"
    )
    system: Id | None = Field(None, description="A management system to rehearse stage 1 on")


class GrantFilter(Schema):
    status: GrantState | None = Field(None, description="Only grants in this state")


class RevokeIn(Input):
    reason: Text = Field(max_length=500, description="Why the access ends")


# --- shared reads ----------------------------------------------------------------------------


class AnsweredRequestRef(Schema):
    id: int
    number: int
    title: str
    status: str
    documents: list[SharedDocumentRef]
    evidence: list[SharedFileRef]

    @staticmethod
    def resolve_documents(obj: Any) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_evidence(obj: Any) -> list[Any]:
        return list(obj.evidence.all())


class SharedGrantRef(Schema):
    id: int
    purpose: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class SharedNowOut(Schema):
    """Everything the provider may read right now."""

    grants: list[SharedGrantRef] = Field(description="The grants open now")
    documents: list[SharedDocumentRef]
    versions: list[SharedVersionRef]
    evidence: list[SharedFileRef]
    registers: list[SharedRegisterRef]
    answered_requests: list[AnsweredRequestRef] = Field(
        alias="answered", description="Evidence requests whose answers may be read"
    )

    @staticmethod
    def resolve_registers(obj: Any) -> list[dict[str, str]]:
        return [{"slug": slug, "title": title} for slug, title in obj.registers]


class SharedVersionOut(Schema):
    id: int
    number: int
    status: DocumentVersion.Status
    change_summary: str
    effective_date: dt.date | None
    approved_by: str | None = None
    approved_at: dt.datetime | None
    published_at: dt.datetime | None
    file: SharedFileRef | None = Field(
        description="Its file, downloaded at `shared/evidence/{id}/download/`"
    )

    @staticmethod
    def resolve_approved_by(obj: DocumentVersion) -> str | None:
        return email_of(obj.approved_by)


class SharedVersionDetailOut(SharedVersionOut):
    document: SharedDocumentRef
    content: str = Field(description="The version's text (Markdown)")
    content_sha256: str


class SharedDocumentOut(Schema):
    id: int
    code: str
    title: str
    grant: int | None = Field(description="The grant it is read under (null: a request's answer)")
    versions: list[SharedVersionOut] = Field(description="Newest first")


class SharedColumnOut(Schema):
    name: str
    header: str


class SharedRowOut(Schema):
    id: int
    values: dict[str, Any] = Field(description="Column name → value (dates as YYYY-MM-DD)")


class SharedRegisterOut(Schema):
    slug: str
    title: str
    grant: int
    columns: list[SharedColumnOut]
    rows: list[SharedRowOut] = Field(description="Archived entries left out; at most 500")
