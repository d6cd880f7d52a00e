"""Awareness campaigns (7.3): documents to acknowledge and a path to pass, for an audience,
with the per-person evidence an auditor samples."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned
from pdca.people.models.audience import Audience


class AwarenessCampaign(Audience, Archivable, OrgOwned):
    """Published documents to read and acknowledge and a course or path to pass, for everyone
    a role, position, team or site covers, by a due date. Launching it asks for the
    acknowledgements and assigns the path; its report is the awareness evidence."""

    record_type = "training"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LAUNCHED = "launched", "Launched"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    documents = models.ManyToManyField(
        "documents.Document", blank=True, related_name="+", help_text="Published documents"
    )
    path = models.ForeignKey(
        "people.TrainingPath",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    due_date = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    launched_at = models.DateTimeField(null=True, blank=True, editable=False)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organization", "-due_date"]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.status != self.Status.DRAFT:
            return f"it is {self.get_status_display().lower()}"
        return None

    def closed_reason(self) -> str | None:
        return "it is closed" if self.status == self.Status.CLOSED else None


class Qualification(Archivable, OrgOwned):
    """A qualification granted to a person for a role, standard and technical area: an
    internal auditor qualified by path and audits, or a certification body's auditor approved
    for a scope. Internal auditors' qualification is also derived from the records; this row
    is the decision, with its basis."""

    record_type = "training"

    class Kind(models.TextChoices):
        INTERNAL_AUDITOR = "internal_auditor", "Internal auditor"
        AUDITOR = "auditor", "Auditor"
        LEAD_AUDITOR = "lead_auditor", "Lead auditor"
        TECHNICAL_EXPERT = "technical_expert", "Technical expert"
        DECISION_MAKER = "decision_maker", "Certification decision maker"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    standard = models.ForeignKey(
        "standards.Standard", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    technical_area = models.CharField(max_length=100, blank=True)
    granted_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    basis = models.TextField(blank=True, help_text="The records the decision rests on")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["organization", "person", "kind"]

    def __str__(self) -> str:
        scope = f" {self.standard}" if self.standard_id else ""
        return f"{self.get_kind_display()}{scope}: {self.person}"

    @property
    def title(self) -> str:
        return str(self)

    def record_reason(self) -> str:
        return "it is a qualification decision"
