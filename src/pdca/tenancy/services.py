"""Organization rules: creating organizations, keeping sites, and managing members."""

from __future__ import annotations

import re
from typing import Any, Literal

from django.db import models, transaction
from django.utils.text import slugify

from pdca.accounts.models import User
from pdca.core.activity import (
    record_activity,
    record_create,
    record_delete,
    record_update,
    snapshot,
)
from pdca.core.concurrency import lock_for_update, save_changed, serialize_on
from pdca.core.exceptions import Conflict, FieldError, PermissionDenied, ValidationFailed
from pdca.core.permissions import forget_memberships, require
from pdca.core.roles import MANAGERS, Role
from pdca.core.validation import apply_fields, validate_instance
from pdca.tenancy.models import Membership, Organization, Site

ORGANIZATION_FIELDS = ("name", "legal_name", "country", "description")
SITE_FIELDS = (
    "name",
    "code",
    "address",
    "city",
    "country",
    "headcount",
    "is_headquarters",
    "notes",
)


def _unique_slug(name: str, wanted: str | None) -> str:
    base = slugify(wanted or name)[:50] or "org"
    if wanted:
        if Organization.objects.filter(slug=base).exists():
            raise Conflict(f"The short name {base!r} is taken.", code="duplicate")
        return base
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_country(country: str, field: str = "country") -> None:
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise ValidationFailed.single(field, "Use a two-letter ISO 3166 code such as DE or FR.")


