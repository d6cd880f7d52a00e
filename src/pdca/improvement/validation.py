"""Checks of what people enter in the corrective-action workflow, each naming its field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.roles import Role
from pdca.system.selectors import requirement_choices
from pdca.tenancy.models import Membership

TEXT_LIMIT = 20_000
#: Roles that never own a nonconformity or a corrective action.
NOT_OWNERS = frozenset({Role.ADMIN})


def check_text(
    data: dict[str, Any], name: str, missing: str, *, required: bool, limit: int = TEXT_LIMIT
) -> str:
    """The stripped text of `data[name]`; refused when required and blank, too long, or
    holding a NUL character (which PostgreSQL cannot store)."""
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise ValidationFailed.single(name, missing, "required")
    if len(value) > limit:
        raise ValidationFailed.single(name, f"Keep this to {limit:,} characters.")
    if "\x00" in value:
        raise ValidationFailed.single(name, "Must not contain a NUL character.")
    return value


def acting_members(queryset: QuerySet[Any], organization: Any) -> QuerySet[Any]:
    """The people of `queryset` who may own a nonconformity or an action in `organization`:
    every member whose role acts on them (the administrator's does not). Owner pickers offer
    exactly these (`limit_choices`), and `check_member` accepts exactly these."""
    bystanders = Membership.objects.filter(organization=organization, role__in=NOT_OWNERS).values(
        "user_id"
    )
    return queryset.exclude(pk__in=bystanders)


def check_member(
    organization_id: int, user, name: str, *, required: bool, owner: bool = False
) -> list[FieldError]:
    """The person must be an active member of the organization; an `owner` (of a
    nonconformity or an action) must also be one of `acting_members`."""
    if user is None:
        return [FieldError(name, "Choose a person.", "required")] if required else []
    role = (
        Membership.objects.filter(organization_id=organization_id, user=user)
        .values_list("role", flat=True)
        .first()
    )
    if not user.is_active or role is None:
        return [FieldError(name, f"{user.email} is not a member of this organization.")]
    if owner and role in NOT_OWNERS:
        return [
            FieldError(
                name,
                f"{user.email} is this organization's administrator, whose role does not act on "
                "nonconformities: choose someone who will.",
            )
        ]
    return []


def check_evidence(organization_id: int, files: Iterable, *, required: bool = False) -> list:
    """Evidence files of the organization, without repeats."""
    files = list(dict.fromkeys(files or []))
    if required and not files:
        raise ValidationFailed.single(
            "evidence", "Attach the evidence (upload it to the evidence store first).", "required"
        )
    foreign = [f for f in files if f.organization_id != organization_id]
    if foreign:
        raise ValidationFailed.single("evidence", "Choose evidence files of this organization.")
    return files


def clean_requirements(organization, requirements: Iterable) -> tuple[list, list[FieldError]]:
    """At least one requirement, of the standards the organization adopted."""
    wanted = list(dict.fromkeys(requirements))
    if not wanted:
        return [], [
            FieldError("requirements", "Name the requirement(s) it fails to meet.", "required")
        ]
    allowed = set(
        requirement_choices(organization)
        .filter(pk__in=[r.pk for r in wanted])
        .values_list("pk", flat=True)
    )
    outside = [r for r in wanted if r.pk not in allowed]
    if outside:
        return wanted, [
            FieldError(
                "requirements",
                "Not a requirement of the standards this organization adopted: "
                f"{', '.join(str(r) for r in outside[:5])}.",
            )
        ]
    return wanted, []
