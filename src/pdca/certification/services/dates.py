"""The dates of a three-year certification cycle (reference 4.1, 4.3, 4.5; rules CYCLE-01,
SURV-01, SURV-02, RECERT-01, NC-02, SUSP-01 of reference 7). Pure functions: the services plan
and check with them, the tests walk them through leap years and late and early audits.

Where the reference marks a rule [M] (from memory) or where the number is ours, the constant
says so; docs/certification.md lists them as provisional."""

from __future__ import annotations

import calendar
import datetime as dt

#: A certificate is valid for three years from the certification decision (17021-1 9.1.3.2).
CYCLE_YEARS = 3
#: The first surveillance is due within twelve months of the decision (9.1.3.3).
FIRST_SURVEILLANCE_MONTHS = 12
#: Majors found at stage 2 must be verified within six months of its last day, or stage 2 is
#: repeated (reference 4.3, S15).
MAJOR_VERIFICATION_MONTHS = 6
#: A certificate may be restored within six months after it expired, when the outstanding
#: recertification activities are done; later, at least a stage 2 is needed ([M]).
RESTORATION_MONTHS = 6
#: A suspension may last at most six months before withdrawal or scope reduction ([M]).
MAX_SUSPENSION_MONTHS = 6
#: Common practice, not a 17021-1 rule ([M]): stage 2 within six months of stage 1, or stage 1
#: results are judged again.
STAGE2_AFTER_STAGE1_MONTHS = 6
#: Ours: the recertification audit is due this many days before expiry, leaving time for the
#: answers to findings and the decision, which must come before expiry.
RECERTIFICATION_MARGIN_DAYS = 60


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months; the 31st (or 29 February) becomes the month's last day, so a
    deadline never lands after the true one."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def anniversary(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February falls on 1 March in a common year (the
    anniversary of a leap day is the day after 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def expiry_date(decision: dt.date, *, years: int = CYCLE_YEARS) -> dt.date:
    """The last day of validity: the day before the third anniversary of the decision."""
    return anniversary(decision, years) - dt.timedelta(days=1)


def renewed_expiry(previous_expiry: dt.date) -> dt.date:
    """A recertification (or restoration) keeps the cycle's rhythm: the new expiry is three
    years after the old one (reference 4.1, 9.6.3.2)."""
    return expiry_date(previous_expiry + dt.timedelta(days=1))


def first_surveillance_due(decision: dt.date) -> dt.date:
    return add_months(decision, FIRST_SURVEILLANCE_MONTHS)


def second_surveillance_due(decision: dt.date, first_held: dt.date | None = None) -> dt.date:
    """Within 24 months of the decision, and in the calendar year after the first surveillance
    at the latest, so no calendar year of the cycle goes without one (SURV-02)."""
    first = first_held or first_surveillance_due(decision)
    return min(add_months(decision, 2 * FIRST_SURVEILLANCE_MONTHS), dt.date(first.year + 1, 12, 31))


def recertification_due(expiry: dt.date) -> dt.date:
    return expiry - dt.timedelta(days=RECERTIFICATION_MARGIN_DAYS)


def stage2_due(stage1_end: dt.date) -> dt.date:
    return add_months(stage1_end, STAGE2_AFTER_STAGE1_MONTHS)


def major_verification_deadline(stage2_end: dt.date) -> dt.date:
    return add_months(stage2_end, MAJOR_VERIFICATION_MONTHS)


def restoration_deadline(expiry: dt.date) -> dt.date:
    return add_months(expiry, RESTORATION_MONTHS)


def withdrawal_due(suspended_on: dt.date, limit_months: int) -> dt.date:
    return add_months(suspended_on, min(limit_months, MAX_SUSPENSION_MONTHS))


def programme_dates(decision: dt.date) -> dict[str, dt.date]:
    """The due dates of a certified cycle's audits, from its decision."""
    expiry = expiry_date(decision)
    first = first_surveillance_due(decision)
    return {
        "surveillance_1": first,
        "surveillance_2": second_surveillance_due(decision, first),
        "recertification": recertification_due(expiry),
        "expiry": expiry,
    }
