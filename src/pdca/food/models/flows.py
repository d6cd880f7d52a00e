"""Flow diagrams: the steps a product goes through, in order."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class ProcessFlow(Archivable, OrgOwned, RequirementLinked):
    """The flow diagram of a product or a process: its steps in order, from receiving the
    materials to dispatch, as the food safety team drew it and then checked it on site (on
    which date, by whom). The hazard analysis works step by step along it."""

    class Kind(models.TextChoices):
        PRODUCT = "product", "Product"
        PROCESS = "process", "Process"

    name = models.CharField(max_length=200, help_text="e.g. Sliced white loaf")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PRODUCT)
    description = models.TextField(
        blank=True, help_text="The product and its intended use, or what the process covers"
    )
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_on = models.DateField(
        "verified on site on", null=True, blank=True, help_text="When the diagram was walked"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="verified on site by",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "flow diagram"

    def __str__(self) -> str:
        return self.name


class FlowStep(Archivable, OrgOwned):
    """One step of a flow diagram: its number (the order), name and type, what comes in
    (materials, packaging, water), what goes out (product, waste, by-products) and any rework
    that returns to it."""

    class Type(models.TextChoices):
        RECEIVING = "receiving", "Receiving"
        STORAGE = "storage", "Storage"
        PREPARATION = "preparation", "Preparation"
        PROCESSING = "processing", "Processing (mixing, forming, proving)"
        COOKING = "cooking", "Cooking or baking"
        COOLING = "cooling", "Cooling"
        INSPECTION = "inspection", "Inspection or detection"
        PACKING = "packing", "Packing and labelling"
        DISPATCH = "dispatch", "Dispatch"
        OTHER = "other", "Other"

    flow = models.ForeignKey(ProcessFlow, on_delete=models.PROTECT, related_name="steps")
    number = models.PositiveIntegerField(help_text="The step's place in the flow: 1, 2, 3…")
    name = models.CharField(max_length=200, help_text="e.g. Baking")
    step_type = models.CharField("type", max_length=12, choices=Type.choices)
    description = models.TextField(blank=True)
    inputs = models.TextField(blank=True, help_text="Materials, ingredients, packaging, utilities")
    outputs = models.TextField(blank=True, help_text="Product, waste, by-products")
    rework = models.TextField(blank=True, help_text="What is reworked or recirculated here")
    outsourced = models.BooleanField(default=False, help_text="Done by an external provider")

    class Meta:
        ordering = ["flow", "number"]
        verbose_name = "flow step"

    def __str__(self) -> str:
        return f"{self.flow.name} · {self.number}. {self.name}"
