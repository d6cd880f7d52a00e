"""Evidence requests: what an auditor asks a linked client for, and the client's answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class EvidenceRequest(OrgOwned):
    """An item the certification body's auditor asks its linked client for (a document, a
    record, a sample of records), by a due date, for an audit or the engagement as a whole.
    The client answers by attaching existing documents or evidence files, which the body may
    then read (logged like a grant); the auditor accepts the answer or returns it with a
    reason. Owned by the body; both sides see its status."""

    record_type = "engagement"

    class Kind(models.TextChoices):
        DOCUMENT = "document", "A document"
        RECORD = "record", "A record"
        SAMPLE = "sample", "A sample of records"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned for more"
        WITHDRAWN = "withdrawn", "Withdrawn"

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.PROTECT, related_name="requests"
    )
    audit = models.ForeignKey(
        "audits.Audit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField(help_text="ER-n within the engagement")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DOCUMENT)
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    requirement = models.ForeignKey(
        "standards.Requirement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    documents = models.ManyToManyField("documents.Document", blank=True, related_name="+")
    evidence = models.ManyToManyField("documents.EvidenceFile", blank=True, related_name="+")
    answer_note = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True, help_text="Why it was returned or withdrawn")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organization", "due_date", "pk"]
        verbose_name = "evidence request"
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "number"], name="evidence_request_number_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="sample") | models.Q(sample_size__gte=1),
                name="evidence_request_sample_size",
            ),
        ]
        indexes = [models.Index(fields=["engagement", "status"], name="evidence_request_status")]

    def __str__(self) -> str:
        return f"ER-{self.number} {self.title}"

    def record_reason(self) -> str | None:
        return "it was answered" if self.answered_at else None
