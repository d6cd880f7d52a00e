"""Organizations, their sites, and who belongs to them with which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned
from pdca.core.roles import CERTIFICATION_BODY_ROLES, ORGANIZATION_ROLES, Role


class Organization(models.Model):
    """A tenant: a company that runs a management system, a certification body, or a
    consultancy. Everything it owns is invisible to the members of any other organization."""

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", "Organization"
        CERTIFICATION_BODY = "certification_body", "Certification body"
        CONSULTANCY = "consultancy", "Consultancy"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.ORGANIZATION)
    legal_name = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def organization_id(self) -> int:
        # An organization's activity belongs to its own chain.
        return self.pk

    @property
    def organization(self) -> Organization:
        return self

    @property
    def allowed_roles(self) -> frozenset[str]:
        if self.kind == self.Kind.CERTIFICATION_BODY:
            return CERTIFICATION_BODY_ROLES
        return ORGANIZATION_ROLES


class Site(OrgOwned):
    """A location of the organization (head office, plant, data centre, remote base); management
    systems, audits and certificates name the sites they cover."""

    name = models.CharField(max_length=200)
    code = models.CharField(max_length=30, blank=True, help_text="Short reference, e.g. HQ")
    address = models.TextField(blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code")
    headcount = models.PositiveIntegerField(
        null=True, blank=True, help_text="People working at the site (for audit time)"
    )
    is_headquarters = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="site_name_unique_in_organization"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(OrgOwned):
    """A person's place in an organization: their role decides what they may see and do."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    job_title = models.CharField(max_length=150, blank=True)
    team = models.CharField(max_length=100, blank=True, help_text="Department or team")
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where the person mainly works",
    )

    class Meta:
        ordering = ["organization", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_unique_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Invitation(OrgOwned):
    """An offer to join the organization with a role, sent by e-mail to an address.

    Nobody becomes a member without agreeing: the invitee follows the link (which expires),
    signs in or creates their account, and accepts; only then does a membership exist. Only the
    SHA-256 digest of the link's secret is stored. A pending invitation can be resent (a new
    link) or revoked; once accepted, declined or revoked it is kept as a record.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=40, choices=Role.choices)
    job_title = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    sent_count = models.PositiveIntegerField(default=1)
    responded_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    activity_exclude = ("token_digest",)

    class Meta:
        ordering = ["organization", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} ({self.get_role_display()})"

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        """The status as people read it: a pending invitation past its date is "expired"."""
        return "expired" if self.is_expired else self.status
