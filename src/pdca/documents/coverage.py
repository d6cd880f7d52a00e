"""Mandatory documented information, per adopted standard: each item a requirement asks to be
maintained or retained, and whether the organization's documents meet it.

An item is **met** when a document linked to its requirement has a published version, **in
progress** when linked documents only have versions being written, reviewed or approved, a
**gap** when no linked document has any live version, and **excluded** when the management
system declared the requirement not applicable. Obsolete documents do not count.

Read in a fixed number of queries, however many standards, requirements and documents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from openpyxl.utils import get_column_letter

from pdca.core.permissions import scope
from pdca.core.xlsx import WRAP, clean_text, first_sheet, style_header, workbook_bytes
from pdca.documents.models import Document, DocumentVersion

MET, IN_PROGRESS, GAP, EXCLUDED = "met", "in_progress", "gap", "excluded"
STATUS_LABELS = {MET: "Met", IN_PROGRESS: "In progress", GAP: "Gap", EXCLUDED: "Excluded"}
WORK_IN_PROGRESS = (
    DocumentVersion.Status.DRAFT,
    DocumentVersion.Status.IN_REVIEW,
    DocumentVersion.Status.APPROVED,
)


@dataclass
class LinkedDocument:
    """A document linked to a requirement, and how far it has come."""

    id: int
    code: str
    title: str
    kind: str
    published_number: int | None
    in_progress: bool

    @property
    def status(self) -> str:
        if self.published_number is not None:
            return MET
        return IN_PROGRESS if self.in_progress else GAP


@dataclass
class CoverageItem:
    """One item of mandatory documented information and how it is met."""

    requirement_id: int
    number: str
    title: str
    type: str  # "maintain" or "retain"
    what: str
    status: str
    documents: list[LinkedDocument]
    justification: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def meeting(self) -> list[LinkedDocument]:
        """The documents that meet the item (published), else those under way."""
        best = [d for d in self.documents if d.status == MET]
        return best or [d for d in self.documents if d.status == IN_PROGRESS]


@dataclass
class StandardCoverage:
    """The items of one standard adopted by one management system."""

    system_id: int
    system: str
    standard_code: str
    standard: str
    items: list[CoverageItem] = field(default_factory=list)
    #: Items per status, over all the standard's items (filters do not change them).
    counts: dict[str, int] = field(default_factory=dict)

    def count(self) -> None:
        self.counts = dict.fromkeys(STATUS_LABELS, 0)
        for item in self.items:
            self.counts[item.status] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def percent(self) -> int:
        """Items met, out of the items that apply."""
        counts = self.counts
        applicable = self.total - counts[EXCLUDED]
        return round(100 * counts[MET] / applicable) if applicable else 100


def _linked_documents(user, organization, requirement_ids) -> dict[int, list[LinkedDocument]]:
    """Documents (not obsolete, visible to the user) by requirement id: two queries."""
    versions = DocumentVersion.objects.filter(document=OuterRef("pk"))
    through = Document.requirements.through
    wanted = through.objects.filter(requirement_id__in=requirement_ids).values("document_id")
    documents = (
        scope(
            Document.objects.filter(organization=organization, obsolete=False, pk__in=wanted),
            user,
        )
        .annotate(
            published=Exists(versions.filter(status=DocumentVersion.Status.PUBLISHED)),
            under_way=Exists(versions.filter(status__in=WORK_IN_PROGRESS)),
        )
        .order_by("code")
    )
    found = {}
    for doc in documents.values("id", "code", "title", "kind", "published", "under_way"):
        found[doc["id"]] = doc
    published = dict(
        DocumentVersion.objects.filter(
            document_id__in=[d for d, row in found.items() if row["published"]],
            status=DocumentVersion.Status.PUBLISHED,
        ).values_list("document_id", "number")
    )
    links = through.objects.filter(
        document_id__in=list(found), requirement_id__in=requirement_ids
    ).values_list("requirement_id", "document_id")
    result: dict[int, list[LinkedDocument]] = defaultdict(list)
    for requirement_id, document_id in links:
        row = found[document_id]
        result[requirement_id].append(
            LinkedDocument(
                row["id"],
                row["code"],
                row["title"],
                row["kind"],
                published.get(document_id),
                row["under_way"],
            )
        )
    for docs in result.values():
        docs.sort(key=lambda d: (d.code, d.id))
    return result


def coverage(user, organization, *, gaps_only: bool = False) -> list[StandardCoverage]:
    """Coverage of every active adopted standard of the organization's management systems, in
    system and standard order; `gaps_only` lists only the gaps (the counts stay whole)."""
    from pdca.standards.models import Requirement
    from pdca.system.models import AdoptedStandard
    from pdca.system.selectors import excluded_requirements

    adoptions = list(
        scope(
            AdoptedStandard.objects.filter(organization=organization, dropped_on__isnull=True),
            user,
        )
        .select_related("standard", "system")
        .order_by("system__name", "system_id", "standard__name", "standard__edition")
    )
    if not adoptions:
        return []
    standard_ids = {a.standard_id for a in adoptions}
    requirements = [
        r
        for r in Requirement.objects.filter(standard_id__in=standard_ids, retired=False)
        .only("id", "standard_id", "number", "title", "documented_information", "sort_key")
        .order_by("standard_id", "sort_key")
        if r.documented_information
    ]
    excluded = excluded_requirements({a.system_id for a in adoptions})
    linked = _linked_documents(user, organization, [r.pk for r in requirements])
    by_standard: dict[int, list] = defaultdict(list)
    for requirement in requirements:
        by_standard[requirement.standard_id].append(requirement)

    result = []
    for adoption in adoptions:
        section = StandardCoverage(
            adoption.system_id, adoption.system.name, adoption.standard.code, str(adoption.standard)
        )
        for requirement in by_standard[adoption.standard_id]:
            docs = linked.get(requirement.pk, [])
            justification = excluded[adoption.system_id].get(requirement.pk)
            if justification is not None:
                status = EXCLUDED
            elif any(d.status == MET for d in docs):
                status = MET
            elif any(d.status == IN_PROGRESS for d in docs):
                status = IN_PROGRESS
            else:
                status = GAP
            for entry in requirement.documented_information:
                section.items.append(
                    CoverageItem(
                        requirement.pk,
                        requirement.number,
                        requirement.title,
                        str(entry.get("type", "")),
                        str(entry.get("what", "")),
                        status,
                        docs,
                        justification or "",
                    )
                )
        section.count()
        if gaps_only:
            section.items = [item for item in section.items if item.status == GAP]
        result.append(section)
    return result


XLSX_COLUMNS = (
    ("System", 24),
    ("Standard", 18),
    ("Requirement", 12),
    ("Title", 36),
    ("Type", 10),
    ("Documented information", 50),
    ("Status", 14),
    ("Documents", 44),
    ("Exclusion justification", 36),
)


def _documents_cell(item: CoverageItem) -> str:
    return "; ".join(
        f"{d.code} {d.title}"
        + (f" (v{d.published_number} published)" if d.published_number else " (not published)")
        for d in item.documents
    )


def coverage_xlsx(sections: list[StandardCoverage]) -> bytes:
    """The coverage as a workbook: `Coverage` (one row per item) and `Summary` (counts per
    standard)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = "Coverage"
    sheet.append([header for header, _ in XLSX_COLUMNS])
    style_header(sheet)
    for index, (_, width) in enumerate(XLSX_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for section in sections:
        for item in section.items:
            sheet.append(
                [
                    clean_text(value)
                    for value in (
                        section.system,
                        section.standard,
                        item.number,
                        item.title,
                        item.type,
                        item.what,
                        item.status_label,
                        _documents_cell(item),
                        item.justification,
                    )
                ]
            )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:I{max(sheet.max_row, 2)}"

    summary = workbook.create_sheet("Summary")
    summary.append(["System", "Standard", "Items", *STATUS_LABELS.values(), "Met (%)"])
    style_header(summary)
    for section in sections:
        counts = section.counts
        summary.append(
            [
                clean_text(section.system),
                clean_text(section.standard),
                section.total,
                *(counts[key] for key in STATUS_LABELS),
                section.percent,
            ]
        )
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 18
    return workbook_bytes(workbook)
