"""The rules of business impact analysis, in one place:

- `derive_mtpd`: the suggested maximum tolerable period of disruption, from the impact grid;
- `priority_for`: an activity's priority, from its MTPD and the method's limits;
- `clean_grid`: an impact grid checked against a method (categories, time points, levels);
- `validate_bia` / `apply_derived`: the register's hooks (RTO within MTPD, dependencies within
  the RTO, unique activity names; the stored suggestion and priority);
- `validate_dependency`: a dependency must be back no later than its activity's RTO.

Both dependency checks refuse rather than warn: an activity cannot keep its RTO if a
resource it cannot run without comes back later.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from pdca.continuity.durations import duration_label
from pdca.continuity.models import BiaDependency, BusinessImpactAnalysis
from pdca.core.exceptions import FieldError, ValidationFailed


def _points(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return list(snapshot.get("time_points") or [])


def derive_mtpd(grid: dict[str, list[int | None]], snapshot: dict[str, Any]) -> int | None:
    """The first time point (in hours) at which any category's impact reaches the method's
    intolerable level; None when none does (or nothing is assessed)."""
    intolerable = snapshot.get("intolerable_level")
    if not intolerable:
        return None
    for index, point in enumerate(_points(snapshot)):
        for levels in grid.values():
            level = levels[index] if index < len(levels) else None
            if level is not None and level >= intolerable:
                return int(point["hours"])
    return None


def priority_for(mtpd_hours: int | None, snapshot: dict[str, Any]) -> int | None:
    """1 for an MTPD within the first limit, 2 within the second…, one more past the last."""
    if mtpd_hours is None:
        return None
    limits = list(snapshot.get("priority_limits") or [])
    for rank, limit in enumerate(limits, start=1):
        if mtpd_hours <= limit:
            return rank
    return len(limits) + 1


def empty_grid(snapshot: dict[str, Any]) -> dict[str, list[int | None]]:
    size = len(_points(snapshot))
    return {c["key"]: [None] * size for c in snapshot.get("categories") or []}


def clean_grid(raw: Any, snapshot: dict[str, Any]) -> dict[str, list[int | None]]:
    """`raw` ({category key: [level or None per time point]}) checked against the method in
    `snapshot`; missing categories are left unassessed. Raises ValidationFailed naming
    `impacts.<key>` or `impacts.<key>.<index>`."""
    if not isinstance(raw, dict):
        raise ValidationFailed.single("impacts", "Give the impacts per category key.")
    categories = {c["key"]: c for c in snapshot.get("categories") or []}
    points = _points(snapshot)
    grid = empty_grid(snapshot)
    errors: list[FieldError] = []
    for key, levels in raw.items():
        category = categories.get(key)
        if category is None:
            known = ", ".join(categories)
            errors.append(FieldError(f"impacts.{key}", f"No such category; use one of: {known}."))
            continue
        if not isinstance(levels, list) or len(levels) != len(points):
            errors.append(
                FieldError(
                    f"impacts.{key}",
                    f"Give one level (or null) for each of the {len(points)} time points.",
                )
            )
            continue
        top = len(category["levels"])
        for index, level in enumerate(levels):
            if level is None:
                continue
            if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= top:
                errors.append(
                    FieldError(
                        f"impacts.{key}.{index}",
                        f"{category['name']} at {points[index]['label']}: choose a level from "
                        f"1 to {top}.",
                    )
                )
        grid[key] = list(levels)
    if errors:
        raise ValidationFailed(errors)
    return grid


def _unique_activity(bia: BusinessImpactAnalysis) -> list[FieldError]:
    clash = (
        BusinessImpactAnalysis.objects.filter(
            organization_id=bia.organization_id, activity__iexact=bia.activity.strip()
        )
        .exclude(pk=bia.pk)
        .exists()
    )
    if clash:
        return [FieldError("activity", "This activity already has a business impact analysis.")]
    return []


def validate_bia(bia: BusinessImpactAnalysis, related: dict[str, list[Any]]) -> None:
    """The register's rules for an analysis: the RTO within the MTPD (the chosen one, or the
    grid's suggestion while none is chosen), and no dependency needed back after the RTO."""
    errors = _unique_activity(bia) + stays_approved(bia, BusinessImpactAnalysis.Status.APPROVED)
    mtpd = bia.mtpd_hours if bia.mtpd_hours is not None else _suggestion(bia)
    if bia.rto_hours is not None and mtpd is not None and bia.rto_hours > mtpd:
        errors.append(
            FieldError(
                "rto_hours",
                f"The recovery time objective ({duration_label(bia.rto_hours)}) must be within "
                f"the maximum tolerable period of disruption ({duration_label(mtpd)}).",
                "rto_beyond_mtpd",
            )
        )
    if bia.pk is not None and bia.rto_hours is not None:
        late = list(
            BiaDependency.objects.filter(bia=bia, rto_hours__gt=bia.rto_hours).order_by("name")
        )
        if late:
            names = ", ".join(f"{d.name} ({duration_label(d.rto_hours)})" for d in late[:5])
            errors.append(
                FieldError(
                    "rto_hours",
                    f"Dependencies would come back after this RTO: {names}. Shorten their "
                    "recovery times first.",
                    "dependency_beyond_rto",
                )
            )
    if errors:
        raise ValidationFailed(errors)


def _suggestion(bia: BusinessImpactAnalysis) -> int | None:
    return derive_mtpd(bia.impacts or {}, bia.method_snapshot or {})


def apply_derived(bia: BusinessImpactAnalysis) -> None:
    """Store what follows from the grid and the choices: the suggested MTPD, the priority,
    the date of approval; a new analysis takes the organization's current method."""
    from pdca.continuity.method.services import method_for, snapshot_of

    if not bia.method_snapshot:
        bia.method_snapshot = snapshot_of(method_for(bia.organization))
    if not bia.impacts:
        bia.impacts = empty_grid(bia.method_snapshot)
    bia.suggested_mtpd_hours = _suggestion(bia)
    bia.priority = priority_for(bia.mtpd_effective_hours, bia.method_snapshot)
    if bia.status == BusinessImpactAnalysis.Status.APPROVED and bia.approved_on is None:
        bia.approved_on = timezone.localdate()
    elif bia.status != BusinessImpactAnalysis.Status.APPROVED:
        bia.approved_on = None


def validate_dependency(dependency: BiaDependency, related: dict[str, list[Any]]) -> None:
    """A dependency must be back no later than its activity's recovery time objective."""
    bia = dependency.bia
    rto = bia.rto_hours
    if dependency.rto_hours is not None and rto is not None and dependency.rto_hours > rto:
        raise ValidationFailed.single(
            "rto_hours",
            f"{bia.activity} must run again within {duration_label(rto)} (its RTO): this "
            f"dependency must be back by then, not after {duration_label(dependency.rto_hours)}.",
            "dependency_beyond_rto",
        )


def stays_approved(obj: Any, approved: str) -> list[FieldError]:
    """An approved entry is a record: it may be revised, but not sent back to draft."""
    locked = getattr(obj, "_locked_values", None) or {}
    if locked.get("status") == approved and obj.status != approved:
        return [
            FieldError(
                "status",
                "It was approved and is a record: revise it in place (the history keeps each "
                "change) or archive it.",
                "is_record",
            )
        ]
    return []
