"""Test data of the engagement tests: a certification body linked to the personas'
organization through the real services, grants, documents and a released audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pdca.core.roles import Role
from pdca.documents.evidence.services import store_evidence
from pdca.documents.models import Document, DocumentVersion, EvidenceFile
from pdca.engagements.models import AccessGrant, Engagement
from pdca.engagements.services.grants import grant_access
from pdca.engagements.services.links import accept_engagement, invite_client
from pdca.tenancy.models import Membership
from tests.certification.factories import make_client


def secret_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def link(personas, index: int = 0, *, client=None) -> Engagement:
    """The personas' certification body linked to their organization (accepted by its system
    manager)."""
    client = client or make_client(personas.cb, index)
    invited = invite_client(
        personas.cb,
        email=personas.manager.email,
        title=f"Certification of {client}",
        client=client,
        actor=personas.users[Role.CB_MANAGER],
    )
    return accept_engagement(secret_of(invited.url), personas.org, actor=personas.manager)


def document(org, code: str = "QM-01", *, status: str = "published", author=None) -> Document:
    doc = Document.objects.create(organization=org, code=code, title=f"Document {code}")
    DocumentVersion.objects.create(
        organization=org,
        document=doc,
        number=1,
        status=status,
        content=f"# {code}\n\nOur own words.",
        author=author or Membership.objects.filter(organization=org).first().user,
    )
    return doc


def evidence(
    personas, name: str = "record.txt", data: bytes = b"calibration record"
) -> EvidenceFile:
    return store_evidence(personas.org, (name, data), actor=personas.manager)


def grant(engagement: Engagement, personas, *, days: int = 7, **items: Any) -> AccessGrant:
    return grant_access(
        engagement,
        purpose="Stage 1 document review",
        starts_at=None,
        ends_at=timezone.now() + dt.timedelta(days=days),
        actor=personas.manager,
        **items,
    )


def expire(grant_: AccessGrant) -> None:
    """End the grant one second ago (as time passing would)."""
    AccessGrant.objects.filter(pk=grant_.pk).update(
        ends_at=timezone.now() - dt.timedelta(seconds=1),
        starts_at=timezone.now() - dt.timedelta(days=1),
    )


def stage2_in_progress(personas, *, days_ago: int = 3):
    """The personas' body linked to their organization through a cycle whose stage 2 is in
    progress, led by the lead auditor: (engagement, cycle, audit, lead)."""
    from pdca.certification.models import CycleAudit
    from tests.certification.programme_factories import hold, new_cycle, stage

    cycle = new_cycle(personas)
    engagement = link(personas, client=cycle.client)
    lead = personas.users[Role.LEAD_AUDITOR]
    audit = hold(
        stage(cycle, CycleAudit.Kind.STAGE2),
        timezone.localdate() - dt.timedelta(days=days_ago),
        status="in_progress",
        lead=lead,
    )
    return engagement, cycle, audit, lead
