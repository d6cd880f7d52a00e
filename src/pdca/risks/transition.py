"""What a management system's move to a new edition does to the Statement of Applicability and
to the controls chosen for risks (registered into `system.hooks.transition_carriers`).

The old edition's SoA stays as it is, with its approved versions. A new SoA for the new edition
starts from it: each control that carried over keeps its decision, justification,
implementation, owner, notes and risks; a new or changed control starts undecided, with the
note on what changed. Risks that chose an old control gain its new control as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from pdca.core.activity import record_activity, record_create
from pdca.risks.models import ControlApplicability, Risk, StatementOfApplicability
from pdca.risks.soa.selectors import annex_controls
from pdca.system import hooks
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
    from pdca.system.models import ManagementSystem

LINE_FIELDS = ("applicable", "justification", "implementation", "owner_id", "notes")


def carry_soa(system: ManagementSystem, tmap: TransitionMap) -> Section:
    org = system.organization_id
    old_soa = StatementOfApplicability.objects.filter(
        organization_id=org, standard=tmap.old
    ).first()
    exists = StatementOfApplicability.objects.filter(
        organization_id=org, standard=tmap.new
    ).exists()
    controls = list(annex_controls(tmap.new)) if old_soa is not None and not exists else []
    old_lines = (
        {
            line.control_id: line
            for line in old_soa.lines.select_related("control").prefetch_related("risks")
        }
        if controls and old_soa is not None
        else {}
    )
    moves: list[Move] = []
    plan: list[tuple[int, ControlApplicability | None, str, str]] = []
    for control in controls:
        lines = tmap.sources(control.pk)
        sources = [
            old_lines[line.old.pk] for line in lines if line.old and line.old.pk in old_lines
        ]
        outcome = outcome_of(lines)
        if outcome == CARRIED and not sources:
            outcome = OPENED
        source = sources[0] if sources else None
        plan.append((control.pk, source, outcome, notes_of(lines)))
        moves.append(
            Move(
                f"SoA line {control.number} {control.title}",
                ", ".join(line.old.number for line in lines if line.old),
                control.number,
                ", ".join(dict.fromkeys(line.change for line in lines)) or "new",
                outcome,
                notes_of(lines),
                reverse("risks:soa-detail", args=[old_soa.pk]) if old_soa else "",
            )
        )
    risk_pairs = list(
        Risk.controls.through.objects.filter(
            risk__organization_id=org, requirement_id__in=tmap.old_ids
        ).values_list("risk_id", "requirement_id")
    )
    risk_add: list[tuple[int, int]] = []
    risks = Risk.objects.in_bulk({rid for rid, _ in risk_pairs}) if risk_pairs else {}
    for risk_id, requirement_id in sorted(risk_pairs):
        lines = tmap.targets(requirement_id)
        old = lines[0].old.number if lines and lines[0].old else ""
        subject = f"Risk {risks[risk_id]}"
        if not any(line.new for line in lines):
            moves.append(Move(subject, old, "", "removed", KEPT, notes_of(lines)))
        for line in lines:
            if line.new is not None:
                risk_add.append((risk_id, line.new.pk))
                moves.append(
                    Move(subject, old, line.new.number, line.change, outcome_of([line]), line.note)
                )

    def apply(actor: User) -> None:
        if plan and old_soa is not None:
            soa = StatementOfApplicability.objects.create(
                organization_id=org,
                standard=tmap.new,
                system=system,
                title=f"Statement of Applicability, {tmap.new}",
            )
            for control_id, source, outcome, note in plan:
                line = ControlApplicability(organization_id=org, soa=soa, control_id=control_id)
                if source is not None:
                    for name in LINE_FIELDS:
                        setattr(line, name, getattr(source, name))
                if outcome != CARRIED:
                    line.applicable = None
                    line.implementation = ControlApplicability.Implementation.NOT_STARTED
                    line.notes = f"{tmap.new}: {note}".strip()
                line.save()
                if source is not None:
                    line.risks.set(source.risks.all())
            record_create(
                actor=actor, obj=soa, message=f"Carried from {old_soa} ({len(plan)} lines)."
            )
        if risk_add:
            through = Risk.controls.through
            existing = set(
                through.objects.filter(
                    risk_id__in={r for r, _ in risk_add}, requirement__standard=tmap.new
                ).values_list("risk_id", "requirement_id")
            )
            through.objects.bulk_create(
                [
                    through(risk_id=r, requirement_id=q)
                    for r, q in risk_add
                    if (r, q) not in existing
                ]
            )
            for risk in risks.values():
                record_activity(
                    actor=actor,
                    action="update",
                    obj=risk,
                    message=f"Controls carried from {tmap.old} to {tmap.new}.",
                )

    return Section(
        "soa",
        "Statement of Applicability and risk controls",
        moves,
        apply,
        "A new SoA for the new edition starts from the old one (which stays, with its approved "
        "versions); new and changed controls start undecided. Risks keep their old controls and "
        "gain the new ones.",
    )


def register() -> None:
    hooks.transition_carriers.register(carry_soa)
