"""Corrective actions and the checks that they worked."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class CorrectiveAction(OrgOwned):
    """An action that removes the cause of a nonconformity, with its owner, due date and the
    evidence that it was carried out (and the new document version, when a document changed)."""

    record_type = "nonconformity"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IMPLEMENTED = "implemented", "Implemented"
        CANCELLED = "cancelled", "Cancelled"

    nonconformity = models.ForeignKey(
        "improvement.Nonconformity", on_delete=models.CASCADE, related_name="actions"
    )
    #: The analysis round the action belongs to (see Nonconformity.round).
    round = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    implemented_at = models.DateTimeField(null=True, blank=True)
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    implementation_note = models.TextField(blank=True)
    evidence = models.ManyToManyField("documents.EvidenceFile", blank=True, related_name="+")
    document_version = models.ForeignKey(
        "documents.DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The new version of a document changed in response",
    )
    last_reminder = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["nonconformity", "round", "due_date", "pk"]
        indexes = [models.Index(fields=["organization", "owner", "status"])]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.status == self.Status.IMPLEMENTED:
            return "it was implemented"
        return None


class EffectivenessCheck(OrgOwned):
    """The check, after a waiting period, that a nonconformity's corrective actions removed
    its cause; made by someone other than the action owners. Not effective reopens the
    analysis."""

    record_type = "nonconformity"

    nonconformity = models.ForeignKey(
        "improvement.Nonconformity", on_delete=models.CASCADE, related_name="checks"
    )
    round = models.PositiveSmallIntegerField(default=1)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField()
    effective = models.BooleanField()
    notes = models.TextField(help_text="What was checked and what it showed")
    evidence = models.ManyToManyField("documents.EvidenceFile", blank=True, related_name="+")

    class Meta:
        ordering = ["nonconformity", "round", "checked_at"]

    def __str__(self) -> str:
        verdict = "effective" if self.effective else "not effective"
        return f"Round {self.round}: {verdict}"

    def record_reason(self) -> str | None:
        return "an effectiveness check is kept as evidence of the verification"
