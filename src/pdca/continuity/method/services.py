"""The organization's BIA method: reading it (a default until one is saved), checking a
proposed one, and saving it. Saving changes no analysis: each keeps the copy of the method it
was assessed with, so its grid still reads as it did."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.text import slugify

from pdca.continuity.durations import duration_label
from pdca.continuity.models import BiaMethod
from pdca.core.activity import record_activity, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.validation import apply_fields

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

METHOD_FIELDS = ("name", "categories", "time_points", "intolerable_level", "priority_limits")
MIN_LEVELS, MAX_LEVELS = 2, 10
MAX_CATEGORIES, MAX_POINTS = 12, 12
MAX_LABEL = 60
MAX_HOURS = 24 * 366


def method_for(organization: Organization) -> BiaMethod:
    """The organization's saved method, or an unsaved default one (reading never writes)."""
    method = BiaMethod.objects.filter(organization=organization).first()
    return method if method is not None else BiaMethod(organization=organization)


def snapshot_of(method: BiaMethod) -> dict[str, Any]:
    """What an analysis keeps of the method it was assessed with."""
    return {
        "name": method.name,
        "categories": [dict(c, levels=list(c["levels"])) for c in method.categories],
        "time_points": [dict(p) for p in method.time_points],
        "intolerable_level": method.intolerable_level,
        "priority_limits": list(method.priority_limits),
    }


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _label_error(path: str, what: str, label: Any) -> FieldError | None:
    if not isinstance(label, str) or not label.strip():
        return FieldError(path, f"{what} has no label.")
    if len(label.strip()) > MAX_LABEL:
        return FieldError(path, f"{what}: at most {MAX_LABEL} characters.")
    return None


def _category_errors(categories: Any) -> list[FieldError]:
    if not isinstance(categories, list) or not 1 <= len(categories) <= MAX_CATEGORIES:
        return [FieldError("categories", f"Give 1 to {MAX_CATEGORIES} impact categories.")]
    errors: list[FieldError] = []
    keys: set[str] = set()
    for index, category in enumerate(categories):
        path, number = f"categories.{index}", index + 1
        if not isinstance(category, dict) or not {"name", "levels"} <= set(category):
            errors.append(FieldError(path, f"Category {number}: give its name and levels."))
            continue
        problem = _label_error(f"{path}.name", f"Category {number}", category["name"])
        if problem:
            errors.append(problem)
        elif category.get("key") in keys:
            errors.append(FieldError(f"{path}.name", f"Category {number} repeats another's name."))
        keys.add(category.get("key", ""))
        levels = category["levels"]
        if not isinstance(levels, list) or not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
            errors.append(
                FieldError(
                    f"{path}.levels",
                    f"Category {number}: give {MIN_LEVELS} to {MAX_LEVELS} levels, lowest first.",
                )
            )
            continue
        for level, label in enumerate(levels, start=1):
            problem = _label_error(
                f"{path}.levels.{level - 1}", f"Category {number}, level {level}", label
            )
            if problem:
                errors.append(problem)
    return errors


def _point_errors(points: Any) -> list[FieldError]:
    if not isinstance(points, list) or not 1 <= len(points) <= MAX_POINTS:
        return [FieldError("time_points", f"Give 1 to {MAX_POINTS} time points.")]
    errors: list[FieldError] = []
    previous = 0
    for index, point in enumerate(points):
        path, number = f"time_points.{index}", index + 1
        hours: Any = point.get("hours") if isinstance(point, dict) else None
        if not _is_int(hours) or not 1 <= hours <= MAX_HOURS:
            errors.append(
                FieldError(f"{path}.hours", f"Time point {number}: 1 to {MAX_HOURS} hours.")
            )
            continue
        if hours <= previous:
            errors.append(
                FieldError(
                    f"{path}.hours",
                    f"Time point {number} ({duration_label(hours)}) must come after the one "
                    f"before ({duration_label(previous)}).",
                )
            )
        previous = hours
        problem = _label_error(f"{path}.label", f"Time point {number}", point.get("label"))
        if problem:
            errors.append(problem)
    return errors


def validate_method(method: BiaMethod) -> None:
    errors = _category_errors(method.categories) + _point_errors(method.time_points)
    if not errors:
        shortest = min(len(c["levels"]) for c in method.categories)
        if not _is_int(method.intolerable_level) or not 1 <= method.intolerable_level <= shortest:
            errors.append(
                FieldError(
                    "intolerable_level",
                    f"Choose a level every category has: 1 to {shortest}.",
                )
            )
    limits = method.priority_limits
    if not isinstance(limits, list) or len(limits) > 8 or not all(_is_int(x) for x in limits):
        errors.append(FieldError("priority_limits", "Give up to 8 limits in whole hours."))
    elif any(b <= a for a, b in itertools.pairwise(limits)) or any(x < 1 for x in limits):
        errors.append(
            FieldError("priority_limits", "Give the limits in rising order, from 1 hour on.")
        )
    if not str(method.name or "").strip():
        errors.append(FieldError("name", "Give the method a name."))
    if errors:
        raise ValidationFailed(errors)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Trim labels and give each category its key (from its name: old analyses keep theirs in
    their snapshot, so renaming one loses nothing)."""
    data = dict(fields)
    if isinstance(data.get("categories"), list):
        data["categories"] = [
            {
                "key": slugify(c["name"])[:40] or f"category-{i + 1}",
                "name": c["name"].strip(),
                "levels": [x.strip() if isinstance(x, str) else x for x in c["levels"]],
            }
            if isinstance(c, dict) and isinstance(c.get("name"), str) and "levels" in c
            else c
            for i, c in enumerate(data["categories"])
        ]
    if isinstance(data.get("time_points"), list):
        data["time_points"] = [
            {
                "hours": p["hours"],
                "label": (p.get("label") or "").strip() or duration_label(p["hours"]),
            }
            if isinstance(p, dict) and _is_int(p.get("hours"))
            else p
            for p in data["time_points"]
        ]
    if isinstance(data.get("name"), str):
        data["name"] = data["name"].strip()
    return data


@transaction.atomic
def update_method(organization: Organization, *, actor: User, **fields: Any) -> BiaMethod:
    """Create or change the organization's BIA method. Analyses already made keep the method
    they were assessed with until their impacts are assessed again."""
    require(actor, "change", BiaMethod, organization=organization)
    saved = BiaMethod.objects.select_for_update().filter(organization=organization).first()
    method = BiaMethod(organization=organization) if saved is None else lock_for_update(saved)
    before = snapshot(method)
    apply_fields(method, _clean(fields), METHOD_FIELDS)
    validate_method(method)
    if saved is None:
        method.save()
        changes = {k: [None, v] for k, v in snapshot(method).items() if v not in (None, "")}
        record_activity(actor=actor, action="create", obj=method, changes=changes)
    else:
        save_changed(method)
        record_update(actor=actor, obj=method, before=before)
    return method
