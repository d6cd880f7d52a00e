"""Gap assessment rules: building items from the adopted standards, editing them one by one
or in bulk, splitting shared items, copying and comparing assessments, the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.activity import (
    record_activity,
    record_create,
    record_delete,
    record_update,
    snapshot,
)
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, PermissionDenied, ValidationFailed
from pdca.core.permissions import may, require
from pdca.core.records.rules import ensure_deletable
from pdca.standards.models import Requirement
from pdca.standards.selectors import with_descendants
from pdca.system.models import Exclusion, ManagementSystem
from pdca.tenancy.models import Membership

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

ITEM_FIELDS = ("status", "owner", "target_date", "notes", "justification", "evidence")
#: What a process owner may change on an item assigned to them.
OWNER_FIELDS = {"status", "target_date", "notes", "evidence", "justification"}
OPEN_STATUSES = {GapItem.Status.NOT_STARTED, GapItem.Status.PLANNED, GapItem.Status.PARTIAL}


def _leaves(system: ManagementSystem) -> list[Requirement]:
    """The assessable requirements of the system's active standards: those without
    sub-requirements, in reading order."""
    from pdca.system.services import active_standards

    standards = active_standards(system)
    reqs = list(
        Requirement.objects.filter(standard__in=standards, retired=False)
        .select_related("standard", "core")
        .order_by("standard__name", "standard__edition", "sort_key")
    )
    parents = {r.parent_id for r in reqs if r.parent_id}
    return [r for r in reqs if r.pk not in parents]


def _item_sort_key(requirement: Requirement) -> str:
    return f"{requirement.sort_key}|{requirement.standard.name}"


def _new_item(assessment: GapAssessment, requirements: list[Requirement]) -> GapItem:
    """The unsaved item for a group of requirements: named by the first, and carrying the core
    clause only when the group spans several standards."""
    first = requirements[0]
    shared = len({r.standard_id for r in requirements}) > 1
    return GapItem(
        organization_id=assessment.organization_id,
        assessment=assessment,
        requirement=first,
        core=first.core if shared else None,
        sort_key=_item_sort_key(first),
    )


def _create_items(assessment: GapAssessment, groups: list[list[Requirement]]) -> list[GapItem]:
    """Save one item per group of requirements, and what each covers, in two bulk inserts."""
    items = GapItem.objects.bulk_create([_new_item(assessment, group) for group in groups])
    through = GapItem.covers.through
    through.objects.bulk_create(
        [
            through(gapitem_id=item.pk, requirement_id=requirement.pk)
            for item, group in zip(items, groups, strict=True)
            for requirement in group
        ]
    )
    return items


def _build(assessment: GapAssessment) -> int:
    """Create items for every assessable requirement not yet covered; a requirement sharing a
    core clause with an unsplit item of another standard joins that item. Returns how many
    requirements were added."""
    covered = set(
        GapItem.covers.through.objects.filter(gapitem__assessment=assessment).values_list(
            "requirement_id", flat=True
        )
    )
    # A new requirement joins the item of its core clause, unless that item was split (then
    # several items carry the core and the implementer chose to assess standards apart).
    items_by_core: dict[int, list[GapItem]] = {}
    for item in assessment.items.select_related("requirement").prefetch_related("covers"):
        core_id = item.core_id or item.requirement.core_id
        if core_id:
            items_by_core.setdefault(core_id, []).append(item)
    shared_by_core = {core: found[0] for core, found in items_by_core.items() if len(found) == 1}
    new_groups: dict[Any, list[Requirement]] = {}
    added = 0
    for requirement in _leaves(assessment.system):
        if requirement.pk in covered:
            continue
        added += 1
        if requirement.core_id and requirement.core_id in shared_by_core:
            item = shared_by_core[requirement.core_id]
            if all(r.standard_id != requirement.standard_id for r in item.covers.all()):
                item.covers.add(requirement)
                if item.core_id is None:
                    item.core_id = requirement.core_id
                    item.save(update_fields=["core"])
                continue
        key = ("core", requirement.core_id) if requirement.core_id else ("req", requirement.pk)
        group = new_groups.setdefault(key, [])
        if any(r.standard_id == requirement.standard_id for r in group):
            new_groups[("req", requirement.pk)] = [requirement]
        else:
            group.append(requirement)
    _create_items(assessment, list(new_groups.values()))
    exclusions = Exclusion.objects.filter(system=assessment.system).select_related("requirement")
    for exclusion in exclusions:
        _mark_excluded(assessment, exclusion)
    return added


def _mark_excluded(assessment: GapAssessment, exclusion: Exclusion) -> list[GapItem]:
    marked = []
    excluded_ids = with_descendants(
        set(
            Exclusion.objects.filter(system=assessment.system).values_list(
                "requirement_id", flat=True
            )
        )
    )
    this_one = with_descendants({exclusion.requirement_id})
    items = (
        assessment.items.filter(covers__in=this_one)
        .distinct()
        .order_by("sort_key")
        .prefetch_related("covers")
    )
    for item in items:
        if all(r.pk in excluded_ids for r in item.covers.all()) and (
            item.status != GapItem.Status.NOT_APPLICABLE
        ):
            item.status = GapItem.Status.NOT_APPLICABLE
            item.justification = exclusion.justification
            item.save(update_fields=["status", "justification", "updated_at"])
            marked.append(item)
    return marked


@transaction.atomic
def apply_exclusion(exclusion: Exclusion, *, actor: User) -> None:
    """Mark the items of open assessments that only cover excluded requirements."""
    for assessment in exclusion.system.assessments.filter(status=GapAssessment.Status.OPEN):
        for item in _mark_excluded(assessment, exclusion):
            record_activity(
                actor=actor,
                action="update",
                obj=item,
                changes={"status": [None, item.status]},
                message=f"Excluded from the system: {exclusion.justification}",
            )


@transaction.atomic
def sync_open_assessments(system: ManagementSystem, *, actor: User) -> None:
    """Give open assessments items for requirements of newly adopted standards."""
    for assessment in system.assessments.filter(status=GapAssessment.Status.OPEN):
        added = _build(assessment)
        if added:
            record_activity(
                actor=actor,
                action="sync",
                obj=assessment,
                message=f"{added} requirement(s) of newly adopted standards added.",
            )


@transaction.atomic
def create_assessment(
    system: ManagementSystem,
    *,
    title: str,
    started_on: dt.date | None = None,
    copy_from: GapAssessment | None = None,
    notes: str = "",
    actor: User,
) -> GapAssessment:
    """Start an assessment of every assessable requirement; from a copy of an earlier one, its
    statuses, owners, dates, notes and evidence carry over."""
    require(actor, "add", GapAssessment, organization=system.organization)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed.single("title", "This field is required.")
    if copy_from is not None and copy_from.system_id != system.pk:
        raise ValidationFailed.single(
            "copy_from", "Copy an assessment of the same management system."
        )
    if not system.adoptions.filter(dropped_on__isnull=True).exists():
        raise ValidationFailed.single("system", "The system adopts no standard yet.")
    assessment = GapAssessment.objects.create(
        organization=system.organization,
        system=system,
        title=title[:200],
        started_on=started_on or timezone.localdate(),
        copied_from=copy_from,
        notes=notes,
    )
    _build(assessment)
    if copy_from is not None:
        _copy_values(copy_from, assessment)
    record_create(actor=actor, obj=assessment)
    return assessment


def _copy_values(source: GapAssessment, target: GapAssessment) -> None:
    by_requirement: dict[int, GapItem] = {}
    for item in source.items.prefetch_related("covers"):
        for r in item.covers.all():
            by_requirement.setdefault(r.pk, item)
    for item in target.items.all():
        old = by_requirement.get(item.requirement_id)
        if old is None:
            continue
        for name in ITEM_FIELDS:
            setattr(item, name, getattr(old, name))
        item.save()


@transaction.atomic
def update_assessment(assessment: GapAssessment, *, actor: User, **data: Any) -> GapAssessment:
    lock_for_update(assessment)
    require(actor, "change", assessment)
    before = snapshot(assessment)
    from pdca.core.validation import apply_fields

    apply_fields(assessment, data, {"title", "notes", "status", "started_on"})
    if not assessment.title:
        raise ValidationFailed.single("title", "This field is required.")
    if assessment.status not in GapAssessment.Status.values:
        raise ValidationFailed.single("status", "Choose open or closed.")
    save_changed(assessment)
    record_update(actor=actor, obj=assessment, before=before)
    return assessment


@transaction.atomic
def delete_assessment(assessment: GapAssessment, *, actor: User) -> None:
    require(actor, "delete", assessment)
    ensure_deletable(assessment)
    record_delete(actor=actor, obj=assessment)
    assessment.items.all().delete()
    assessment.delete()


# --- items ------------------------------------------------------------------------------


def _check_item_changes(item: GapItem, data: dict[str, Any], actor: User, prefix: str = "") -> list:
    """Field errors for applying `data` to `item` as `actor` (nothing is changed here)."""
    errors: list[FieldError] = []
    unknown = set(data) - set(ITEM_FIELDS)
    errors += [
        FieldError(prefix + f, "This field does not exist or cannot be changed.")
        for f in sorted(unknown)
    ]
    if not may(actor, "change", item):
        raise PermissionDenied(
            "You may change only the items assigned to you."
            if item.owner_id and actor.pk != item.owner_id
            else "Your role may not change assessment items."
        )
    rules_from_role_only = not may_change_any(actor, item)
    if rules_from_role_only and "owner" in data and data["owner"] != item.owner:
        errors.append(FieldError(prefix + "owner", "Only implementers may reassign an item."))
    status = data.get("status", item.status)
    if status not in GapItem.Status.values:
        errors.append(
            FieldError(prefix + "status", f"Choose one of: {', '.join(GapItem.Status.values)}.")
        )
    justification = data.get("justification", item.justification) or ""
    if status == GapItem.Status.NOT_APPLICABLE and not justification.strip():
        errors.append(
            FieldError(
                prefix + "justification",
                "A not-applicable item needs a justification: say why it does not apply.",
            )
        )
    owner = data.get("owner", item.owner)
    if "owner" in data and owner is not None:
        is_member = Membership.objects.filter(
            organization_id=item.organization_id, user=owner, user__is_active=True
        ).exists()
        if not is_member:
            errors.append(
                FieldError(prefix + "owner", "The owner must be a member of this organization.")
            )
    target = data.get("target_date", item.target_date)
    if target is not None and not isinstance(target, dt.date):
        errors.append(FieldError(prefix + "target_date", "Enter a date (YYYY-MM-DD)."))
    for name in ("notes", "justification", "evidence"):
        if name in data and not isinstance(data[name] or "", str):
            errors.append(FieldError(prefix + name, "Enter text."))
    return errors


def may_change_any(actor: User, item: GapItem) -> bool:
    """True when the actor's role (not only ownership) lets them change items."""
    from pdca.core.permissions import memberships, roles_for

    return memberships(actor).get(item.organization_id) in roles_for(GapItem, "change")


