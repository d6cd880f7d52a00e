"""API of gap assessments and their items: readiness, the implementation plan, comparison of
two assessments, and bulk editing. Thin endpoints over pdca.assessments.services."""

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.assessments import services
from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.readiness import compute_readiness
from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Text, omitted, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require, scope, visible_organization_ids
from pdca.core.selectors import history_of
from pdca.standards.models import Requirement
from pdca.system.api import ScoreOut
from pdca.system.models import ManagementSystem
from pdca.system.services import active_standards

router = Router()


# --- schemas ------------------------------------------------------------------------------


class AssessmentOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    system: int = Field(alias="system_id")
    system_name: str = Field(alias="system.name")
    title: str
    started_on: dt.date
    status: GapAssessment.Status
    copied_from: int | None = Field(alias="copied_from_id")
    notes: str
    item_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


class AssessmentCreate(Input):
    system: Id = Field(description="Management system id")
    title: Text = Field(min_length=1, max_length=200)
    started_on: dt.date | None = Field(None, description="Default: today")
    copy_from: Id | None = Field(None, description="Id of an earlier assessment to start from")
    notes: Text = Field("", max_length=20_000)


class AssessmentUpdate(Input):
    # Fields that cannot be empty default to None (left alone) but refuse an explicit null.
    title: Text = omitted(min_length=1, max_length=200)
    notes: Text = omitted(max_length=20_000)
    status: GapAssessment.Status = omitted()


class AssessmentFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    system: Id | None = Field(None, description="Management system id")
    status: GapAssessment.Status | None = None


class GapRequirementRef(Schema):
    id: int
    standard: str = Field(alias="standard.code")
    number: str
    title: str


class CoverRef(Schema):
    standard: str = Field(alias="standard.code")
    number: str


def _named_requirement(item: GapItem) -> Requirement:
    """The requirement that names the item, from those it covers (read with it) when there."""
    for r in getattr(item, "covered", ()):
        if r.pk == item.requirement_id:
            return r
    return item.requirement


def _overdue(item: GapItem, today: dt.date) -> bool:
    return (
        item.target_date is not None
        and item.target_date < today
        and item.status in services.OPEN_STATUSES
    )


class GapItemOut(Schema):
    id: int
    assessment: int = Field(alias="assessment_id")
    requirement: GapRequirementRef = Field(description="The requirement that names the item")
    covers: list[CoverRef] = Field(
        alias="covered", description="Every requirement the item assesses"
    )
    shared: bool = Field(description="Assessed once for several standards")
    status: GapItem.Status
    owner: str | None = Field(description="E-mail of the owner")
    target_date: dt.date | None
    overdue: bool
    notes: str
    justification: str
    evidence: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_requirement(obj: GapItem) -> Requirement:
        return _named_requirement(obj)

    @staticmethod
    def resolve_shared(obj: GapItem) -> bool:
        return len({r.standard_id for r in obj.covered}) > 1

    @staticmethod
    def resolve_owner(obj: GapItem) -> str | None:
        return obj.owner.email if obj.owner else None

    @staticmethod
    def resolve_overdue(obj: GapItem) -> bool:
        return _overdue(obj, timezone.localdate())


class ItemFilter(Schema):
    status: GapItem.Status | None = None
    owner: Text | None = Field(None, max_length=254, description="Owner e-mail")
    standard: Text | None = Field(None, max_length=60, description="Standard code")
    clause: Text | None = Field(
        None, max_length=20, description='Top-level clause ("7") or Annex group ("A.5")'
    )
    q: Text | None = Field(None, max_length=200, description="Text in requirement number or title")
    overdue: bool | None = Field(None, description="Open items past their target date")


class GapItemFilter(ItemFilter):
    assessment: Id | None = Field(None, description="Assessment id")


class ItemUpdate(Input):
    # Text fields and status refuse an explicit null; owner and target_date accept it (unset).
    status: GapItem.Status = omitted()
    owner: Text | None = Field(None, max_length=254, description="E-mail of a member, or null")
    target_date: dt.date | None = None
    notes: Text = omitted(max_length=20_000)
    justification: Text = omitted(max_length=20_000)
    evidence: Text = omitted(max_length=20_000)


class BulkItem(ItemUpdate):
    id: Id


class BulkUpdate(Input):
    items: list[BulkItem] = Field(min_length=1, max_length=2000)


