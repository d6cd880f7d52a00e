"""The rules of the safety registers, called by their specs inside the register services'
transaction (`validate` names each faulty field; `before_save` fills derived fields):

- hazards: the fields a hazard needs, ratings on the scales of the method it is scored with
  (the organization's current one when it is (re)rated, otherwise the copy it keeps), and the
  justification a plan resting on administrative controls or PPE needs;
- controls: their rank in the hierarchy, and the same justification rule seen from the control;
- consultations: who took part, and whether non-managerial workers did;
- incidents: severity and days lost that agree with the kind of incident, a time not in the
  future, and their reference.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.db import models
from django.utils import timezone

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.roles import Role
from pdca.safety import hierarchy, scoring
from pdca.safety.models import Consultation, Hazard, HazardControl, Incident
from pdca.safety.services.method import method_for
from pdca.tenancy.models import Membership

RATINGS = ("likelihood_before", "severity_before", "likelihood_after", "severity_after")
#: Roles whose holders count as non-managerial workers when they take part in a consultation.
NON_MANAGERIAL = frozenset({Role.EMPLOYEE, Role.PROCESS_OWNER})


def _next_code(model: type[models.Model], organization_id: int, field: str, prefix: str) -> str:
    """The next free "<prefix>NNN" of the organization (one past the highest in use)."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    used = model._default_manager.filter(
        organization_id=organization_id, **{f"{field}__startswith": prefix}
    ).values_list(field, flat=True)
    numbers = [int(m.group(1)) for value in used if (m := pattern.match(value))]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _unique(obj: Any, field: str, label: str) -> list[FieldError]:
    value = getattr(obj, field)
    if not value:
        return []
    clash = (
        type(obj)
        ._default_manager.filter(organization_id=obj.organization_id, **{f"{field}__iexact": value})
        .exclude(pk=obj.pk)
        .exists()
    )
    return (
        [FieldError(field, f"Another {label} already uses {value}.", "duplicate")] if clash else []
    )


# --- hazards --------------------------------------------------------------------------------


def _scoring_snapshot(hazard: Hazard) -> dict[str, Any]:
    """The method this save scores with: the copy the hazard keeps while its ratings stay as
    they were, the organization's current method when they change (or were never scored)."""
    if hazard.pk is not None and hazard.scored_with:
        stored = Hazard.objects.filter(pk=hazard.pk).values(*RATINGS).first()
        if stored is not None and all(stored[n] == getattr(hazard, n) for n in RATINGS):
            return hazard.method_snapshot
    return scoring.snapshot_of(method_for(hazard.organization))


def _rating_errors(hazard: Hazard, snap: dict[str, Any]) -> list[FieldError]:
    errors = []
    for l_name, s_name, when in (
        ("likelihood_before", "severity_before", "without the controls"),
        ("likelihood_after", "severity_after", "with the controls"),
    ):
        pair = {l_name: getattr(hazard, l_name), s_name: getattr(hazard, s_name)}
        if (pair[l_name] is None) != (pair[s_name] is None):
            missing = l_name if pair[l_name] is None else s_name
            errors.append(
                FieldError(
                    missing,
                    f"Rate likelihood and severity {when} together, or leave both empty.",
                    "required",
                )
            )
        for name, labels in (
            (l_name, snap["likelihood_labels"]),
            (s_name, snap["severity_labels"]),
        ):
            value = pair[name]
            if value is not None and not 1 <= value <= len(labels):
                errors.append(
                    FieldError(
                        name,
                        f"Choose a level from 1 ({labels[0]}) to {len(labels)} ({labels[-1]}).",
                    )
                )
    return errors


