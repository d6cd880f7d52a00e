"""What a management system's move to a new edition does to its gap assessments (registered
into `system.hooks.transition_carriers`), and the transition plan's gaps.

Each open assessment is closed as it stands, so the old edition's items stay readable with their
history, and continues in a new assessment of the system's standards after the move. Work on a
requirement that carried as it was (same, moved, merged) keeps its status, owner, dates, notes
and evidence; a requirement that is new, changed or split opens as not started with the
catalog's note on what changed, kept with its former owner, who knows the ground.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.services import ITEM_FIELDS, _build, _create_items, _item_sort_key
from pdca.core.activity import record_activity, record_create
from pdca.standards.models import Requirement
from pdca.standards.selectors import with_descendants
from pdca.system import hooks
from pdca.system.models import Exclusion
from pdca.system.transition.types import (
    CARRIED,
    KEPT,
    OPENED,
    Move,
    Section,
    TransitionMap,
    notes_of,
    outcome_of,
)

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.standards.editions.selectors import Diff, Line
    from pdca.system.models import ManagementSystem


#: Statuses from least to most advanced (not applicable stands apart, as the least).
PROGRESS: list[str] = [
    GapItem.Status.NOT_APPLICABLE,
    GapItem.Status.NOT_STARTED,
    GapItem.Status.PLANNED,
    GapItem.Status.PARTIAL,
    GapItem.Status.IMPLEMENTED,
]


def _leaves(standard_id: int) -> list[Requirement]:
    reqs = list(
        Requirement.objects.filter(standard_id=standard_id, retired=False).order_by("sort_key")
    )
    parents = {r.parent_id for r in reqs if r.parent_id}
    return [r for r in reqs if r.pk not in parents]


def _by_requirement(assessment: GapAssessment) -> dict[int, GapItem]:
    found: dict[int, GapItem] = {}
    for item in assessment.items.select_related("owner").prefetch_related("covers"):
        for r in item.covers.all():
            found.setdefault(r.pk, item)
    return found


def _least_advanced_first(items: list[GapItem]) -> list[GapItem]:
    """Merged requirements stand where the least advanced of them stood."""
    return sorted(items, key=lambda i: PROGRESS.index(i.status) if i.status in PROGRESS else 0)


def _sources(lines: list[Line], by_req: dict[int, GapItem]) -> list[GapItem]:
    return [by_req[line.old.pk] for line in lines if line.old and line.old.pk in by_req]


def _change_note(tmap: TransitionMap, lines: list[Line]) -> str:
    note = notes_of(lines)
    changes = ", ".join(dict.fromkeys(line.change_label.lower() for line in lines))
    return f"{tmap.new.full_name}, {changes or 'new'}: {note}".strip()


def carry_gap_items(system: ManagementSystem, tmap: TransitionMap) -> Section:
    assessments = list(
        system.assessments.filter(status=GapAssessment.Status.OPEN).order_by("started_on", "id")
    )
    new_leaves = _leaves(tmap.new.pk)
    old_leaves = _leaves(tmap.old.pk)
    moves: list[Move] = []
    for assessment in assessments:
        by_req = _by_requirement(assessment)
        for requirement in new_leaves:
            lines = tmap.sources(requirement.pk)
            sources = _least_advanced_first(_sources(lines, by_req))
            # Work on a changed requirement does not carry: its item opens as not started.
            outcome = CARRIED if outcome_of(lines) == CARRIED and sources else OPENED
            source = sources[0] if sources else None
            owner = (
                source.owner.get_full_name() or source.owner.email
                if source and source.owner
                else ""
            )
            moves.append(
                Move(
                    f"{assessment.title}: {requirement.number} {requirement.title}",
                    ", ".join(line.old.number for line in lines if line.old),
                    requirement.number,
                    ", ".join(dict.fromkeys(line.change for line in lines)) or "new",
                    outcome,
                    notes_of(lines),
                    reverse("assessments:item_detail", args=[source.pk]) if source else "",
                    owner,
                )
            )
        for requirement in old_leaves:
            lines = tmap.targets(requirement.pk)
            if requirement.pk in by_req and not any(line.new for line in lines):
                moves.append(
                    Move(
                        f"{assessment.title}: {requirement.number} {requirement.title}",
                        requirement.number,
                        "",
                        "removed",
                        KEPT,
                        notes_of(lines),
                        reverse("assessments:item_detail", args=[by_req[requirement.pk].pk]),
                    )
                )

    def apply(actor: User) -> None:
        for assessment in assessments:
            _continue(assessment, tmap, actor)

    return Section(
        "gap_items",
        "Gap assessment items",
        moves,
        apply,
        "Each open assessment is closed as it stands (its items stay readable) and continues in "
        "a new assessment: work on unchanged requirements carries over, new and changed "
        "requirements open as not started with the note on what changed.",
    )


def _copy(item: GapItem, source: GapItem | None) -> None:
    if source is not None:
        for name in ITEM_FIELDS:
            setattr(item, name, getattr(source, name))


def _reopen(item: GapItem, source: GapItem | None, note: str, *, excluded: bool) -> None:
    _copy(item, source)
    if excluded:
        item.status = GapItem.Status.NOT_APPLICABLE
        return
    item.status = GapItem.Status.NOT_STARTED
    item.target_date = None
    item.notes = note


def _continue(assessment: GapAssessment, tmap: TransitionMap, actor: User) -> GapAssessment:
    assessment.status = GapAssessment.Status.CLOSED
    assessment.save(update_fields=["status", "updated_at"])
    record_activity(
        actor=actor,
        action="close",
        obj=assessment,
        changes={"status": [GapAssessment.Status.OPEN, GapAssessment.Status.CLOSED]},
        message=f"Closed by the move from {tmap.old.full_name} to {tmap.new.full_name}.",
    )
    successor = GapAssessment.objects.create(
        organization=assessment.organization,
        system=assessment.system,
        title=f"{assessment.title} ({tmap.new})"[:200],
        started_on=timezone.localdate(),
        copied_from=assessment,
        notes=f"Continues “{assessment.title}” after the move from {tmap.old.full_name} to "
        f"{tmap.new.full_name}.",
    )
    _build(successor)
    by_req = _by_requirement(assessment)
    excluded = with_descendants(
        set(
            Exclusion.objects.filter(system=assessment.system).values_list(
                "requirement_id", flat=True
            )
        )
    )
    for item in successor.items.select_related("requirement").prefetch_related("covers"):
        covers = list(item.covers.all())
        new_reqs = [r for r in covers if r.standard_id == tmap.new.pk]
        others = [r for r in covers if r.standard_id != tmap.new.pk]
        if not new_reqs:
            _copy(item, by_req.get(others[0].pk) if others else None)
            item.save()
            continue
        requirement = new_reqs[0]
        lines = tmap.sources(requirement.pk)
        sources = _sources(lines, by_req)
        sources = _least_advanced_first(sources)
        source = sources[0] if sources else None
        if outcome_of(lines) == CARRIED:
            _copy(item, source or (by_req.get(others[0].pk) if others else None))
            if len(sources) > 1:
                item.notes = "\n".join(
                    [
                        *dict.fromkeys(s.notes for s in sources if s.notes),
                        f"Merged in {tmap.new}: {notes_of(lines)}",
                    ]
                )
            item.save()
            continue
        note = _change_note(tmap, lines)
        if others:
            # A shared item keeps the other standards' work; the changed requirement is assessed
            # on its own until the implementer decides to share it again.
            item.covers.remove(requirement)
            if item.requirement_id == requirement.pk:
                item.requirement = others[0]
                item.sort_key = _item_sort_key(others[0])
            if len({r.standard_id for r in others}) < 2:
                item.core = None
            _copy(item, by_req.get(others[0].pk))
            item.save()
            alone = _create_items(successor, [[requirement]])[0]
            _reopen(alone, source, note, excluded=requirement.pk in excluded)
            alone.save()
        else:
            _reopen(item, source, note, excluded=requirement.pk in excluded)
            item.save()
    record_create(
        actor=actor,
        obj=successor,
        message=f"Carried from “{assessment.title}” to {tmap.new.full_name}.",
    )
    return successor


def transition_gaps(system: ManagementSystem, diff: Diff) -> list[dict[str, Any]]:
    """Per new or changed requirement of the new edition: its item in the system's latest open
    assessment (four queries)."""
    assessment = (
        system.assessments.filter(status=GapAssessment.Status.OPEN)
        .order_by("-started_on", "-id")
        .first()
    )
    wanted = {line.new.pk: line for line in diff.whats_new if line.new is not None}
    items: dict[int, GapItem] = {}
    if assessment is not None:
        for item in (
            assessment.items.filter(covers__in=list(wanted))
            .select_related("owner")
            .prefetch_related("covers")
            .distinct()
        ):
            for r in item.covers.all():
                if r.pk in wanted:
                    items.setdefault(r.pk, item)
    rows = []
    for requirement_id, line in wanted.items():
        found = items.get(requirement_id)
        rows.append(
            {
                "line": line,
                "item": found,
                "status": found.get_status_display() if found else "",
                "status_code": found.status if found else "",
                "owner": (found.owner.get_full_name() or found.owner.email)
                if found and found.owner
                else "",
                "owner_email": found.owner.email if found and found.owner else "",
                "target_date": found.target_date if found else None,
                "url": reverse("assessments:item_detail", args=[found.pk]) if found else "",
            }
        )
    return rows


def register() -> None:
    hooks.transition_carriers.register(carry_gap_items)
    hooks.transition_gaps.register(transition_gaps)
