"""Input checks shared by the engagement services: each appends a FieldError naming the field,
so that a service reports every problem at once and writes nothing."""

from __future__ import annotations

from typing import Any

from pdca.core.exceptions import FieldError


def text(value: Any, name: str, errors: list[FieldError], *, limit: int, required: bool) -> str:
    """`value` stripped; an error when it is not a text, is missing while `required`, or is
    longer than `limit`."""
    if value is not None and not isinstance(value, str):
        errors.append(FieldError(name, "Give a text."))
        return ""
    cleaned = (value or "").strip()
    if required and not cleaned:
        errors.append(FieldError(name, "This is required."))
    elif len(cleaned) > limit:
        errors.append(FieldError(name, f"At most {limit} characters."))
    return cleaned
