"""Audit programmes (ISO 19011 clause 5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned


class AuditProgramme(Archivable, OrgOwned):
    """The arrangements for a set of audits over a period (often a three-year cycle): what
    they are for, the risks to the programme, who manages it, and the audits in it. Its
    coverage matrix shows which requirements and processes each audit covers."""

    record_type = "audit"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    system = models.ForeignKey(
        "system.ManagementSystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    objectives = models.TextField(blank=True)
    risks = models.TextField(
        "risks and opportunities",
        blank=True,
        help_text="What could keep the programme from its aims",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        ordering = ["organization", "-period_start"]
        verbose_name = "audit programme"

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.status != self.Status.DRAFT:
            return f"the programme is {self.get_status_display().lower()}"
        return None

    def closed_reason(self) -> str | None:
        return "the programme is closed" if self.status == self.Status.CLOSED else None
