"""Applications for certification, their contract review, and the audit time behind them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned


class Application(Archivable, OrgOwned):
    """A client's request to be certified (initially, again, on transfer or for a wider
    scope): the standards, scope and sites, the personnel figures audit time is read with,
    complexity, outsourced processes, how integrated a combined system is, the consultancy the
    client received; then the contract review that accepts or declines it, with its reasons."""

    record_type = "certification"

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial certification"
        RECERTIFICATION = "recertification", "Recertification"
        TRANSFER = "transfer", "Transfer from another body"
        EXTENSION = "extension", "Scope extension"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Complexity(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"
        LIMITED = "limited", "Limited"

    class DeclineReason(models.TextChoices):
        NO_SCOPE = "no_accredited_scope", "No accredited scope for the standard or sector"
        NO_AUDITORS = "no_competent_auditors", "No competent auditors free of conflicts"
        IMPARTIALITY = "impartiality_threat", "Threat to impartiality"
        OTHER = "other", "Other reason"

    client = models.ForeignKey(
        "certification.Client", on_delete=models.PROTECT, related_name="applications"
    )
    reference = models.CharField(max_length=30, help_text="e.g. APP-2026-014")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INITIAL)
    standards = models.ManyToManyField("standards.Standard", related_name="+")
    scope = models.TextField(help_text="The scope of certification as it will be printed")
    sites = models.ManyToManyField("certification.ClientSite", blank=True, related_name="+")
    sector_codes = models.CharField(max_length=300, blank=True, help_text="IAF codes in scope")
    permanent_personnel = models.PositiveIntegerField(
        default=0, help_text="Full-time persons within the scope, on every shift"
    )
    temporary_personnel = models.PositiveIntegerField(
        default=0, help_text="Temporary, seasonal or contracted persons present when audited"
    )
    part_time_persons = models.PositiveIntegerField(default=0)
    part_time_hours = models.DecimalField(
        max_digits=8, decimal_places=1, default=0, help_text="Weekly hours of all part-timers"
    )
    full_time_hours = models.DecimalField(
        max_digits=4, decimal_places=1, default=40, help_text="Weekly hours of a full-time person"
    )
    shifts = models.TextField(blank=True, help_text="Shift pattern and persons on each shift")
    repetitive_persons = models.PositiveIntegerField(
        default=0, help_text="Persons doing similar, simple, repetitive work counted less"
    )
    repetitive_justification = models.TextField(blank=True)
    identical_activities = models.JSONField(
        default=list, blank=True, help_text="ISMS: [{'name': ..., 'persons': N}]"
    )
    off_site_share = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=0,
        help_text="Share of planning and reporting done off site (0 to 0.2)",
    )
    complexity = models.CharField(max_length=8, choices=Complexity.choices, blank=True)
    outsourced_processes = models.TextField(blank=True)
    integration_reduction = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=0,
        help_text="Per cent reduction for an integrated audit (IAF MD 11, 20 at most)",
    )
    integration_notes = models.TextField(blank=True)
    multi_site = models.BooleanField(
        default=False, help_text="Eligible for multi-site sampling (IAF MD 1)"
    )
    consultancy_received = models.BooleanField(default=False)
    consultancy_by = models.CharField(max_length=200, blank=True)
    consultancy_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_notes = models.TextField(blank=True, editable=False)
    decline_reasons = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["organization", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="application_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.client}"

    @property
    def title(self) -> str:
        return str(self)

    def record_reason(self) -> str | None:
        if self.status in (self.Status.ACCEPTED, self.Status.DECLINED):
            return f"its contract review is done ({self.get_status_display().lower()})"
        return None


class AuditTimeCalculation(OrgOwned):
    """The audit time of one standard of an application: the inputs, every step with its
    reason (kept as the calculator's JSON), and the initial, stage 1, stage 2, surveillance and
    recertification days. Once the application is accepted it is the record the programme is
    planned from."""

    record_type = "certification"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="calculations"
    )
    standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="+")
    scheme = models.CharField(max_length=12, help_text="qms, ems, ohsms, isms or entered")
    inputs = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    initial_days = models.DecimalField(max_digits=6, decimal_places=2)
    stage1_days = models.DecimalField(max_digits=6, decimal_places=2)
    stage2_days = models.DecimalField(max_digits=6, decimal_places=2)
    surveillance_days = models.DecimalField(max_digits=6, decimal_places=2)
    recertification_days = models.DecimalField(max_digits=6, decimal_places=2)
    calculated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    calculated_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "standard"]
        verbose_name = "audit time calculation"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "standard"], name="one_calculation_per_standard"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} {self.standard}: {self.initial_days} days"

    def record_reason(self) -> str | None:
        return self.application.record_reason()
