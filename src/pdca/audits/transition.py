"""What a management system's move to a new edition does to its audit programmes (registered
into `system.hooks.transition_carriers`).

Audits not yet started (planned, prepared) audit the new edition: their standard and the
requirements in their scope move along the mapping. Audits under way or done keep the edition
they audit: they are the evidence of what was audited, and the programme's coverage shows the
new edition's requirements still to audit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from pdca.audits.models import Audit
from pdca.core.activity import record_activity
from pdca.system import hooks
from pdca.system.transition.types import KEPT, Move, Section, TransitionMap, outcome_of

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.system.models import ManagementSystem

NOT_STARTED = (Audit.Status.PLANNED, Audit.Status.PREPARED)


def carry_audits(system: ManagementSystem, tmap: TransitionMap) -> Section:
    audits = list(
        Audit.objects.filter(programme__system=system, standards=tmap.old)
        .prefetch_related("requirements")
        .order_by("start_date", "pk")
        .distinct()
    )
    moves: list[Move] = []
    todo: list[tuple[Audit, list[int], set[int]]] = []
    for audit in audits:
        url = reverse("audits:audits-detail", args=[audit.pk])
        subject = f"Audit {audit}"
        if audit.status not in NOT_STARTED:
            moves.append(
                Move(
                    subject,
                    str(tmap.old),
                    "",
                    "same",
                    KEPT,
                    "Under way or done: it keeps the edition it audits.",
                    url,
                )
            )
            continue
        old_reqs = [r for r in audit.requirements.all() if r.standard_id == tmap.old.pk]
        new_ids: set[int] = set()
        moves.append(Move(subject, str(tmap.old), str(tmap.new), "moved", "carried", "", url))
        for requirement in old_reqs:
            lines = tmap.targets(requirement.pk)
            targets = [line for line in lines if line.new is not None]
            if not targets:
                moves.append(Move(subject, requirement.number, "", "removed", KEPT, "", url))
            for line in targets:
                assert line.new is not None
                new_ids.add(line.new.pk)
                moves.append(
                    Move(
                        subject,
                        requirement.number,
                        line.new.number,
                        line.change,
                        outcome_of([line]),
                        line.note,
                        url,
                    )
                )
        todo.append((audit, [r.pk for r in old_reqs], new_ids))

    def apply(actor: User) -> None:
        for audit, old_ids, new_ids in todo:
            audit.standards.remove(tmap.old)
            audit.standards.add(tmap.new)
            # Removed requirements stay in scope: the audit plan still names them.
            carried = [rid for rid in old_ids if tmap.carried_targets(rid)]
            audit.requirements.remove(*carried)
            audit.requirements.add(*new_ids)
            record_activity(
                actor=actor,
                action="update",
                obj=audit,
                changes={"standards": [str(tmap.old), str(tmap.new)]},
                message=f"Moved to {tmap.new.full_name}: {len(new_ids)} requirement(s) in scope.",
            )

    return Section(
        "audits",
        "Audit programme",
        moves,
        apply,
        "Planned audits audit the new edition, their scope moved along the mapping; audits "
        "under way or done keep the edition they audit.",
    )


def register() -> None:
    hooks.transition_carriers.register(carry_audits)
