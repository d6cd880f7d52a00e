"""Engagements and consultancies for the portfolio and impartiality tests, made directly with
the ORM (fast, no activity-log entries): the link services are tested elsewhere."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.roles import Role
from pdca.engagements.models import Engagement
from pdca.tenancy.models import Membership, Organization

__all__ = ["make_consultancy", "make_engagement", "make_member", "make_organization"]

_tokens = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_organization(name: str, slug: str, kind: str = Organization.Kind.ORGANIZATION):
    return Organization.objects.create(name=name, slug=slug, kind=kind)


def make_member(organization: Organization, email: str, role: str, name: str = "") -> User:
    """A user (made unless the address exists) with `role` in `organization`."""
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, PASSWORD, full_name=name or email.split("@")[0].title()
    )
    Membership.objects.create(organization=organization, user=user, role=role)
    return user


def make_consultancy(
    name: str = "Bright Path Consulting", slug: str = "brightpath"
) -> tuple[Organization, User, User]:
    """A consultancy with an administrator (its principal) and an employee."""
    consultancy = make_organization(name, slug, Organization.Kind.CONSULTANCY)
    principal = make_member(consultancy, f"principal@{slug}.example", Role.ADMIN, "Priya Principal")
    employee = make_member(consultancy, f"assistant@{slug}.example", Role.EMPLOYEE, "Ann Assistant")
    return consultancy, principal, employee


def make_engagement(
    provider: Organization,
    client_organization: Organization | None,
    *,
    kind: str = Engagement.Kind.CONSULTANCY,
    status: str = Engagement.Status.ACTIVE,
    by: User | None = None,
    client: Any = None,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    consultants: Iterable[User] = (),
    title: str = "",
) -> Engagement:
    """A link of `provider` (a consultancy or a certification body) with a client
    organization; `client` is the body's client record of a certification engagement."""
    inviter = by or Membership.objects.filter(organization=provider).first().user  # type: ignore[union-attr]
    number = next(_tokens)
    now = timezone.now()
    engagement = Engagement.objects.create(
        organization=provider,
        client_organization=client_organization,
        client=client,
        kind=kind,
        status=status,
        title=title or f"{kind.title()} {number}",
        invited_email=f"invitee{number}@client.example",
        invited_by=inviter,
        token_digest=hashlib.sha256(f"token-{number}".encode()).hexdigest(),
        expires_at=now + dt.timedelta(days=14),
        accepted_by=inviter if status != Engagement.Status.INVITED else None,
        accepted_at=now if status != Engagement.Status.INVITED else None,
        ended_at=now if status == Engagement.Status.ENDED else None,
        started_on=started_on,
        ended_on=ended_on,
    )
    engagement.consultants.set(list(consultants))
    return engagement