class BulkResult(Schema):
    updated: int = Field(description="How many items changed")
    items: list[GapItemOut] = Field(description="The items named in the request, as they are now")


class ClauseScoreOut(ScoreOut):
    clause: str
    title: str


class StandardScoreOut(ScoreOut):
    standard: str
    name: str
    clauses: list[ClauseScoreOut]


class ReadinessOut(Schema):
    assessment: int
    overall: ScoreOut
    by_clause: list[ClauseScoreOut]
    by_standard: list[StandardScoreOut]


class PlanItemOut(Schema):
    id: int
    requirement: GapRequirementRef
    standards: list[str] = Field(description="Codes of the standards the item covers")
    status: GapItem.Status
    owner: str | None
    target_date: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_requirement(obj: GapItem) -> Requirement:
        return _named_requirement(obj)

    @staticmethod
    def resolve_standards(obj: GapItem) -> list[str]:
        return list(dict.fromkeys(r.standard.code for r in obj.covered))

    @staticmethod
    def resolve_owner(obj: GapItem) -> str | None:
        return obj.owner.email if obj.owner else None

    @staticmethod
    def resolve_overdue(obj: GapItem) -> bool:
        return _overdue(obj, timezone.localdate())


class MovementOut(Schema):
    requirement: int
    number: str
    title: str
    standard: str
    before: GapItem.Status | None
    after: GapItem.Status | None
    before_target_date: dt.date | None
    after_target_date: dt.date | None
    change: str = Field(description="improved, slipped, unchanged, new or gone")


class ComparisonOut(Schema):
    earlier: int
    later: int
    counts: dict[str, int] = Field(description="Movements per kind of change")
    movements: list[MovementOut]


CHANGES = ("improved", "slipped", "unchanged", "new", "gone")

# --- lookups ------------------------------------------------------------------------------


def _assessments(user) -> QuerySet[GapAssessment]:
    return scope(
        GapAssessment.objects.select_related("organization", "system").annotate(
            item_count=Count("items")
        ),
        user,
    )


def _assessment(request, assessment_id: int) -> GapAssessment:
    return get_object_or_404(_assessments(request.auth), pk=assessment_id)


#: What item responses read of a requirement and its standard: the catalog's long texts and
#: JSON fields stay in the database (the seven-standard list reads ~1,400 requirements).
_REQUIREMENT_FIELDS = ("id", "number", "title", "standard_id", "sort_key")
_STANDARD_FIELDS = ("code", "name", "edition")


def _covers() -> Prefetch:
    """An item's requirements as the list `item.covered` (not through `item.covers`, whose
    related manager is built anew on each access: three times per item of a list)."""
    return Prefetch(
        "covers",
        queryset=Requirement.objects.select_related("standard")
        .only(*_REQUIREMENT_FIELDS, *(f"standard__{f}" for f in _STANDARD_FIELDS))
        .order_by("standard__name", "standard__edition", "sort_key"),
        to_attr="covered",
    )


def _items(user) -> QuerySet[GapItem]:
    # The requirement naming an item is one of those it covers (GapItemOut.resolve_requirement).
    return scope(
        GapItem.objects.select_related("owner").prefetch_related(_covers()), user
    ).order_by("assessment_id", "sort_key")


def _item(request, item_id: int) -> GapItem:
    return get_object_or_404(_items(request.auth), pk=item_id)


def _filter_items(qs: QuerySet[GapItem], filters: ItemFilter) -> QuerySet[GapItem]:
    covered = GapItem.covers.through.objects
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.owner:
        qs = qs.filter(owner__email__iexact=filters.owner.strip())
    if filters.standard:
        found = covered.filter(requirement__standard__code=filters.standard)
        qs = qs.filter(pk__in=found.values("gapitem_id"))
    if filters.clause:
        # The same grouping as readiness: a control under its Annex group, anything else
        # under its top-level clause number.
        key = filters.clause.strip()
        grouped = Q(requirement__kind=Requirement.Kind.CONTROL, requirement__group__isnull=False)
        in_group = grouped & Q(requirement__group__code=key)
        in_clause = ~grouped & (
            Q(requirement__number=key) | Q(requirement__number__startswith=f"{key}.")
        )
        qs = qs.filter(pk__in=covered.filter(in_group | in_clause).values("gapitem_id"))
    if filters.q:
        text = filters.q.strip()
        found = covered.filter(
            Q(requirement__number__istartswith=text) | Q(requirement__title__icontains=text)
        )
        qs = qs.filter(pk__in=found.values("gapitem_id"))
    if filters.overdue is not None:
        late = Q(target_date__lt=timezone.localdate(), status__in=services.OPEN_STATUSES)
        qs = qs.filter(late) if filters.overdue else qs.exclude(late)
    return qs


