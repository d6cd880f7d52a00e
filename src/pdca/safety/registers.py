"""The registers of this app, declared once: `core.registers` builds their pages, API,
spreadsheets and CLI. Their rules live in `safety.rules`, the extra parts of their pages in
`safety.detail`."""

from __future__ import annotations

from pdca.core.registers.spec import RegisterSpec
from pdca.safety.models import Consultation, Hazard, HazardControl, Incident

STANDARD = ("iso45001-2018",)


def _validate_hazard(hazard, related) -> None:
    from pdca.safety.rules import validate_hazard

    validate_hazard(hazard, related)


def _prepare_hazard(hazard) -> None:
    from pdca.safety.rules import prepare_hazard

    prepare_hazard(hazard)


def _hazard_context(request, hazard):
    from pdca.safety.detail import hazard_context

    return hazard_context(request, hazard)


def _validate_control(control, related) -> None:
    from pdca.safety.rules import validate_control

    validate_control(control, related)


def _prepare_control(control) -> None:
    from pdca.safety.rules import prepare_control

    prepare_control(control)


def _validate_consultation(consultation, related) -> None:
    from pdca.safety.rules import validate_consultation

    validate_consultation(consultation, related)


def _validate_incident(incident, related) -> None:
    from pdca.safety.rules import validate_incident

    validate_incident(incident, related)


def _prepare_incident(incident) -> None:
    from pdca.safety.rules import prepare_incident

    prepare_incident(incident)


def _incident_context(request, incident):
    from pdca.safety.detail import incident_context

    return incident_context(request, incident)


def _current_hazards(queryset, organization):
    return queryset.filter(kind=Hazard.Kind.HAZARD)


HAZARDS = RegisterSpec(
    model=Hazard,
    slug="hazards",
    namespace="safety",
    key_field="code",
    fields=(
        "code",
        "title",
        "kind",
        "activity",
        "site",
        "process",
        "location",
        "situation",
        "hazard_type",
        "affects_employees",
        "affects_contractors",
        "affects_visitors",
        "affects_public",
        "harm",
        "likelihood_before",
        "severity_before",
        "likelihood_after",
        "severity_after",
        "higher_controls_justification",
        "owner",
        "review_date",
        "status",
        "requirements",
    ),
    columns=(
        "code",
        "title",
        "hazard_type",
        "site",
        "situation",
        "people_affected",
        "score_before",
        "score_after",
        "owner",
        "status",
        "review_date",
    ),
    column_labels={"people_affected": "People affected"},
    filters=("kind", "hazard_type", "situation", "status", "site", "process", "owner"),
    search=("code", "title", "activity", "location", "harm"),
    ordering=("code", "title", "score_before", "score_after", "review_date", "status"),
    clauses=("6.1.2", "8.1.2"),
    clause_standards=STANDARD,
    validate=_validate_hazard,
    before_save=_prepare_hazard,
    detail_template="safety/_hazard_detail.html",
    detail_context=_hazard_context,
    list_links=(("Hazard scoring", "method"), ("Controls", "hazard-controls-list")),
    shown_when={"hazard_type": ("kind", ("hazard",))},
    intro=(
        "OH&S hazards per activity and workplace (ISO 45001 6.1.2), routine and non-routine, "
        "with who could be harmed and how, scored on the organization's hazard scoring method "
        "before and after the controls; OH&S opportunities too."
    ),
)

HAZARD_CONTROLS = RegisterSpec(
    model=HazardControl,
    slug="hazard-controls",
    namespace="safety",
    fields=("hazard", "title", "level", "status", "owner", "due_date", "document", "notes"),
    columns=("hazard", "title", "level", "status", "owner", "due_date"),
    filters=("level", "status", "owner", "hazard"),
    search=("title", "notes"),
    ordering=("rank", "title", "due_date", "status"),
    validate=_validate_control,
    before_save=_prepare_control,
    limit_choices={"hazard": _current_hazards},
    intro=(
        "The controls of each hazard, each at its level of the hierarchy of controls (ISO "
        "45001 8.1.2): elimination, substitution, engineering, administrative, PPE. A hazard's "
        "page lists its controls with the most effective first."
    ),
)

CONSULTATIONS = RegisterSpec(
    model=Consultation,
    slug="consultations",
    namespace="safety",
    fields=(
        "title",
        "held_on",
        "topic",
        "format",
        "site",
        "participants",
        "other_participants",
        "other_non_managerial",
        "decisions",
        "follow_up",
        "owner",
        "follow_up_due",
        "requirements",
    ),
    columns=("held_on", "title", "topic", "format", "workers_took_part", "owner"),
    filters=("topic", "format", "site", "workers_took_part", "owner"),
    search=("title", "decisions", "follow_up", "other_participants"),
    ordering=("held_on", "title", "topic"),
    clauses=("5.4",),
    clause_standards=STANDARD,
    validate=_validate_consultation,
    list_links=(("Worker participation", "participation"),),
    intro=(
        "Consultation and participation of workers (ISO 45001 5.4): when, on what, how, who "
        "took part and what was decided. Non-managerial workers' part is counted from the "
        "participants' roles and the others named."
    ),
)

INCIDENTS = RegisterSpec(
    model=Incident,
    slug="incidents",
    namespace="safety",
    key_field="reference",
    fields=(
        "reference",
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
        "reported_by",
        "requirements",
    ),
    user_fields=("reported_by",),
    columns=("reference", "title", "kind", "occurred_at", "severity", "days_lost", "status"),
    filters=("kind", "severity", "status", "site", "hazards"),
    search=("reference", "title", "description", "location"),
    ordering=("occurred_at", "reference", "severity", "status"),
    clauses=("10.2",),
    clause_standards=STANDARD,
    validate=_validate_incident,
    before_save=_prepare_incident,
    detail_template="safety/_incident_detail.html",
    detail_context=_incident_context,
    list_links=(("Report an incident", "incident-report"),),
    intro=(
        "Incidents (ISO 45001 10.2): injuries, ill health, near misses and dangerous "
        "occurrences, reported by anyone, investigated, and feeding corrective action. A closed "
        "incident is a record."
    ),
)

SPECS: tuple[RegisterSpec, ...] = (HAZARDS, HAZARD_CONTROLS, CONSULTATIONS, INCIDENTS)
