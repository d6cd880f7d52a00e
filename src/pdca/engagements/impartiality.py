"""What engagements tell a certification body's impartiality check (17021-1 5.2): the
consultancy its client received, as pdca recorded it.

Certification sits below engagements, so it asks through `certification.hooks.
recorded_consultancy` and this module answers (`register`, called when the app starts). For the
body's client record, the body's own certification engagement (active or ended) names the
client's organization in pdca; from it:

- every consultancy engagement with that organization (active or ended) is a period from its
  start to its end (still going on while active), its consultants the people who gave it;
- every person who holds, or held, the consultant role in that organization is a consultant
  to it for as long as they held the role: from the membership log (the activity entries of
  its memberships) and today's memberships.

A client record without a certification engagement is not in pdca: nothing is recorded, and
the body relies on what the client declared. The answer costs the same few queries whatever
the number of engagements, consultants and memberships.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from pdca.certification.hooks import ConsultancyPeriod, recorded_consultancy
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.engagements.models import Engagement
from pdca.tenancy.models import Membership

__all__ = ["client_organizations", "consultancy_periods", "consultant_stints", "register"]

#: The engagements that still tell something: an invitation never accepted links nobody.
LINKED = (Engagement.Status.ACTIVE, Engagement.Status.ENDED)
MEMBERSHIP = Membership._meta.label_lower
CONSULTANT = Role.CONSULTANT.value


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def client_organizations(client_id: int) -> dict[int, str]:
    """{organization id: name} of the pdca organizations a body's client record is linked to
    by the body's certification engagements (active or ended; usually one)."""
    rows = Engagement.objects.filter(
        kind=Engagement.Kind.CERTIFICATION,
        status__in=LINKED,
        client_id=client_id,
        client_organization__isnull=False,
    ).values_list("client_organization_id", "client_organization__name")
    return {pk: name for pk, name in rows if pk is not None}


def _engagement_periods(
    organization_ids: Iterable[int],
) -> tuple[list[ConsultancyPeriod], dict[int, str]]:
    """The consultancy engagements' periods, and {consultant's user id: provider's name}.
    Two queries."""
    engagements = list(
        Engagement.objects.filter(
            kind=Engagement.Kind.CONSULTANCY,
            status__in=LINKED,
            client_organization_id__in=list(organization_ids),
        )
        .select_related("organization")
        .order_by("started_on", "pk")
    )
    people: dict[int, set[int]] = defaultdict(set)
    links = Engagement.consultants.through.objects.filter(
        engagement_id__in=[e.pk for e in engagements]
    ).values_list("engagement_id", "user_id")
    for engagement_id, user_id in links:
        people[engagement_id].add(user_id)
    periods = []
    provider_of: dict[int, str] = {}
    for engagement in engagements:
        started = (
            engagement.started_on or _day(engagement.accepted_at) or _day(engagement.created_at)
        )
        ended = None
        if engagement.status == Engagement.Status.ENDED:
            ended = engagement.ended_on or _day(engagement.ended_at) or _day(engagement.updated_at)
        provider = engagement.organization.name
        for user_id in people[engagement.pk]:
            provider_of.setdefault(user_id, provider)
        periods.append(
            ConsultancyPeriod(
                provider=provider,
                started_on=started,
                ended_on=ended,
                person_ids=frozenset(people[engagement.pk]),
            )
        )
    return periods, provider_of


@dataclass
class _Stint:
    """One stretch of one membership holding the consultant role."""

    membership: str
    organization_id: int
    started_on: dt.date | None
    ended_on: dt.date | None = None


def _pair(changes: dict[str, Any], name: str) -> tuple[Any, Any]:
    """(before, after) of one field in an activity entry's changes; (None, None) when absent."""
    value = changes.get(name)
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None, None


def consultant_stints(organization_ids: Iterable[int]) -> list[tuple[int, _Stint]]:
    """(user id, stretch) for every stretch during which a member held the consultant role in
    the organizations: read from the log of their memberships (made, role changed, removed),
    and completed by today's consultant memberships (one made without a log entry counts from
    the day it was made). Two queries."""
    organization_ids = list(organization_ids)
    entries = (
        ActivityEntry.objects.filter(organization_id__in=organization_ids, object_type=MEMBERSHIP)
        .order_by("created_at", "seq")
        .values_list("organization_id", "object_id", "changes", "created_at")
    )
    open_stints: dict[str, _Stint] = {}
    stints: list[_Stint] = []
    users: dict[str, int] = {}
    for organization_id, membership, changes, created_at in entries:
        changes = changes if isinstance(changes, dict) else {}
        user_before, user_after = _pair(changes, "user")
        user = user_after if user_after is not None else user_before
        if isinstance(user, int):
            users[membership] = user
        before, after = _pair(changes, "role")
        day = _day(created_at)
        if before == CONSULTANT:
            stint = open_stints.pop(membership, None) or _Stint(membership, organization_id, None)
            stint.ended_on = day
            stints.append(stint)
        if after == CONSULTANT:
            open_stints[membership] = _Stint(membership, organization_id, day)
    logged = {s.membership for s in stints} | open_stints.keys()
    unknown = [int(m) for m in logged - users.keys() if m.isdigit()]
    rows = Membership.objects.filter(
        Q(organization_id__in=organization_ids, role=CONSULTANT) | Q(pk__in=unknown)
    ).values_list("pk", "organization_id", "user_id", "role", "created_at")
    for pk, organization_id, user_id, role, created_at in rows:
        membership = str(pk)
        users.setdefault(membership, user_id)
        if role == CONSULTANT and membership not in open_stints:
            open_stints[membership] = _Stint(membership, organization_id, _day(created_at))
    # A stretch the log leaves open stays open: without an entry saying it ended, the
    # consultancy is taken as going on (the safe side of an impartiality check).
    stints.extend(open_stints.values())
    return [(users[s.membership], s) for s in stints if s.membership in users]


def consultancy_periods(client: Any, on: dt.date) -> list[ConsultancyPeriod]:
    """`certification.hooks.recorded_consultancy`: every consultancy period pdca recorded for
    the body's client record `client` (ended or not, whatever `on`: the body weighs them), or
    none when the record is not linked to an organization in pdca. At most six queries."""
    organizations = client_organizations(client.pk)
    if not organizations:
        return []
    periods, provider_of = _engagement_periods(organizations)
    for user_id, stint in consultant_stints(organizations):
        periods.append(
            ConsultancyPeriod(
                provider=provider_of.get(user_id, ""),
                started_on=stint.started_on,
                ended_on=stint.ended_on,
                person_ids=frozenset({user_id}),
                source=f"consultant role in {organizations[stint.organization_id]}",
            )
        )
    return periods


def register() -> None:
    """Answer the certification body's impartiality check (idempotent)."""
    recorded_consultancy.register(consultancy_periods)
