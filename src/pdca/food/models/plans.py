"""The hazard control plan (CCPs and OPRPs) and the deviations its monitoring finds."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked
from pdca.food.models.hazards import ControlCategory


class HazardControlPlan(Archivable, OrgOwned, RequirementLinked):
    """One line of the hazard control plan: a CCP or an OPRP, the significant hazards it
    controls and its control measure; for a CCP the measurable critical limits, for an OPRP the
    action criteria; how it is monitored (what, how, how often, by whom); the corrections and
    corrective actions when it fails; who is responsible; the records kept; how the control
    measure was validated (when, how, with what result); and how the plan is verified."""

    class Category(models.TextChoices):
        CCP = ControlCategory.CCP.value, "CCP (critical control point)"
        OPRP = ControlCategory.OPRP.value, "OPRP (operational prerequisite programme)"

    class Validation(models.TextChoices):
        VALID = "valid", "Valid: achieves the intended control"
        NOT_VALID = "not_valid", "Not valid: change the control measure"

    code = models.CharField(max_length=20, help_text="e.g. CCP-1, OPRP-2")
    category = models.CharField(max_length=4, choices=Category.choices)
    hazards = models.ManyToManyField(
        "food.HazardAnalysis",
        blank=True,
        related_name="control_plans",
        help_text="The significant hazards it controls",
    )
    control_measure = models.TextField()
    parameter = models.CharField(
        "monitored parameter", max_length=100, blank=True, help_text="e.g. core temperature"
    )
    unit = models.CharField(max_length=20, blank=True, help_text="e.g. °C, minutes, mm")
    lower_limit = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    upper_limit = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    critical_limits = models.TextField(
        blank=True, help_text="A CCP's limits in words (the figures go in lower and upper limit)"
    )
    action_criteria = models.TextField(
        blank=True, help_text="An OPRP's observable or measurable criteria for acting"
    )
    monitoring_what = models.CharField("monitoring: what", max_length=200, blank=True)
    monitoring_how = models.TextField("monitoring: how", blank=True)
    monitoring_frequency = models.CharField("monitoring: how often", max_length=100, blank=True)
    monitored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="monitoring: by whom",
    )
    corrections = models.TextField(blank=True, help_text="What is done with the product")
    corrective_actions = models.TextField(blank=True, help_text="What removes the cause")
    responsibilities = models.TextField(blank=True)
    records_kept = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    validated_on = models.DateField(null=True, blank=True)
    validation_method = models.TextField(
        blank=True, help_text="Trials, literature, challenge tests"
    )
    validation_result = models.CharField(max_length=10, choices=Validation.choices, blank=True)
    verification = models.TextField(
        blank=True, help_text="How the plan is verified: record review, calibration, testing"
    )
    last_verified_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "hazard control plan entry"
        verbose_name_plural = "hazard control plan"

    def __str__(self) -> str:
        return f"{self.code} {self.parameter or self.control_measure[:60]}".strip()

    @property
    def limits_text(self) -> str:
        """The numeric limits as a reader says them: "≥ 92 °C", "85 to 95 °C"."""
        unit = f" {self.unit}" if self.unit else ""
        low, high = self.lower_limit, self.upper_limit
        if low is not None and high is not None:
            return f"{low.normalize():f} to {high.normalize():f}{unit}"
        if low is not None:
            return f"≥ {low.normalize():f}{unit}"
        if high is not None:
            return f"≤ {high.normalize():f}{unit}"
        return ""


class MonitoringDeviation(OrgOwned):
    """A monitoring result outside a CCP's critical limits or an OPRP's action criteria: when,
    the value measured or what was seen, what was done with the product concerned, and the
    correction. Each deviation opens one nonconformity, linked from here. A deviation is a
    record from the moment it is made."""

    record_type = "risk"

    class ProductAction(models.TextChoices):
        HELD = "held", "Held pending evaluation"
        REPROCESSED = "reprocessed", "Reprocessed"
        DESTROYED = "destroyed", "Destroyed"
        DOWNGRADED = "downgraded", "Diverted to another use"
        RELEASED = "released", "Released after evaluation"
        WITHDRAWN = "withdrawn", "Withdrawn or recalled"
        NONE = "none", "No product affected"

    plan = models.ForeignKey(HazardControlPlan, on_delete=models.PROTECT, related_name="deviations")
    occurred_on = models.DateField()
    value = models.DecimalField(
        "value measured", max_digits=12, decimal_places=3, null=True, blank=True
    )
    observation = models.TextField(blank=True, help_text="What was seen or measured")
    product_affected = models.CharField(
        max_length=200, blank=True, help_text="Lots, batches or quantities"
    )
    product_action = models.CharField(
        "what was done with the product", max_length=12, choices=ProductAction.choices
    )
    correction = models.TextField(help_text="The immediate fix")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nonconformity = models.ForeignKey(
        "improvement.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = "monitoring deviation"

    def __str__(self) -> str:
        return f"Deviation at {self.plan.code} on {self.occurred_on:%Y-%m-%d}"

    def record_reason(self) -> str | None:
        return "a monitoring deviation is retained evidence of the hazard control plan"