def validate_hazard(hazard: Hazard, related: dict[str, list]) -> None:
    """Raise ValidationFailed naming every field that breaks the hazard register's rules."""
    errors = _unique(hazard, "code", "hazard")
    is_hazard = hazard.kind == Hazard.Kind.HAZARD
    if is_hazard and not hazard.hazard_type:
        errors.append(FieldError("hazard_type", "Say what kind of hazard this is.", "required"))
    if is_hazard and not (
        hazard.affects_employees
        or hazard.affects_contractors
        or hazard.affects_visitors
        or hazard.affects_public
    ):
        errors.append(
            FieldError(
                "affects_employees",
                "Say who could be affected: employees, contractors, visitors or the public.",
                "required",
            )
        )
    snap = _scoring_snapshot(hazard)
    rating_errors = _rating_errors(hazard, snap)
    errors += rating_errors
    if not rating_errors:
        before = scoring.score(snap["score_rule"], hazard.likelihood_before, hazard.severity_before)
        after = scoring.score(snap["score_rule"], hazard.likelihood_after, hazard.severity_after)
        if after is not None and before is None:
            errors.append(
                FieldError(
                    "likelihood_before",
                    "Rate the risk without the controls before rating it with them.",
                    "required",
                )
            )
        elif is_hazard and after is not None and before is not None and after > before:
            errors.append(
                FieldError(
                    "likelihood_after",
                    f"The score with the controls ({after}) may not exceed the score without "
                    f"them ({before}).",
                )
            )
        if (
            is_hazard
            and before is None
            and hazard.status in (Hazard.Status.ASSESSED, Hazard.Status.CONTROLLED)
        ):
            errors.append(
                FieldError(
                    "likelihood_before",
                    "Rate the risk before marking the hazard assessed or controlled.",
                    "required",
                )
            )
    if (
        is_hazard
        and hazard.pk is not None
        and not hazard.higher_controls_justification.strip()
        and hierarchy.needs_justification(hazard.controls.filter(archived_at__isnull=True))
    ):
        errors.append(
            FieldError(
                "higher_controls_justification",
                "The best control of this hazard is administrative or PPE: say why no "
                "elimination, substitution or engineering control is used.",
                "required",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    hazard._scoring_snapshot = snap  # type: ignore[attr-defined]  # for prepare_hazard


def prepare_hazard(hazard: Hazard) -> None:
    """Its code (when left empty), and its scores on the method it is scored with."""
    if not hazard.code:
        hazard.code = _next_code(Hazard, hazard.organization_id, "code", "HZ-")
    snap = getattr(hazard, "_scoring_snapshot", None) or _scoring_snapshot(hazard)
    rule = snap["score_rule"]
    hazard.score_before = scoring.score(rule, hazard.likelihood_before, hazard.severity_before)
    hazard.score_after = scoring.score(rule, hazard.likelihood_after, hazard.severity_after)
    rated = hazard.score_before is not None or hazard.score_after is not None
    hazard.scored_with = json.dumps(snap, sort_keys=True) if rated else ""


# --- controls -------------------------------------------------------------------------------


def validate_control(control: HazardControl, related: dict[str, list]) -> None:
    """A control not adopted says why; a plan whose best control would be administrative or
    PPE needs the hazard's justification first."""
    errors = []
    if control.status == HazardControl.Status.NOT_ADOPTED and not control.notes.strip():
        errors.append(
            FieldError("notes", "Say why this control was considered but not adopted.", "required")
        )
    hazard = control.hazard if control.hazard_id else None
    if hazard is not None and hazard.kind == Hazard.Kind.HAZARD:
        others = list(hazard.controls.filter(archived_at__isnull=True).exclude(pk=control.pk))
        plan = [*others, control]
        if hierarchy.needs_justification(plan) and not hazard.higher_controls_justification.strip():
            errors.append(
                FieldError(
                    "level",
                    f"With this control the best one for {hazard.code} would be "
                    f"{hierarchy.best_level(plan)}: first record on the hazard why no "
                    "elimination, substitution or engineering control is used.",
                    "justification_required",
                )
            )
    if errors:
        raise ValidationFailed(errors)


def prepare_control(control: HazardControl) -> None:
    control.rank = hierarchy.rank(control.level)


# --- consultations --------------------------------------------------------------------------


def validate_consultation(consultation: Consultation, related: dict[str, list]) -> None:
    """Someone took part; the non-managerial workers among them are counted as their roles
    stand today (a later change of role does not rewrite the consultation)."""
    members = related.get("participants", [])
    others = [line for line in consultation.other_participants.splitlines() if line.strip()]
    errors = []
    if not members and not others:
        errors.append(
            FieldError("participants", "Name who took part: members, others, or both.", "required")
        )
    if consultation.other_non_managerial > len(others):
        errors.append(
            FieldError(
                "other_non_managerial",
                f"Only {len(others)} other participants are named (one a line); name each of "
                "the non-managerial workers counted.",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    counted = (
        Membership.objects.filter(
            organization_id=consultation.organization_id,
            user__in=[m.pk for m in members],
            role__in=NON_MANAGERIAL,
        ).count()
        if members
        else 0
    )
    consultation.members_non_managerial = counted
    consultation.workers_took_part = bool(counted or consultation.other_non_managerial)


# --- incidents ------------------------------------------------------------------------------

HARMLESS_KINDS = frozenset({Incident.Kind.NEAR_MISS})
HARM_KINDS = frozenset({Incident.Kind.INJURY, Incident.Kind.ILL_HEALTH})
TIME_LOST = frozenset({Incident.Severity.LOST_TIME, Incident.Severity.MAJOR})


def incident_errors(incident: Incident) -> list[FieldError]:
    """The incident's own rules (also checked by the report form's service)."""
    errors = _unique(incident, "reference", "incident")
    if incident.kind in HARM_KINDS and incident.severity == Incident.Severity.NONE:
        errors.append(
            FieldError(
                "severity",
                "An injury or ill health needs its severity (first aid, medical treatment, "
                "lost time, major, fatality).",
                "required",
            )
        )
    if incident.kind in HARMLESS_KINDS and incident.severity != Incident.Severity.NONE:
        errors.append(
            FieldError("severity", "A near miss hurt nobody: its severity is “No injury”.")
        )
    if incident.severity == Incident.Severity.LOST_TIME and not incident.days_lost:
        errors.append(
            FieldError("days_lost", "A lost-time incident needs the days lost (1 or more).")
        )
    if incident.days_lost and incident.severity not in TIME_LOST:
        errors.append(
            FieldError(
                "days_lost",
                "Days are lost only in a lost-time or major incident: change the severity or "
                "leave the days at 0.",
            )
        )
    if incident.occurred_at and incident.occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors.append(FieldError("occurred_at", "The incident cannot have happened in the future."))
    return errors


def validate_incident(incident: Incident, related: dict[str, list]) -> None:
    errors = incident_errors(incident)
    if errors:
        raise ValidationFailed(errors)


def prepare_incident(incident: Incident) -> None:
    if not incident.reference:
        year = (incident.occurred_at or timezone.now()).year
        incident.reference = _next_code(
            Incident, incident.organization_id, "reference", f"INC-{year}-"
        )
