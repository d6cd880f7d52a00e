"""The organization's hazard scoring method: reading it, checking a proposed one and saving
it. Hazards already scored keep the copy of the method they were scored with; they take the
new method when they are next re-rated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q

from pdca.core.activity import record_activity, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.validation import apply_fields
from pdca.safety import scoring
from pdca.safety.models import Hazard, HazardMethod

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.tenancy.models import Organization

METHOD_FIELDS = ("name", "likelihood_labels", "severity_labels", "score_rule", "acceptable_level")
MIN_LEVELS, MAX_LEVELS = 2, 10
MAX_LABEL = 80
SCALES = {"likelihood_labels": "likelihood", "severity_labels": "severity"}


def method_for(organization: Organization) -> HazardMethod:
    """The organization's saved method, or an unsaved default one (reading never writes)."""
    method = HazardMethod.objects.filter(organization=organization).first()
    return method if method is not None else HazardMethod(organization=organization)


def _scale_errors(name: str, labels: Any) -> list[FieldError]:
    scale = SCALES[name]
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
        path, level = f"{name}.{index}", index + 1
        key = label.strip().casefold()
        if not key:
            errors.append(FieldError(path, f"{scale.capitalize()} level {level} has no label."))
        elif len(label.strip()) > MAX_LABEL:
            errors.append(FieldError(path, f"Level {level}: at most {MAX_LABEL} characters."))
        elif key in seen:
            errors.append(
                FieldError(
                    path, f"{scale.capitalize()} level {level} repeats a label.", "duplicate"
                )
            )
        seen.add(key)
    return errors


def validate_method(method: HazardMethod) -> None:
    """Raise ValidationFailed naming each faulty field (`severity_labels.2`, ...)."""
    errors: list[FieldError] = []
    if not isinstance(method.name, str) or not method.name.strip():
        errors.append(FieldError("name", "Give the method a name."))
    elif len(method.name) > 100:
        errors.append(FieldError("name", "At most 100 characters."))
    for name in SCALES:
        errors += _scale_errors(name, getattr(method, name))
    if method.score_rule not in HazardMethod.ScoreRule.values:
        errors.append(
            FieldError("score_rule", f"Choose one of: {', '.join(HazardMethod.ScoreRule.values)}.")
        )
    level = method.acceptable_level
    if not isinstance(level, int) or isinstance(level, bool) or level < 1:
        errors.append(FieldError("acceptable_level", "Give a whole number of 1 or more."))
    elif not errors:
        top = scoring.max_score(scoring.snapshot_of(method))
        if level > top:
            errors.append(
                FieldError(
                    "acceptable_level",
                    f"The acceptable level must be between 1 and the highest score ({top}).",
                )
            )
    if errors:
        raise ValidationFailed(errors)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@transaction.atomic
def update_method(organization: Organization, *, actor: User, **fields: Any) -> HazardMethod:
    """Create or change the organization's hazard scoring method. Hazards keep the method
    they were scored with; the activity entry says how many now read with an earlier one."""
    require(actor, "change", HazardMethod, organization=organization)
    saved = HazardMethod.objects.select_for_update().filter(organization=organization).first()
    creating = saved is None
    method = HazardMethod(organization=organization) if saved is None else lock_for_update(saved)
    before = snapshot(method)
    cleaned = dict(fields)
    for name in SCALES:
        if isinstance(cleaned.get(name), list):
            cleaned[name] = [x.strip() if isinstance(x, str) else x for x in cleaned[name]]
    if isinstance(cleaned.get("name"), str):
        cleaned["name"] = cleaned["name"].strip()
    apply_fields(method, cleaned, METHOD_FIELDS)
    validate_method(method)
    if creating:
        method.save()
    else:
        save_changed(method)
    scored = Hazard.objects.filter(organization=organization).aggregate(
        n=Count("pk", filter=Q(score_before__isnull=False) | Q(score_after__isnull=False))
    )["n"]
    message = (
        f"{_plural(scored, 'scored hazard')} keep the method they were scored with until "
        "they are re-rated."
    )
    if creating:
        changes = {k: [None, v] for k, v in snapshot(method).items() if v not in (None, "")}
        record_activity(actor=actor, action="create", obj=method, changes=changes, message=message)
    else:
        record_update(actor=actor, obj=method, before=before, message=message)
    return method
