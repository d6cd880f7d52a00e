"""Stage 1 rehearsals: what a stage 1 auditor would likely raise, predicted from the system's
own data, dated so that runs compare over time."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class Rehearsal(OrgOwned):
    """One run of the stage 1 rehearsal on a management system (owned by the system's
    organization), by a member or by a linked certification body under a grant."""

    record_type = "engagement"

    system = models.ForeignKey(
        "system.ManagementSystem", on_delete=models.PROTECT, related_name="rehearsals"
    )
    run_at = models.DateTimeField()
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_for = models.ForeignKey(
        "tenancy.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The certification body that ran it under a grant (empty: the client)",
    )
    grant = models.ForeignKey(
        "engagements.AccessGrant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rules_digest = models.CharField(
        max_length=64, help_text="SHA-256 of the rules the run used, to compare like with like"
    )
    standards = models.JSONField(default=list, help_text="Codes of the standards rehearsed")
    majors = models.PositiveIntegerField(default=0)
    minors = models.PositiveIntegerField(default=0)
    rules_run = models.PositiveIntegerField(default=0)
    rules_passed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organization", "-run_at", "-pk"]
        indexes = [models.Index(fields=["system", "run_at"], name="rehearsal_system_run")]

    def __str__(self) -> str:
        return f"Stage 1 rehearsal of {self.system} on {self.run_at:%Y-%m-%d %H:%M}"

    def record_reason(self) -> str:
        return "it is a dated result"


class PredictedFinding(OrgOwned):
    """One finding the rehearsal predicts: the requirement, the rule that raised it, its likely
    grade, what was found and the page where it is fixed."""

    record_type = "engagement"

    class Grade(models.TextChoices):
        MAJOR = "major", "Major nonconformity"
        MINOR = "minor", "Minor nonconformity"

    rehearsal = models.ForeignKey(Rehearsal, on_delete=models.CASCADE, related_name="findings")
    rule = models.CharField(max_length=20, help_text="The rule's code, e.g. DOC-01")
    standard = models.ForeignKey(
        "standards.Standard", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requirement = models.ForeignKey(
        "standards.Requirement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clause = models.CharField(max_length=30, help_text="The requirement's number, e.g. 9.3.2")
    grade = models.CharField(max_length=5, choices=Grade.choices)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    fix_url = models.CharField(max_length=300, blank=True)
    #: Stable across runs: rule, standard, clause and subject; compares runs.
    key = models.CharField(max_length=200)

    class Meta:
        ordering = ["rehearsal", "grade", "rule", "clause", "pk"]
        verbose_name = "predicted finding"

    def __str__(self) -> str:
        return f"{self.rule} {self.clause}: {self.title}"

    def record_reason(self) -> str:
        return "its rehearsal is a dated result"