def _apply(item: GapItem, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(item, name, value)


@transaction.atomic
def update_item(item: GapItem, *, actor: User, **data: Any) -> GapItem:
    """Change an item's status, owner, target date, notes, justification or evidence."""
    lock_for_update(item)
    errors = _check_item_changes(item, data, actor)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(item)
    _apply(item, data)
    save_changed(item)
    record_update(actor=actor, obj=item, before=before)
    return item


@transaction.atomic
def bulk_update_items(
    assessment: GapAssessment, changes: list[dict[str, Any]], *, actor: User
) -> list[GapItem]:
    """Apply many item changes at once: every change is checked first, and if any is wrong
    nothing is written. Each change is {"id": item id, field: value, ...}."""
    ids = [c.get("id") for c in changes]
    # Keyed by id; looked up with whatever each change sent as its id.
    items: dict[Any, GapItem] = {
        i.pk: i
        for i in assessment.items.filter(
            pk__in=[x for x in ids if isinstance(x, int)]
        ).select_related("owner", "requirement")
    }
    for pk in sorted(items):  # in one order, so two bulk saves never deadlock
        lock_for_update(items[pk])
    errors: list[FieldError] = []
    for index, change in enumerate(changes):
        prefix = f"items.{index}."
        item = items.get(change.get("id"))
        if item is None:
            errors.append(FieldError(prefix + "id", "No such item in this assessment."))
            continue
        data = {k: v for k, v in change.items() if k != "id"}
        errors += _check_item_changes(item, data, actor, prefix)
    if errors:
        raise ValidationFailed(errors)
    updated = []
    for change in changes:
        item = items[change["id"]]
        before = snapshot(item)
        _apply(item, {k: v for k, v in change.items() if k != "id"})
        save_changed(item)
        if record_update(actor=actor, obj=item, before=before):
            updated.append(item)
    return updated


@transaction.atomic
def split_item(item: GapItem, *, actor: User) -> list[GapItem]:
    """Split an item shared by several standards into one item per requirement, each starting
    with the shared values, so one standard can be assessed apart from the others."""
    require(actor, "change", item.assessment)
    covers = list(item.covers.select_related("standard").order_by("standard__name"))
    if len(covers) < 2:
        raise Conflict(
            "This item covers one requirement only; there is nothing to split.", code="not_shared"
        )
    keep, *others = covers
    item.covers.set([keep])
    item.requirement = keep
    item.core = None
    item.sort_key = _item_sort_key(keep)
    item.save()
    created = [item]
    for requirement in others:
        new = GapItem.objects.create(
            organization_id=item.organization_id,
            assessment=item.assessment,
            requirement=requirement,
            sort_key=_item_sort_key(requirement),
            **{name: getattr(item, name) for name in ITEM_FIELDS},
        )
        new.covers.set([requirement])
        record_create(actor=actor, obj=new, message=f"Split from item {item.pk}.")
        created.append(new)
    record_activity(
        actor=actor,
        action="split",
        obj=item,
        message=f"Split into {len(created)} items: "
        + ", ".join(f"{r.standard.name} {r.number}" for r in covers),
    )
    return created


# --- plan and comparison ----------------------------------------------------------------


def plan(assessment: GapAssessment, today: dt.date | None = None) -> list[GapItem]:
    """Open items by due date and owner, overdue ones first, undated ones last."""
    today = today or timezone.localdate()
    items = list(
        assessment.items.filter(status__in=OPEN_STATUSES)
        .select_related("requirement__standard", "owner")
        .order_by("target_date", "owner__email", "sort_key")
    )

    def key(item: GapItem) -> tuple[int, dt.date, str, str]:
        overdue = item.target_date is not None and item.target_date < today
        return (
            0 if overdue else 1 if item.target_date else 2,
            item.target_date or dt.date.max,
            item.owner.email if item.owner else "~",
            item.sort_key,
        )

    return sorted(items, key=key)


RANK: dict[str, int] = {
    GapItem.Status.NOT_STARTED: 0,
    GapItem.Status.PLANNED: 1,
    GapItem.Status.PARTIAL: 2,
    GapItem.Status.IMPLEMENTED: 3,
}


@dataclass(frozen=True)
class Movement:
    """How one requirement's item changed between two assessments."""

    requirement: Requirement
    before: GapItem | None
    after: GapItem | None
    change: str  # improved | slipped | unchanged | new | gone


def compare(earlier: GapAssessment, later: GapAssessment) -> list[Movement]:
    """What moved (status up), what slipped (status down, or the target date moved later)."""
    if earlier.system_id != later.system_id:
        raise ValidationFailed.single("with", "Compare assessments of the same system.")

    def index(assessment: GapAssessment) -> dict[int, GapItem]:
        found: dict[int, GapItem] = {}
        for item in assessment.items.select_related("requirement__standard").prefetch_related(
            "covers"
        ):
            for r in item.covers.all():
                found.setdefault(r.pk, item)
        return found

    before, after = index(earlier), index(later)
    rows = []
    seen: set[tuple[int | None, int | None]] = set()
    for item in later.items.select_related("requirement__standard").order_by("sort_key"):
        old = before.get(item.requirement_id)
        seen.add((old.pk if old else None, item.pk))
        rows.append(Movement(item.requirement, old, item, _change(old, item)))
    for req_id, old in before.items():
        if req_id not in after and old.requirement_id == req_id:
            rows.append(Movement(old.requirement, old, None, "gone"))
    return rows


def _change(old: GapItem | None, new: GapItem) -> str:
    if old is None:
        return "new"
    if old.status == new.status:
        if old.target_date and new.target_date and new.target_date > old.target_date:
            return "slipped"
        return "unchanged"
    if GapItem.Status.NOT_APPLICABLE in (old.status, new.status):
        return "improved" if new.status == GapItem.Status.NOT_APPLICABLE else "slipped"
    return "improved" if RANK[new.status] > RANK[old.status] else "slipped"


def owners_by_email(organization: Organization | int, emails: Iterable[str]) -> dict[str, User]:
    """Active members of the organization by lower-case e-mail (for imports and the CLI)."""
    from pdca.accounts.models import User

    wanted = {e.strip().lower() for e in emails if e}
    return {
        u.email.lower(): u
        for u in User.objects.filter(
            email__in=wanted, is_active=True, memberships__organization=organization
        )
    }
