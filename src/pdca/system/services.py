"""Management system rules: creating a system, adopting and dropping standards, exclusions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import (
    record_activity,
    record_create,
    record_delete,
    record_update,
    snapshot,
)
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.validation import apply_fields, validate_instance
from pdca.standards.models import Requirement, Standard
from pdca.system import hooks
from pdca.system.models import AdoptedStandard, Exclusion, ManagementSystem
from pdca.system.permissions import IMPLEMENTERS
from pdca.tenancy.models import Membership, Organization, Site

if TYPE_CHECKING:
    from pdca.accounts.models import User

SYSTEM_FIELDS = (
    "name",
    "scope_statement",
    "boundaries",
    "status",
    "certification_target_date",
)


def _check_owner(organization: Organization, owner: User | None) -> None:
    if owner is None:
        return
    role = (
        Membership.objects.filter(organization=organization, user=owner)
        .values_list("role", flat=True)
        .first()
    )
    if role not in IMPLEMENTERS:
        raise ValidationFailed.single(
            "owner", "The owner must be a system manager or consultant of this organization."
        )


def _check_sites(organization: Organization, sites: list[Site]) -> None:
    if any(site.organization_id != organization.pk for site in sites):
        raise ValidationFailed.single("sites", "Choose sites of this organization.")


def _check_system(system: ManagementSystem) -> None:
    errors = []
    if not system.name:
        errors.append(FieldError("name", "This field is required."))
    elif (
        ManagementSystem.objects.filter(
            organization_id=system.organization_id, name__iexact=system.name
        )
        .exclude(pk=system.pk)
        .exists()
    ):
        errors.append(FieldError("name", "This organization already has a system of this name."))
    if system.status not in ManagementSystem.Status.values:
        errors.append(
            FieldError("status", f"Choose one of: {', '.join(ManagementSystem.Status.values)}.")
        )
    if errors:
        raise ValidationFailed(errors)
    validate_instance(system, exclude=["owner"])


@transaction.atomic
def create_system(
    organization: Organization,
    *,
    name: str,
    standards: Iterable[Standard] = (),
    sites: Iterable[Site] = (),
    owner: User | None = None,
    actor: User,
    **data: Any,
) -> ManagementSystem:
    """Create a management system adopting `standards` as one integrated system."""
    require(actor, "add", ManagementSystem, organization=organization)
    system = ManagementSystem(organization=organization, name=(name or "").strip())
    apply_fields(system, data, set(SYSTEM_FIELDS) - {"name"})
    _check_system(system)
    _check_owner(organization, owner)
    _check_sites(organization, list(sites))
    system.owner = owner
    system.save()
    system.sites.set(sites)
    record_create(actor=actor, obj=system)
    for standard in standards:
        _adopt(system, standard, actor=actor)
    return system


@transaction.atomic
def update_system(
    system: ManagementSystem, *, actor: User, sites: list[Site] | None = None, **data: Any
) -> ManagementSystem:
    lock_for_update(system)
    require(actor, "change", system)
    before = snapshot(system)
    before_sites = sorted(system.sites.values_list("pk", flat=True))
    owner_given = "owner" in data
    owner = data.pop("owner", None)
    apply_fields(system, data, SYSTEM_FIELDS)
    _check_system(system)
    if owner_given:
        _check_owner(system.organization, owner)
        system.owner = owner
    written = save_changed(system)
    extra = None
    if sites is not None:
        _check_sites(system.organization, sites)
        system.sites.set(sites)
        after_sites = sorted(s.pk for s in sites)
        if after_sites != before_sites:
            extra = {"sites": [before_sites, after_sites]}
    from pdca.core.activity import diff

    changes = diff(before, snapshot(system))
    if extra:
        changes.update(extra)
    if changes and not written:
        save_changed(system, touch=True)  # new sites only: still a new version
    if changes:
        record_activity(actor=actor, action="update", obj=system, changes=changes)
    return system


def _adopt(system: ManagementSystem, standard: Standard, *, actor: User) -> AdoptedStandard:
    adoption = AdoptedStandard.objects.filter(system=system, standard=standard).first()
    today = timezone.localdate()
    if adoption is None:
        adoption = AdoptedStandard.objects.create(
            organization=system.organization, system=system, standard=standard, adopted_on=today
        )
        record_create(actor=actor, obj=adoption)
    elif adoption.dropped_on is None:
        raise Conflict(f"{standard} is already adopted by {system}.", code="duplicate")
    else:
        before = snapshot(adoption)
        adoption.dropped_on = None
        adoption.adopted_on = today
        adoption.save()
        record_update(actor=actor, obj=adoption, before=before, action="readopt")
    return adoption


@transaction.atomic
def adopt_standard(system: ManagementSystem, standard: Standard, *, actor: User) -> AdoptedStandard:
    """Add a standard to the system; open gap assessments gain its requirements."""
    require(actor, "change", system)
    adoption = _adopt(system, standard, actor=actor)
    hooks.standard_adopted.call(system, actor=actor)
    return adoption


@transaction.atomic
def drop_standard(
    system: ManagementSystem, standard: Standard, *, actor: User, on: dt.date | None = None
) -> AdoptedStandard:
    """Stop following a standard; its history (and its assessment items) stays."""
    require(actor, "change", system)
    adoption = AdoptedStandard.objects.filter(
        system=system, standard=standard, dropped_on__isnull=True
    ).first()
    if adoption is None:
        raise Conflict(f"{standard} is not adopted by {system}.", code="not_adopted")
    before = snapshot(adoption)
    adoption.dropped_on = on or timezone.localdate()
    adoption.save()
    record_update(actor=actor, obj=adoption, before=before, action="drop")
    return adoption


def active_standards(system: ManagementSystem) -> list[Standard]:
    return [
        a.standard
        for a in system.adoptions.filter(dropped_on__isnull=True)
        .select_related("standard")
        .order_by("standard__name", "standard__edition")
    ]


@transaction.atomic
def add_exclusion(
    system: ManagementSystem, requirement: Requirement, *, justification: str, actor: User
) -> Exclusion:
    """Declare a requirement not applicable; the justification is mandatory."""
    require(actor, "change", system)
    justification = (justification or "").strip()
    if not justification:
        raise ValidationFailed.single(
            "justification", "Say why this requirement does not apply: auditors will ask."
        )
    if requirement.standard_id not in {s.pk for s in active_standards(system)}:
        raise ValidationFailed.single(
            "requirement", f"{requirement.label} is not part of a standard this system adopts."
        )
    if Exclusion.objects.filter(system=system, requirement=requirement).exists():
        raise Conflict(f"{requirement.label} is already excluded.", code="duplicate")
    exclusion = Exclusion.objects.create(
        organization=system.organization,
        system=system,
        requirement=requirement,
        justification=justification,
    )
    record_create(actor=actor, obj=exclusion)
    hooks.exclusion_added.call(exclusion, actor=actor)
    return exclusion


@transaction.atomic
def remove_exclusion(exclusion: Exclusion, *, actor: User) -> None:
    require(actor, "change", exclusion.system)
    record_delete(actor=actor, obj=exclusion)
    exclusion.delete()
