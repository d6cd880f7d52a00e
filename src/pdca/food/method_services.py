"""The organization's food safety method: reading it and saving a new one.

Saving a method re-scores nothing: each hazard analysis and exercise keeps the copy of the
method it was judged on, and takes the new one when it is next edited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction

from pdca.core.activity import record_activity, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.validation import apply_fields
from pdca.food.models import FoodSafetyMethod

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

METHOD_FIELDS = (
    "name",
    "likelihood_labels",
    "severity_labels",
    "significance_threshold",
    "trace_target_hours",
    "reconciliation_target_percent",
)
MIN_LEVELS, MAX_LEVELS = 2, 10
MAX_LABEL = 60


def method_for(organization: Organization) -> FoodSafetyMethod:
    """The organization's saved method, or an unsaved default one (reading never writes)."""
    method = FoodSafetyMethod.objects.filter(organization=organization).first()
    return method if method is not None else FoodSafetyMethod(organization=organization)


def _scale_errors(name: str, labels: Any) -> list[FieldError]:
    scale = name.removesuffix("_labels")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        return [FieldError(name, f"Give the {scale} scale as a list of labels, level 1 first.")]
    if not MIN_LEVELS <= len(labels) <= MAX_LEVELS:
        return [
            FieldError(
                name,
                f"The {scale} scale needs {MIN_LEVELS} to {MAX_LEVELS} levels; it has "
                f"{len(labels)}.",
            )
        ]
    errors = []
    seen: set[str] = set()
    for index, label in enumerate(labels):
        key = label.strip().casefold()
        if not key:
            errors.append(FieldError(f"{name}.{index}", f"Level {index + 1} has no label."))
        elif len(label.strip()) > MAX_LABEL:
            errors.append(
                FieldError(f"{name}.{index}", f"Level {index + 1}: at most {MAX_LABEL} characters.")
            )
        elif key in seen:
            errors.append(FieldError(f"{name}.{index}", f"Level {index + 1} repeats a label."))
        seen.add(key)
    return errors


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def validate_method(method: FoodSafetyMethod) -> None:
    errors = _scale_errors("likelihood_labels", method.likelihood_labels)
    errors += _scale_errors("severity_labels", method.severity_labels)
    if not (method.name or "").strip():
        errors.append(FieldError("name", "Give the method a name.", "required"))
    threshold = method.significance_threshold
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        errors.append(FieldError("significance_threshold", "Give a whole number from 1."))
    elif not errors and threshold > method.max_score:
        errors.append(
            FieldError(
                "significance_threshold",
                f"The highest possible score is {method.max_score}: a threshold of {threshold} "
                "would make no hazard significant.",
            )
        )
    hours = _decimal(method.trace_target_hours)
    if hours is None or not Decimal("0.1") <= hours <= Decimal("720"):
        errors.append(FieldError("trace_target_hours", "Give a number of hours from 0.1 to 720."))
    percent = _decimal(method.reconciliation_target_percent)
    if percent is None or not Decimal("1") <= percent <= Decimal("100"):
        errors.append(
            FieldError("reconciliation_target_percent", "Give a percentage from 1 to 100.")
        )
    if errors:
        raise ValidationFailed(errors)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    data = dict(fields)
    for name in ("likelihood_labels", "severity_labels"):
        if isinstance(data.get(name), list):
            data[name] = [x.strip() if isinstance(x, str) else x for x in data[name]]
    for name in ("trace_target_hours", "reconciliation_target_percent"):
        if name in data and data[name] is not None:
            number = _decimal(data[name])
            data[name] = number.quantize(Decimal("0.1")) if number is not None else data[name]
    return data


@transaction.atomic
def update_method(organization: Organization, *, actor: User, **fields: Any) -> FoodSafetyMethod:
    """Save the organization's method (the whole of it, or the fields given). Earlier hazard
    analyses and exercises keep the copy they were judged on."""
    require(actor, "change", FoodSafetyMethod, organization=organization)
    saved = FoodSafetyMethod.objects.filter(organization=organization).first()
    creating = saved is None
    method = (
        FoodSafetyMethod(organization=organization) if saved is None else lock_for_update(saved)
    )
    before = snapshot(method)
    apply_fields(method, _clean(fields), METHOD_FIELDS)
    validate_method(method)
    if creating:
        method.save()
        changes = {k: [None, v] for k, v in snapshot(method).items() if v not in (None, "")}
        record_activity(actor=actor, action="create", obj=method, changes=changes)
    else:
        save_changed(method)
        record_update(actor=actor, obj=method, before=before)
    return method
