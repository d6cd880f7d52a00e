"""Archiving, restoring and disposing of register entries: what happens to a record instead of
deletion (see `core.records`). Each step is checked, logged and atomic."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst

from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.models import Archivable, OrgOwned
from pdca.core.permissions import require
from pdca.core.records.rules import add_years, disposal_date, disposing, retention_years
from pdca.core.registers.spec import RegisterSpec
from pdca.core.tenants import Tenant

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

MAX_REASON = 500
_M = TypeVar("_M", bound=OrgOwned)


def is_archivable(model: type[models.Model]) -> bool:
    return issubclass(model, Archivable)


def _archivable(spec: RegisterSpec, obj: OrgOwned) -> Archivable:
    if not is_archivable(spec.model) or not isinstance(obj, Archivable):
        raise Conflict(f"{capfirst(spec.verbose_name)} entries are not archived.")
    return obj


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed.single("reason", "Say why (it is kept with the record).")
    if len(text) > MAX_REASON:
        raise ValidationFailed.single(
            "reason", f"Keep the reason under {MAX_REASON} characters (it has {len(text)})."
        )
    return text


@transaction.atomic
def archive_entry(spec: RegisterSpec[_M], obj: _M, *, actor: AbstractBaseUser, reason: str) -> _M:
    """Archive (withdraw, cancel, make obsolete) an entry with a reason: it stays readable and
    restorable, leaves the default lists and pickers, and may be disposed of once its retention
    period has passed."""
    require(actor, "change", obj)
    text = _reason(reason)
    current = lock_for_update(_archivable(spec, obj))
    if current.archived_at is not None:
        raise Conflict(f"“{current}” is already archived.", code="already_archived")
    current.archived_at = timezone.now()
    current.archived_by = actor  # type: ignore[assignment]  # the user model core cannot name
    current.archive_reason = text
    current.save(update_fields=["archived_at", "archived_by", "archive_reason", "updated_at"])
    record_activity(
        actor=actor,
        action="archive",
        obj=current,
        changes={"archived": [False, True]},
        message=text,
    )
    return obj


@transaction.atomic
def restore_entry(
    spec: RegisterSpec[_M], obj: _M, *, actor: AbstractBaseUser, reason: str = ""
) -> _M:
    """Bring an archived entry back into the lists; the archiving stays in its history."""
    require(actor, "change", obj)
    current = lock_for_update(_archivable(spec, obj))
    if current.archived_at is None:
        raise Conflict(f"“{current}” is not archived.", code="not_archived")
    before = current.archive_reason
    current.archived_at = None
    current.archived_by = None
    current.archive_reason = ""
    current.save(update_fields=["archived_at", "archived_by", "archive_reason", "updated_at"])
    record_activity(
        actor=actor,
        action="restore",
        obj=current,
        changes={"archived": [True, False]},
        message=(reason or "").strip()[:MAX_REASON] or f"Restored (archived because: {before})",
    )
    return obj


@transaction.atomic
def dispose_entry(
    spec: RegisterSpec, obj: OrgOwned, *, actor: AbstractBaseUser, reason: str
) -> None:
    """Remove an archived record for good once its retention period has passed: the one way a
    record leaves the database. The log keeps what it held."""
    require(actor, "delete", obj)
    text = _reason(reason)
    current = lock_for_update(obj)
    due = disposal_date(current)
    if due is None:
        raise Conflict(
            f"“{current}” is not archived: archive it first; it may be disposed of once its "
            "retention period has passed.",
            code="not_archived",
        )
    if due > timezone.localdate():
        raise Conflict(
            f"“{current}” must be kept until {due:%Y-%m-%d} (its retention period).",
            code="retention_not_over",
        )
    changes = {k: [v, None] for k, v in snapshot(current).items() if v not in (None, "", [], {})}
    record_activity(actor=actor, action="dispose", obj=current, changes=changes, message=text)
    with disposing():
        current.delete()


def disposal_due(spec: RegisterSpec, organization: Tenant) -> list[tuple[Archivable, dt.date]]:
    """Archived entries of `organization` whose retention period is over, oldest first, each
    with the first day it could be disposed of."""
    if not is_archivable(spec.model):
        return []
    years = retention_years(organization, spec.model.record_type)
    # Q: the plugin checks keyword lookups against OrgOwned, which has no `archived_at`.
    rows = spec.model.objects.filter(models.Q(archived_at__isnull=False), organization=organization)
    today = timezone.localdate()
    found: list[tuple[Archivable, dt.date]] = []
    for row in rows.order_by("archived_at", "pk"):
        if not isinstance(row, Archivable) or row.archived_at is None:
            continue
        due = add_years(row.archived_at.date(), years)
        if due <= today:
            found.append((row, due))
    return found
