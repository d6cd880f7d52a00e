"""Statement of Applicability rules: creating one for a standard with an Annex A, keeping its
lines (one per control: applicable or not, why, how far implemented, who owns it, which risks
it treats), measuring how complete it is, and approving it into a frozen, hashed version.

An auditor reads the SoA as the organization's signed statement, so approval is refused while
any control is undecided, unjustified or missing, and a version never changes once written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import (
    diff,
    record_activity,
    record_create,
    record_delete,
    snapshot,
)
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import memberships, require, roles_for
from pdca.core.records.rules import ensure_deletable
from pdca.risks.models import (
    ControlApplicability,
    SoaVersion,
    StatementOfApplicability,
)

# Re-exported (see `__all__`): the pages and the API read them from here.
from pdca.risks.soa.selectors import (
    Completeness,
    LineFilters,
    annex_controls,
    changed_since,
    completeness_of,
    frozen_line,
    latest_version,
    lines_hash,
    missing_controls,
    soa_completeness,
    soa_lines,
    version_intact,
)
from pdca.standards.models import Standard

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.system.models import ManagementSystem
    from pdca.tenancy.models import Organization

__all__ = [
    "IN_PLACE",
    "LINE_FIELDS",
    "Completeness",
    "LineFilters",
    "annex_controls",
    "approve_soa",
    "bulk_update_lines",
    "changed_since",
    "completeness_of",
    "create_soa",
    "delete_soa",
    "frozen_line",
    "latest_version",
    "lines_hash",
    "may_reassign",
    "missing_controls",
    "soa_completeness",
    "soa_lines",
    "sync_soa",
    "update_line",
    "update_soa",
    "version_intact",
]

Implementation = ControlApplicability.Implementation
LINE_FIELDS = ("applicable", "justification", "implementation", "owner", "notes", "risks")
#: Statuses that claim the control works: they make no sense for an excluded control.
IN_PLACE = (Implementation.IMPLEMENTED, Implementation.PARTIAL)


def _check_system(organization: Organization, system: ManagementSystem | None) -> None:
    if system is not None and system.organization_id != organization.pk:
        raise ValidationFailed.single("system", "Choose a management system of this organization.")


@transaction.atomic
def create_soa(
    organization: Organization,
    standard: Standard,
    *,
    actor: User,
    system: ManagementSystem | None = None,
    title: str | None = None,
) -> StatementOfApplicability:
    """Start the SoA of `standard` (one with Annex A controls) with one undecided line per
    control, in the catalog's order."""
    require(actor, "add", StatementOfApplicability, organization=organization)
    controls = list(annex_controls(standard))
    if not controls:
        raise ValidationFailed.single(
            "standard",
            f"{standard} has no Annex A controls: a Statement of Applicability is kept for "
            "standards with a reference set of controls (ISO/IEC 27001, ISO/IEC 42001).",
        )
    if StatementOfApplicability.objects.filter(
        organization=organization, standard=standard
    ).exists():
        raise ValidationFailed.single(
            "standard",
            f"This organization already has a Statement of Applicability for {standard}.",
        )
    _check_system(organization, system)
    title = (title or "").strip() or f"Statement of Applicability, {standard}"
    if len(title) > 200:
        raise ValidationFailed.single("title", "At most 200 characters.")
    soa = StatementOfApplicability.objects.create(
        organization=organization, standard=standard, system=system, title=title
    )
    ControlApplicability.objects.bulk_create(
        ControlApplicability(organization=organization, soa=soa, control=c) for c in controls
    )
    record_create(actor=actor, obj=soa, message=f"{len(controls)} control line(s) created.")
    return soa


@transaction.atomic
def update_soa(
    soa: StatementOfApplicability, *, actor: User, **data: Any
) -> StatementOfApplicability:
    """Rename the SoA or attach it to a management system."""
    lock_for_update(soa)
    require(actor, "change", soa)
    unknown = sorted(set(data) - {"title", "system"})
    if unknown:
        raise ValidationFailed([FieldError(n, "This field cannot be changed.") for n in unknown])
    before = snapshot(soa)
    if "title" in data:
        title = (data["title"] or "").strip()
        if not title:
            raise ValidationFailed.single("title", "This field is required.")
        if len(title) > 200:
            raise ValidationFailed.single("title", "At most 200 characters.")
        soa.title = title
    if "system" in data:
        _check_system(soa.organization, data["system"])
        soa.system = data["system"]
    save_changed(soa)
    changes = diff(before, snapshot(soa))
    if changes:
        record_activity(actor=actor, action="update", obj=soa, changes=changes)
    return soa


