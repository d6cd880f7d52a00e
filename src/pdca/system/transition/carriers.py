"""The system's own carriers: its exclusions, and every register entry's requirement links
(documents, risks, processes, objectives… anything that is `RequirementLinked`).

Links are added, never removed: an entry linked to ISO 9001:2015 8.5.1 is linked to 2026 8.5.1
as well, so what another system (or the history) reads of the old edition stays true.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch

from pdca.core.activity import record_activity, record_create
from pdca.core.models import RequirementLinked
from pdca.system.models import Exclusion, ManagementSystem
from pdca.system.transition.types import (
    KEPT,
    Move,
    Section,
    TransitionMap,
    notes_of,
    outcome_of,
)

if TYPE_CHECKING:
    from pdca.accounts.models import User


def _url(obj: models.Model) -> str:
    """The entry's page, when its register gives it one."""
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return str(get_url())
    except NoReverseMatch:
        return ""


def exclusions(system: ManagementSystem, tmap: TransitionMap) -> Section:
    """Each exclusion of an old requirement is made again on its new requirements, with the
    same justification; an exclusion of a removed requirement stays on the old edition."""
    found = list(
        Exclusion.objects.filter(system=system, requirement__standard=tmap.old)
        .select_related("requirement")
        .order_by("requirement__sort_key")
    )
    already = set(
        Exclusion.objects.filter(system=system, requirement__standard=tmap.new).values_list(
            "requirement_id", flat=True
        )
    )
    moves: list[Move] = []
    todo: list[tuple[Exclusion, int, str]] = []
    for exclusion in found:
        lines = tmap.targets(exclusion.requirement_id)
        old = exclusion.requirement.number
        if not any(line.new for line in lines):
            moves.append(Move(f"Exclusion of {old}", old, "", "removed", KEPT, notes_of(lines)))
            continue
        for line in lines:
            if line.new is None or line.new.pk in already:
                continue
            already.add(line.new.pk)
            outcome = outcome_of([line])
            moves.append(
                Move(f"Exclusion of {old}", old, line.new.number, line.change, outcome, line.note)
            )
            todo.append((exclusion, line.new.pk, line.note))

    def apply(actor: User) -> None:
        for exclusion, requirement_id, _note in todo:
            carried = Exclusion.objects.create(
                organization=system.organization,
                system=system,
                requirement_id=requirement_id,
                justification=exclusion.justification,
            )
            record_create(
                actor=actor,
                obj=carried,
                message=f"Carried from {tmap.old} {exclusion.requirement.number}.",
            )

    return Section(
        "exclusions",
        "Exclusions",
        moves,
        apply,
        "Each exclusion is made again on the new edition's requirements with its justification.",
    )


def _linked_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, RequirementLinked) and not model._meta.abstract
    ]


def _through(model: type[models.Model]) -> tuple[Any, str]:
    """The table of a register's requirement links, and the column naming the entry."""
    return model.requirements.through, f"{model._meta.model_name}_id"  # type: ignore[attr-defined]


def requirement_links(system: ManagementSystem, tmap: TransitionMap) -> Section:
    """Every register entry of the organization linked to an old requirement gains links to
    its new requirements (one query per register, two when it has links to move)."""
    old_ids = tmap.old_ids
    moves: list[Move] = []
    todo: list[tuple[type[models.Model], list[tuple[int, int]]]] = []
    for model in _linked_models():
        through, column = _through(model)
        pairs = list(
            through.objects.filter(
                requirement_id__in=old_ids,
                **{f"{model._meta.model_name}__organization_id": system.organization_id},
            ).values_list(column, "requirement_id")
        )
        if not pairs:
            continue
        entries = model._default_manager.in_bulk({entry_id for entry_id, _ in pairs})
        have = set(
            through.objects.filter(
                **{f"{column}__in": list(entries)}, requirement__standard=tmap.new
            ).values_list(column, "requirement_id")
        )
        add: list[tuple[int, int]] = []
        kind = str(model._meta.verbose_name).capitalize()
        for entry_id, requirement_id in sorted(pairs):
            entry = entries[entry_id]
            lines = tmap.targets(requirement_id)
            old = lines[0].old.number if lines and lines[0].old else ""
            subject = f"{kind} {entry}"
            targets = [line for line in lines if line.new is not None]
            if not targets:
                moves.append(Move(subject, old, "", "removed", KEPT, notes_of(lines), _url(entry)))
            for line in targets:
                assert line.new is not None
                if (entry_id, line.new.pk) in have:
                    continue
                have.add((entry_id, line.new.pk))
                add.append((entry_id, line.new.pk))
                moves.append(
                    Move(
                        subject,
                        old,
                        line.new.number,
                        line.change,
                        outcome_of([line]),
                        line.note,
                        _url(entry),
                    )
                )
        if add:
            todo.append((model, add))

    def apply(actor: User) -> None:
        for model, add in todo:
            through, column = _through(model)
            through.objects.bulk_create(
                [through(**{column: entry_id, "requirement_id": rid}) for entry_id, rid in add]
            )
            entries = model._default_manager.in_bulk({entry_id for entry_id, _ in add})
            for entry in entries.values():
                record_activity(
                    actor=actor,
                    action="update",
                    obj=entry,
                    message=f"Requirement links carried from {tmap.old} to {tmap.new}.",
                )

    return Section(
        "links",
        "Requirement links of registers",
        moves,
        apply,
        "Documents, risks, processes, objectives and every other register entry keep their "
        "links to the old edition and gain the same links to the new one.",
    )


#: The system's own carriers, run before those of the apps above it (gap items rely on the
#: carried exclusions).
OWN = (exclusions, requirement_links)
