"""Review decisions on versions, and acknowledgements of published ones."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class Approval(OrgOwned):
    """A reviewer's decision on a version in review: approved or rejected, with a comment.
    The author of a version never decides on it."""

    record_type = "document"

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    version = models.ForeignKey(
        "documents.DocumentVersion", on_delete=models.CASCADE, related_name="approvals"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer}"

    def record_reason(self) -> str | None:
        if not self.decision:
            return None
        return f"the reviewer's decision ({self.get_decision_display().lower()})"


class Acknowledgement(OrgOwned):
    """A person asked to read a published version, and when they confirmed they had
    (evidence of awareness, clause 7.3). `via_role` says when they were asked as holders of a
    role rather than by name."""

    record_type = "document"

    version = models.ForeignKey(
        "documents.DocumentVersion", on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    via_role = models.CharField(max_length=30, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "user"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="acknowledge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.version}"

    def record_reason(self) -> str | None:
        if self.acknowledged_at is None:
            return None
        return f"acknowledged on {self.acknowledged_at:%Y-%m-%d}"
