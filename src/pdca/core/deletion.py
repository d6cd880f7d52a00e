"""Deleting a row that a concurrent request may be deleting too.

A parent's delete cascades to its children: a child deleted at the same moment may have
vanished by the time its service reads its parent or writes its log entry. Services lock the
parent's row, then the child's, before anything else, so the two deletes take turns and the
second one finds nothing: a 404, never a server error.
"""

from __future__ import annotations

from django.db import models, transaction

from pdca.core.exceptions import NotFound
from pdca.core.modelinfo import forward_field, related_model


def lock_for_delete(obj: models.Model, *, parent: str | None = None) -> None:
    """Lock the row of `obj`'s `parent` (a foreign key's name) when given, then `obj`'s own row,
    for the rest of the caller's transaction; NotFound when either is gone."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_for_delete must run inside the service's transaction")
    if parent is not None:
        field = forward_field(type(obj), parent)
        target = related_model(field)
        rows = target._base_manager.select_for_update()
        if not rows.filter(pk=getattr(obj, field.attname)).exists():
            raise NotFound(f"This {target._meta.verbose_name} no longer exists.")
    if not type(obj)._base_manager.select_for_update().filter(pk=obj.pk).exists():
        raise NotFound(f"This {obj._meta.verbose_name} no longer exists.")
