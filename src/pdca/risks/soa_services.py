"""Statement of Applicability rules: creating one for a standard with an Annex A, keeping its
lines (one per control: applicable or not, why, how far implemented, who owns it, which risks
it treats), measuring how complete it is, and approving it into a frozen, hashed version.

An auditor reads the SoA as the organization's signed statement, so approval is refused while
any control is undecided, unjustified or missing, and a version never changes once written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from pdca.core.activity import (
    canonical,
    diff,
    record_activity,
    record_create,
    record_delete,
    snapshot,
)
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import memberships, require, roles_for
from pdca.risks.models import (
    ControlApplicability,
    SoaVersion,
    StatementOfApplicability,
)
from pdca.standards.models import Requirement, Standard

Implementation = ControlApplicability.Implementation
LINE_FIELDS = ("applicable", "justification", "implementation", "owner", "notes", "risks")
#: Statuses that claim the control works: they make no sense for an excluded control.
IN_PLACE = (Implementation.IMPLEMENTED, Implementation.PARTIAL)


# --- reading ------------------------------------------------------------------------------


def annex_controls(standard: Standard | int) -> QuerySet[Requirement]:
    """The standard's current Annex A controls, in catalog order."""
    return Requirement.objects.filter(
        standard=standard, kind=Requirement.Kind.CONTROL, retired=False
    ).order_by("sort_key")


def soa_lines(soa: StatementOfApplicability) -> QuerySet[ControlApplicability]:
    """The SoA's lines with what pages and files show, in 2 queries whatever their number."""
    return (
        soa.lines.select_related("control__group", "owner")
        .prefetch_related("risks")
        .order_by("control__sort_key")
    )


@dataclass(frozen=True)
class Completeness:
    """How far the SoA is from approvable: counts, and the problems in words."""

    total: int
    decided: int
    justified: int
    applicable: int
    excluded: int
    implemented: int
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def undecided(self) -> int:
        return self.total - self.decided

    @property
    def unjustified(self) -> int:
        return self.decided - self.justified

    @property
    def complete(self) -> bool:
        return not self.problems

    @property
    def percent(self) -> int:
        """Lines decided and justified, out of every control the SoA should have."""
        expected = self.total + len(self.missing)
        return round(100 * self.justified / expected) if expected else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "decided": self.decided,
            "justified": self.justified,
            "undecided": self.undecided,
            "unjustified": self.unjustified,
            "applicable": self.applicable,
            "excluded": self.excluded,
            "implemented": self.implemented,
            "missing": list(self.missing),
            "percent": self.percent,
            "complete": self.complete,
            "problems": list(self.problems),
        }


def completeness_of(lines: Iterable[ControlApplicability], missing: list[str]) -> Completeness:
    """Completeness from lines already read (pages read them once for the grid too)."""
    lines = list(lines)
    decided = [line for line in lines if line.applicable is not None]
    justified = [line for line in decided if line.justification.strip()]
    result = Completeness(
        total=len(lines),
        decided=len(decided),
        justified=len(justified),
        applicable=sum(1 for line in lines if line.applicable is True),
        excluded=sum(1 for line in lines if line.applicable is False),
        implemented=sum(1 for line in lines if line.implementation == Implementation.IMPLEMENTED),
        missing=missing,
    )
    problems = []
    if result.undecided:
        problems.append(f"{result.undecided} control(s) not yet decided (applicable or not)")
    if result.unjustified:
        problems.append(f"{result.unjustified} decided control(s) without a justification")
    if missing:
        problems.append(
            f"{len(missing)} control(s) of the standard have no line "
            f"({', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}): add them with sync"
        )
    return Completeness(**{**result.__dict__, "problems": problems})


def missing_controls(soa: StatementOfApplicability) -> list[str]:
    """Numbers of the standard's controls that have no line in the SoA."""
    return list(
        annex_controls(soa.standard_id)
        .exclude(pk__in=soa.lines.values("control_id"))
        .values_list("number", flat=True)
    )


def soa_completeness(soa: StatementOfApplicability) -> Completeness:
    """Lines total, decided, justified, applicable, excluded, implemented, the controls without
    a line, and what stands in the way of approval (2 queries)."""
    return completeness_of(
        soa.lines.only("applicable", "justification", "implementation"), missing_controls(soa)
    )


