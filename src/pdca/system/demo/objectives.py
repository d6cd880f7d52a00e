"""Demo measurements for the demo organization's objectives (idempotent).

Each active objective of `acme` without measurements gets a monthly series over the last eight
months (fewer when it started later), shaped so that the dashboard shows every status: the
first objective has achieved its target, the next ones are on track, at risk and off track.
Values are read from each objective's own baseline, target and direction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.permissions import may
from pdca.system.models import Objective
from pdca.system.objectives.services import (
    ACHIEVED,
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    Point,
    expected_on,
    record_measurement,
)
from pdca.tenancy.models import Organization

ORGANIZATION = "acme"
MANAGER = "quality@acme.example"
MONTHS = 8
#: What each objective shows, in order of creation; later ones are on track.
OUTCOMES = (ACHIEVED, ON_TRACK, AT_RISK, ON_TRACK, OFF_TRACK)
#: Where the latest value ends relative to the plan, as a share of the baseline-to-target
#: distance (positive: ahead). At risk is behind by at most 10%.
ENDING = {ON_TRACK: Decimal("0.04"), AT_RISK: Decimal("-0.05"), OFF_TRACK: Decimal("-0.30")}
#: Small month-to-month wobble, as a share of the distance, so the lines look measured.
WOBBLE = (
    Decimal("0.02"),
    Decimal("-0.015"),
    Decimal("0.01"),
    Decimal("-0.02"),
    Decimal("0.015"),
    Decimal("-0.01"),
)


def measurement_dates(objective: Objective, today: dt.date) -> list[dt.date]:
    """About monthly, the latest a few days ago, none before the objective's start."""
    last = today - dt.timedelta(days=4)
    dates = [last - dt.timedelta(days=30 * i) for i in range(MONTHS)]
    return sorted(d for d in dates if objective.start_date <= d <= today)


def _distance(objective: Objective, baseline: Decimal) -> Decimal:
    target = Decimal(objective.target)
    return abs(target - baseline) or max(abs(target) * Decimal("0.1"), Decimal(1))


def _sign(objective: Objective) -> int:
    return -1 if objective.direction == Objective.Direction.AT_MOST else 1


def _round(value: Decimal, distance: Decimal) -> Decimal:
    places = Decimal("0.1") if distance >= 5 else Decimal("0.01")
    return value.quantize(places)


def series(objective: Objective, outcome: str, today: dt.date) -> list[tuple[dt.date, Decimal]]:
    """The (date, value) pairs that make `objective` show `outcome` on `today`."""
    dates = measurement_dates(objective, today)
    if not dates:
        return []
    sign = _sign(objective)
    target = Decimal(objective.target)
    if objective.baseline is not None:
        baseline = Decimal(objective.baseline)
    else:
        # Without a baseline the first value stands in for it: start a fifth of the way
        # (or one unit) on the wrong side of the target.
        baseline = target - sign * max(abs(target) * Decimal("0.2"), Decimal(1))
    distance = _distance(objective, baseline)
    first = Point(dates[0], _round(baseline, distance))
    values = []
    for i, on in enumerate(dates):
        share = Decimal(i) / Decimal(max(len(dates) - 1, 1))
        if i == 0 and objective.baseline is None:
            values.append((on, first.value))
            continue
        expected = expected_on(objective, on, first)
        assert expected is not None  # `first` gives the plan its start
        if outcome == ACHIEVED:
            # Climb from the line to just past the target by the latest measurement.
            goal = target + sign * distance * Decimal("0.05")
            value = expected + (goal - expected) * share
        else:
            value = expected + sign * distance * ENDING[outcome] * share
        if i < len(dates) - 1:
            value += sign * distance * WOBBLE[i % len(WOBBLE)] * min(share, Decimal("0.5"))
        values.append((on, _round(value, distance)))
    return values


def load_measurements(context: dict) -> None:
    """Give the demo organization's objectives their measurements (once)."""
    org = Organization.objects.filter(slug=ORGANIZATION).first()
    manager = User.objects.filter(email=MANAGER).first()
    if org is None or manager is None:
        return
    today = timezone.localdate()
    active = Objective.objects.filter(organization=org, status=Objective.Status.ACTIVE)
    recorded = 0
    for index, objective in enumerate(active.select_related("owner").order_by("pk")):
        if objective.measurements.exists():
            continue
        outcome = OUTCOMES[index] if index < len(OUTCOMES) else ON_TRACK
        actor = (
            objective.owner
            if objective.owner and may(objective.owner, "change", objective)
            else manager
        )
        pairs = series(objective, outcome, today)
        for n, (on, value) in enumerate(pairs):
            record_measurement(
                objective,
                measured_on=on,
                value=value,
                note="Monthly review" if n == len(pairs) - 1 else "",
                actor=actor,
            )
            recorded += 1
    context["measurements"] = recorded
