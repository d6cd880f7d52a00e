"""Which objects a register entry's relation fields may point to: only the organization's own
rows (and its members, for people fields), narrowed further by the spec."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from pdca.core.registers.spec import RegisterSpec


def choices_for(spec: RegisterSpec, name: str, organization) -> models.QuerySet:
    """The queryset a relation field of `spec` may choose from in `organization`."""
    field = spec.model_field(name)
    related = field.related_model
    User = get_user_model()
    if related is User:
        queryset = User.objects.filter(
            memberships__organization=organization, is_active=True
        ).order_by("full_name", "email")
    elif hasattr(related, "organization_id") or any(
        f.name == "organization" for f in related._meta.fields
    ):
        queryset = related.objects.filter(organization=organization)
    elif related._meta.label_lower == "standards.requirement":
        queryset = requirement_choices(organization)
    else:
        queryset = related.objects.all()
    limit = spec.limit_choices.get(name)
    if limit is not None:
        queryset = limit(queryset, organization)
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


def requirement_choices(organization) -> models.QuerySet:
    """Requirements of the standards the organization's systems follow (every standard when it
    has adopted none yet), in catalog order."""
    from pdca.standards.models import Requirement
    from pdca.system.models import AdoptedStandard

    queryset = Requirement.objects.filter(retired=False).select_related("standard")
    adopted = AdoptedStandard.objects.filter(
        organization=organization, dropped_on__isnull=True
    ).values("standard_id")
    if adopted.exists():
        queryset = queryset.filter(standard_id__in=adopted)
    return queryset.order_by("standard__name", "sort_key")
