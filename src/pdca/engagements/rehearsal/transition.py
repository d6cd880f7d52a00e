"""What a management system's move to a new edition means for the stage 1 rehearsal
(registered into `system.hooks.transition_carriers`): each rule that applies to the new edition,
and the clause it cites before and after. The rules are shared data; they follow the catalog's
mapping by themselves (`engine.Context.cited`), so the move writes nothing here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from pdca.engagements.rehearsal.engine import Context
from pdca.engagements.rehearsal.rules import load_rules
from pdca.system import hooks
from pdca.system.transition.types import CARRIED, REOPENED, Move, Section, TransitionMap

if TYPE_CHECKING:
    from pdca.system.models import ManagementSystem


def carry_rules(system: ManagementSystem, tmap: TransitionMap) -> Section:
    today = timezone.localdate()
    before = Context(system=system, today=today, standards=[tmap.old], excluded={})
    after = Context(system=system, today=today, standards=[tmap.new], excluded={})
    moves = []
    for rule in load_rules().rules:
        if not rule.applies_to(tmap.new.code):
            continue
        old_req, old_cited = before.cited(rule, tmap.old)
        new_req, new_cited = after.cited(rule, tmap.new)
        lines = [
            line
            for line in (tmap.targets(old_req.pk) if old_req else [])
            if new_req is not None and line.new is not None and line.new.pk == new_req.pk
        ]
        change = lines[0].change if lines else ("same" if old_cited == new_cited else "moved")
        moves.append(
            Move(
                f"Rehearsal rule {rule.code} {rule.title}",
                old_cited,
                new_cited,
                change,
                CARRIED if change in {"same", "moved", "merged"} else REOPENED,
                lines[0].note if lines else "",
            )
        )
    return Section(
        "rehearsal",
        "Stage 1 rehearsal rules",
        moves,
        explanation="The rules cite the new edition's clauses, along the catalog's mapping; "
        "the next rehearsal run uses them.",
    )


def register() -> None:
    hooks.transition_carriers.register(carry_rules)
