"""What a client lets the other side of an engagement read, and until when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from pdca.core.models import OrgOwned


class AccessGrant(OrgOwned):
    """Read-only access the client (the owning organization) gives the provider of one of its
    engagements: chosen documents (their published versions), chosen versions, evidence files
    and whole registers, and optionally one management system for a stage 1 rehearsal, from a
    start to an end, revocable at any time. Each view and download under it is logged in the
    client's activity log; nothing else of the client is reachable."""

    record_type = "engagement"

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.PROTECT, related_name="grants"
    )
    purpose = models.CharField(
        max_length=200, help_text="e.g. Stage 1 document review, or the whole stage 2 audit"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    documents = models.ManyToManyField("documents.Document", blank=True, related_name="+")
    versions = models.ManyToManyField("documents.DocumentVersion", blank=True, related_name="+")
    evidence = models.ManyToManyField("documents.EvidenceFile", blank=True, related_name="+")
    registers = models.JSONField(
        default=list, blank=True, help_text="Register slugs the provider may read"
    )
    system = models.ForeignKey(
        "system.ManagementSystem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A management system the provider may rehearse stage 1 on",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["organization", "-starts_at", "-pk"]
        verbose_name = "access grant"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="grant_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["engagement", "ends_at"], name="grant_engagement_end")]

    def __str__(self) -> str:
        return f"G-{self.pk}: {self.purpose}"

    @property
    def state(self) -> str:
        now = timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if now < self.starts_at:
            return "scheduled"
        return "active" if now < self.ends_at else "expired"

    def record_reason(self) -> str:
        return "the provider's access is logged against it"
