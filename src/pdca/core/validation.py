"""Turning model validation into the typed errors every interface reports the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models

from pdca.core.exceptions import FieldError, ValidationFailed


def field_errors(exc: DjangoValidationError) -> list[FieldError]:
    if hasattr(exc, "error_dict"):
        return [
            FieldError("" if name == NON_FIELD_ERRORS else name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [FieldError("", message) for message in exc.messages]


def validate_instance(instance: models.Model, exclude: Iterable[str] = ()) -> None:
    """Run the model's own validation; raise ValidationFailed naming each field."""
    try:
        instance.full_clean(exclude=list(exclude))
    except DjangoValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


def apply_fields(
    instance: models.Model, data: Mapping[str, Any], allowed: Iterable[str]
) -> list[str]:
    """Copy the allowed keys of `data` onto `instance`; unknown keys are an error, not ignored."""
    allowed = set(allowed)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(
            [
                FieldError(name, "This field does not exist or cannot be changed.")
                for name in unknown
            ]
        )
    changed = []
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed
