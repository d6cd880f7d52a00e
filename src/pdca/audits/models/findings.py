"""Findings of an audit, and its issued reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class Finding(OrgOwned):
    """What an audit found, graded (major or minor nonconformity, observation, opportunity for
    improvement, strength) and stated in three parts: the requirement, the evidence, and what
    was found. A nonconformity opens a Nonconformity for the auditee to correct."""

    record_type = "audit"

    class Grade(models.TextChoices):
        MAJOR = "major", "Major nonconformity"
        MINOR = "minor", "Minor nonconformity"
        OBSERVATION = "observation", "Observation"
        OFI = "ofi", "Opportunity for improvement"
        STRENGTH = "strength", "Strength"

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField()
    grade = models.CharField(max_length=12, choices=Grade.choices)
    title = models.CharField(max_length=200)
    requirement_statement = models.TextField(
        "requirement", help_text="What the requirement asks, in your words"
    )
    evidence = models.TextField(help_text="The objective evidence seen")
    statement = models.TextField("finding", help_text="What was found, against the requirement")
    requirements = models.ManyToManyField("standards.Requirement", blank=True, related_name="+")
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checklist_item = models.ForeignKey(
        "audits.ChecklistItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    nonconformity = models.OneToOneField(
        "improvement.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="finding",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="finding_number_unique"),
        ]
        indexes = [
            # A body's majors (a tenth of its findings): the home page looks among them for
            # accepted plans still to verify, without reading every finding.
            models.Index(
                fields=["organization", "id"],
                condition=models.Q(grade="major"),
                name="finding_majors",
            ),
        ]

    def __str__(self) -> str:
        return f"F{self.number} {self.title}"

    @property
    def is_nonconformity(self) -> bool:
        return self.grade in (self.Grade.MAJOR, self.Grade.MINOR)

    def record_reason(self) -> str | None:
        if self.audit.report_frozen or self.audit.reports.exists():
            return "it is part of an issued audit report"
        opened = self.nonconformity if self.nonconformity_id is not None else None
        if opened is not None and opened.record_reason():
            state = opened.get_status_display().lower()
            return f"the nonconformity it opened is {state}"
        return None


class AuditReport(OrgOwned):
    """An issued revision of an audit's report: its frozen content, who issued it and when,
    and the PDF (in the evidence store) with its SHA-256. A later change is a new revision."""

    record_type = "audit"

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="reports")
    revision = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why a revision was issued")
    content = models.JSONField(default=dict)
    pdf = models.ForeignKey("documents.EvidenceFile", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["audit", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "revision"], name="report_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.audit} report rev. {self.revision}"

    def record_reason(self) -> str | None:
        return f"revision {self.revision} was issued on {self.issued_at:%Y-%m-%d}"
