"""Compliance obligations (6.1.3) and the evaluation of compliance with them (9.1.2)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class ComplianceObligation(Archivable, OrgOwned, RequirementLinked):
    """A legal requirement we must meet, or another requirement we chose to meet (a permit, a
    customer's condition, a voluntary commitment): where it comes from, its reference and
    jurisdiction, what it requires of us in our own words, who owns it, and how often we
    evaluate whether we comply. The next evaluation falls due a number of months after the
    last one recorded (after the obligation was registered, until the first)."""

    record_type = "risk"

    class Kind(models.TextChoices):
        LEGAL = "legal", "Legal requirement"
        OTHER = "other", "Other requirement we adopted"

    class Source(models.TextChoices):
        LAW = "law", "Law or regulation"
        PERMIT = "permit", "Permit, licence or consent"
        AUTHORITY = "authority", "Order or guidance of an authority"
        CUSTOMER = "customer", "Customer requirement"
        CONTRACT = "contract", "Agreement with another party"
        INDUSTRY = "industry", "Industry code or standard"
        VOLUNTARY = "voluntary", "Voluntary commitment"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Applies"
        UPCOMING = "upcoming", "Not yet in force"
        ENDED = "ended", "No longer applies"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LEGAL)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.LAW)
    reference = models.CharField(
        max_length=200, blank=True, help_text="Act and section, permit number, contract clause"
    )
    jurisdiction = models.CharField(
        max_length=100, blank=True, help_text="e.g. England, EU, Yorkshire Water area"
    )
    requires = models.TextField(
        "what it requires of us", help_text="Our own summary of what we must do"
    )
    site = models.ForeignKey(
        "tenancy.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where it applies, when only at one site",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluation_frequency = models.PositiveSmallIntegerField(
        "evaluation frequency (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How often compliance is evaluated, in months (1 to 60)",
    )
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    last_evaluated_on = models.DateField(null=True, blank=True, editable=False)
    next_evaluation_due = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organization", "title"]
        indexes = [
            models.Index(fields=["organization", "next_evaluation_due"], name="obligation_org_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.last_evaluated_on is None:
            return None
        return f"compliance with it was evaluated on {self.last_evaluated_on:%Y-%m-%d}"


class ComplianceEvaluation(Archivable, OrgOwned, RequirementLinked):
    """One evaluation of compliance with an obligation (9.1.2): when, by whom, the result
    (compliant, partially compliant, not compliant), what was found and the evidence. It is a
    draft until it is recorded; a recorded evaluation is a record, never changed or deleted.
    Recording one that is not fully compliant opens a nonconformity, linked here."""

    record_type = "risk"

    class Result(models.TextChoices):
        COMPLIANT = "compliant", "Compliant"
        PARTIAL = "partial", "Partially compliant"
        NOT_COMPLIANT = "not_compliant", "Not compliant"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RECORDED = "recorded", "Recorded"

    obligation = models.ForeignKey(
        ComplianceObligation, on_delete=models.PROTECT, related_name="evaluations"
    )
    evaluated_on = models.DateField("date of the evaluation")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(max_length=14, choices=Result.choices)
    findings = models.TextField(
        blank=True, help_text="What was checked and found; required unless compliant"
    )
    evidence = models.ManyToManyField("documents.EvidenceFile", blank=True, related_name="+")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    nonconformity = models.ForeignKey(
        "improvement.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["organization", "-evaluated_on", "-pk"]

    def __str__(self) -> str:
        return (
            f"{self.obligation} on {self.evaluated_on:%Y-%m-%d}"
            if self.obligation_id
            else (f"Evaluation {self.pk}")
        )

    @property
    def is_recorded(self) -> bool:
        return self.status == self.Status.RECORDED

    @property
    def fails(self) -> bool:
        return self.result in (self.Result.PARTIAL, self.Result.NOT_COMPLIANT)

    def record_reason(self) -> str | None:
        if not self.is_recorded:
            return None
        return (
            f"it was recorded on {self.recorded_at:%Y-%m-%d}"
            if self.recorded_at
            else ("it was recorded")
        )

    def closed_reason(self) -> str | None:
        return "a recorded evaluation of compliance is never changed" if self.is_recorded else None
