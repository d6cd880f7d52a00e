"""Nonconformities (clause 10.2 of every standard) and where each one stands."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Nonconformity(Archivable, OrgOwned, RequirementLinked):
    """A failure to meet a requirement, from any source: an audit finding, an employee's
    report, a complaint, an incident. It is triaged, contained by a correction, its cause is
    analysed, corrective actions remove the cause, and someone other than the action owners
    checks, after a waiting period, that they worked before it is closed."""

    record_type = "nonconformity"

    class Source(models.TextChoices):
        INTERNAL_AUDIT = "internal_audit", "Internal audit"
        CERTIFICATION_AUDIT = "certification_audit", "Certification audit"
        SUPPLIER_AUDIT = "supplier_audit", "Supplier audit"
        EMPLOYEE = "employee", "Employee report"
        COMPLAINT = "complaint", "Customer complaint"
        INCIDENT = "incident", "Incident"
        DEVIATION = "deviation", "KPI or process deviation"
        SUPPLIER = "supplier", "Supplier issue"
        OPPORTUNITY = "opportunity", "Improvement opportunity"
        COMPLIANCE = "compliance", "Compliance evaluation"
        EXERCISE = "exercise", "Continuity exercise"

    class Severity(models.TextChoices):
        MAJOR = "major", "Major"
        MINOR = "minor", "Minor"

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        TRIAGED = "triaged", "Triaged"
        CONTAINED = "contained", "Contained"
        CAUSE_ANALYSED = "cause_analysed", "Cause analysed"
        ACTION_PLANNED = "action_planned", "Action planned"
        IMPLEMENTED = "implemented", "Implemented"
        VERIFIED = "verified", "Verified effective"
        CLOSED = "closed", "Closed"
        DISMISSED = "dismissed", "Dismissed"

    class CauseMethod(models.TextChoices):
        FIVE_WHYS = "five_whys", "Five whys"
        CATEGORIES = "categories", "Cause categories (6M)"
        FREE_TEXT = "free_text", "Free text"

    class CauseCategory(models.TextChoices):
        PEOPLE = "people", "People"
        METHOD = "method", "Method"
        MACHINE = "machine", "Machine"
        MATERIAL = "material", "Material"
        MEASUREMENT = "measurement", "Measurement"
        ENVIRONMENT = "environment", "Environment"
        MANAGEMENT = "management", "Management"

    reference = models.CharField(max_length=30, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField()
    source = models.CharField(max_length=20, choices=Source.choices)
    severity = models.CharField(max_length=6, choices=Severity.choices, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REPORTED)
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(
        null=True, blank=True, help_text="When it should be closed (set at triage by severity)"
    )
    attachments = models.ManyToManyField(
        "documents.EvidenceFile", blank=True, related_name="+", help_text="Files from the report"
    )
    # Correction (containment): the immediate fix.
    correction = models.TextField(blank=True)
    correction_evidence = models.ManyToManyField(
        "documents.EvidenceFile", blank=True, related_name="+"
    )
    # Cause analysis: the method, its working, and the root cause statement.
    cause_method = models.CharField(max_length=12, choices=CauseMethod.choices, blank=True)
    whys = models.JSONField(default=list, blank=True)
    cause_categories = models.JSONField(default=list, blank=True)
    root_cause = models.TextField(blank=True)
    effectiveness_criteria = models.TextField(
        blank=True, help_text="What will show that the corrective actions worked"
    )
    #: Analysis rounds: a check that finds the actions not effective opens the next one.
    round = models.PositiveSmallIntegerField(default=1)
    triaged_at = models.DateTimeField(null=True, blank=True)
    contained_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    planned_at = models.DateTimeField(null=True, blank=True)
    implemented_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_note = models.TextField(blank=True)
    risk = models.ForeignKey(
        "risks.Risk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nonconformities",
        help_text="The risk this nonconformity raised or updated",
    )
    recurrence_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurrences",
        help_text="An earlier nonconformity on the same requirement and process within 12 months",
    )
    # Certification findings: the certification body's deadlines.
    certification_terms = models.ForeignKey(
        "improvement.CertificationTerms",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The certification body whose deadlines apply",
    )
    response_due = models.DateField(
        null=True, blank=True, help_text="Correction, cause and action plan due to the body"
    )
    closure_due = models.DateField(null=True, blank=True, help_text="Corrective action verified by")
    escalated_at = models.DateTimeField(null=True, blank=True)
    last_reminder = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "-created_at"]
        verbose_name_plural = "nonconformities"
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.DISMISSED)

    def record_reason(self) -> str | None:
        if self.status in (self.Status.VERIFIED, self.Status.CLOSED, self.Status.DISMISSED):
            return f"it is {self.get_status_display().lower()}"
        return None

    def closed_reason(self) -> str | None:
        if self.status in (self.Status.CLOSED, self.Status.DISMISSED):
            return f"it is {self.get_status_display().lower()}"
        return None
