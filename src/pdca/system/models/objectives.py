"""Objectives (clause 6.2) and their measurements."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Objective(Archivable, OrgOwned, RequirementLinked):
    """A measurable objective (6.2) with its plan: what will be done, with what resources, who
    is responsible (the owner), when it is due and how results are evaluated. Its indicator is
    measured over time (`measurements`); whether it is on track follows from the latest one."""

    record_type = "objective"

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", "At least the target (higher is better)"
        AT_MOST = "at_most", "At most the target (lower is better)"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_objectives",
    )
    process = models.ForeignKey(
        "system.Process",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objectives",
    )
    kpi = models.CharField("indicator", max_length=200, help_text="What is measured")
    unit = models.CharField(max_length=30, blank=True, help_text="e.g. %, days, complaints")
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    baseline = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    start_date = models.DateField()
    due_date = models.DateField()
    plan_what = models.TextField("what will be done", blank=True)
    plan_resources = models.TextField("resources required", blank=True)
    plan_evaluation = models.TextField("how results are evaluated", blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["organization", "due_date", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def tracking(self):
        """Where the objective stands: on track, at risk, off track… (see
        `pdca.system.objectives.services.tracking`). Uses the `with_latest` annotations when the row
        has them, so a list costs no query per row."""
        from pdca.system.objectives.services import tracking_of

        return tracking_of(self)

    def record_reason(self) -> str | None:
        if self.status == self.Status.ACTIVE:
            return None
        return f"its result was evaluated ({self.get_status_display().lower()})"


class Measurement(OrgOwned):
    """One value of an objective's indicator on a date."""

    record_type = "objective"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["objective", "measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "measured_on"], name="measurement_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value:g} on {self.measured_on:%Y-%m-%d}"

    def record_reason(self) -> str | None:
        return f"a result measured on {self.measured_on:%Y-%m-%d}"
