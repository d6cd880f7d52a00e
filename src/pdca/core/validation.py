"""Turning model validation into the typed errors every interface reports the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models

from pdca.core.exceptions import FieldError, ValidationFailed

#: The longest text a text field (`TextField`) holds when it declares no `max_length` itself:
#: enforced by `validate_instance` (pages, API, imports) and declared in the OpenAPI document.
TEXT_MAX_LENGTH = 20_000


def is_text(field: models.Field) -> bool:
    return isinstance(field, models.CharField | models.TextField)


def text_max_length(field: models.Field) -> int | None:
    """The most characters `field` may hold: its own `max_length`, or for a text field without
    one, `TEXT_MAX_LENGTH`."""
    if field.max_length:
        return field.max_length
    return TEXT_MAX_LENGTH if isinstance(field, models.TextField) else None


def _null_to_empty(instance: models.Model, name: str, value: Any) -> Any:
    """`null` for a text column that cannot hold NULL means empty text (one rule everywhere:
    see docs/api.md)."""
    if value is None:
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            return value
        if isinstance(field, models.Field) and is_text(field) and not field.null:
            return ""
    return value


def field_errors(exc: DjangoValidationError) -> list[FieldError]:
    if hasattr(exc, "error_dict"):
        return [
            FieldError("" if name == NON_FIELD_ERRORS else name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [FieldError("", message) for message in exc.messages]


def validate_instance(instance: models.Model, exclude: Iterable[str] = ()) -> None:
    """Run the model's own validation; raise ValidationFailed naming each field.

    Also applies the rules Django's `full_clean` leaves out: `None` in a text column that
    cannot hold NULL becomes empty text, and a text field's length limit (`text_max_length`)
    is checked, since `full_clean` does not check a `TextField`'s."""
    exclude = list(exclude)
    errors: list[FieldError] = []
    for field in instance._meta.concrete_fields:
        if not is_text(field) or field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if value is None and not field.null:
            setattr(instance, field.attname, "")
            value = ""
        limit = text_max_length(field)
        if (
            isinstance(field, models.TextField)
            and limit
            and isinstance(value, str)
            and len(value) > limit
        ):
            errors.append(
                FieldError(
                    field.name,
                    f"Ensure this value has at most {limit} characters (it has {len(value)}).",
                    "max_length",
                )
            )
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        errors.extend(field_errors(exc))
    if errors:
        raise ValidationFailed(errors)


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
        value = _null_to_empty(instance, name, value)
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed
