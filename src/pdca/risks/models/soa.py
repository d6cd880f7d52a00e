"""The Statement of Applicability (27001 6.1.3 d, 42001 6.1.3) and its approved versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class StatementOfApplicability(OrgOwned):
    """For one standard with an Annex A (27001, 42001): one line per control saying whether it
    applies and why, and how far it is implemented. Approving it freezes a dated version."""

    record_type = "risk"

    standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="+")
    system = models.ForeignKey(
        "system.ManagementSystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["organization", "standard__name"]
        verbose_name = "Statement of Applicability"
        verbose_name_plural = "Statements of Applicability"
        constraints = [
            models.UniqueConstraint(fields=["organization", "standard"], name="soa_per_standard"),
        ]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.pk and self.versions.exists():
            return "a version of it was approved"
        return None


class ControlApplicability(OrgOwned):
    """One line of a Statement of Applicability: one Annex A control, applicable or not, the
    justification for including or excluding it (required), its implementation status and the
    risks it treats."""

    class Implementation(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        PLANNED = "planned", "Planned"
        PARTIAL = "partial", "Partially implemented"
        IMPLEMENTED = "implemented", "Implemented"

    soa = models.ForeignKey(
        StatementOfApplicability, on_delete=models.CASCADE, related_name="lines"
    )
    control = models.ForeignKey("standards.Requirement", on_delete=models.PROTECT, related_name="+")
    applicable = models.BooleanField(null=True, blank=True, help_text="Empty until decided")
    justification = models.TextField(blank=True)
    implementation = models.CharField(
        max_length=12, choices=Implementation.choices, default=Implementation.NOT_STARTED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)
    risks = models.ManyToManyField("risks.Risk", blank=True, related_name="soa_lines")

    class Meta:
        ordering = ["soa", "control__sort_key"]
        verbose_name = "SoA line"
        constraints = [
            models.UniqueConstraint(fields=["soa", "control"], name="soa_control_once"),
        ]

    def __str__(self) -> str:
        return f"{self.control.number} {self.control.title}"


class SoaVersion(OrgOwned):
    """An approved, frozen and dated copy of a Statement of Applicability: what the auditor
    was shown. Its lines are stored as they were, with a SHA-256 of their canonical form."""

    record_type = "risk"

    soa = models.ForeignKey(
        StatementOfApplicability, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    note = models.TextField(blank=True)
    lines = models.JSONField(default=list)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["soa", "-number"]
        verbose_name = "SoA version"
        constraints = [
            models.UniqueConstraint(fields=["soa", "number"], name="soa_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.soa} v{self.number}"

    def record_reason(self) -> str | None:
        return "an approved version of the Statement of Applicability"
