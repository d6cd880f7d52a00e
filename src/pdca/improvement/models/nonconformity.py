"""Nonconformities (clause 10.2 of every standard)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned, RequirementLinked


class Nonconformity(OrgOwned, RequirementLinked):
    """A failure to meet a requirement, from any source: an audit finding, an employee's
    report, a complaint, an incident. Here it is reported and triaged; correction, cause
    analysis, corrective action and the check that it worked follow."""

    class Source(models.TextChoices):
        INTERNAL_AUDIT = "internal_audit", "Internal audit"
        CERTIFICATION_AUDIT = "certification_audit", "Certification audit"
        SUPPLIER_AUDIT = "supplier_audit", "Supplier audit"
        EMPLOYEE = "employee", "Employee report"
        COMPLAINT = "complaint", "Customer complaint"
        INCIDENT = "incident", "Incident"
        DEVIATION = "deviation", "KPI or process deviation"
        SUPPLIER = "supplier", "Supplier issue"

    class Severity(models.TextChoices):
        MAJOR = "major", "Major"
        MINOR = "minor", "Minor"

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        TRIAGED = "triaged", "Triaged"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=30, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField()
    source = models.CharField(max_length=20, choices=Source.choices)
    severity = models.CharField(max_length=6, choices=Severity.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REPORTED)
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
    due_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()
