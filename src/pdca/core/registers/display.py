"""How a register entry's values read on pages and in spreadsheets."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format

from pdca.core.registers.spec import RegisterSpec, spec_of_model


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None = None
    css: str = ""


def entry_url(obj: models.Model) -> str | None:
    """The detail page of `obj` when it is a register entry (or a requirement)."""
    label = obj._meta.label_lower
    if label == "standards.requirement":
        requirement: Any = obj  # standards' model, which core may not name
        try:
            return reverse(
                "standards:requirement", args=[requirement.standard.code, requirement.number]
            )
        except NoReverseMatch:
            return None
    spec = spec_of_model(type(obj))
    if spec is None:
        return None
    return reverse(spec.url_name("detail"), args=[obj.pk])


def person(user) -> str:
    return (user.get_full_name() or user.email) if user else ""


def _related_text(obj: models.Model) -> str:
    if obj._meta.label_lower == "accounts.user":
        return person(obj)
    if obj._meta.label_lower == "standards.requirement":
        return str(getattr(obj, "label", obj))
    return str(obj)


def number(value: decimal.Decimal | float | int) -> str:
    if isinstance(value, decimal.Decimal):
        value = value.normalize()
        return f"{value:f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def cells(spec: RegisterSpec, obj: models.Model, name: str) -> list[Cell]:
    """The value of `name` on `obj` as one or more cells (many-to-many give one per row)."""
    try:
        field = spec.model_field(name)
    except Exception:
        field = None
    if field is None:
        value = getattr(obj, name)
        if value is None:
            return []
        return [
            Cell(
                str(getattr(value, "label", value)),
                css=getattr(value, "css", ""),
            )
        ]
    if field.many_to_many:
        return [Cell(_related_text(o), entry_url(o)) for o in getattr(obj, name).all()]
    value = getattr(obj, name)
    if value is None or value == "":
        return []
    if field.many_to_one:
        return [Cell(_related_text(value), entry_url(value))]
    if field.choices:
        return [Cell(str(getattr(obj, f"get_{name}_display")()))]
    if isinstance(value, bool):
        return [Cell("Yes" if value else "No")]
    if isinstance(value, dt.date):
        return [Cell(date_format(value, "Y-m-d"))]
    if isinstance(value, decimal.Decimal | float):
        return [Cell(number(value))]
    return [Cell(str(value))]


def header(spec: RegisterSpec, name: str) -> str:
    if name in spec.column_labels:
        return spec.column_labels[name]
    try:
        label = str(spec.model_field(name).verbose_name)
    except Exception:
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def plain(spec: RegisterSpec, obj: models.Model, name: str) -> Any:
    """The value as a spreadsheet holds it: dates stay dates, numbers numbers, people are
    e-mails, requirements labels, other entries their key; many-to-many joined by '; '."""
    from pdca.core.registers.choices import label_of

    field = spec.model_field(name)
    if field.many_to_many:
        return "; ".join(label_of(o) for o in getattr(obj, name).all())
    value = getattr(obj, name)
    if field.many_to_one:
        return label_of(value)
    if field.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value
