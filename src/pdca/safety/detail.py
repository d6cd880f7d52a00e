"""The safety-specific parts of the hazard and incident pages (their register's
`detail_template`): ratings against the method the hazard was scored with, its controls in
hierarchy order with the warnings of the control plan; an incident's investigation, its
nonconformity and the workflow steps the user may take."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pdca.core.permissions import may
from pdca.safety import hierarchy, scoring
from pdca.safety.forms import InvestigationForm
from pdca.safety.models import Hazard, HazardControl, Incident
from pdca.safety.services.method import method_for


def _method_changed(hazard: Hazard) -> bool:
    """Whether the organization's method now differs from the one the hazard was scored with."""
    snap = hazard.method_snapshot
    if not snap:
        return False
    current = scoring.snapshot_of(method_for(hazard.organization))
    return any(snap.get(k) != current.get(k) for k in scoring.SNAPSHOT_KEYS)


def hazard_context(request, hazard: Hazard) -> dict[str, Any]:
    snap = hazard.method_snapshot
    controls = hierarchy.in_hierarchy_order(
        HazardControl.objects.filter(hazard=hazard).select_related("owner", "document")
    )
    can_change_controls = may(request.user, "add", HazardControl, organization=hazard.organization)
    rows = []
    for control in controls:
        row: Any = control
        row.url = reverse("safety:hazard-controls-detail", args=[control.pk])
        row.edit_url = (
            reverse("safety:hazard-controls-edit", args=[control.pk])
            if may(request.user, "change", control) and control.archived_at is None
            else None
        )
        rows.append(row)
    acceptable = int(snap["acceptable_level"]) if snap else None
    return {
        "snapshot": snap,
        "ratings": [
            (
                "Without the controls",
                scoring.rating(snap, hazard.likelihood_before, hazard.severity_before),
            ),
            (
                "With the controls",
                scoring.rating(snap, hazard.likelihood_after, hazard.severity_after),
            ),
        ],
        "acceptable": acceptable,
        "method_changed": _method_changed(hazard),
        "controls": rows,
        "best_level": hierarchy.best_level(c for c in controls if c.archived_at is None),
        "warnings": (
            hierarchy.warnings(
                controls,
                residual=hazard.score_after,
                acceptable=acceptable,
                justification=hazard.higher_controls_justification,
            )
            if hazard.kind == Hazard.Kind.HAZARD
            else []
        ),
        "add_control_url": (
            f"{reverse('safety:hazard-controls-create')}?hazard={hazard.pk}"
            if can_change_controls and hazard.archived_at is None
            else None
        ),
        "incidents": list(hazard.incidents.order_by("-occurred_at")[:20]),
    }


def incident_context(request, incident: Incident) -> dict[str, Any]:
    user = request.user
    is_open = incident.status != Incident.Status.CLOSED and incident.archived_at is None
    can_investigate = is_open and may(user, "investigate", incident)
    form = None
    if can_investigate:
        form = InvestigationForm(
            organization=incident.organization,
            initial={
                "investigator": incident.investigator_id or user.pk,
                "root_cause": incident.root_cause,
                "contributing_factors": incident.contributing_factors,
                "findings": incident.findings,
                "action_needed": (
                    "" if incident.action_needed is None else str(incident.action_needed).lower()
                ),
            },
        )
    return {
        "investigation_form": form,
        "investigate_url": reverse("safety:incident-investigate", args=[incident.pk]),
        "transition_url": reverse("safety:incident-transition", args=[incident.pk]),
        "can_start": incident.status == Incident.Status.REPORTED and can_investigate,
        "can_close": (
            is_open
            and incident.status == Incident.Status.INVESTIGATING
            and may(user, "close", incident)
        ),
        "nonconformity_url": (
            f"/nonconformities/{incident.nonconformity_id}/" if incident.nonconformity_id else None
        ),
        "hazards": list(incident.hazards.all()),
    }