def _owners(organization_id: int, emails: dict[str, str]) -> dict[str, Any]:
    """Members by the e-mails given as {error field: e-mail}; an unknown one is a 422 naming
    its field."""
    found = services.owners_by_email(organization_id, emails.values())
    errors = [
        FieldError(field, f"{email} is not a member of this organization.")
        for field, email in emails.items()
        if email.strip().lower() not in found
    ]
    if errors:
        raise ValidationFailed(errors)
    return {field: found[email.strip().lower()] for field, email in emails.items()}


def _with_owner(data: dict[str, Any], organization_id: int) -> dict[str, Any]:
    if data.get("owner") is not None:
        data["owner"] = _owners(organization_id, {"owner": data["owner"]})["owner"]
    return data


# --- assessments --------------------------------------------------------------------------


@router.get("/assessments/", response=responses(list[AssessmentOut]), tags=["assessments"])
@paginate(Page)
def list_assessments(request, filters: Query[AssessmentFilter]):
    """Gap assessments of your organizations, newest first."""
    qs = _assessments(request.auth)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    if filters.system is not None:
        qs = qs.filter(system_id=filters.system)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-started_on", "-id")


@router.post("/assessments/", response=responses(AssessmentOut, 201), tags=["assessments"])
def create_assessment(request, payload: AssessmentCreate):
    """Start an assessment of every requirement of the system's standards, or a copy of an
    earlier one (statuses, owners, dates, notes and evidence carry over)."""
    system = get_object_or_404(
        ManagementSystem.objects.filter(organization_id__in=visible_organization_ids(request.auth)),
        pk=payload.system,
    )
    require(request.auth, "add", GapAssessment, organization=system.organization)
    copy_from = None
    if payload.copy_from is not None:
        copy_from = _assessments(request.auth).filter(pk=payload.copy_from).first()
        if copy_from is None:
            raise ValidationFailed.single("copy_from", "No such assessment.")
    assessment = services.create_assessment(
        system,
        title=payload.title,
        started_on=payload.started_on,
        copy_from=copy_from,
        notes=payload.notes,
        actor=request.auth,
    )
    return Status(201, _assessment(request, assessment.pk))


@router.get(
    "/assessments/{assessment_id}/", response=responses(AssessmentOut), tags=["assessments"]
)
def get_assessment(request, assessment_id: int):
    return announce(_assessment(request, assessment_id))


@router.patch(
    "/assessments/{assessment_id}/", response=responses(AssessmentOut), tags=["assessments"]
)
def update_assessment(request, assessment_id: int, payload: AssessmentUpdate):
    assessment = _assessment(request, assessment_id)
    services.update_assessment(
        assessment, actor=request.auth, **payload.model_dump(exclude_unset=True)
    )
    return announce(_assessment(request, assessment_id))


@router.delete("/assessments/{assessment_id}/", response=responses(None, 204), tags=["assessments"])
def delete_assessment(request, assessment_id: int):
    services.delete_assessment(_assessment(request, assessment_id), actor=request.auth)
    return Status(204, None)


@router.get(
    "/assessments/{assessment_id}/history/",
    response=responses(list[ActivityOut]),
    tags=["assessments"],
)
@paginate(Page)
def assessment_history(request, assessment_id: int):
    return history_of(_assessment(request, assessment_id), request.auth)


@router.get(
    "/assessments/{assessment_id}/readiness/",
    response=responses(ReadinessOut),
    tags=["assessments"],
)
def assessment_readiness(request, assessment_id: int):
    """Readiness overall, per clause and per standard the system follows now: implemented
    counts 1, partial 0.5, not applicable leaves the denominator (docs/gap-assessment.md)."""
    assessment = _assessment(request, assessment_id)
    readiness = compute_readiness(assessment, active_standards(assessment.system))
    return {"assessment": assessment.pk, **readiness.as_dict()}


@router.get(
    "/assessments/{assessment_id}/plan/",
    response=responses(list[PlanItemOut]),
    tags=["assessments"],
)
def assessment_plan(request, assessment_id: int):
    """Open items by due date and owner, overdue ones first, undated ones last."""
    items = services.plan(_assessment(request, assessment_id))
    prefetch_related_objects(items, _covers())
    return items


