"""What the management system lets higher apps add, without importing them (see core.hooks).

Gap assessments sit above the system: they follow its standards and exclusions, and the system's
home shows their readiness. The system declares here what it announces and what it asks;
`pdca.assessments` registers into these when it starts.
"""

from __future__ import annotations

from typing import Any

from pdca.core.hooks import Hook, Slot

#: A standard was adopted (or adopted again): `(system, *, actor)`, in the adopting transaction.
standard_adopted: Hook[..., None] = Hook(
    "system.standard_adopted", "Open gap assessments gain the new standard's requirements."
)

#: A requirement was excluded: `(exclusion, *, actor)`, in the excluding transaction.
exclusion_added: Hook[..., None] = Hook(
    "system.exclusion_added", "Open gap assessments mark the excluded requirement's items."
)

#: The readiness shown on the system's home page:
#: `(system, standards, *, user, organization) -> context` with `assessments` (each with
#: `overall` and `url`), `shown`, `readiness`, `chart` and `start_url`.
readiness_panel: Slot[..., dict[str, Any]] = Slot(
    "system.readiness_panel", "The system page's readiness at a glance.", filled_by="assessments"
)

#: The readiness given by the system's API: `(system, standards) -> (assessment, rows)`, the
#: latest open assessment (or None) and one row per standard (`standard`, `name`, the score).
readiness_summary: Slot[..., tuple[Any, list[dict[str, Any]]]] = Slot(
    "system.readiness_summary", "The system API's readiness per standard.", filled_by="assessments"
)

#: What a register carries when a system moves to a standard's next edition:
#: `(system, tmap) -> Section` (`system.transition.types`), listing its moves and the function
#: that makes them. Called before the move (the preview) and again to carry it out, after the
#: system adopts the new edition and its exclusions have been carried.
transition_carriers: Hook[..., Any] = Hook(
    "system.transition_carriers",
    "Gap items, SoA lines, audits and risk controls move along the edition's mapping.",
)

#: The transition plan's gaps: `(system, diff) -> list[dict]`, one row per new or changed
#: requirement of the new edition with its open gap item (`status`, `owner`, `target_date`,
#: `url`) when there is one.
transition_gaps: Slot[..., list[dict[str, Any]]] = Slot(
    "system.transition_gaps", "Who owns each gap of a transition plan.", filled_by="assessments"
)
