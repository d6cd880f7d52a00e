"""Which objects a register entry's relation fields may point to: only the organization's own
rows (and its members, for people fields), narrowed further by the spec."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from pdca.core.hooks import Slot
from pdca.core.models import Archivable
from pdca.core.registers.spec import RegisterSpec

#: The requirements an organization's entries may cite: `(organization) -> QuerySet`; the
#: management system provides it (only it knows which standards are adopted).
requirement_choices: Slot[..., models.QuerySet[Any]] = Slot(
    "core.requirement_choices", "The requirements an entry may cite.", filled_by="system"
)


def choices_for(
    spec: RegisterSpec, name: str, organization: Any, *, keep: Iterable[int | None] = ()
) -> models.QuerySet[Any]:
    """The queryset a relation field of `spec` may choose from in `organization`: the one rule
    that pickers offer and services accept. Archived entries are left out (they leave every
    picker), except those in `keep`, the ids the entry links to already, so saving an entry
    unchanged never fails on a link made before the other side was archived."""
    related = spec.related_model(name)
    User = get_user_model()
    queryset: models.QuerySet[Any]
    if related is User:
        queryset = User.objects.filter(
            memberships__organization=organization, is_active=True
        ).order_by("full_name", "email")
    elif hasattr(related, "organization_id") or any(
        f.name == "organization" for f in related._meta.fields
    ):
        queryset = related._default_manager.filter(organization=organization)
    elif related._meta.label_lower == "standards.requirement":
        queryset = requirement_choices.call(organization)
    else:
        queryset = related._default_manager.all()
    limit = spec.limit_choices.get(name)
    if limit is not None:
        queryset = limit(queryset, organization)
    if issubclass(related, Archivable):
        kept = [pk for pk in keep if pk is not None]
        current = models.Q(archived_at__isnull=True)
        if kept:
            current |= models.Q(pk__in=kept)
        queryset = queryset.filter(current)
    return queryset


def label_of(obj: Any) -> str:
    """How a related object is named in spreadsheets: e-mail for people, the requirement's
    label for requirements, the register key for entries."""
    if obj is None:
        return ""
    if obj._meta.label_lower == "accounts.user":
        return obj.email
    if obj._meta.label_lower == "standards.requirement":
        # With the edition: a workbook must name one requirement even when two editions of a
        # standard are loaded.
        return f"{obj.standard} {obj.number}"
    from pdca.core.registers.spec import spec_of_model

    spec = spec_of_model(type(obj))
    if spec is not None:
        return str(getattr(obj, spec.key_field))
    return str(obj)
