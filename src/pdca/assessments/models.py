"""Gap assessments: every requirement of a management system's standards, with its status,
owner, target date and evidence; readiness is computed from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned

if TYPE_CHECKING:
    from pdca.standards.models import Requirement


class GapAssessment(OrgOwned):
    """One assessment of a management system at a point in time. Several are kept over time;
    a new one can start as a copy of the previous, and two can be compared."""

    record_type = "assessment"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    system = models.ForeignKey(
        "system.ManagementSystem", on_delete=models.PROTECT, related_name="assessments"
    )
    title = models.CharField(max_length=200)
    started_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["organization", "-started_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        return "it is closed" if self.status == self.Status.CLOSED else None

    def closed_reason(self) -> str | None:
        return "it is closed" if self.status == self.Status.CLOSED else None


class GapItem(OrgOwned):
    """One line of an assessment. An item usually covers one requirement; a requirement that
    shares a Harmonized Structure core clause with other adopted standards is assessed once, in
    one item that covers them all, until someone splits it."""

    record_type = "assessment"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        PLANNED = "planned", "Planned"
        PARTIAL = "partial", "Partial"
        IMPLEMENTED = "implemented", "Implemented"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    assessment = models.ForeignKey(GapAssessment, on_delete=models.CASCADE, related_name="items")
    requirement = models.ForeignKey(
        "standards.Requirement",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The requirement that names the item (the first of those it covers)",
    )
    core = models.ForeignKey(
        "standards.CoreClause",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set on an item shared by standards through this core clause",
    )
    covers = models.ManyToManyField("standards.Requirement", related_name="gap_items")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gap_items",
    )
    target_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    justification = models.TextField(blank=True, help_text="Why it does not apply")
    evidence = models.TextField(blank=True, help_text="References or URLs, one per line")
    sort_key = models.CharField(max_length=120, db_index=True)

    #: The covered requirements as one list, set by `pages.load_items` (not a field).
    covered: list[Requirement]

    class Meta:
        ordering = ["assessment", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "requirement"], name="gap_item_requirement_unique"
            ),
        ]
        indexes = [models.Index(fields=["assessment", "status"], name="gap_item_status_idx")]

    def __str__(self) -> str:
        return f"{self.requirement.number} {self.requirement.title}"

    def record_reason(self) -> str | None:
        if self.assessment.status == GapAssessment.Status.CLOSED:
            return "its gap assessment is closed"
        return None