@dataclass(frozen=True)
class LineFilters:
    """What the grid and the lines endpoint narrow lines to. `applicable` is "yes", "no" or
    "undecided"; `unjustified` keeps decided lines without a justification."""

    applicable: str = ""
    unjustified: bool = False
    implementation: str = ""
    group: str = ""
    q: str = ""

    APPLICABLE: ClassVar[dict[str, bool | None]] = {"yes": True, "no": False, "undecided": None}

    @classmethod
    def from_query(cls, data) -> LineFilters:
        applicable = data.get("applicable", "") or ""
        implementation = data.get("implementation", "") or ""
        return cls(
            applicable=applicable if applicable in cls.APPLICABLE else "",
            unjustified=str(data.get("unjustified", "")).lower() in {"1", "true", "on", "yes"},
            implementation=implementation if implementation in Implementation.values else "",
            group=(data.get("group", "") or "").strip()[:20],
            q=(data.get("q", "") or "").strip()[:200],
        )

    @property
    def active(self) -> bool:
        return any((self.applicable, self.unjustified, self.implementation, self.group, self.q))

    def querystring(self) -> str:
        from urllib.parse import urlencode

        pairs = {
            "applicable": self.applicable,
            "unjustified": "1" if self.unjustified else "",
            "implementation": self.implementation,
            "group": self.group,
            "q": self.q,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def keep(self, line: ControlApplicability) -> bool:
        """The same test as `apply`, on a line already read."""
        if self.applicable and line.applicable is not self.APPLICABLE[self.applicable]:
            return False
        if self.unjustified and (line.applicable is None or line.justification.strip()):
            return False
        if self.implementation and line.implementation != self.implementation:
            return False
        control = line.control
        if self.group and (control.group.code if control.group_id else "") != self.group:
            return False
        if self.q:
            text = " ".join((control.number, control.title, line.justification, line.notes))
            return self.q.lower() in text.lower()
        return True

    def apply(self, qs: QuerySet[ControlApplicability]) -> QuerySet[ControlApplicability]:
        from django.db.models import Q

        if self.applicable == "undecided":
            qs = qs.filter(applicable__isnull=True)
        elif self.applicable:
            qs = qs.filter(applicable=self.APPLICABLE[self.applicable])
        if self.unjustified:
            qs = qs.filter(applicable__isnull=False, justification__regex=r"^\s*$")
        if self.implementation:
            qs = qs.filter(implementation=self.implementation)
        if self.group:
            qs = qs.filter(control__group__code=self.group)
        if self.q:
            qs = qs.filter(
                Q(control__number__icontains=self.q)
                | Q(control__title__icontains=self.q)
                | Q(justification__icontains=self.q)
                | Q(notes__icontains=self.q)
            )
        return qs


def latest_version(soa: StatementOfApplicability) -> SoaVersion | None:
    return soa.versions.order_by("-number").first()


# --- freezing -----------------------------------------------------------------------------


def frozen_line(line: ControlApplicability) -> dict[str, Any]:
    """One line as a version keeps it (line from `soa_lines`)."""
    control = line.control
    group = control.group
    return {
        "control": control.number,
        "title": control.title,
        "group": f"{group.code} {group.title}" if group else "",
        "applicable": line.applicable,
        "justification": line.justification,
        "implementation": line.implementation,
        "owner": line.owner.email if line.owner_id else None,
        "risks": sorted(r.code for r in line.risks.all()),
        "notes": line.notes,
    }


def lines_hash(lines: list[dict[str, Any]]) -> str:
    """SHA-256 of the lines' canonical JSON (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(canonical(lines).encode("utf-8")).hexdigest()


def version_intact(version: SoaVersion) -> bool:
    """True when the stored lines still match the hash written at approval."""
    return lines_hash(version.lines) == version.sha256


def changed_since(lines: Iterable[ControlApplicability], version: SoaVersion | None) -> list[str]:
    """Control numbers whose line differs from the version (added and removed ones too)."""
    if version is None:
        return []
    then = {row["control"]: row for row in version.lines}
    now = {line.control.number: frozen_line(line) for line in lines}
    changed = [number for number, row in now.items() if then.get(number) != row]
    return changed + [number for number in then if number not in now]


# --- writing ------------------------------------------------------------------------------


def _check_system(organization, system) -> None:
    if system is not None and system.organization_id != organization.pk:
        raise ValidationFailed.single("system", "Choose a management system of this organization.")


@transaction.atomic
def create_soa(
    organization, standard: Standard, *, actor, system=None, title: str | None = None
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
def update_soa(soa: StatementOfApplicability, *, actor, **data: Any) -> StatementOfApplicability:
    """Rename the SoA or attach it to a management system."""
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
    soa.save()
    changes = diff(before, snapshot(soa))
    if changes:
        record_activity(actor=actor, action="update", obj=soa, changes=changes)
    return soa


@transaction.atomic
def sync_soa(soa: StatementOfApplicability, *, actor) -> list[ControlApplicability]:
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
def delete_soa(soa: StatementOfApplicability, *, actor) -> None:
    """Delete a draft SoA; one that was approved stays, as auditors may ask for its versions."""
    require(actor, "delete", soa)
    count = soa.versions.count()
    if count:
        raise Conflict(
            f"{soa} has {count} approved version(s): it is kept as a record.", code="has_versions"
        )
    record_delete(actor=actor, obj=soa)
    soa.lines.all().delete()
    soa.delete()


def may_reassign(actor, line: ControlApplicability) -> bool:
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
    line: ControlApplicability, data: dict[str, Any], actor, members: set[int]
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


def _apply(line: ControlApplicability, data: dict[str, Any], actor) -> None:
    before = snapshot(line)
    risks_before = sorted(r.code for r in line.risks.all()) if "risks" in data else None
    for name, value in data.items():
        if name != "risks":
            setattr(line, name, value.strip() if isinstance(value, str) else value)
    line.save()
    changes = diff(before, snapshot(line))
    if "risks" in data:
        line.risks.set(data["risks"])
        risks_after = sorted(r.code for r in data["risks"])
        if risks_after != risks_before:
            changes["risks"] = [risks_before, risks_after]
    if changes:
        record_activity(actor=actor, action="update", obj=line, changes=changes)


@transaction.atomic
def update_line(line: ControlApplicability, *, actor, **fields: Any) -> ControlApplicability:
    """Decide a control (applicable or not, with why), set its implementation status, owner,
    notes and the risks it treats."""
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
    soa: StatementOfApplicability, changes: list[dict[str, Any]], *, actor
) -> list[ControlApplicability]:
    """Apply many line changes (`{"id": line id, field: value…}`): all of them, or none.
    Errors name `lines.<index>.<field>`."""
    require(actor, "view", soa)
    lines = {line.pk: line for line in soa_lines(soa).filter(pk__in=[c.get("id") for c in changes])}
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
def approve_soa(soa: StatementOfApplicability, *, actor, note: str = "") -> SoaVersion:
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