@transaction.atomic
def create_organization(
    *,
    name: str,
    kind: str = Organization.Kind.ORGANIZATION,
    slug: str | None = None,
    first_admin: User | None = None,
    actor: User | None,
    **fields: Any,
) -> Organization:
    """Create an organization (platform administrators only) with its first administrator."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only platform administrators may create organizations.")
    if kind not in Organization.Kind.values:
        raise ValidationFailed.single(
            "kind", f"Choose one of: {', '.join(Organization.Kind.values)}."
        )
    organization = Organization(name=(name or "").strip(), kind=kind)
    apply_fields(organization, fields, set(ORGANIZATION_FIELDS) - {"name"})
    if not organization.name:
        raise ValidationFailed.single("name", "This field is required.")
    _check_country(organization.country)
    organization.slug = _unique_slug(organization.name, slug)
    validate_instance(organization)
    organization.save()
    record_create(actor=actor, obj=organization)
    admin = first_admin or actor
    if admin is not None:
        grant_membership(organization, admin, Role.ADMIN, actor=actor)
    return organization


@transaction.atomic
def update_organization(organization: Organization, *, actor: User, **data: Any) -> Organization:
    lock_for_update(organization)
    require(actor, "change", organization)
    before = snapshot(organization)
    apply_fields(organization, data, ORGANIZATION_FIELDS)
    if not organization.name:
        raise ValidationFailed.single("name", "This field is required.")
    _check_country(organization.country)
    validate_instance(organization)
    save_changed(organization)
    record_update(actor=actor, obj=organization, before=before)
    return organization


def _check_site(site: Site) -> None:
    errors = []
    if not site.name:
        errors.append(FieldError("name", "This field is required."))
    elif (
        Site.objects.filter(organization_id=site.organization_id, name__iexact=site.name)
        .exclude(pk=site.pk)
        .exists()
    ):
        errors.append(FieldError("name", "This organization already has a site of this name."))
    if errors:
        raise ValidationFailed(errors)
    _check_country(site.country)
    validate_instance(site)


def _single_headquarters(site: Site, *, actor: User) -> None:
    """Take the headquarters mark from the organization's other site, in that site's history."""
    if not site.is_headquarters:
        return
    serialize_on(Organization, site.organization_id)  # one headquarters, one writer at a time
    others = Site.objects.filter(organization_id=site.organization_id, is_headquarters=True)
    for other in others.exclude(pk=site.pk):
        lock_for_update(other, check=False)
        before = snapshot(other)
        other.is_headquarters = False
        other.save(update_fields=["is_headquarters", "updated_at"])
        record_update(
            actor=actor, obj=other, before=before, message=f"Headquarters moved to {site.name}."
        )


@transaction.atomic
def create_site(organization: Organization, *, actor: User, **data: Any) -> Site:
    """Add a site; marking it headquarters takes that mark from any other site."""
    require(actor, "add", Site, organization=organization)
    site = Site(organization=organization)
    apply_fields(site, data, SITE_FIELDS)
    _check_site(site)
    _single_headquarters(site, actor=actor)
    site.save()
    record_create(actor=actor, obj=site)
    return site


@transaction.atomic
def update_site(site: Site, *, actor: User, **data: Any) -> Site:
    lock_for_update(site)
    require(actor, "change", site)
    before = snapshot(site)
    apply_fields(site, data, SITE_FIELDS)
    _check_site(site)
    _single_headquarters(site, actor=actor)
    save_changed(site)
    record_update(actor=actor, obj=site, before=before)
    return site


@transaction.atomic
def delete_site(site: Site, *, actor: User) -> None:
    """Delete a site that nothing refers to; otherwise refuse and say so."""
    require(actor, "delete", site)
    record_delete(actor=actor, obj=site)
    try:
        with transaction.atomic():
            site.delete()
    except models.ProtectedError:
        raise Conflict(
            "This site is referred to by other records and cannot be deleted.", code="in_use"
        ) from None


def _managers_left(organization: Organization, excluding: Membership) -> bool:
    return (
        Membership.objects.filter(organization=organization, role__in=MANAGERS)
        .exclude(pk=excluding.pk)
        .filter(user__is_active=True)
        .exists()
    )


def _check_role(organization: Organization, role: str) -> None:
    if role not in organization.allowed_roles:
        labels = ", ".join(sorted(organization.allowed_roles))
        kind = organization.get_kind_display().lower()
        article = "An" if kind[:1] in "aeiou" else "A"
        raise ValidationFailed.single(
            "role", f"{article} {kind} has no role '{role}'; choose one of: {labels}."
        )


def grant_membership(
    organization: Organization, user: User, role: str, *, actor: User | None, job_title: str = ""
) -> Membership:
    """Give an existing user a role directly, without a permission check or their consent:
    for trusted callers only (creating an organization, the platform operator's
    `pdca createuser`, the demo, an accepted invitation). An organization's managers invite
    people instead (`tenancy.invitations.invite_member`)."""
    _check_role(organization, role)
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise Conflict(f"{user.email} is already a member of {organization}.", code="duplicate")
    membership = Membership.objects.create(
        organization=organization, user=user, role=role, job_title=job_title.strip()
    )
    forget_memberships(user)
    record_create(actor=actor, obj=membership)
    return membership


@transaction.atomic
def change_member_role(
    membership: Membership,
    *,
    role: str,
    actor: User,
    job_title: str | None = None,
    team: str | None = None,
    site: Site | Literal[False] | None = False,
) -> Membership:
    """Change a member's role (and job title, team and site, which competence requirements
    and training are assigned by), keeping at least one member who can manage the
    organization. `site=False` leaves the site as it is; None clears it."""
    # The organization's row serializes the last-manager rule: two demotions at once would
    # each still see the other's manager.
    serialize_on(Organization, membership.organization_id)
    lock_for_update(membership)
    require(actor, "change", membership)
    _check_role(membership.organization, role)
    before = snapshot(membership)
    if (
        membership.role in MANAGERS
        and role not in MANAGERS
        and not _managers_left(membership.organization, membership)
    ):
        raise Conflict(
            "This is the last member who can manage the organization; give someone else a "
            "managing role first.",
            code="last_manager",
        )
    if (
        site is not False
        and site is not None
        and site.organization_id != membership.organization_id
    ):
        raise ValidationFailed.single("site", "Choose a site of this organization.")
    membership.role = role
    if job_title is not None:
        membership.job_title = job_title.strip()
    if team is not None:
        membership.team = team.strip()[:100]
    if site is not False:
        membership.site = site
    save_changed(membership)
    forget_memberships(membership.user)
    record_update(actor=actor, obj=membership, before=before)
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, actor: User) -> None:
    """Remove a member; the person keeps their account and other memberships."""
    serialize_on(Organization, membership.organization_id)  # see change_member_role
    lock_for_update(membership)
    require(actor, "delete", membership)
    if membership.role in MANAGERS and not _managers_left(membership.organization, membership):
        raise Conflict(
            "This is the last member who can manage the organization; give someone else a "
            "managing role first.",
            code="last_manager",
        )
    record_delete(actor=actor, obj=membership)
    membership.delete()
    forget_memberships(membership.user)


def record_login(user: User, organization: Organization | None) -> None:
    """Note a sign-in on the organization's chain (evidence of who accessed the system)."""
    if organization is not None:
        record_activity(actor=user, action="login", obj=user, organization=organization)
