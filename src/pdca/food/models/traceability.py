"""Traceability tests and withdrawal or recall exercises."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class TraceabilityExercise(Archivable, OrgOwned, RequirementLinked):
    """A traceability test, a mock recall or a real withdrawal or recall: the lot traced, one
    step back (its suppliers and materials) and one step forward (its customers), how long the
    trace took, how much of the lot's quantity was accounted for, and the lessons. It passes
    when it meets the targets of the food safety method in force, a copy of which it keeps; a
    failed one may open a nonconformity."""

    record_type = "risk"

    class Kind(models.TextChoices):
        TRACE_TEST = "trace_test", "Traceability test"
        MOCK_RECALL = "mock_recall", "Mock recall"
        WITHDRAWAL = "withdrawal", "Real withdrawal"
        RECALL = "recall", "Real recall"

    class Result(models.TextChoices):
        PASSED = "passed", "Passed: both targets met"
        FAILED = "failed", "Failed: a target missed"

    title = models.CharField(max_length=200)
    kind = models.CharField("type", max_length=12, choices=Kind.choices)
    exercised_on = models.DateField()
    product = models.CharField(max_length=200, help_text="e.g. Sliced white loaf 800 g")
    lot = models.CharField("lot or batch", max_length=100)
    flow = models.ForeignKey(
        "food.ProcessFlow",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="flow diagram",
    )
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    one_step_back = models.TextField(blank=True, help_text="Suppliers and material lots found")
    one_step_forward = models.TextField(blank=True, help_text="Customers and quantities found")
    minutes_taken = models.PositiveIntegerField(
        "time taken (minutes)", null=True, blank=True, help_text="From the request to the answer"
    )
    reconciled_percent = models.DecimalField(
        "quantity reconciled (%)", max_digits=5, decimal_places=1, null=True, blank=True
    )
    led_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lessons = models.TextField(blank=True)
    # Derived by `food.rules` from the figures and the method in force.
    result = models.CharField(max_length=8, choices=Result.choices, blank=True, editable=False)
    targets_snapshot = models.JSONField(default=dict, blank=True)
    nonconformity = models.ForeignKey(
        "improvement.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-exercised_on", "-pk"]
        verbose_name = "traceability exercise"

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.result:
            return "its result is retained evidence of the traceability system"
        return None