@router.get(
    "/assessments/{assessment_id}/compare/{other_id}/",
    response=responses(ComparisonOut),
    tags=["assessments"],
)
def compare_assessments(request, assessment_id: int, other_id: int):
    """What moved between two assessments of one system, read from the earlier to the later
    (whichever order they are named in)."""
    one, other = _assessment(request, assessment_id), _assessment(request, other_id)
    earlier, later = sorted([one, other], key=lambda a: (a.started_on, a.pk))
    movements = services.compare(earlier, later)
    counts = Counter(m.change for m in movements)
    return {
        "earlier": earlier.pk,
        "later": later.pk,
        "counts": {change: counts.get(change, 0) for change in CHANGES},
        "movements": [
            {
                "requirement": m.requirement.pk,
                "number": m.requirement.number,
                "title": m.requirement.title,
                "standard": m.requirement.standard.code,
                "before": m.before.status if m.before else None,
                "after": m.after.status if m.after else None,
                "before_target_date": m.before.target_date if m.before else None,
                "after_target_date": m.after.target_date if m.after else None,
                "change": m.change,
            }
            for m in movements
        ],
    }


# --- items --------------------------------------------------------------------------------


@router.get(
    "/assessments/{assessment_id}/items/",
    response=responses(list[GapItemOut]),
    tags=["assessments"],
)
@paginate(Page)
def list_assessment_items(request, assessment_id: int, filters: Query[ItemFilter]):
    """The items of one assessment in reading order, filtered."""
    assessment = _assessment(request, assessment_id)
    return _filter_items(_items(request.auth).filter(assessment=assessment), filters)


@router.patch(
    "/assessments/{assessment_id}/items/bulk/",
    response=responses(BulkResult),
    tags=["assessments"],
)
def bulk_update_items(request, assessment_id: int, payload: BulkUpdate):
    """Change many items at once. Every row is checked first; if any is wrong nothing is
    written, and each error names its row and field (`items.3.status`)."""
    assessment = _assessment(request, assessment_id)
    rows = [row.model_dump(exclude_unset=True) for row in payload.items]
    emails = {
        f"items.{index}.owner": row["owner"]
        for index, row in enumerate(rows)
        if row.get("owner") is not None
    }
    owners = _owners(assessment.organization_id, emails)
    for index, row in enumerate(rows):
        if f"items.{index}.owner" in owners:
            row["owner"] = owners[f"items.{index}.owner"]
    updated = services.bulk_update_items(assessment, rows, actor=request.auth)
    items = _items(request.auth).filter(pk__in=[row["id"] for row in rows])
    return {"updated": len(updated), "items": list(items)}


@router.get("/gap-items/", response=responses(list[GapItemOut]), tags=["gap items"])
@paginate(Page)
def list_gap_items(request, filters: Query[GapItemFilter]):
    """Items of every assessment you may see (filter by `assessment`)."""
    qs = _items(request.auth)
    if filters.assessment is not None:
        qs = qs.filter(assessment_id=filters.assessment)
    return _filter_items(qs, filters)


@router.get("/gap-items/{item_id}/", response=responses(GapItemOut), tags=["gap items"])
def get_gap_item(request, item_id: int):
    return announce(_item(request, item_id))


@router.patch("/gap-items/{item_id}/", response=responses(GapItemOut), tags=["gap items"])
def update_gap_item(request, item_id: int, payload: ItemUpdate):
    """Change an item. Implementers change anything; a process owner changes the status,
    target date, notes, justification and evidence of the items assigned to them."""
    item = _item(request, item_id)
    data = _with_owner(payload.model_dump(exclude_unset=True), item.organization_id)
    services.update_item(item, actor=request.auth, **data)
    return announce(_item(request, item_id))


@router.post(
    "/gap-items/{item_id}/split/", response=responses(list[GapItemOut], 201), tags=["gap items"]
)
def split_gap_item(request, item_id: int):
    """Split an item shared by several standards into one item per requirement."""
    created = services.split_item(_item(request, item_id), actor=request.auth)
    return Status(201, list(_items(request.auth).filter(pk__in=[i.pk for i in created])))


@router.get(
    "/gap-items/{item_id}/history/", response=responses(list[ActivityOut]), tags=["gap items"]
)
@paginate(Page)
def gap_item_history(request, item_id: int):
    return history_of(_item(request, item_id), request.auth)
