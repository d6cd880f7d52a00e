"""The organization's significance method: reading it (a default until it saves its own),
checking a proposed one, and saving it. Saving never re-assesses aspects: each keeps the copy
of the method it was assessed with, and its page says when the method has changed since."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.text import slugify

from pdca.core.activity import record_activity, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.validation import apply_fields
from pdca.environment.models import SignificanceMethod
from pdca.environment.significance import score_range

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

METHOD_FIELDS = ("name", "criteria", "rule", "threshold", "legal_max_significant")
MAX_CRITERIA = 10
MAX_LABEL = 60
MAX_POINTS = 100
#: The combined score is stored in an integer column: methods giving more are refused.
MAX_SCORE = 1_000_000


def method_for(organization: Organization) -> SignificanceMethod:
    """The organization's saved method, or an unsaved default one (reading never writes)."""
    method = SignificanceMethod.objects.filter(organization=organization).first()
    return method if method is not None else SignificanceMethod(organization=organization)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def key_for(label: str) -> str:
    return slugify(label).replace("-", "_")[:40]


def _criterion_errors(index: int, item: Any, seen: dict[str, int]) -> list[FieldError]:
    path, number = f"criteria.{index}", index + 1
    if (
        not isinstance(item, dict)
        or not {"label", "min", "max"} <= set(item)
        or not set(item) <= {"key", "label", "min", "max", "legal"}
    ):
        return [FieldError(path, f"Criterion {number}: give its label, min, max and legal.")]
    errors = []
    label = item["label"]
    if not isinstance(label, str) or not label.strip() or not key_for(label):
        errors.append(FieldError(f"{path}.label", f"Criterion {number} has no label."))
    elif len(label.strip()) > MAX_LABEL:
        errors.append(
            FieldError(f"{path}.label", f"Criterion {number}: at most {MAX_LABEL} characters.")
        )
    else:
        key = key_for(label)
        if key in seen:
            errors.append(
                FieldError(
                    f"{path}.label",
                    f"Criterion {number} repeats the label of criterion {seen[key]}.",
                    "duplicate",
                )
            )
        seen[key] = number
    low, high = item["min"], item["max"]
    if not _is_int(low) or not 0 <= low < MAX_POINTS:
        errors.append(
            FieldError(f"{path}.min", f"Criterion {number}: the lowest score is 0 to 99.")
        )
    elif not _is_int(high) or not low < high <= MAX_POINTS:
        errors.append(
            FieldError(
                f"{path}.max",
                f"Criterion {number}: the highest score must be above the lowest ({low}) and "
                f"at most {MAX_POINTS}.",
            )
        )
    if not isinstance(item.get("legal", False), bool):
        errors.append(FieldError(f"{path}.legal", f"Criterion {number}: legal is true or false."))
    return errors


def validate_method(method: SignificanceMethod) -> None:
    """Check a method's fields; raise ValidationFailed naming every faulty field
    (`criteria.2.max`, `threshold`, ...)."""
    errors: list[FieldError] = []
    if not isinstance(method.name, str) or not method.name.strip():
        errors.append(FieldError("name", "Give the method a name."))
    elif len(method.name) > 100:
        errors.append(FieldError("name", "At most 100 characters."))
    criteria = method.criteria
    if not isinstance(criteria, list) or not 1 <= len(criteria) <= MAX_CRITERIA:
        errors.append(FieldError("criteria", f"Give 1 to {MAX_CRITERIA} criteria."))
        criteria_ok = False
    else:
        seen: dict[str, int] = {}
        before = len(errors)
        for index, item in enumerate(criteria):
            errors += _criterion_errors(index, item, seen)
        criteria_ok = len(errors) == before
    rule_ok = method.rule in SignificanceMethod.Rule.values
    if not rule_ok:
        errors.append(
            FieldError("rule", f"Choose one of: {', '.join(SignificanceMethod.Rule.values)}.")
        )
    if not isinstance(method.legal_max_significant, bool):
        errors.append(FieldError("legal_max_significant", "Give true or false."))
    low = high = None
    if criteria_ok and rule_ok:
        low, high = score_range({"criteria": criteria, "rule": method.rule})
        if high > MAX_SCORE:
            errors.append(
                FieldError(
                    "criteria",
                    f"These criteria can combine to {high}; keep the highest score under "
                    f"{MAX_SCORE:,} (fewer criteria, smaller ranges or another rule).",
                )
            )
            high = None
    threshold = method.threshold
    if not _is_int(threshold) or threshold < 1:
        errors.append(FieldError("threshold", "Give a whole number of 1 or more."))
    elif low is not None and high is not None and not low < threshold <= high:
        errors.append(
            FieldError(
                "threshold",
                f"The threshold must be above the lowest score ({low}) and at most the "
                f"highest ({high}).",
            )
        )
    if errors:
        raise ValidationFailed(errors)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Labels without surrounding spaces, each criterion with its key and legal flag."""
    cleaned = dict(fields)
    criteria = cleaned.get("criteria")
    if isinstance(criteria, list):
        out = []
        for item in criteria:
            if isinstance(item, dict) and isinstance(item.get("label"), str):
                label = item["label"].strip()
                item = {
                    "key": key_for(label),
                    "label": label,
                    "min": item.get("min"),
                    "max": item.get("max"),
                    "legal": item.get("legal", False),
                }
            out.append(item)
        cleaned["criteria"] = out
    if isinstance(cleaned.get("name"), str):
        cleaned["name"] = cleaned["name"].strip()
    return cleaned


@transaction.atomic
def update_method(organization: Organization, *, actor: User, **fields: Any) -> SignificanceMethod:
    """Create or change the organization's significance method. Aspects assessed before keep
    their result and the copy of the method they were assessed with."""
    require(actor, "change", SignificanceMethod, organization=organization)
    saved = SignificanceMethod.objects.select_for_update().filter(organization=organization).first()
    creating = saved is None
    # Locking refuses a change based on a stale version of the method.
    method = (
        SignificanceMethod(organization=organization) if saved is None else lock_for_update(saved)
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
