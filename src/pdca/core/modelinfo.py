"""Model metadata with the types Django resolves at start-up (the stubs also allow the lazy
forms that exist only while models load)."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models.fields.reverse_related import ForeignObjectRel


def related_model(field: models.Field | ForeignObjectRel | GenericForeignKey) -> type[models.Model]:
    """The model a relation field points to ("self" and "app.Model" are resolved by then)."""
    model = field.related_model
    if not isinstance(model, type):
        raise TypeError(f"{field} is not a relation to a model")
    return model


def forward_field(model: type[models.Model], name: str) -> models.Field:
    """The forward field `name` of `model` (not a reverse relation or a generic foreign key)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model._meta.label}.{name} is not a forward field")
    return field
