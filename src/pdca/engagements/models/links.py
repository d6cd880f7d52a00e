"""Engagements between two organizations, the certification body's audits released to its
client, and the client's nonconformities that answer the body's findings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from pdca.core.models import OrgOwned


class Engagement(OrgOwned):
    """A link between a provider (a certification body or a consultancy, the owning
    organization) and a client organization in pdca. The provider invites by a link the
    client's manager accepts; either side can end it. A certification body's engagement names
    the client record it belongs to; a consultancy's names its consultants and the dates of the
    consultancy (a certification body's impartiality check reads them)."""

    record_type = "engagement"

    class Kind(models.TextChoices):
        CERTIFICATION = "certification", "Certification"
        CONSULTANCY = "consultancy", "Consultancy"

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Invitation withdrawn"
        ENDED = "ended", "Ended"

    kind = models.CharField(max_length=14, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    client_organization = models.ForeignKey(
        "tenancy.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engagements_as_client",
        help_text="The client's organization in pdca, once it accepted",
    )
    client = models.ForeignKey(
        "certification.Client",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engagements",
        help_text="The certification body's client record",
    )
    title = models.CharField(max_length=200, help_text="e.g. ISO 9001 certification of Acme")
    notes = models.TextField(blank=True)
    invited_email = models.EmailField(
        "invitee's e-mail address", help_text="The client's manager who accepts the link"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(help_text="The invitation link stops working then")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.CharField(max_length=500, blank=True)
    #: A consultancy's dates and people: what the certification body's impartiality check reads.
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    consultants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    activity_exclude = ("token_digest",)

    class Meta:
        ordering = ["organization", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "client_organization", "kind"],
                condition=models.Q(status="active"),
                name="engagement_one_active_link",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status__in=["invited", "active"]),
                name="engagement_one_open_per_client_record",
            ),
        ]
        indexes = [
            models.Index(fields=["client_organization", "status"], name="engagement_client_idx")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def invitation_expired(self) -> bool:
        return self.status == self.Status.INVITED and self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        return "expired" if self.invitation_expired else self.status

    def record_reason(self) -> str | None:
        return "it was accepted" if self.accepted_at else None


class AuditRelease(OrgOwned):
    """A certification body's audit released to its linked client: from then on the client sees
    its plan, its findings (each nonconformity opens one in the client's register) and its
    report once issued."""

    record_type = "engagement"

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="releases")
    audit = models.OneToOneField(
        "audits.Audit", on_delete=models.PROTECT, related_name="client_release"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organization", "-created_at"]
        verbose_name = "audit release"

    def __str__(self) -> str:
        return f"{self.audit} released to {self.engagement.client_organization}"

    def record_reason(self) -> str:
        return "the client relies on it"


class FindingLink(OrgOwned):
    """The client's nonconformity that answers a certification body's major or minor finding
    (owned by the client). The client sends its plan (correction, cause, corrective actions)
    to the body, whose review of it is kept on the body's side."""

    record_type = "engagement"

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="findings")
    finding = models.OneToOneField(
        "audits.Finding", on_delete=models.PROTECT, related_name="client_link"
    )
    nonconformity = models.OneToOneField(
        "improvement.Nonconformity", on_delete=models.PROTECT, related_name="certification_link"
    )
    plan_sent_at = models.DateTimeField(null=True, blank=True)
    plan_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    times_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organization", "-created_at"]
        verbose_name = "finding link"

    def __str__(self) -> str:
        return f"{self.nonconformity} ← F{self.finding.number}"

    def record_reason(self) -> str:
        return "it links a certification finding"
