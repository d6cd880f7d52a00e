"""Reading Statements of Applicability: lines in catalog order, completeness, line filters,
and the frozen form of a line with its hash (what an approved version stores)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import QuerySet

from pdca.core.activity import (
    canonical,
)
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
    def from_query(cls, data: Mapping[str, Any]) -> LineFilters:
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
        if self.group and (control.group.code if control.group else "") != self.group:
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
        "owner": line.owner.email if line.owner else None,
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
