"""Who reaches a system's stage 1 rehearsal, and the runs they see.

A member of the system's organization whose role reads rehearsals sees every run of the
system, and runs it when the role allows. A certification body's member (cb_manager,
lead_auditor, auditor, technical_expert, certification_decision_maker) reaches the system only
through an access grant that names it and is open at that moment (`access.grant_for_system`,
read on every request, never cached), and sees only the runs their body made. Anyone else is
told the system does not exist (NotFound): another organization's systems are unreachable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from pdca.certification.permissions import MEMBERS as CB_MEMBERS
from pdca.core.exceptions import NotFound, PermissionDenied
from pdca.core.permissions import may, memberships
from pdca.core.roles import Role
from pdca.engagements.access import grant_for_system
from pdca.engagements.models import AccessGrant, Engagement, PredictedFinding, Rehearsal
from pdca.system.models import ManagementSystem

if TYPE_CHECKING:
    from pdca.tenancy.models import Organization

NO_SYSTEM = "No such management system."


@dataclass(frozen=True)
class Access:
    """How a user reaches one system's rehearsal: as a member of its organization (`grant`
    None) or as a certification body under an open grant; and whether they may run it."""

    system: ManagementSystem
    grant: AccessGrant | None
    may_run: bool

    @property
    def provider(self) -> Organization | None:
        """The certification body reading under the grant (None: the client itself)."""
        return self.grant.engagement.organization if self.grant is not None else None

    @property
    def provider_id(self) -> int | None:
        return self.grant.engagement.organization_id if self.grant is not None else None


def access_to_system(user: Any, system: ManagementSystem) -> Access:
    """How `user` reaches `system`'s rehearsal; NotFound when they do not (another
    organization, a certification body without an open grant naming the system), and
    PermissionDenied for a member of its organization whose role may not read rehearsals."""
    organization_id = system.organization_id
    role = memberships(user).get(organization_id)
    if role is not None:
        if not may(user, "view", Rehearsal, organization=organization_id):
            raise PermissionDenied(
                f"Your role ({Role(role).label}) may not see stage 1 rehearsals."
            )
        return Access(system, None, may(user, "add", Rehearsal, organization=organization_id))
    grant = grant_for_system(user, system)
    if grant is None or memberships(user).get(grant.engagement.organization_id) not in CB_MEMBERS:
        raise NotFound(NO_SYSTEM)
    return Access(system, grant, True)


def system_access(user: Any, system_id: int) -> Access:
    """`access_to_system` for the system with id `system_id` (NotFound when there is none)."""
    system = ManagementSystem.objects.select_related("organization").filter(pk=system_id).first()
    if system is None:
        raise NotFound(NO_SYSTEM)
    return access_to_system(user, system)


def rehearsal_access(user: Any, rehearsal_id: int) -> tuple[Rehearsal, Access]:
    """One run and how `user` reaches it; a certification body reaches only its own runs."""
    rehearsal = (
        Rehearsal.objects.select_related(
            "system__organization", "run_by", "run_for", "grant", "organization"
        )
        .filter(pk=rehearsal_id)
        .first()
    )
    if rehearsal is None:
        raise NotFound("No such rehearsal.")
    access = access_to_system(user, rehearsal.system)
    if access.grant is not None and rehearsal.run_for_id != access.provider_id:
        raise NotFound("No such rehearsal.")
    return rehearsal, access


def runs_of(access: Access) -> QuerySet[Rehearsal]:
    """The runs of the system the user sees, latest first."""
    rows = Rehearsal.objects.filter(system=access.system).select_related("run_by", "run_for")
    if access.grant is not None:
        rows = rows.filter(run_for_id=access.provider_id)
    return rows.order_by("-run_at", "-pk")


def previous_run(rehearsal: Rehearsal) -> Rehearsal | None:
    """The run of the same system, by the same side (the client, or the same certification
    body), just before `rehearsal`: what it is compared with."""
    return (
        Rehearsal.objects.filter(system_id=rehearsal.system_id, run_for_id=rehearsal.run_for_id)
        .filter(Q(run_at__lt=rehearsal.run_at) | Q(run_at=rehearsal.run_at, pk__lt=rehearsal.pk))
        .select_related("run_by", "run_for")
        .order_by("-run_at", "-pk")
        .first()
    )


def findings_of(rehearsal: Rehearsal | None) -> list[PredictedFinding]:
    """The run's findings, majors first, then by rule, standard and clause, with their
    standard and requirement (one query)."""
    if rehearsal is None:
        return []
    return list(
        PredictedFinding.objects.filter(rehearsal=rehearsal)
        .select_related("standard", "requirement")
        .order_by("grade", "rule", "standard__name", "requirement__sort_key", "clause", "pk")
    )


@dataclass(frozen=True)
class SystemRow:
    """A system the user may rehearse, how they reach it, and their latest run of it."""

    system: ManagementSystem
    grant: AccessGrant | None
    last: Rehearsal | None

    def as_dict(self) -> dict[str, Any]:
        last = self.last
        return {
            "id": self.system.pk,
            "name": self.system.name,
            "organization": self.system.organization.slug,
            "organization_name": self.system.organization.name,
            "via_grant": self.grant.pk if self.grant else None,
            "last_run_id": last.pk if last else None,
            "last_run_at": last.run_at if last else None,
            "majors": last.majors if last else None,
            "minors": last.minors if last else None,
        }


def _open_grants(providers: Iterable[int]) -> QuerySet[AccessGrant]:
    now = timezone.now()
    return AccessGrant.objects.filter(
        engagement__organization_id__in=list(providers),
        engagement__status=Engagement.Status.ACTIVE,
        engagement__client_organization_id=F("system__organization_id"),
        revoked_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
        system__isnull=False,
    )


def rehearsable_systems(user: Any, organization: Any = None) -> list[SystemRow]:
    """The systems `user` reaches (every system when `user` is None: the operator at the
    command line), in `organization` when given, each with the latest run they see (four
    queries whatever the number of systems and runs)."""
    grants: dict[int, AccessGrant] = {}
    if user is None:
        systems = ManagementSystem.objects.all()
        own: set[int] | None = None
    else:
        roles = memberships(user)
        own = {org for org, role in roles.items() if may(user, "view", Rehearsal, organization=org)}
        providers = [org for org, role in roles.items() if role in CB_MEMBERS]
        for grant in _open_grants(providers).select_related("engagement").order_by("ends_at"):
            assert grant.system_id is not None
            grants.setdefault(grant.system_id, grant)
        systems = ManagementSystem.objects.filter(
            Q(organization_id__in=own) | Q(pk__in=list(grants))
        )
    if organization is not None:
        systems = systems.filter(organization=organization)
    runs = Rehearsal.objects.filter(system=OuterRef("pk")).order_by("-run_at", "-pk")
    provider_of = {pk: g.engagement.organization_id for pk, g in grants.items()}
    rows = list(
        systems.select_related("organization")
        .annotate(last_any=Subquery(runs.values("pk")[:1]))
        .order_by("organization__name", "name", "pk")
    )
    last_ids = [s.last_any for s in rows if own is None or s.organization_id in own]
    # A certification body's latest run of each client system it reaches (its own runs only).
    cb_last: dict[int, int] = {}
    if provider_of:
        for system_id, run_for_id, pk in (
            Rehearsal.objects.filter(
                system_id__in=list(provider_of), run_for_id__in=set(provider_of.values())
            )
            .order_by("system_id", "run_at", "pk")
            .values_list("system_id", "run_for_id", "pk")
        ):
            if provider_of[system_id] == run_for_id:
                cb_last[system_id] = pk
    last = {
        r.pk: r
        for r in Rehearsal.objects.filter(pk__in=[*filter(None, last_ids), *cb_last.values()])
    }
    result = []
    for system in rows:
        if own is None or system.organization_id in own:
            run = last.get(system.last_any) if system.last_any else None
            result.append(SystemRow(system, None, run))
        else:
            result.append(SystemRow(system, grants[system.pk], last.get(cb_last.get(system.pk, 0))))
    return result
