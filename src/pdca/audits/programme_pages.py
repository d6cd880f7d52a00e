"""The audit programme's own part of its page: its audits and the coverage matrix.

The matrix has a row per requirement (every clause of the programme's system's standards, and
whatever the audits have in scope) and per process of the organization, and a column per audit
of the programme. A cell is covered when the audit has the requirement in scope (or its
checklist answers it), or the process in scope. Rows no audit covers are the programme's gaps,
which is what a three-year cycle must not leave; a requirement the system excludes (or one under
an excluded clause) is shown as excluded, with its justification, and is never a gap. A fixed
number of queries, whatever the size (one more per level of the clause tree).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from pdca.audits.models import Audit, AuditProgramme, ChecklistItem
from pdca.core.permissions import may
from pdca.standards.models import Requirement
from pdca.system.models import AdoptedStandard, Process
from pdca.system.selectors import excluded_requirements


@dataclass
class CoverageRow:
    """One requirement or process, and which of the programme's audits cover it."""

    id: int
    label: str
    title: str
    cells: list[bool]
    audits: list[int] = field(default_factory=list)
    #: The system's justification when the requirement is excluded.
    excluded: str | None = None

    @property
    def gap(self) -> bool:
        return not self.audits and self.excluded is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "title": self.title,
            "audits": self.audits,
            "gap": self.gap,
            "excluded": self.excluded,
        }


@dataclass
class Coverage:
    """The programme's coverage matrix."""

    audits: list[Audit]
    requirement_rows: list[CoverageRow]
    process_rows: list[CoverageRow]

    @property
    def requirement_gaps(self) -> int:
        return sum(1 for row in self.requirement_rows if row.gap)

    @property
    def process_gaps(self) -> int:
        return sum(1 for row in self.process_rows if row.gap)


def _pairs(queryset, first: str, second: str) -> dict[int, set[int]]:
    """{second id: {first ids}} from a through table (or any rows with the two columns)."""
    found: dict[int, set[int]] = {}
    for a, b in queryset.values_list(first, second):
        found.setdefault(b, set()).add(a)
    return found


def _row(
    obj_id: int,
    label: str,
    title: str,
    audits: list[Audit],
    by: set[int],
    excluded: str | None = None,
) -> CoverageRow:
    cells = [a.pk in by for a in audits]
    return CoverageRow(
        obj_id,
        label,
        title,
        cells,
        [a.pk for a, covered in zip(audits, cells, strict=True) if covered],
        excluded,
    )


def programme_coverage(programme: AuditProgramme) -> Coverage:
    """The coverage matrix of `programme` (seven queries at most)."""
    audits = list(programme.audits.order_by("start_date", "reference", "pk"))
    ids = [a.pk for a in audits]
    requirement_audits = _pairs(
        Audit.requirements.through.objects.filter(audit_id__in=ids), "audit_id", "requirement_id"
    )
    covered_by_checklist = _pairs(
        ChecklistItem.covers.through.objects.filter(checklistitem__audit_id__in=ids),
        "checklistitem__audit_id",
        "requirement_id",
    )
    for item_audit, requirement_id in ChecklistItem.objects.filter(
        audit_id__in=ids, requirement__isnull=False
    ).values_list("audit_id", "requirement_id"):
        covered_by_checklist.setdefault(requirement_id, set()).add(item_audit)
    for requirement_id, audit_ids in covered_by_checklist.items():
        requirement_audits.setdefault(requirement_id, set()).update(audit_ids)
    process_audits = _pairs(
        Audit.processes.through.objects.filter(audit_id__in=ids), "audit_id", "process_id"
    )

    wanted = Requirement.objects.filter(pk__in=list(requirement_audits))
    excluded: dict[int, str] = {}
    if programme.system_id:
        excluded = excluded_requirements([programme.system_id])[programme.system_id]
        standards = AdoptedStandard.objects.filter(
            system_id=programme.system_id, dropped_on__isnull=True
        ).values("standard_id")
        wanted = wanted | Requirement.objects.filter(
            standard_id__in=standards, kind=Requirement.Kind.CLAUSE, retired=False
        )
    requirements = wanted.select_related("standard").order_by(
        "standard__name", "standard__edition", "sort_key"
    )
    # Retired processes only matter when an audit of the programme covered them.
    processes = Process.objects.filter(organization_id=programme.organization_id).filter(
        Q(pk__in=list(process_audits)) | ~Q(status=Process.Status.RETIRED)
    )
    return Coverage(
        audits=audits,
        requirement_rows=[
            _row(
                r.pk,
                r.label,
                r.title,
                audits,
                requirement_audits.get(r.pk, set()),
                excluded.get(r.pk),
            )
            for r in requirements
        ],
        process_rows=[
            _row(p.pk, p.code, p.name, audits, process_audits.get(p.pk, set()))
            for p in processes.order_by("code")
        ],
    )


def programme_detail_context(request, programme: AuditProgramme) -> dict:
    """What `audits/_programme_detail.html` shows under the programme's fields."""
    coverage = programme_coverage(programme)
    return {
        "coverage": coverage,
        "can_add_audit": may(request.user, "add", Audit, organization=programme.organization_id),
        "new_audit_url": f"/audits/new/?programme={programme.pk}",
    }