@transaction.atomic
def sync_soa(soa: StatementOfApplicability, *, actor: User) -> list[ControlApplicability]:
    """Add lines for controls the catalog gained since the SoA was started."""
    require(actor, "change", soa)
    have = set(soa.lines.values_list("control_id", flat=True))
    new = [
        ControlApplicability(organization_id=soa.organization_id, soa=soa, control=c)
        for c in annex_controls(soa.standard_id)
        if c.pk not in have
    ]
    if new:
        ControlApplicability.objects.bulk_create(new)
        record_activity(
            actor=actor,
            action="sync",
            obj=soa,
            changes={"lines": [len(have), len(have) + len(new)]},
            message="Lines added for " + ", ".join(line.control.number for line in new) + ".",
        )
    return new


@transaction.atomic
def delete_soa(soa: StatementOfApplicability, *, actor: User) -> None:
    """Delete a draft SoA; one that was approved stays, as auditors may ask for its versions."""
    require(actor, "delete", soa)
    count = soa.versions.count()
    if count:
        raise Conflict(
            f"{soa} has {count} approved version(s): it is kept as a record.", code="has_versions"
        )
    ensure_deletable(soa)
    record_delete(actor=actor, obj=soa)
    soa.lines.all().delete()
    soa.delete()


def may_reassign(actor: User, line: ControlApplicability) -> bool:
    """True when the actor's role, not only ownership of the line, lets them change lines:
    only such a member may hand a line to someone else."""
    return memberships(actor).get(line.organization_id) in roles_for(ControlApplicability, "change")


