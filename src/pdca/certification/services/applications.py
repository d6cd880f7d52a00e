"""Applications for certification and their contract review.

An application is written as a draft (every field may change), submitted for review, then
accepted or declined by the contract review, or withdrawn before that. One function moves it:
`transition_application`. The review sees the automatic checks first (`review_checks`):
accreditation for the standards and sectors today, audit time calculated for every standard,
consultancy the client received within the last two years, declared on the application or
recorded in pdca (an impartiality threat to weigh), and how many qualified auditors the body
has per standard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from pdca.certification.models import Application, Client, ClientSite, ConflictOfInterest
from pdca.certification.services.accreditation import (
    AccreditationCheck,
    check_accreditation,
    split_codes,
)
from pdca.certification.services.audit_time import complexity_columns, scheme_of
from pdca.certification.services.impartiality import recorded_periods, recorded_summary
from pdca.certification.services.profile import ensure_certification_body
from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import lock_for_update, save_changed, serialize_on
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.validation import apply_fields, validate_instance
from pdca.standards.models import Standard
from pdca.tenancy.models import Organization

if TYPE_CHECKING:
    from pdca.accounts.models import User

__all__ = [
    "APPLICATION_FIELDS",
    "CONSULTANCY_YEARS",
    "ReviewChecks",
    "StandardCheck",
    "catalog_standards",
    "create_application",
    "next_reference",
    "review_checks",
    "transition_application",
    "transition_problem",
    "update_application",
    "validate_application",
]

S = Application.Status
#: The fields a draft's author writes (relations as objects: client, standards, sites).
APPLICATION_FIELDS = (
    "reference",
    "client",
    "kind",
    "standards",
    "scope",
    "sites",
    "sector_codes",
    "permanent_personnel",
    "temporary_personnel",
    "part_time_persons",
    "part_time_hours",
    "full_time_hours",
    "shifts",
    "repetitive_persons",
    "repetitive_justification",
    "identical_activities",
    "off_site_share",
    "complexity",
    "outsourced_processes",
    "integration_reduction",
    "integration_notes",
    "multi_site",
    "consultancy_received",
    "consultancy_by",
    "consultancy_until",
)
SCALAR_FIELDS = tuple(f for f in APPLICATION_FIELDS if f not in ("client", "standards", "sites"))
MAX_OFF_SITE = Decimal("0.2")
MAX_INTEGRATION = Decimal("20")
#: 17021-1 5.2 (reference 4.6): two years after consultancy ends is one way to reduce the
#: threat; consultancy within them is flagged for the review to weigh.
CONSULTANCY_YEARS = 2

#: (from, to) → the step's name (the activity entry's action).
STEPS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): "submit",
    (S.SUBMITTED, S.ACCEPTED): "accept",
    (S.SUBMITTED, S.DECLINED): "decline",
    (S.DRAFT, S.WITHDRAWN): "withdraw",
    (S.SUBMITTED, S.WITHDRAWN): "withdraw",
}


def catalog_standards():
    """The standards an application may name: those loaded from the catalog."""
    return Standard.objects.filter(loaded_at__isnull=False)


def next_reference(organization_id: int, today: dt.date | None = None) -> str:
    """The next free APP-<year>-<nnn> of the body (the caller holds the body's row lock)."""
    year = (today or timezone.localdate()).year
    prefix = f"APP-{year}-"
    taken = Application.objects.filter(
        organization_id=organization_id, reference__startswith=prefix
    ).values_list("reference", flat=True)
    numbers = [int(ref[len(prefix) :]) for ref in taken if ref[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _check_identical(items: Any, counted: int, errors: list[FieldError]) -> None:
    if not isinstance(items, list):
        errors.append(FieldError("identical_activities", "Give a list of {name, persons}."))
        return
    total = 0
    for i, item in enumerate(items):
        if not isinstance(item, dict) or set(item) - {"name", "persons"}:
            errors.append(
                FieldError(f"identical_activities[{i}]", "Give the activity's name and persons.")
            )
            continue
        name, persons = item.get("name"), item.get("persons")
        if not isinstance(name, str) or not name.strip():
            errors.append(FieldError(f"identical_activities[{i}].name", "Name the activity."))
        if not isinstance(persons, int) or isinstance(persons, bool) or persons < 1:
            errors.append(
                FieldError(f"identical_activities[{i}].persons", "Give 1 or more persons.")
            )
        else:
            total += persons
    if total > counted:
        errors.append(
            FieldError(
                "identical_activities",
                f"The activities hold {total} persons, more than the {counted} counted.",
            )
        )


def validate_application(
    application: Application, standards: Sequence[Standard], sites: Sequence[ClientSite]
) -> None:
    """Every rule of an application's fields, each error naming its field."""
    errors: list[FieldError] = []
    if not standards:
        errors.append(FieldError("standards", "Name at least one standard."))
    else:
        catalog = set(
            catalog_standards()
            .filter(pk__in=[s.pk for s in standards])
            .values_list("pk", flat=True)
        )
        bad = [str(s) for s in standards if s.pk not in catalog]
        if bad:
            errors.append(FieldError("standards", f"Not a catalog standard: {', '.join(bad)}."))
    if application.client_id:
        wrong = [str(s) for s in sites if s.client_id != application.client_id]
        if wrong:
            errors.append(
                FieldError("sites", f"Not a site of {application.client}: {', '.join(wrong)}.")
            )
    counted = application.permanent_personnel + application.temporary_personnel
    part_time = _decimal(application.part_time_hours) or Decimal(0)
    if counted < 1 and part_time <= 0:
        errors.append(
            FieldError("permanent_personnel", "Give the persons within the scope (at least one).")
        )
    if part_time > 0 and application.part_time_persons < 1:
        errors.append(
            FieldError("part_time_persons", "Give how many part-time persons work those hours.")
        )
    if application.part_time_persons and part_time <= 0:
        errors.append(FieldError("part_time_hours", "Give the weekly hours of the part-timers."))
    full_time = _decimal(application.full_time_hours)
    if full_time is None or not Decimal(1) <= full_time <= Decimal(80):
        errors.append(FieldError("full_time_hours", "Give 1 to 80 weekly hours."))
    if application.repetitive_persons:
        if not application.repetitive_justification.strip():
            errors.append(
                FieldError("repetitive_justification", "A reduction of the count needs a reason.")
            )
        if application.repetitive_persons >= counted:
            errors.append(
                FieldError("repetitive_persons", f"Must be fewer than the {counted} counted.")
            )
    schemes = {scheme_of(s)[0] for s in standards}
    if application.identical_activities:
        if "isms" not in schemes:
            errors.append(
                FieldError(
                    "identical_activities",
                    "Only ISO/IEC 27001's audit time reads identical activities.",
                )
            )
        _check_identical(application.identical_activities, counted, errors)
    share = _decimal(application.off_site_share)
    if share is None or not Decimal(0) <= share <= MAX_OFF_SITE:
        errors.append(FieldError("off_site_share", "Give a share from 0 to 0.2 (20 %)."))
    columns = {s: complexity_columns(s) for s in standards}
    needing = [s for s, cols in columns.items() if cols]
    if needing and not application.complexity:
        names = ", ".join(str(s) for s in needing)
        errors.append(FieldError("complexity", f"Required: {names} has complexity categories."))
    elif application.complexity and not needing and standards:
        errors.append(FieldError("complexity", "None of the standards has a complexity category."))
    else:
        refused = [str(s) for s in needing if application.complexity not in columns[s]]
        if refused and application.complexity:
            errors.append(
                FieldError(
                    "complexity",
                    f"{application.get_complexity_display()} is not a category of "
                    f"{', '.join(refused)}.",
                )
            )
    reduction = _decimal(application.integration_reduction)
    if reduction is None or not Decimal(0) <= reduction <= MAX_INTEGRATION:
        errors.append(FieldError("integration_reduction", "Give 0 to 20 per cent (IAF MD 11)."))
    elif reduction > 0 and len(standards) < 2:
        errors.append(
            FieldError("integration_reduction", "An integrated audit needs two or more standards.")
        )
    elif reduction > 0 and not application.integration_notes.strip():
        errors.append(
            FieldError("integration_notes", "Say how integrated the system is (the reason).")
        )
    if application.consultancy_received:
        if not application.consultancy_by.strip():
            errors.append(FieldError("consultancy_by", "Who gave the consultancy?"))
        if application.consultancy_until is None:
            errors.append(FieldError("consultancy_until", "When did the consultancy end?"))
    elif application.consultancy_by.strip() or application.consultancy_until:
        errors.append(
            FieldError("consultancy_received", "Tick it when the client received consultancy.")
        )
    if errors:
        raise ValidationFailed(errors)


def _normalize(application: Application) -> None:
    application.sector_codes = ", ".join(dict.fromkeys(split_codes(application.sector_codes)))
    application.consultancy_by = application.consultancy_by.strip()


def _relations(
    organization: Organization, data: dict[str, Any]
) -> tuple[list[Standard] | None, list[ClientSite] | None]:
    standards = data.pop("standards", None)
    sites = data.pop("sites", None)
    if sites is not None:
        bad = [s for s in sites if s.organization_id != organization.pk]
        if bad:
            raise ValidationFailed.single("sites", "Choose sites of this body's clients.")
    client = data.get("client")
    if client is not None and (
        not isinstance(client, Client) or client.organization_id != organization.pk
    ):
        raise ValidationFailed.single("client", "Choose a client of this certification body.")
    return (
        list(dict.fromkeys(standards)) if standards is not None else None,
        list(dict.fromkeys(sites)) if sites is not None else None,
    )


def _related_snapshot(application: Application) -> dict[str, list[int]]:
    return {
        "standards": sorted(application.standards.values_list("pk", flat=True)),
        "sites": sorted(application.sites.values_list("pk", flat=True)),
    }


@transaction.atomic
def create_application(
    organization: Organization, *, actor: User | None, **fields: Any
) -> Application:
    """Write a draft application (managers); the reference is numbered when left empty."""
    require(actor, "add", Application, organization=organization)
    ensure_certification_body(organization)
    data = dict(fields)
    unknown = sorted(set(data) - set(APPLICATION_FIELDS))
    if unknown:
        raise ValidationFailed(
            [FieldError(name, "This field does not exist or cannot be set.") for name in unknown]
        )
    standards, sites = _relations(organization, data)
    client = data.pop("client", None)
    if client is None:
        raise ValidationFailed.single("client", "Choose the client.")
    if client.archived_at is not None:
        raise ValidationFailed.single("client", f"{client} is archived.")
    application = Application(organization=organization, client=client)
    apply_fields(application, data, SCALAR_FIELDS)
    _normalize(application)
    validate_application(application, standards or [], sites or [])
    serialize_on(Organization, organization.pk)
    if not application.reference:
        application.reference = next_reference(organization.pk)
    elif Application.objects.filter(
        organization=organization, reference=application.reference
    ).exists():
        raise ValidationFailed.single("reference", "Another application has this reference.")
    validate_instance(application, exclude=["organization", "standards", "sites"])
    application.save()
    application.standards.set(standards or [])
    application.sites.set(sites or [])
    changes = {
        k: [None, v] for k, v in snapshot(application).items() if v not in (None, "", [], {})
    }
    changes.update({k: [[], v] for k, v in _related_snapshot(application).items() if v})
    record_activity(actor=actor, action="create", obj=application, changes=changes)
    return application


@transaction.atomic
def update_application(
    application: Application, *, actor: User | None, **fields: Any
) -> Application:
    """Change the given fields of a draft (managers); a submitted or reviewed application is
    refused: withdraw it and apply again to change it."""
    lock_for_update(application)
    require(actor, "change", application)
    if application.status != S.DRAFT:
        raise Conflict(
            f"{application.reference} is {application.get_status_display().lower()}: only a "
            "draft may change.",
            code="application_not_draft",
        )
    data = dict(fields)
    unknown = sorted(set(data) - set(APPLICATION_FIELDS))
    if unknown:
        raise ValidationFailed(
            [
                FieldError(name, "This field does not exist or cannot be changed.")
                for name in unknown
            ]
        )
    organization = application.organization
    standards, sites = _relations(organization, data)
    before = {**snapshot(application), **_related_snapshot(application)}
    client = data.pop("client", None)
    if client is not None and client.pk != application.client_id:
        if client.archived_at is not None:
            raise ValidationFailed.single("client", f"{client} is archived.")
        application.client = client
    apply_fields(application, data, SCALAR_FIELDS)
    _normalize(application)
    current_standards = standards if standards is not None else list(application.standards.all())
    current_sites = sites if sites is not None else list(application.sites.all())
    validate_application(application, current_standards, current_sites)
    if not application.reference:
        raise ValidationFailed.single("reference", "An application keeps its reference.")
    if (
        Application.objects.filter(organization=organization, reference=application.reference)
        .exclude(pk=application.pk)
        .exists()
    ):
        raise ValidationFailed.single("reference", "Another application has this reference.")
    validate_instance(application, exclude=["organization", "standards", "sites"])
    written = save_changed(application)
    if standards is not None:
        application.standards.set(standards)
    if sites is not None:
        application.sites.set(sites)
    after = {**snapshot(application), **_related_snapshot(application)}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes and not written:
        save_changed(application, touch=True)
    if changes:
        record_activity(actor=actor, action="update", obj=application, changes=changes)
    return application


def transition_problem(application: Application, to: str) -> str | None:
    """Why `application` may not move to status `to` now, or None when it may."""
    labels = dict(S.choices)
    if to not in labels:
        return f"“{to}” is not a status of an application."
    if (application.status, to) not in STEPS:
        return (
            f"An application that is {labels[application.status].lower()} cannot become "
            f"{labels[to].lower()}."
        )
    if to == S.ACCEPTED:
        have = set(application.calculations.values_list("standard_id", flat=True))
        missing = [str(s) for s in application.standards.all() if s.pk not in have]
        if missing:
            return (
                "The audit time must be calculated for every standard before the application "
                f"is accepted; none yet for {', '.join(missing)}."
            )
    return None


@transaction.atomic
def transition_application(
    application: Application,
    to: str,
    *,
    actor: User | None,
    reasons: Iterable[str] = (),
    notes: str = "",
) -> Application:
    """Move the application along one step: draft → submitted → accepted or declined, or
    draft/submitted → withdrawn. Submitting checks every field again; the contract review
    (accepting or declining) records the reviewer, the time, the notes and, for a decline,
    its reasons (at least one `Application.DeclineReason`). A refused move says why."""
    lock_for_update(application)
    require(actor, "change", application)
    problem = transition_problem(application, to)
    if problem:
        raise Conflict(problem, code="invalid_transition")
    reasons = list(dict.fromkeys(reasons))
    notes = (notes or "").strip()
    step = STEPS[(application.status, to)]
    if to == S.SUBMITTED:
        validate_application(
            application, list(application.standards.all()), list(application.sites.all())
        )
    if to == S.DECLINED:
        valid = set(Application.DeclineReason.values)
        if not reasons:
            raise ValidationFailed.single("reasons", "Give at least one reason to decline.")
        bad = [r for r in reasons if r not in valid]
        if bad:
            raise ValidationFailed.single(
                "reasons", f"Not a reason to decline: {', '.join(map(str, bad))}."
            )
        if Application.DeclineReason.OTHER in reasons and not notes:
            raise ValidationFailed.single("notes", "Say what the other reason is.")
    elif reasons:
        raise ValidationFailed.single("reasons", "Only a decline takes reasons.")
    before = snapshot(application)
    application.status = to
    now = timezone.now()
    if to == S.SUBMITTED:
        application.submitted_at = now
    if to in (S.ACCEPTED, S.DECLINED):
        application.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
        application.reviewed_at = now
        application.review_notes = notes
        application.decline_reasons = reasons
    save_changed(application)
    changes = {
        k: [before.get(k), v] for k, v in snapshot(application).items() if before.get(k) != v
    }
    record_activity(actor=actor, action=step, obj=application, changes=changes, message=notes)
    return application


# --- the contract review's checks -----------------------------------------------------------


@dataclass(frozen=True)
class StandardCheck:
    """One standard of the application as the review sees it."""

    standard: Standard
    scheme: str
    initial_days: Decimal | None
    auditors: int

    @property
    def calculated(self) -> bool:
        return self.initial_days is not None


@dataclass(frozen=True)
class ReviewChecks:
    """What the contract review sees before deciding, and the reasons it suggests."""

    on: dt.date
    accreditation: AccreditationCheck
    standards: tuple[StandardCheck, ...]
    consultancy_threat: bool
    consultancy_text: str
    conflicts: int
    suggested_reasons: tuple[str, ...] = field(default=())

    @property
    def time_complete(self) -> bool:
        return all(s.calculated for s in self.standards)

    @property
    def auditors_complete(self) -> bool:
        return all(s.auditors for s in self.standards)

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on,
            "accreditation": {
                "accredited": self.accreditation.accredited,
                "reason": self.accreditation.reason,
                "missing": list(self.accreditation.missing),
            },
            "standards": [
                {
                    "standard": s.standard.code,
                    "name": str(s.standard),
                    "scheme": s.scheme,
                    "initial_days": None if s.initial_days is None else float(s.initial_days),
                    "competent_auditors": s.auditors,
                }
                for s in self.standards
            ],
            "audit_time_complete": self.time_complete,
            "consultancy_threat": self.consultancy_threat,
            "consultancy": self.consultancy_text,
            "declared_conflicts": self.conflicts,
            "suggested_reasons": list(self.suggested_reasons),
        }


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _auditor_counts(organization_id: int, standard_ids: list[int], on: dt.date) -> dict[int, int]:
    """Active auditor and lead-auditor qualifications per standard (distinct persons)."""
    from pdca.people.models import Qualification

    rows = (
        Qualification.objects.filter(
            organization_id=organization_id,
            standard_id__in=standard_ids,
            kind__in=[Qualification.Kind.AUDITOR, Qualification.Kind.LEAD_AUDITOR],
            status=Qualification.Status.ACTIVE,
            granted_on__lte=on,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .values("standard_id")
        .annotate(people=Count("person", distinct=True))
    )
    return {row["standard_id"]: row["people"] for row in rows}


def review_checks(application: Application, on: dt.date | None = None) -> ReviewChecks:
    """The automatic checks of the contract review on `on` (today): five queries, and those of
    the recorded consultancy, whatever the number of standards."""
    on = on or timezone.localdate()
    standards = list(application.standards.order_by("code"))
    accreditation = check_accreditation(
        application.organization_id, standards, application.sector_codes, on
    )
    days = dict(application.calculations.values_list("standard_id", "initial_days"))
    auditors = _auditor_counts(application.organization_id, [s.pk for s in standards], on)
    checks = tuple(
        StandardCheck(s, scheme_of(s)[0], days.get(s.pk), auditors.get(s.pk, 0)) for s in standards
    )
    threat = False
    text = "No consultancy declared."
    since = _years_before(on, CONSULTANCY_YEARS)
    if application.consultancy_received:
        until = application.consultancy_until
        threat = until is None or until >= since
        text = f"Consultancy by {application.consultancy_by or 'an unnamed consultant'}"
        text += f" until {until:%Y-%m-%d}" if until else ""
        text += (
            f": within the last {CONSULTANCY_YEARS} years, an impartiality threat to weigh "
            "(17021-1 5.2)."
            if threat
            else f": ended more than {CONSULTANCY_YEARS} years ago."
        )
    # Consultancy pdca recorded (engagements, consultant members) weighs like declared one.
    recorded_threat, recorded_text = recorded_summary(
        recorded_periods(application.client, on), since
    )
    threat = threat or recorded_threat
    text = f"{text} {recorded_text}" if recorded_text else text
    conflicts = (
        ConflictOfInterest.objects.filter(client_id=application.client_id, archived_at__isnull=True)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=_years_before(on, CONSULTANCY_YEARS)))
        .count()
    )
    suggested = []
    if not accreditation.accredited:
        suggested.append(Application.DeclineReason.NO_SCOPE.value)
    if any(not c.auditors for c in checks):
        suggested.append(Application.DeclineReason.NO_AUDITORS.value)
    if threat:
        suggested.append(Application.DeclineReason.IMPARTIALITY.value)
    return ReviewChecks(on, accreditation, checks, threat, text, conflicts, tuple(suggested))
