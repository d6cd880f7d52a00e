"""The one permission layer: "may this user do this action on this object?".

Each model registers which membership roles may do which action (`register`). Pages, API
endpoints and CLI writes ask `may`/`require` for one object, and start every read from
`scope`, which keeps only the rows of organizations where the user's role allows the action.
A user's roles are read once per request (one query) and kept on the user object, so checking
many objects never costs a query per object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

from pdca.core.exceptions import PermissionDenied
from pdca.core.hooks import Slot
from pdca.core.roles import Role
from pdca.core.tenants import is_tenant, tenant_model

STANDARD_ACTIONS = ("view", "add", "change", "delete")

_QS = TypeVar("_QS", bound=models.QuerySet[Any])

#: {organization id: role} of a user's active memberships; tenancy provides it.
membership_roles: Slot[[Any], dict[int, str]] = Slot(
    "core.membership_roles", "The roles a user holds, by organization id.", filled_by="tenancy"
)


@dataclass(frozen=True)
class ModelRules:
    """Which roles may do which action on one model, and what owners may do on their rows."""

    actions: dict[str, frozenset[str]]
    owner_field: str | None = None
    owner_roles: frozenset[str] = field(default_factory=frozenset)
    owner_actions: frozenset[str] = field(default_factory=frozenset)
    #: Roles without `view` on the organization still see the rows where one of
    #: `reader_fields` (user foreign keys, or paths to one such as `actions__owner`) names
    #: them: an employee sees what they reported.
    reader_fields: tuple[str, ...] = ()
    reader_roles: frozenset[str] = field(default_factory=frozenset)


_registry: dict[str, ModelRules] = {}


def register(
    model: type[models.Model],
    *,
    view: Iterable[str],
    add: Iterable[str] = (),
    change: Iterable[str] = (),
    delete: Iterable[str] = (),
    owner_field: str | None = None,
    owner_roles: Iterable[str] = (),
    owner_actions: Iterable[str] = (),
    reader_fields: Iterable[str] = (),
    reader_roles: Iterable[str] = (),
    **extra: Iterable[str],
) -> None:
    """Declare the permission rules of `model` (called from the app's `permissions.py`)."""
    actions = {"view": view, "add": add, "change": change, "delete": delete, **extra}
    _registry[model._meta.label_lower] = ModelRules(
        actions={name: frozenset(roles) for name, roles in actions.items()},
        owner_field=owner_field,
        owner_roles=frozenset(owner_roles),
        owner_actions=frozenset(owner_actions),
        reader_fields=tuple(reader_fields),
        reader_roles=frozenset(reader_roles),
    )


def rules_for(model: type[models.Model] | models.Model) -> ModelRules:
    label = model._meta.label_lower
    try:
        return _registry[label]
    except KeyError:
        raise LookupError(f"no permission rules registered for {label}") from None


def registered_models() -> list[str]:
    return sorted(_registry)


def roles_for(model: type[models.Model] | models.Model, action: str) -> frozenset[str]:
    return rules_for(model).actions.get(action, frozenset())


def memberships(user) -> dict[int, str]:
    """{organization id: role} for the user's active memberships, cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_pdca_roles", None)
    if cached is None:
        cached = membership_roles.call(user)
        user._pdca_roles = cached
    return cached


def forget_memberships(user) -> None:
    """Drop the cached roles after a membership of `user` changed."""
    if hasattr(user, "_pdca_roles"):
        del user._pdca_roles


def role_in(user, organization) -> str | None:
    return memberships(user).get(getattr(organization, "pk", organization))


def _organization_id(target: models.Model) -> int | None:
    if is_tenant(target):
        return target.pk
    return getattr(target, "organization_id", None)


def may(user, action: str, target: models.Model | type[models.Model], *, organization=None) -> bool:
    """True when `user` may do `action` on `target` (an object, or a model class plus the
    `organization` it would be created in)."""
    if isinstance(target, type):
        org_id = getattr(organization, "pk", organization)
        instance = None
    else:
        org_id = _organization_id(target)
        instance = target
    if org_id is None:
        return False
    role = memberships(user).get(org_id)
    if role is None:
        return False
    rules = rules_for(target)
    if role in rules.actions.get(action, ()):
        return True
    if (
        instance is not None
        and rules.owner_field
        and role in rules.owner_roles
        and action in rules.owner_actions
        and getattr(instance, f"{rules.owner_field}_id", None) == user.pk
    ):
        return True
    if instance is not None and action == "view" and role in rules.reader_roles:
        return _names_reader(instance, rules.reader_fields, user)
    return False


def _names_reader(instance: models.Model, fields: tuple[str, ...], user) -> bool:
    """Whether one of `fields` names the user: a foreign key of the row is read from it, a path
    through a relation (`actions__owner`) costs one query."""
    direct = [name for name in fields if "__" not in name]
    if any(getattr(instance, f"{name}_id", None) == user.pk for name in direct):
        return True
    paths = [name for name in fields if "__" in name]
    if not paths:
        return False
    named = Q()
    for name in paths:
        named |= Q(**{name: user})
    return type(instance)._default_manager.filter(named, pk=instance.pk).exists()


def require(
    user, action: str, target: models.Model | type[models.Model], *, organization=None
) -> None:
    """Raise PermissionDenied, naming the role and the action, unless `may` allows it."""
    if may(user, action, target, organization=organization):
        return
    model = target if isinstance(target, type) else type(target)
    org_id = (
        getattr(organization, "pk", organization)
        if isinstance(target, type)
        else (_organization_id(target))
    )
    role = memberships(user).get(org_id) if org_id else None
    what = str(model._meta.verbose_name)
    if role is None:
        raise PermissionDenied(f"You are not a member of the organization that owns this {what}.")
    article = "an" if what[:1].lower() in "aeiou" else "a"
    raise PermissionDenied(
        f"Your role ({Role(role).label}) may not {action} {article} {what} in this organization."
    )


def scope(queryset: _QS, user, action: str = "view") -> _QS:
    """Keep the rows the user may `action`: the one way to read organization-owned data."""
    model = queryset.model
    rules = rules_for(model)
    roles = memberships(user)
    allowed = rules.actions.get(action, frozenset())
    full = [org for org, role in roles.items() if role in allowed]
    org_field = "pk" if model is tenant_model() else "organization_id"
    condition = Q(**{f"{org_field}__in": full})
    if rules.owner_field and action in rules.owner_actions:
        owned_orgs = [org for org, role in roles.items() if role in rules.owner_roles]
        if owned_orgs:
            condition |= Q(**{f"{org_field}__in": owned_orgs, rules.owner_field: user})
    if action == "view" and rules.reader_fields:
        reader_orgs = [org for org, role in roles.items() if role in rules.reader_roles]
        if reader_orgs:
            named = Q()
            for name in rules.reader_fields:
                if "__" in name:
                    # Through a relation: a subquery, so a row named twice is listed once.
                    rows = model._default_manager.filter(**{name: user}).values("pk")
                    named |= Q(pk__in=rows)
                else:
                    named |= Q(**{name: user})
            condition |= Q(**{f"{org_field}__in": reader_orgs}) & named
    if not roles:
        return queryset.none()
    return queryset.filter(condition)


def visible_organization_ids(user) -> list[int]:
    return list(memberships(user))
