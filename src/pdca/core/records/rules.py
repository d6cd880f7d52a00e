"""When a row becomes a record, and what may then happen to it.

A row becomes a *record* when something relies on it: an issued report, a published version,
an approved SoA, a closed nonconformity, an acknowledgement, a measurement, evidence linked to
anything. Each model says so itself, in one place: its `record_reason()` method (the base
`OrgOwned` answers None: "not a record"). From then on:

- deleting it is refused (`ensure_deletable`, called by every delete service, names the record;
  a `pre_delete` guard connected for every model that declares records refuses the same
  deletion on any other path, so a cascade from a parent cannot remove it either);
- a register entry is archived (withdrawn, cancelled, made obsolete) with a reason, who and when
  instead (`core.registers.services.archive_entry`), and restored where that makes sense;
- once its retention period has passed since it was archived, it may be *disposed of*: an
  explicit, logged step (`core.registers.services.dispose_entry`), the only way a record leaves
  the database.

A model may also say that a row is *closed* (`closed_reason()`): it is then read-only; pages
offer no Edit, Delete or follow-up actions and services refuse changes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import models, router
from django.db.models.deletion import Collector
from django.db.models.fields.reverse_related import ManyToManyRel
from django.db.models.signals import pre_delete

from pdca.core.exceptions import Conflict
from pdca.core.modelinfo import related_model

#: Retention periods in years, per record type, when the organization has not set its own.
#: Certification works in three-year cycles: a record is kept for the cycle it served in plus
#: one year, so the next recertification audit can still see it.
DEFAULT_RETENTION_YEARS: dict[str, int] = {
    "audit": 4,
    "nonconformity": 4,
    "improvement": 4,
    "document": 4,
    "risk": 4,
    "objective": 4,
    "assessment": 4,
    "context": 4,
    "process": 4,
    "ai": 4,
    "terms": 4,
    "review": 4,
    # The current three-year cycle and the one before it, which accreditation bodies sample.
    "certification": 6,
    # Kept as long as the certification records the engagement served.
    "engagement": 6,
}

RECORD_TYPE_LABELS: dict[str, str] = {
    "audit": "Audits, programmes and their reports",
    "nonconformity": "Nonconformities and corrective actions",
    "improvement": "Improvement opportunities",
    "document": "Documents, versions and acknowledgements",
    "risk": "Risks and their treatment",
    "objective": "Objectives and measurements",
    "assessment": "Gap assessments",
    "context": "Context issues and interested parties",
    "process": "Processes and responsibilities",
    "ai": "AI systems and impact assessments",
    "terms": "Certification terms",
    "review": "Management reviews, their minutes and actions",
    "certification": "Certification: clients, applications, programmes, decisions, certificates",
    "engagement": "Engagements, access grants, evidence requests and stage 1 rehearsals",
}

_disposing: ContextVar[bool] = ContextVar("pdca_disposing", default=False)


def record_reason(obj: models.Model) -> str | None:
    """Why `obj` is a record (None when it is not)."""
    method = getattr(obj, "record_reason", None)
    return method() if callable(method) else None


def closed_reason(obj: models.Model) -> str | None:
    """Why `obj` is closed to changes (None when it may still be changed)."""
    method = getattr(obj, "closed_reason", None)
    reason = method() if callable(method) else None
    if reason is None and getattr(obj, "archived_at", None) is not None:
        return "it is archived; restore it to change it"
    return reason


def _label(obj: models.Model) -> str:
    return f"{obj._meta.verbose_name} “{obj}”"


def _records_among(instances: Any, skip: models.Model) -> Iterator[tuple[models.Model, str]]:
    for instance in instances:
        if instance.pk == skip.pk and type(instance) is type(skip):
            continue
        reason = record_reason(instance)
        if reason:
            yield instance, reason


def deletion_refusal(obj: models.Model) -> str | None:
    """Why deleting `obj` is refused: it is a record, or deleting it would delete or change a
    record (a cascade to a child, a link set to empty on a closed record). None when it may go."""
    if _disposing.get():
        return None
    reason = record_reason(obj)
    if reason:
        return f"{_label(obj)} is a record ({reason}); archive it instead of deleting it."
    collector = Collector(using=router.db_for_write(type(obj), instance=obj))
    # PROTECT links are refused by the deletion itself with their own message.
    with contextlib.suppress(models.ProtectedError, models.RestrictedError):
        collector.collect([obj])
    for model, instances in collector.data.items():
        if not _model_declares_records(model):
            continue
        for instance, why in _records_among(instances, obj):
            return f"Deleting {_label(obj)} would delete {_label(instance)}, a record ({why})."
    # Django 5 keeps querysets here (the stubs still say instances).
    updates: dict[tuple[models.Field, Any], list[Any]] = collector.field_updates
    for (field, _value), querysets in updates.items():
        if not _model_declares_records(field.model):
            continue
        for queryset in querysets:
            rows = queryset if isinstance(queryset, list | tuple) else queryset.all()
            for instance, why in _records_among(rows, obj):
                return (
                    f"Deleting {_label(obj)} would change {_label(instance)}, a record ({why}): "
                    "it would lose its link."
                )
    return None


def ensure_deletable(obj: models.Model) -> None:
    """Refuse (409 `is_record`) deleting a record, or anything whose deletion changes one."""
    refusal = deletion_refusal(obj)
    if refusal:
        raise Conflict(refusal, code="is_record")


def ensure_open(obj: models.Model) -> None:
    """Refuse (409 `closed`) changing a closed or archived row."""
    reason = closed_reason(obj)
    if reason:
        raise Conflict(f"{_label(obj)} cannot be changed: {reason}.", code="closed")


@contextlib.contextmanager
def disposing() -> Iterator[None]:
    """Inside this block, records may be deleted: only the disposal service enters it."""
    token = _disposing.set(True)
    try:
        yield
    finally:
        _disposing.reset(token)


def _model_declares_records(model: type[models.Model]) -> bool:
    method = getattr(model, "record_reason", None)
    if method is None:
        return False
    from pdca.core.models import OrgOwned

    return method is not OrgOwned.record_reason


@functools.cache
def record_models() -> tuple[type[models.Model], ...]:
    """Every model that declares when its rows become records."""
    return tuple(m for m in apps.get_models() if _model_declares_records(m))


def _refuse_record_deletion(sender, instance, **kwargs) -> None:
    if _disposing.get():
        return
    reason = record_reason(instance)
    if reason:
        raise Conflict(
            f"{_label(instance)} is a record ({reason}); archive it instead of deleting it.",
            code="is_record",
        )


def connect_guards() -> None:
    """Connect the deletion guard for every model that declares records (called at start-up)."""
    for model in record_models():
        pre_delete.connect(
            _refuse_record_deletion,
            sender=model,
            dispatch_uid=f"pdca-record-guard-{model._meta.label_lower}",
        )


def retention_years(organization, record_type: str) -> int:
    """The organization's retention period for `record_type`, or the default."""
    from pdca.core.models import RetentionPeriod

    own = (
        RetentionPeriod.objects.filter(organization=organization, record_type=record_type)
        .values_list("years", flat=True)
        .first()
    )
    return own if own is not None else DEFAULT_RETENTION_YEARS.get(record_type, 4)


def disposal_date(obj: models.Model) -> dt.date | None:
    """The first day an archived record may be disposed of (None while it is not archived)."""
    archived_at = getattr(obj, "archived_at", None)
    if archived_at is None:
        return None
    organization = getattr(obj, "organization", None)
    years = retention_years(organization, getattr(obj, "record_type", "") or "")
    return add_years(archived_at.date(), years)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def first_link(obj: models.Model) -> str | None:
    """The name of the first kind of row that refers to `obj` (foreign key or many-to-many),
    or None when nothing does: evidence linked to anything is a record."""
    for rel in obj._meta.related_objects:
        model = related_model(rel)
        if isinstance(rel, ManyToManyRel) and rel.through is not None:
            source = rel.field.m2m_reverse_field_name()
            found = rel.through._default_manager.filter(**{source: obj.pk}).exists()
        else:
            found = model._default_manager.filter(**{rel.field.name: obj.pk}).exists()
        name = model._meta.verbose_name
        if found:
            return str(name)
    return None
