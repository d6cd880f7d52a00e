"""Rows for the rehearsal's tests, made directly (not through the services): systems,
engagements and access grants, and the register entries each rule reads."""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from pdca.engagements.models import AccessGrant, Engagement
from pdca.standards.models import Requirement, Standard
from pdca.system.models import AdoptedStandard, ManagementSystem

TODAY = timezone.localdate()
QMS, EMS, OHS, ISMS, AIMS = (
    "iso9001-2015",
    "iso14001-2015",
    "iso45001-2018",
    "iso27001-2022",
    "iso42001-2023",
)


def make_system(org, codes=(QMS,), name="Integrated management system") -> ManagementSystem:
    """A system of `org` adopting `codes` a year ago."""
    system = ManagementSystem.objects.create(organization=org, name=name)
    for code in codes:
        AdoptedStandard.objects.create(
            organization=org,
            system=system,
            standard=Standard.objects.get(code=code),
            adopted_on=TODAY - dt.timedelta(days=400),
        )
    return system


def requirement(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def make_engagement(cb, client, user, *, status="active", kind="certification") -> Engagement:
    """An engagement between the certification body `cb` and its client `client`."""
    return Engagement.objects.create(
        organization=cb,
        kind=kind,
        status=status,
        client_organization=client,
        title=f"Certification of {client}",
        invited_email="manager@client.example",
        invited_by=user,
        token_digest=secrets.token_hex(32),
        expires_at=timezone.now() + dt.timedelta(days=14),
    )


def make_grant(
    engagement: Engagement,
    system: ManagementSystem | None,
    granted_by,
    *,
    starts: dt.timedelta = dt.timedelta(days=-1),
    ends: dt.timedelta = dt.timedelta(days=30),
    revoked: bool = False,
) -> AccessGrant:
    """A grant of the client of `engagement` naming `system`, open from now + `starts` to
    now + `ends` (negative: in the past), revoked when `revoked`."""
    now = timezone.now()
    return AccessGrant.objects.create(
        organization=engagement.client_organization,
        engagement=engagement,
        purpose="Stage 1 planning",
        starts_at=now + starts,
        ends_at=now + ends,
        system=system,
        granted_by=granted_by,
        revoked_at=now if revoked else None,
        revoked_by=granted_by if revoked else None,
    )


def open_grant(personas, system, *, cb_user=None, **kw) -> AccessGrant:
    """An active engagement of the personas' certification body with `system`'s organization
    and an open grant naming `system`."""
    engagement = make_engagement(
        personas.cb, system.organization, cb_user or personas.users["cb_manager"]
    )
    return make_grant(engagement, system, personas.manager, **kw)
