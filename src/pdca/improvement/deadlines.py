"""Deadlines of certification findings, from the certification body's terms.

A finding of a certification audit is answered within the body's time, counted from the last
day of the audit: for a major, correction, cause and corrective-action plan first, then the
corrective action verified before the certification decision; for a minor, a plan the body
accepts (verified at the next audit unless the body sets a date). After stage 2, a major's
corrective action must be verified within six months of its last day or another stage 2 is
needed (ISO/IEC 17021-1), whatever the body's own terms allow.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.improvement import hooks
from pdca.improvement.models import CertificationTerms, Nonconformity

#: The terms applied when the organization recorded none: common practice (30 days for the
#: response, 90 for a major's verified closure), not a rule of ISO/IEC 17021-1.
DEFAULT_TERMS = CertificationTerms(
    name="Default terms",
    major_response_days=30,
    major_closure_days=90,
    minor_response_days=30,
    minor_closure_days=None,
    escalate_after_days=7,
)
STAGE2_MAJOR_LIMIT_MONTHS = 6
#: States in which the response (correction, cause, plan) is still owed.
RESPONSE_PENDING = frozenset(
    {
        Nonconformity.Status.REPORTED,
        Nonconformity.Status.TRIAGED,
        Nonconformity.Status.CONTAINED,
        Nonconformity.Status.CAUSE_ANALYSED,
    }
)
#: States in which the verified closure is still owed.
CLOSURE_PENDING = RESPONSE_PENDING | {
    Nonconformity.Status.ACTION_PLANNED,
    Nonconformity.Status.IMPLEMENTED,
}


@dataclass(frozen=True)
class Deadlines:
    response_due: dt.date | None
    closure_due: dt.date | None
    #: What the body needs before its certification decision, in words.
    before_decision: str


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def compute_deadlines(
    *, severity: str, audit_type: str, last_day: dt.date, terms: CertificationTerms
) -> Deadlines:
    """The response and closure dates of a finding of `severity` from an audit of
    `audit_type` that ended on `last_day`, under `terms`."""
    if severity == Nonconformity.Severity.MAJOR:
        closure = last_day + dt.timedelta(days=terms.major_closure_days)
        if audit_type == "stage2":
            closure = min(closure, add_months(last_day, STAGE2_MAJOR_LIMIT_MONTHS))
        return Deadlines(
            last_day + dt.timedelta(days=terms.major_response_days),
            closure,
            "Correction and corrective action reviewed, accepted and verified by the body.",
        )
    if severity == Nonconformity.Severity.MINOR:
        minor_closure = (
            last_day + dt.timedelta(days=terms.minor_closure_days)
            if terms.minor_closure_days
            else None
        )
        return Deadlines(
            last_day + dt.timedelta(days=terms.minor_response_days),
            minor_closure,
            "The plan for correction and corrective action accepted by the body; "
            + ("verified by the closure date." if minor_closure else "verified at the next audit."),
        )
    return Deadlines(None, None, "")


def default_terms(organization) -> CertificationTerms | None:
    return CertificationTerms.objects.filter(organization=organization, is_default=True).first()


def terms_for(nonconformity: Nonconformity) -> CertificationTerms:
    """The terms that apply: the chosen body's, else the organization's default, else ours."""
    if nonconformity.certification_terms:
        return nonconformity.certification_terms
    return default_terms(nonconformity.organization_id) or DEFAULT_TERMS


def audit_of(nonconformity: Nonconformity):
    """The audit whose finding opened this nonconformity, if one did."""
    if nonconformity.pk is None:
        return None
    from pdca.audits.models import Finding

    finding = (
        Finding.objects.select_related("audit").filter(nonconformity_id=nonconformity.pk).first()
    )
    return finding.audit if finding else None


def deadlines_for(nonconformity: Nonconformity, audit=None) -> Deadlines | None:
    """The deadlines of a certification finding, or None for any other nonconformity."""
    if nonconformity.source != Nonconformity.Source.CERTIFICATION_AUDIT:
        return None
    audit = audit or audit_of(nonconformity)
    if audit is None:
        if nonconformity.pk is None:
            return None
        # Raised by a linked body's finding: the body's review holds the dates.
        answers = [d for d in hooks.body_deadlines.call(nonconformity) if d is not None]
        return answers[0] if answers else None  # type: ignore[return-value]
    return compute_deadlines(
        severity=nonconformity.severity,
        audit_type=audit.audit_type,
        last_day=audit.end_date,
        terms=terms_for(nonconformity),
    )


def apply_deadlines(nonconformity: Nonconformity, audit=None) -> None:
    """Set a certification finding's response and closure dates (before it is saved); its due
    date follows the closure date (or the response date when the body sets no closure)."""
    deadlines = deadlines_for(nonconformity, audit)
    if deadlines is None:
        nonconformity.response_due = nonconformity.closure_due = None
        return
    previous = nonconformity.closure_due or nonconformity.response_due
    nonconformity.response_due = deadlines.response_due
    nonconformity.closure_due = deadlines.closure_due
    if nonconformity.due_date is None or nonconformity.due_date == previous:
        nonconformity.due_date = deadlines.closure_due or deadlines.response_due


def refresh_deadlines(nonconformity: Nonconformity, audit, *, actor, message: str) -> None:
    """Recompute and save a certification finding's dates after its audit link or severity
    changed, with an activity entry when they moved."""
    from pdca.core.activity import record_update, snapshot

    before = snapshot(nonconformity)
    apply_deadlines(nonconformity, audit)
    fields = ("response_due", "closure_due", "due_date")
    after = snapshot(nonconformity)
    if all(before.get(name) == after.get(name) for name in fields):
        return
    nonconformity.save(update_fields=[*fields, "updated_at"])
    record_update(actor=actor, obj=nonconformity, before=before, message=message)


def overdue_q(today: dt.date) -> Q:
    """Open nonconformities past a date they owe: their own due date, or a certification
    body's response or closure deadline still owed. The one definition of "overdue" that lists,
    analytics, task lists and reminders share (a certification finding whose response is late
    is overdue even when its closure date is months away)."""
    open_ = ~Q(status__in=[Nonconformity.Status.CLOSED, Nonconformity.Status.DISMISSED])
    return open_ & (
        Q(due_date__lt=today)
        | Q(response_due__lt=today, status__in=RESPONSE_PENDING)
        | Q(closure_due__lt=today, status__in=CLOSURE_PENDING)
    )


def overdue_since(nonconformity: Nonconformity, today: dt.date) -> dt.date | None:
    """The earliest date the nonconformity owes and has passed (None when nothing is late)."""
    if nonconformity.status in (Nonconformity.Status.CLOSED, Nonconformity.Status.DISMISSED):
        return None
    owed = [nonconformity.due_date]
    if nonconformity.status in RESPONSE_PENDING:
        owed.append(nonconformity.response_due)
    if nonconformity.status in CLOSURE_PENDING:
        owed.append(nonconformity.closure_due)
    late = [day for day in owed if day is not None and day < today]
    return min(late) if late else None


def pending_deadline(nonconformity: Nonconformity) -> tuple[str, dt.date] | None:
    """The next certification deadline still owed, as (what is owed, date)."""
    status = nonconformity.status
    if nonconformity.response_due and status in RESPONSE_PENDING:
        return "Correction, cause and action plan", nonconformity.response_due
    if nonconformity.closure_due and status in CLOSURE_PENDING:
        return "Corrective action verified", nonconformity.closure_due
    return None


def validate_terms_choice(nonconformity: Nonconformity) -> None:
    """Only certification findings follow a body's terms; an audit finding's severity is the
    auditor's grade, changed by regrading the finding, not in the register."""
    if nonconformity.pk is not None:
        stored = (
            Nonconformity.objects.filter(pk=nonconformity.pk)
            .values_list("severity", flat=True)
            .first()
        )
        if stored != nonconformity.severity and audit_of(nonconformity) is not None:
            raise ValidationFailed.single(
                "severity",
                "The severity of an audit finding's nonconformity is the auditor's grade: the "
                "auditor regrades the finding.",
                "graded_by_auditor",
            )
    if (
        nonconformity.certification_terms_id
        and nonconformity.source != Nonconformity.Source.CERTIFICATION_AUDIT
    ):
        raise ValidationFailed.single(
            "certification_terms",
            "Only a certification audit's findings follow a certification body's deadlines.",
        )


def validate_terms(terms: CertificationTerms) -> None:
    """The response comes before the closure, and one body at most is the default."""
    errors: list[FieldError] = []
    if terms.major_response_days < 1:
        errors.append(FieldError("major_response_days", "Give at least one day."))
    if terms.minor_response_days < 1:
        errors.append(FieldError("minor_response_days", "Give at least one day."))
    if terms.major_closure_days < terms.major_response_days:
        errors.append(
            FieldError(
                "major_closure_days",
                f"The closure cannot come before the response ({terms.major_response_days} days).",
            )
        )
    if (
        terms.minor_closure_days is not None
        and terms.minor_closure_days < terms.minor_response_days
    ):
        errors.append(
            FieldError(
                "minor_closure_days",
                "The closure cannot come before the response "
                f"({terms.minor_response_days} days); leave it blank for the next audit.",
            )
        )
    if terms.is_default:
        other = (
            CertificationTerms.objects.filter(
                organization_id=terms.organization_id, is_default=True
            )
            .exclude(pk=terms.pk)
            .first()
        )
        if other is not None:
            errors.append(
                FieldError(
                    "is_default",
                    f"{other.name} is the default already: clear it there first.",
                    "default_taken",
                )
            )
    if errors:
        raise ValidationFailed(errors)
