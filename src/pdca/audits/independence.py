"""Independence of auditors: nobody audits their own work.

In an internal audit, an auditor (the lead auditor, or a team member auditing) may not audit a
process they own, or one where the responsibilities matrix makes them responsible (R) or
accountable (A) for an activity. The lead auditor must be a member of the organization, and an
audit ends on or after the day it starts. Each refusal names the person, the process and why.

Higher apps may refuse a person for reasons of their own through `hooks.auditor_chosen` (a
certification body refuses anyone with a declared conflict with the audited client).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pdca.audits import hooks
from pdca.core.exceptions import FieldError, ValidationFailed

#: Team roles that audit, and so must be independent of what they audit.
AUDITING_ROLES = ("lead", "auditor")


@dataclass(frozen=True)
class Conflict:
    """One person who may not audit one process, and why."""

    user_id: int
    person: str
    process: str
    why: str

    @property
    def message(self) -> str:
        return (
            f"{self.person} may not audit {self.process}: {self.why}; "
            "an internal auditor may not audit their own work."
        )


def _person(user) -> str:
    return user.get_full_name() or user.email


def conflicts(organization_id: int, users: Iterable, processes: Iterable) -> list[Conflict]:
    """Every (person, process) pair of `users` and `processes` where the person owns the
    process or is responsible or accountable for one of its activities. Two queries at most."""
    from pdca.system.models import Process, RaciAssignment

    people = {u.pk: u for u in users if u is not None}
    process_ids = [getattr(p, "pk", p) for p in processes]
    if not people or not process_ids:
        return []
    found: list[Conflict] = []
    rows = Process.objects.filter(
        organization_id=organization_id, pk__in=process_ids, owner_id__in=list(people)
    ).order_by("code")
    for process in rows:
        user = people[process.owner_id]
        found.append(Conflict(user.pk, _person(user), str(process), "they own this process"))
    cells = (
        RaciAssignment.objects.filter(
            organization_id=organization_id,
            user_id__in=list(people),
            letter__in=("R", "A"),
            responsibility__process_id__in=process_ids,
        )
        .select_related("responsibility__process")
        .order_by("responsibility__process__code", "responsibility__activity")
    )
    for cell in cells:
        user = people[cell.user_id]
        letter = "responsible" if cell.letter == "R" else "accountable"
        found.append(
            Conflict(
                user.pk,
                _person(user),
                str(cell.responsibility.process),
                f"they are {letter} for “{cell.responsibility.activity}” in this process",
            )
        )
    return found


def is_member(organization_id: int, user) -> bool:
    from pdca.tenancy.models import Membership

    return Membership.objects.filter(
        organization_id=organization_id, user_id=user.pk, user__is_active=True
    ).exists()


def vet(audit, user, role: str, *, field: str) -> None:
    """Let the apps above refuse `user` in `role` on `audit` (they raise ValidationFailed)."""
    hooks.auditor_chosen.call(audit, user, role, field=field)


def _auditors(audit) -> list:
    """The lead auditor and the team members who audit (not experts, observers or guides)."""
    people = [audit.lead_auditor] if audit.lead_auditor_id else []
    if audit.pk:
        people += [
            m.user for m in audit.team.filter(role__in=AUDITING_ROLES).select_related("user")
        ]
    return people


def validate_audit(audit, related: dict[str, list]) -> None:
    """The register's rule for an audit (run on every create and change): dates in order, a
    lead auditor who is a member, and, for an internal audit, auditors independent of the
    processes in scope. `related` holds the chosen many-to-many values."""
    errors: list[FieldError] = []
    if audit.start_date and audit.end_date and audit.end_date < audit.start_date:
        errors.append(FieldError("end_date", "The audit ends before it starts."))
    if audit.lead_auditor_id and not is_member(audit.organization_id, audit.lead_auditor):
        errors.append(
            FieldError(
                "lead_auditor",
                f"{_person(audit.lead_auditor)} is not a member of this organization.",
            )
        )
    if audit.audit_type == "internal":
        if "processes" in related:
            processes = related["processes"]
        else:
            processes = list(audit.processes.all()) if audit.pk else []
        for conflict in conflicts(audit.organization_id, _auditors(audit), processes):
            field = "lead_auditor" if conflict.user_id == audit.lead_auditor_id else "processes"
            errors.append(FieldError(field, conflict.message, "not_independent"))
    if errors:
        raise ValidationFailed(errors)
    if audit.lead_auditor_id:
        vet(audit, audit.lead_auditor, "lead", field="lead_auditor")


def check_auditor(audit, user, *, processes: Iterable | None = None, field: str = "user") -> None:
    """Refuse `user` as an auditor of `audit` (of `processes`, the audit's by default) when
    they are not a member, or, in an internal audit, not independent of those processes."""
    if not is_member(audit.organization_id, user):
        raise ValidationFailed.single(
            field, f"{_person(user)} is not a member of this organization.", "not_member"
        )
    if audit.audit_type != "internal":
        return
    if processes is None:
        processes = list(audit.processes.all())
    found = conflicts(audit.organization_id, [user], processes)
    if found:
        raise ValidationFailed([FieldError(field, c.message, "not_independent") for c in found])
