"""Competence of the people in key roles (COMP rules), by the competence matrix's own rules
(`Audience.covers` and `competence.meets`) applied to plain rows, as the dashboard's gap count
does: four queries whatever the number of people and records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from pdca.core.roles import Role
from pdca.engagements.rehearsal.engine import Context, Hit, check, each_standard, names, param
from pdca.people.models import CompetenceRequirement
from pdca.people.services.competence import meets
from pdca.people.services.gaps import records_by_requirement
from pdca.tenancy.models import Membership

if TYPE_CHECKING:
    from pdca.engagements.rehearsal.rules import Rule

KEY_ROLES = ["top_management", "system_manager", "process_owner", "internal_auditor"]


class Member(NamedTuple):
    """What `Audience.covers` reads of a membership, and a name for the finding."""

    user_id: int
    role: str
    job_title: str
    team: str
    site_id: int | None
    name: str


def _members(ctx: Context, roles: tuple[str, ...]) -> list[Member]:
    rows = (
        Membership.objects.filter(
            organization_id=ctx.organization_id, user__is_active=True, role__in=roles
        )
        .order_by("role", "user__full_name", "user__email")
        .values_list(
            "user_id", "role", "job_title", "team", "site_id", "user__full_name", "user__email"
        )
    )
    return [Member(*row[:5], name=row[5] or row[6]) for row in rows]


def _requirements(ctx: Context) -> list[CompetenceRequirement]:
    def read() -> list[CompetenceRequirement]:
        return list(
            CompetenceRequirement.objects.filter(
                organization_id=ctx.organization_id, archived_at__isnull=True, mandatory=True
            ).order_by("code")
        )

    found: list[CompetenceRequirement] = ctx.cached("competence-requirements", read)
    return found


def _role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


@check("key_roles_without_requirements", roles=KEY_ROLES)
def key_roles_without_requirements(ctx: Context, rule: Rule) -> list[Hit]:
    """Key `roles` held by someone in the organization where no one holding the role is
    covered by a mandatory competence requirement."""
    members = _members(ctx, tuple(param(rule, "roles")))
    requirements = _requirements(ctx)
    held: dict[str, bool] = {}
    for member in members:
        covered = any(r.covers(member) for r in requirements)
        held[member.role] = held.get(member.role, False) or covered
    uncovered = [_role_label(role) for role, covered in held.items() if not covered]
    if not uncovered:
        return []
    return each_standard(
        ctx,
        rule,
        rule.title,
        f"No mandatory competence requirement applies to: {names(uncovered)}.",
    )


@check("key_roles_without_evidence", roles=KEY_ROLES)
def key_roles_without_evidence(ctx: Context, rule: Rule) -> list[Hit]:
    """People in key `roles` who do not meet a mandatory competence requirement that applies
    to them on the day of the run (no record that counts, or one that expired)."""
    members = _members(ctx, tuple(param(rule, "roles")))
    requirements = _requirements(ctx)
    if not members or not requirements:
        return []
    linked = records_by_requirement(ctx.organization_id, requirements, [m.user_id for m in members])
    lacking: list[str] = []
    gaps = 0
    for member in members:
        unmet: list[Any] = [
            r.code
            for r in requirements
            if r.covers(member) and not meets(r, linked.get((member.user_id, r.pk), ()), ctx.today)
        ]
        if unmet:
            gaps += len(unmet)
            lacking.append(f"{member.name} ({_role_label(member.role)}: {', '.join(unmet)})")
    if not lacking:
        return []
    return each_standard(
        ctx,
        rule,
        rule.title,
        f"{len(lacking)} of {len(members)} people in key roles lack evidence for {gaps} "
        f"mandatory requirement{'s' if gaps > 1 else ''}: {names(lacking)}.",
    )
