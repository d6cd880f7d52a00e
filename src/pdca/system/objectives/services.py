"""Objective tracking: whether an objective is on track, and recording its measurements.

The on-track rule (`tracking`) is pure: it reads the objective's plan (baseline at the start
date, target at the due date, direction), its latest measurement and today's date. The plan is
a straight line from the baseline to the target; the latest measurement is compared with the
value the line expects on the measurement's date:

- `achieved`: the latest value meets the target (at least / at most, as the objective says);
- `on_track`: it meets the expected value (exactly on the line counts);
- `at_risk`: it misses the expected value by at most 10% of the baseline-to-target distance;
- `off_track`: it misses by more, or the due date has passed without meeting the target;
- `no_data`: nothing measured yet (and the due date has not passed).

Without a baseline, the first measurement stands in for it, on its own date. A latest
measurement older than 90 days makes the result `stale` (a flag, not a status). Closed
objectives (achieved, not achieved, cancelled) show their own status instead.

Measurements are written by `record_measurement`, `update_measurement` and
`delete_measurement`; whoever may change the objective may record its measurements.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from pdca.core.activity import record_create, record_delete, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.records.rules import ensure_deletable
from pdca.core.validation import apply_fields, validate_instance
from pdca.system.models import Measurement, Objective

if TYPE_CHECKING:
    from pdca.accounts.models import User

#: A latest measurement older than this is flagged stale.
STALE_AFTER_DAYS = 90
#: A miss of at most this share of the baseline-to-target distance is "at risk", not "off track".
AT_RISK_SHARE = Decimal("0.1")
#: Values are stored with four decimals; expected values are rounded the same way, so a
#: measurement exactly on the line compares equal.
PLACES = Decimal("0.0001")

NO_DATA = "no_data"
ACHIEVED = "achieved"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"

LABELS = {
    NO_DATA: "No data",
    ACHIEVED: "Achieved",
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    OFF_TRACK: "Off track",
    Objective.Status.NOT_ACHIEVED: "Not achieved",
    Objective.Status.CANCELLED: "Cancelled",
}
#: Bootstrap badge classes, traffic-light style.
BADGES = {
    NO_DATA: "text-bg-secondary",
    ACHIEVED: "text-bg-primary",
    ON_TRACK: "text-bg-success",
    AT_RISK: "text-bg-warning",
    OFF_TRACK: "text-bg-danger",
    Objective.Status.NOT_ACHIEVED: "text-bg-dark",
    Objective.Status.CANCELLED: "text-bg-light border",
}
CLOSED = frozenset(
    {Objective.Status.ACHIEVED, Objective.Status.NOT_ACHIEVED, Objective.Status.CANCELLED}
)
EDITABLE = ("measured_on", "value", "note")


class Reading(Protocol):
    """Anything with a value on a date: a Measurement, or a row read from annotations."""

    @property
    def measured_on(self) -> dt.date: ...

    @property
    def value(self) -> Decimal: ...


@dataclass(frozen=True)
class Point:
    """One reading built from annotations (`with_latest`) rather than a Measurement row."""

    measured_on: dt.date
    value: Decimal


@dataclass(frozen=True)
class Tracking:
    """Where an objective stands: its status, the value the plan expects and the gap to it.

    `gap` is positive when the latest value is ahead of the plan and negative when behind,
    whatever the direction (for "at most" objectives, lower is ahead). `badge` is the status
    as a Bootstrap badge; `label` and `css` are its parts.
    """

    status: str
    expected: Decimal | None = None
    gap: Decimal | None = None
    latest: Decimal | None = None
    latest_on: dt.date | None = None
    stale: bool = False
    closed: bool = False

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def css(self) -> str:
        return BADGES[self.status]

    def __str__(self) -> str:
        return self.label + (" (stale)" if self.stale else "")

    @property
    def badge(self) -> SafeString:
        """The status as a Bootstrap badge (`{{ objective.tracking.badge }}`)."""
        return self.__html__()

    def __html__(self) -> SafeString:
        title = (
            f"Latest measurement {self.latest_on:%Y-%m-%d}, older than {STALE_AFTER_DAYS} days"
            if self.stale
            else self.label
        )
        return format_html(
            '<span class="badge {}" title="{}">{}{}</span>',
            self.css,
            title,
            self.label,
            " · stale" if self.stale else "",
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "label": self.label,
            "expected": self.expected,
            "gap": self.gap,
            "latest": self.latest,
            "latest_on": self.latest_on,
            "stale": self.stale,
            "closed": self.closed,
        }


def plain(value: Decimal | float) -> str:
    """A value as people write it: no trailing zeros, no exponent ("12.5", "100")."""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text == "-0" else text


def with_unit(value: Decimal | float, unit: str, places: int | None = None) -> str:
    """ "12.5%", "3 days", "7" (no unit); computed values are shown to `places` decimals."""
    if places is not None:
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    unit = (unit or "").strip()
    if not unit:
        return plain(value)
    return f"{plain(value)}{unit}" if unit == "%" else f"{plain(value)} {unit}"


def _round(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_EVEN)


def meets(objective: Objective, value: Decimal, reference: Decimal) -> bool:
    """True when `value` is at least (or at most) `reference`, as the objective's direction
    says."""
    if objective.direction == Objective.Direction.AT_MOST:
        return value <= reference
    return value >= reference


def plan_start(objective: Objective, first: Reading | None) -> tuple[dt.date, Decimal] | None:
    """Where the planned line starts: the baseline at the start date or, without a baseline,
    the first measurement on its own date (None when neither exists)."""
    if objective.baseline is not None:
        return objective.start_date, Decimal(objective.baseline)
    if first is not None:
        return first.measured_on, Decimal(first.value)
    return None


def expected_on(objective: Objective, on: dt.date, first: Reading | None = None) -> Decimal | None:
    """The value the plan expects on `on`: the straight line from the baseline at its date to
    the target at the due date, flat before and after them."""
    start = plan_start(objective, first)
    target = Decimal(objective.target)
    if start is None:
        return _round(target) if on >= objective.due_date else None
    start_on, baseline = start
    if on >= objective.due_date:
        return _round(target)
    if on <= start_on:
        return _round(baseline)
    elapsed = Decimal((on - start_on).days)
    total = Decimal((objective.due_date - start_on).days)
    return _round(baseline + (target - baseline) * elapsed / total)


def tracking(
    objective: Objective,
    latest: Reading | None,
    today: dt.date,
    *,
    first: Reading | None = None,
) -> Tracking:
    """Where `objective` stands on `today` given its `latest` measurement (`first` is only
    read when the objective has no baseline: the first measurement stands in for it)."""
    if objective.status in CLOSED:
        return Tracking(
            status=objective.status,
            latest=latest.value if latest else None,
            latest_on=latest.measured_on if latest else None,
            closed=True,
        )
    due_passed = today > objective.due_date
    if latest is None:
        return Tracking(
            status=OFF_TRACK if due_passed else NO_DATA,
            expected=expected_on(objective, today, first),
        )
    value = Decimal(latest.value)
    target = Decimal(objective.target)
    stale = (today - latest.measured_on).days > STALE_AFTER_DAYS
    expected = expected_on(objective, latest.measured_on, first or latest)
    assert expected is not None  # a reading gives the plan its start
    ahead = (
        value - expected
        if objective.direction == Objective.Direction.AT_LEAST
        else (expected - value)
    )
    common = functools.partial(
        Tracking,
        expected=expected,
        gap=_round(ahead),
        latest=value,
        latest_on=latest.measured_on,
        stale=stale,
    )
    if meets(objective, value, target):
        return common(status=ACHIEVED)
    if due_passed:
        return common(status=OFF_TRACK)
    if ahead >= 0:
        return common(status=ON_TRACK)
    start = plan_start(objective, first or latest)
    distance = abs(target - start[1]) if start else Decimal(0)
    if -ahead <= distance * AT_RISK_SHARE:
        return common(status=AT_RISK)
    return common(status=OFF_TRACK)


def tracking_of(objective: Objective, today: dt.date | None = None) -> Tracking:
    """`tracking` for one objective, reading its latest (and first) measurement from the
    `with_latest` annotations when present, from prefetched measurements when loaded, and
    from the database otherwise."""
    today = today or timezone.localdate()
    latest: Reading | None
    first: Reading | None
    if hasattr(objective, "latest_on"):
        row: Any = objective  # with the `with_latest` annotations
        latest = Point(row.latest_on, row.latest_value) if row.latest_on else None
        first = Point(row.first_on, row.first_value) if row.first_on else None
        return tracking(objective, latest, today, first=first)
    cache = getattr(objective, "_prefetched_objects_cache", {})
    if "measurements" in cache:
        rows = sorted(cache["measurements"], key=lambda m: m.measured_on)
        # A sliced prefetch may hold only the recent ones: the first is then approximate,
        # which only matters without a baseline.
        return tracking(
            objective, rows[-1] if rows else None, today, first=rows[0] if rows else None
        )
    measurements = objective.measurements.order_by("measured_on")
    latest = measurements.last()
    first = measurements.first() if objective.baseline is None and latest else None
    return tracking(objective, latest, today, first=first)


def with_latest(
    queryset: models.QuerySet[Objective], *, as_of: dt.date | None = None
) -> models.QuerySet[Objective]:
    """Objectives annotated with their latest and first measurement (`latest_value`,
    `latest_on`, `first_value`, `first_on`), so a list computes tracking for every row
    without one query per row; with `as_of`, of the measurements taken by that date."""
    taken = Measurement.objects.filter(objective=OuterRef("pk"))
    if as_of is not None:
        taken = taken.filter(measured_on__lte=as_of)
    newest = taken.order_by("-measured_on")
    oldest = taken.order_by("measured_on")
    return queryset.annotate(
        latest_value=Subquery(newest.values("value")[:1]),
        latest_on=Subquery(newest.values("measured_on")[:1]),
        first_value=Subquery(oldest.values("value")[:1]),
        first_on=Subquery(oldest.values("measured_on")[:1]),
    )


# --- measurements ---------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal:
    """The value as a finite Decimal, or a field error on `value`."""
    if value is None or value == "":
        raise ValidationFailed.single("value", "Enter the measured value.", code="required")
    if isinstance(value, bool):
        raise ValidationFailed.single("value", "Enter a number.")
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationFailed.single("value", "Enter a number.") from None
    if not number.is_finite():
        raise ValidationFailed.single("value", "Enter a finite number (not NaN or infinity).")
    return number


def _check_open(objective: Objective) -> None:
    if objective.status in CLOSED:
        raise Conflict(
            f"“{objective.title}” is {objective.get_status_display().lower()}: set it back to "
            "active to change its measurements.",
            code="objective_closed",
        )


def _check(measurement: Measurement) -> None:
    objective = measurement.objective
    errors = []
    on = measurement.measured_on
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        errors.append(FieldError("measured_on", "Enter the date of the measurement.", "required"))
    elif on < objective.start_date:
        errors.append(
            FieldError(
                "measured_on",
                f"The objective starts on {objective.start_date:%Y-%m-%d}: a measurement "
                "cannot be dated before that.",
            )
        )
    elif on > timezone.localdate():
        errors.append(FieldError("measured_on", "A measurement cannot be dated in the future."))
    elif (
        Measurement.objects.filter(objective_id=objective.pk, measured_on=on)
        .exclude(pk=measurement.pk)
        .exists()
    ):
        errors.append(_duplicate(on))
    if errors:
        raise ValidationFailed(errors)
    validate_instance(
        measurement, exclude=["objective", "organization", "recorded_by", "measured_on"]
    )


def _duplicate(on: dt.date) -> FieldError:
    return FieldError(
        "measured_on",
        f"This objective already has a measurement on {on:%Y-%m-%d}: edit that one instead.",
        "duplicate",
    )


def _save(measurement: Measurement, *, changed_only: bool = False) -> None:
    # Two people recording the same day at once: the constraint decides, the error reads
    # the same as the check above.
    try:
        with transaction.atomic():
            if changed_only:
                save_changed(measurement)
            else:
                measurement.save()
    except IntegrityError:
        raise ValidationFailed(_duplicate(measurement.measured_on)) from None


@transaction.atomic
def record_measurement(
    objective: Objective,
    *,
    measured_on: dt.date,
    value: Decimal | float | int | str,
    note: str = "",
    actor: User,
) -> Measurement:
    """Record the indicator's value on a date (one per day); whoever may change the objective
    may record it."""
    require(actor, "change", objective)
    _check_open(objective)
    measurement = Measurement(
        organization_id=objective.organization_id,
        objective=objective,
        measured_on=measured_on,
        value=_decimal(value),
        note=(note or "").strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check(measurement)
    _save(measurement)
    record_create(actor=actor, obj=measurement)
    return measurement


@transaction.atomic
def update_measurement(measurement: Measurement, *, actor: User, **fields: Any) -> Measurement:
    """Correct a measurement's date, value or note."""
    lock_for_update(measurement)
    objective = measurement.objective
    require(actor, "change", objective)
    _check_open(objective)
    before = snapshot(measurement)
    if "value" in fields:
        fields["value"] = _decimal(fields["value"])
    apply_fields(measurement, fields, EDITABLE)
    _check(measurement)
    _save(measurement, changed_only=True)
    record_update(actor=actor, obj=measurement, before=before)
    return measurement


@transaction.atomic
def delete_measurement(measurement: Measurement, *, actor: User) -> None:
    """Remove a measurement recorded by mistake (the activity log keeps its values)."""
    require(actor, "change", measurement.objective)
    _check_open(measurement.objective)
    ensure_deletable(measurement)
    record_delete(actor=actor, obj=measurement)
    measurement.delete()
