"""Improvement opportunities (clauses 10.1 and 10.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class ImprovementOpportunity(Archivable, OrgOwned, RequirementLinked):
    """A chance to do better that is not a nonconformity: an audit's opportunity for
    improvement, a suggestion, an idea from reviewing data. Lighter than a nonconformity; when
    it turns out to need a corrective action it is promoted to one."""

    record_type = "improvement"

    class Source(models.TextChoices):
        AUDIT = "audit", "Audit"
        SUGGESTION = "suggestion", "Suggestion"
        MANAGEMENT_REVIEW = "management_review", "Management review"
        ANALYSIS = "analysis", "Analysis of data"
        CUSTOMER = "customer", "Customer feedback"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        IMPLEMENTED = "implemented", "Implemented"
        REJECTED = "rejected", "Rejected"
        PROMOTED = "promoted", "Promoted to corrective action"

    reference = models.CharField(max_length=30, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SUGGESTION)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    benefit = models.TextField(blank=True, help_text="What it would improve")
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    finding = models.OneToOneField(
        "audits.Finding",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunity",
        help_text="The audit finding it came from",
    )
    promoted_to = models.OneToOneField(
        "improvement.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunity",
    )

    class Meta:
        ordering = ["organization", "-created_at"]
        verbose_name_plural = "improvement opportunities"

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    def record_reason(self) -> str | None:
        if self.status in (self.Status.IMPLEMENTED, self.Status.REJECTED, self.Status.PROMOTED):
            return f"it is {self.get_status_display().lower()}"
        return None
