"""Writes of every register entry: create, update and delete, with the permission check,
validation, the spec's own rules and the activity-log entry, in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction

from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.deletion import lock_for_delete
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import memberships, require, rules_for
from pdca.core.records.rules import ensure_deletable, ensure_open
from pdca.core.registers.choices import choices_for
from pdca.core.registers.spec import RegisterSpec
from pdca.core.tenants import Tenant
from pdca.core.validation import apply_fields, validate_instance

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from pdca.core.models import OrgOwned

_M = TypeVar("_M", bound="OrgOwned")


def related_snapshot(spec: RegisterSpec, obj: models.Model) -> dict[str, list[int]]:
    """The ids each many-to-many field of `obj` holds, for the activity log."""
    if obj.pk is None:
        return {name: [] for name in spec.m2m_fields}
    return {
        name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in spec.m2m_fields
    }


def _check_relations(
    spec: RegisterSpec,
    organization: Tenant,
    data: dict[str, Any],
    obj: OrgOwned | None = None,
    linked: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Split relation values off `data` and check each is one the field's picker offers (the
    organization's own, not archived unless `obj` links to it already: `linked` holds the ids
    of its many-to-many fields)."""
    linked = linked or {}
    errors: list[FieldError] = []
    foreign: dict[str, Any] = {}
    many: dict[str, list[Any]] = {}
    for name in spec.fk_fields:
        if name not in data:
            continue
        value = data.pop(name)
        if (
            value is not None
            and not choices_for(
                spec, name, organization, keep=[getattr(obj, f"{name}_id", None)] if obj else ()
            )
            .filter(pk=value.pk)
            .exists()
        ):
            errors.append(FieldError(name, f"Choose a {_noun(spec, name)} of this organization."))
        foreign[name] = value
    for name in spec.m2m_fields:
        if name not in data:
            continue
        values = list(dict.fromkeys(data.pop(name) or []))
        many[name] = values
        if not values:
            continue
        allowed = set(
            choices_for(spec, name, organization, keep=linked.get(name, []))
            .filter(pk__in=[v.pk for v in values])
            .values_list("pk", flat=True)
        )
        bad = [v for v in values if v.pk not in allowed]
        if bad:
            errors.append(
                FieldError(
                    name,
                    f"Not available here: {', '.join(str(v) for v in bad[:5])}.",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    return foreign, many


def _check_handover(obj: OrgOwned, data: dict[str, Any], actor: AbstractBaseUser) -> None:
    """Someone who may change an entry only because they own it may not hand it to another
    person: that is the implementers' call (as for gap items and SoA lines)."""
    rules = rules_for(obj)
    name = rules.owner_field
    if not name or name not in data:
        return
    new = data[name]
    if getattr(new, "pk", new) == getattr(obj, f"{name}_id"):
        return
    role = memberships(actor).get(obj.organization_id)
    if role not in rules.actions.get("change", frozenset()):
        raise ValidationFailed.single(
            name, "Only a system manager or consultant may hand this over to someone else."
        )


def _noun(spec: RegisterSpec, name: str) -> str:
    related = spec.related_model(name)
    if related._meta.label_lower == "accounts.user":
        return "member"
    return str(related._meta.verbose_name)


def _validate(spec: RegisterSpec, obj: models.Model, many: dict[str, list[Any]]) -> None:
    validate_instance(obj, exclude=[*spec.m2m_fields, "organization"])
    if spec.validate is not None:
        current = {
            name: many[name] if name in many else list(getattr(obj, name).all()) if obj.pk else []
            for name in spec.m2m_fields
        }
        spec.validate(obj, current)
    if spec.before_save is not None:
        spec.before_save(obj)


def _save_related(obj: models.Model, many: dict[str, list[Any]]) -> None:
    for name, values in many.items():
        getattr(obj, name).set(values)


@transaction.atomic
def create_entry(
    spec: RegisterSpec[_M], organization: Tenant, *, actor: AbstractBaseUser, **data: Any
) -> _M:
    """Create an entry of `spec`'s register in `organization`."""
    require(actor, "add", spec.model, organization=organization)
    foreign, many = _check_relations(spec, organization, dict(data))
    scalars = {k: v for k, v in data.items() if k not in foreign and k not in many}
    obj = spec.model(organization=organization)
    apply_fields(obj, scalars, spec.scalar_fields)
    for name, value in foreign.items():
        setattr(obj, name, value)
    _validate(spec, obj, many)
    obj.save()
    _save_related(obj, many)
    changes = {k: [None, v] for k, v in snapshot(obj).items() if v not in (None, "", [], {})}
    changes.update({k: [[], v] for k, v in related_snapshot(spec, obj).items() if v})
    record_activity(actor=actor, action="create", obj=obj, changes=changes)
    return obj


@transaction.atomic
def update_entry(spec: RegisterSpec[_M], obj: _M, *, actor: AbstractBaseUser, **data: Any) -> _M:
    """Change the given fields of `obj`; the fields left out stay as they are."""
    return apply_update(spec, obj, actor=actor, **data)[0]


def apply_update(
    spec: RegisterSpec[_M], obj: _M, *, actor: AbstractBaseUser, **data: Any
) -> tuple[_M, bool]:
    """`update_entry`, also saying whether anything changed (imports count unchanged rows).

    The row is read under a lock (and refused when the client's version is stale), and only
    the fields that change are written, so concurrent writers of other fields lose nothing."""
    lock_for_update(obj)
    require(actor, "change", obj)
    _check_handover(obj, data, actor)
    before = {**snapshot(obj), **related_snapshot(spec, obj)}
    foreign, many = _check_relations(spec, obj.organization, dict(data), obj, before)
    scalars = {k: v for k, v in data.items() if k not in foreign and k not in many}
    apply_fields(obj, scalars, spec.scalar_fields)
    for name, value in foreign.items():
        setattr(obj, name, value)
    _validate(spec, obj, many)
    written = save_changed(obj)
    _save_related(obj, many)
    after = {**snapshot(obj), **related_snapshot(spec, obj)}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes and not written:
        save_changed(obj, touch=True)  # a change of links only still makes a new version
    if changes:
        # A closed or archived entry is read-only; an import row that changes nothing passes.
        ensure_open(obj)
        record_activity(actor=actor, action="update", obj=obj, changes=changes)
    return obj, bool(changes)


@transaction.atomic
def delete_entry(spec: RegisterSpec, obj: OrgOwned, *, actor: AbstractBaseUser) -> None:
    """Delete `obj`; refused with the reason when it is a record (archive it instead), or when
    other records still depend on it."""
    from django.db.models import ProtectedError

    from pdca.core.exceptions import Conflict

    require(actor, "delete", obj)
    lock_for_delete(obj)
    ensure_deletable(obj)
    changes = {k: [v, None] for k, v in snapshot(obj).items() if v not in (None, "", [], {})}
    record_activity(actor=actor, action="delete", obj=obj, changes=changes)
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        names = sorted({str(o._meta.verbose_name_plural) for o in exc.protected_objects})
        raise Conflict(
            f"{obj} is still referred to by {', '.join(names)}; remove those links first.",
            code="in_use",
        ) from None
