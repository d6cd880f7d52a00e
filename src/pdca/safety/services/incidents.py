"""The incident workflow (45001 10.2): any member reports an incident; implementers
investigate it and close it. Every change of status goes through `transition_incident`;
an investigation that asks for corrective action opens one nonconformity through the
`incident_needs_action` hook (corrective action answers it, in the same transaction)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import record_activity, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.registers.choices import choices_for
from pdca.core.validation import apply_fields, validate_instance
from pdca.safety import hooks
from pdca.safety.models import Incident
from pdca.safety.rules import incident_errors, prepare_incident
from pdca.standards.models import Requirement
from pdca.tenancy.models import Membership

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

Status = Incident.Status

#: What a reporter fills in (the register's full form adds the reporter and requirements).
REPORT_FIELDS = (
    "title",
    "kind",
    "occurred_at",
    "site",
    "location",
    "process",
    "involved_employees",
    "involved_contractors",
    "involved_visitors",
    "involved_public",
    "people_involved",
    "description",
    "immediate_actions",
    "severity",
    "days_lost",
    "hazards",
)
#: The steps between statuses: (from, to) → the permission action it needs.
STEPS: dict[tuple[str, str], str] = {
    (Status.REPORTED, Status.INVESTIGATING): "investigate",
    (Status.INVESTIGATING, Status.CLOSED): "close",
}
#: The ISO 45001 clause an incident's nonconformity does not meet yet.
INCIDENT_CLAUSE = ("iso45001", "10.2")


def _spec():
    from pdca.safety.registers import INCIDENTS

    return INCIDENTS


def _checked_relations(organization: Organization, data: dict[str, Any]) -> None:
    """Sites, processes and hazards of the organization only."""
    errors = []
    spec = _spec()
    for name in ("site", "process"):
        value = data.get(name)
        if (
            value is not None
            and not choices_for(spec, name, organization).filter(pk=value.pk).exists()
        ):
            errors.append(FieldError(name, f"Choose a {name} of this organization."))
    hazards = data.get("hazards") or []
    if hazards:
        allowed = set(
            choices_for(spec, "hazards", organization)
            .filter(pk__in=[h.pk for h in hazards])
            .values_list("pk", flat=True)
        )
        bad = [str(h) for h in hazards if h.pk not in allowed]
        if bad:
            errors.append(FieldError("hazards", f"Not available here: {', '.join(bad[:5])}."))
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def report_incident(organization: Organization, *, actor: User, **data: Any) -> Incident:
    """Report an incident (any member). The reporter is recorded and may follow it; it waits
    for an investigation."""
    require(actor, "report", Incident, organization=organization)
    data = dict(data)
    _checked_relations(organization, data)
    hazards = list(dict.fromkeys(data.pop("hazards", None) or []))
    site, process = data.pop("site", None), data.pop("process", None)
    incident = Incident(organization=organization, site=site, process=process, reported_by=actor)
    apply_fields(incident, data, [f for f in REPORT_FIELDS if f not in ("site", "process")])
    validate_instance(incident, exclude=["hazards", "organization"])
    errors = incident_errors(incident)
    if errors:
        raise ValidationFailed(errors)
    prepare_incident(incident)
    incident.save()
    incident.hazards.set(hazards)
    changes = {k: [None, v] for k, v in snapshot(incident).items() if v not in (None, "", [], {})}
    if hazards:
        changes["hazards"] = [[], sorted(h.pk for h in hazards)]
    record_activity(actor=actor, action="create", obj=incident, changes=changes, message="Reported")
    return incident


def _refuse_closed(incident: Incident) -> None:
    if incident.status == Status.CLOSED:
        raise Conflict(
            f"{incident.reference} is closed: it is a record and no longer changes.", code="closed"
        )


@transaction.atomic
def transition_incident(incident: Incident, to: str, *, actor: User) -> Incident:
    """Move an incident to status `to`: reported → investigating (investigate), then
    investigating → closed (close). Closing needs the investigation's findings and, when it
    asked for corrective action, its nonconformity. A closed incident never moves again."""
    lock_for_update(incident)
    _refuse_closed(incident)
    if to not in Status.values:
        raise ValidationFailed.single("to", f"Choose one of: {', '.join(Status.values)}.")
    action = STEPS.get((incident.status, to))
    if action is None:
        raise Conflict(
            f"{incident.reference} is {incident.get_status_display().lower()}: it cannot move "
            f"to {Status(to).label.lower()}.",
            code="invalid_transition",
        )
    require(actor, action, incident)
    if to == Status.CLOSED:
        missing = []
        if not incident.findings.strip():
            missing.append(FieldError("findings", "Record the investigation's findings first."))
        if incident.action_needed is None:
            missing.append(
                FieldError("action_needed", "Say whether corrective action is needed first.")
            )
        elif incident.action_needed and incident.nonconformity_id is None:
            missing.append(
                FieldError(
                    "nonconformity", "Corrective action is needed but no nonconformity is open."
                )
            )
        if missing:
            raise ValidationFailed(missing, "The incident cannot be closed yet.")
    before = snapshot(incident)
    previous = incident.status
    incident.status = to
    if to == Status.CLOSED:
        incident.closed_at = timezone.now()
    save_changed(incident)
    record_update(
        actor=actor,
        obj=incident,
        before=before,
        action="transition",
        message=f"{Status(previous).label} → {Status(to).label}",
    )
    return incident


@transaction.atomic
def investigate_incident(
    incident: Incident,
    *,
    actor: User,
    investigator: User | None,
    root_cause: str,
    contributing_factors: str = "",
    findings: str,
    action_needed: bool | None,
    investigated_on: dt.date | None = None,
) -> Incident:
    """Record (or complete) the investigation of an incident; a reported incident moves to
    investigating. When corrective action is needed, the first such investigation opens one
    nonconformity, linked from the incident."""
    lock_for_update(incident)
    _refuse_closed(incident)
    require(actor, "investigate", incident)
    errors = []
    if investigator is None:
        errors.append(FieldError("investigator", "Name who investigated.", "required"))
    elif not Membership.objects.filter(
        organization_id=incident.organization_id, user=investigator
    ).exists():
        errors.append(FieldError("investigator", "Choose a member of this organization."))
    if not (root_cause or "").strip():
        errors.append(FieldError("root_cause", "Give the root cause found.", "required"))
    if not (findings or "").strip():
        errors.append(FieldError("findings", "Give the findings.", "required"))
    if action_needed is None:
        errors.append(
            FieldError("action_needed", "Say whether corrective action is needed.", "required")
        )
    elif not action_needed and incident.nonconformity_id is not None:
        errors.append(
            FieldError(
                "action_needed",
                "A nonconformity is already open for this incident: follow it up there.",
            )
        )
    on = investigated_on or timezone.localdate()
    if on > timezone.localdate():
        errors.append(FieldError("investigated_on", "The investigation date cannot be ahead."))
    if errors:
        raise ValidationFailed(errors)
    if incident.status == Status.REPORTED:
        transition_incident(incident, Status.INVESTIGATING, actor=actor)
    before = snapshot(incident)
    incident.investigator = investigator
    incident.root_cause = root_cause.strip()
    incident.contributing_factors = (contributing_factors or "").strip()
    incident.findings = findings.strip()
    incident.action_needed = action_needed
    incident.investigated_on = on
    save_changed(incident)
    record_update(actor=actor, obj=incident, before=before, action="investigate")
    if action_needed and incident.nonconformity_id is None:
        _open_nonconformity(incident, actor=actor)
    return incident


def _open_nonconformity(incident: Incident, *, actor: User) -> None:
    standard, number = INCIDENT_CLAUSE
    clause = Requirement.objects.filter(
        standard__code__startswith=standard, number=number
    ).order_by("-standard__code")[:1]
    severity = (
        "major"
        if incident.severity in (Incident.Severity.MAJOR, Incident.Severity.FATALITY)
        else ""
    )
    when = timezone.localtime(incident.occurred_at)
    hooks.incident_needs_action.call(
        incident,
        actor=actor,
        title=f"Incident {incident.reference}: {incident.title}",
        description=(
            f"{incident.get_kind_display()} on {when:%Y-%m-%d %H:%M}"
            f"{f' at {incident.location}' if incident.location else ''}.\n\n"
            f"What happened: {incident.description}\n\n"
            f"Root cause: {incident.root_cause}\n\n"
            f"Findings: {incident.findings}"
        ),
        site=incident.site,
        process=incident.process,
        requirements=list(clause),
        severity=severity,
    )