def _member_ids(organization_id: int, users: Iterable) -> set[int]:
    from pdca.tenancy.models import Membership

    ids = {u.pk for u in users if u is not None}
    if not ids:
        return set()
    return set(
        Membership.objects.filter(
            organization_id=organization_id, user_id__in=ids, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _check_line(
    line: ControlApplicability, data: dict[str, Any], actor: User, members: set[int]
) -> list[FieldError]:
    """The errors of applying `data` to `line`, by field (empty when it may be applied)."""
    errors = []
    unknown = sorted(set(data) - set(LINE_FIELDS))
    errors += [FieldError(n, "This field does not exist or cannot be changed.") for n in unknown]
    applicable = data.get("applicable", line.applicable)
    if applicable not in (True, False, None):
        errors.append(FieldError("applicable", "Say yes, no, or leave it undecided."))
    justification = data.get("justification", line.justification)
    if not isinstance(justification, str):
        errors.append(FieldError("justification", "Give the justification as text."))
        justification = ""
    if applicable is not None and not justification.strip():
        why = "included" if applicable else "excluded"
        errors.append(
            FieldError(
                "justification",
                f"Say why this control is {why}: a decided control needs a justification.",
                "required",
            )
        )
    implementation = data.get("implementation", line.implementation)
    if implementation not in Implementation.values:
        errors.append(
            FieldError("implementation", f"Choose one of: {', '.join(Implementation.values)}.")
        )
    elif applicable is False and implementation in IN_PLACE:
        errors.append(
            FieldError(
                "implementation",
                "An excluded control cannot be implemented or partly implemented: include it, "
                "or set its status to not started or planned.",
            )
        )
    if "notes" in data and not isinstance(data["notes"], str):
        errors.append(FieldError("notes", "Give the notes as text."))
    if "owner" in data:
        owner = data["owner"]
        if owner is not None and owner.pk not in members:
            errors.append(FieldError("owner", f"{owner} is not a member of this organization."))
        elif (owner.pk if owner else None) != line.owner_id and not may_reassign(actor, line):
            errors.append(
                FieldError("owner", "Only system managers and consultants hand lines over.")
            )
    if "risks" in data:
        foreign = [r for r in data["risks"] if r.organization_id != line.organization_id]
        if foreign:
            errors.append(FieldError("risks", "Choose risks of this organization."))
    return errors


def _apply(line: ControlApplicability, data: dict[str, Any], actor: User) -> None:
    before = snapshot(line)
    risks_before = sorted(r.code for r in line.risks.all()) if "risks" in data else None
    for name, value in data.items():
        if name != "risks":
            setattr(line, name, value.strip() if isinstance(value, str) else value)
    written = save_changed(line)
    changes = diff(before, snapshot(line))
    if "risks" in data:
        line.risks.set(data["risks"])
        risks_after = sorted(r.code for r in data["risks"])
        if risks_after != risks_before:
            changes["risks"] = [risks_before, risks_after]
    if changes and not written:
        save_changed(line, touch=True)  # new risks only: still a new version
    if changes:
        record_activity(actor=actor, action="update", obj=line, changes=changes)


@transaction.atomic
def update_line(line: ControlApplicability, *, actor: User, **fields: Any) -> ControlApplicability:
    """Decide a control (applicable or not, with why), set its implementation status, owner,
    notes and the risks it treats."""
    lock_for_update(line)
    require(actor, "change", line)
    errors = _check_line(
        line, fields, actor, _member_ids(line.organization_id, [fields.get("owner")])
    )
    if errors:
        raise ValidationFailed(errors)
    _apply(line, fields, actor)
    return line


@transaction.atomic
def bulk_update_lines(
    soa: StatementOfApplicability, changes: list[dict[str, Any]], *, actor: User
) -> list[ControlApplicability]:
    """Apply many line changes (`{"id": line id, field: value…}`): all of them, or none.
    Errors name `lines.<index>.<field>`."""
    require(actor, "view", soa)
    # Keyed by id; looked up with whatever each change sent as its id.
    lines: dict[Any, ControlApplicability] = {
        line.pk: line for line in soa_lines(soa).filter(pk__in=[c.get("id") for c in changes])
    }
    for pk in sorted(lines):  # in one order, so two bulk saves never deadlock
        lock_for_update(lines[pk])
    members = _member_ids(soa.organization_id, [c.get("owner") for c in changes])
    from pdca.core.permissions import may

    errors: list[FieldError] = []
    todo = []
    for index, change in enumerate(changes):
        data = {k: v for k, v in change.items() if k != "id"}
        line = lines.get(change.get("id"))
        if line is None:
            errors.append(FieldError(f"lines.{index}.id", "No such line in this SoA."))
            continue
        if not may(actor, "change", line):
            errors.append(
                FieldError(
                    f"lines.{index}.id", f"You may not change the line of {line.control.number}."
                )
            )
            continue
        for error in _check_line(line, data, actor, members):
            errors.append(FieldError(f"lines.{index}.{error.field}", error.message, error.code))
        todo.append((line, data))
    if errors:
        raise ValidationFailed(errors)
    for line, data in todo:
        _apply(line, data, actor)
    return [line for line, _ in todo]


@transaction.atomic
def approve_soa(soa: StatementOfApplicability, *, actor: User, note: str = "") -> SoaVersion:
    """Freeze the SoA as the next approved version, dated now and hashed; refused while any
    control is undecided, unjustified or has no line."""
    require(actor, "approve", soa)
    # Lock the SoA so two approvals at once cannot both take the same version number.
    StatementOfApplicability.objects.select_for_update().filter(pk=soa.pk).first()
    lines = list(soa_lines(soa))
    completeness = completeness_of(lines, missing_controls(soa))
    if not completeness.complete:
        raise Conflict(
            "The SoA cannot be approved yet: " + "; ".join(completeness.problems) + ".",
            code="incomplete",
        )
    frozen = [frozen_line(line) for line in lines]
    previous = latest_version(soa)
    version = SoaVersion.objects.create(
        organization_id=soa.organization_id,
        soa=soa,
        number=(previous.number if previous else 0) + 1,
        approved_by=actor,
        approved_at=timezone.now(),
        note=(note or "").strip(),
        lines=frozen,
        sha256=lines_hash(frozen),
    )
    record_activity(
        actor=actor,
        action="approve",
        obj=soa,
        changes={"version": [previous.number if previous else None, version.number]},
        message=f"Version {version.number} approved (SHA-256 {version.sha256}).",
    )
    return version
