"""Hazard analysis: each food safety hazard at a step, its significance and how it is
controlled."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class ControlCategory(models.TextChoices):
    CCP = "ccp", "CCP (critical control point)"
    OPRP = "oprp", "OPRP (operational prerequisite programme)"
    PRP = "prp", "Managed by prerequisite programmes"


class HazardAnalysis(Archivable, OrgOwned, RequirementLinked):
    """One food safety hazard at one step of a flow diagram: its category (biological,
    chemical, physical, allergen, radiological), what it is and where it comes from, how likely
    and how severe it is on the organization's food safety method (whose copy it keeps, so the
    result stays readable when the method changes) and so whether it is significant. For a
    significant hazard it records the control measure and the answers to our categorization
    questions, from which pdca works out whether the measure is a CCP, an OPRP or left to the
    prerequisite programmes, and keeps the reasoning."""

    record_type = "risk"

    class Category(models.TextChoices):
        BIOLOGICAL = "biological", "Biological"
        CHEMICAL = "chemical", "Chemical"
        PHYSICAL = "physical", "Physical"
        ALLERGEN = "allergen", "Allergen"
        RADIOLOGICAL = "radiological", "Radiological"

    step = models.ForeignKey("food.FlowStep", on_delete=models.PROTECT, related_name="hazards")
    category = models.CharField("hazard category", max_length=12, choices=Category.choices)
    hazard = models.CharField(max_length=200, help_text="e.g. Survival of vegetative pathogens")
    source = models.TextField(blank=True, help_text="Where it comes from or how it gets in")
    acceptable_level = models.CharField(
        "acceptable level in the end product", max_length=200, blank=True
    )
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    control_measure = models.TextField(
        blank=True, help_text="What prevents, eliminates or reduces it (needed when significant)"
    )
    designed_to_control = models.CharField(
        "is this step specifically designed to eliminate or reduce the hazard to an acceptable "
        "level?",
        max_length=3,
        choices=Answer.choices,
        blank=True,
    )
    later_step_controls = models.CharField(
        "will a later step eliminate or reduce the hazard to an acceptable level?",
        max_length=3,
        choices=Answer.choices,
        blank=True,
    )
    measurable_limit = models.CharField(
        "can a measurable critical limit be set for the control measure?",
        max_length=3,
        choices=Answer.choices,
        blank=True,
    )
    monitored_in_time = models.CharField(
        "can it be monitored in time to correct a failure before the product is released?",
        max_length=3,
        choices=Answer.choices,
        blank=True,
    )
    assessed_on = models.DateField(null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Derived by `food.rules` from the values above and the method in force (the copy of the
    # method is kept out of the register's forms and API by not being one of its fields).
    score = models.PositiveIntegerField(null=True, blank=True, editable=False)
    significant = models.BooleanField(default=False, editable=False)
    method_snapshot = models.JSONField(default=dict, blank=True)
    control_category = models.CharField(
        max_length=4, choices=ControlCategory.choices, blank=True, editable=False
    )
    decision_reason = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["step__flow", "step__number", "pk"]
        verbose_name = "hazard analysis"
        verbose_name_plural = "hazard analyses"

    def __str__(self) -> str:
        return f"{self.hazard} at step {self.step.number}. {self.step.name}"
