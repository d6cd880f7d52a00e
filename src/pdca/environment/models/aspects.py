"""Environmental aspects and their impacts (6.1.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Aspect(Archivable, OrgOwned, RequirementLinked):
    """An environmental aspect: something an activity, product or service of ours does that
    can interact with the environment (using cutting fluid, running compressors, shipping
    packaging), at one stage of its life cycle and under normal, abnormal or emergency
    conditions, with the impact it can have (the change to the environment). It says where it
    happens (site, process), the controls in place, the compliance obligations that apply, the
    objectives and the documents (operational controls) that address it, who owns it and when
    it is reviewed. Its significance is assessed on the organization's significance method,
    whose copy it keeps (`method_snapshot`), so an earlier result stays readable when the
    method changes."""

    record_type = "risk"

    class Subject(models.TextChoices):
        ACTIVITY = "activity", "Activity"
        PRODUCT = "product", "Product"
        SERVICE = "service", "Service"

    class LifeCycleStage(models.TextChoices):
        RAW_MATERIALS = "raw_materials", "Raw material acquisition"
        DESIGN = "design", "Design"
        PRODUCTION = "production", "Production"
        TRANSPORT = "transport", "Transport and delivery"
        USE = "use", "Use"
        END_OF_LIFE = "end_of_life", "End-of-life treatment and disposal"
        SUPPORT = "support", "Support activities (offices, maintenance)"

    class Condition(models.TextChoices):
        NORMAL = "normal", "Normal"
        ABNORMAL = "abnormal", "Abnormal (start-up, shutdown, maintenance)"
        EMERGENCY = "emergency", "Emergency (reasonably foreseeable)"

    class ImpactCategory(models.TextChoices):
        AIR = "air", "Emissions to air"
        WATER = "water", "Releases to water"
        LAND = "land", "Contamination of land"
        WASTE = "waste", "Waste"
        ENERGY = "energy", "Energy use"
        RESOURCES = "resources", "Use of raw materials and natural resources"
        CLIMATE = "climate", "Greenhouse gases and climate"
        NOISE = "noise", "Noise, vibration, odour or light"
        BIODIVERSITY = "biodiversity", "Biodiversity and ecosystems"

    class Status(models.TextChoices):
        ACTIVE = "active", "Current"
        UNDER_REVIEW = "under_review", "Under review"
        RETIRED = "retired", "No longer applies"

    code = models.CharField(max_length=20, help_text="Short reference, e.g. EA-01")
    title = models.CharField(
        "aspect", max_length=200, help_text="e.g. Use of water-based cutting fluid"
    )
    subject = models.CharField(
        "activity, product or service",
        max_length=10,
        choices=Subject.choices,
        default=Subject.ACTIVITY,
    )
    activity = models.CharField(
        "activity, product or service (what)",
        max_length=200,
        help_text="e.g. CNC machining of aluminium parts",
    )
    lifecycle_stage = models.CharField(
        "life-cycle stage",
        max_length=20,
        choices=LifeCycleStage.choices,
        default=LifeCycleStage.PRODUCTION,
    )
    condition = models.CharField(max_length=10, choices=Condition.choices, default=Condition.NORMAL)
    impact_category = models.CharField(
        "impact category", max_length=20, choices=ImpactCategory.choices, blank=True
    )
    impact = models.TextField(
        "environmental impact", help_text="The change to the environment it can cause"
    )
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    controls = models.TextField("controls in place", blank=True)
    obligations = models.ManyToManyField(
        "environment.ComplianceObligation",
        blank=True,
        related_name="aspects",
        verbose_name="compliance obligations",
        help_text="The legal and other requirements that apply to this aspect",
    )
    objectives = models.ManyToManyField(
        "system.Objective",
        blank=True,
        related_name="+",
        help_text="Objectives set to address this aspect",
    )
    documents = models.ManyToManyField(
        "documents.Document",
        blank=True,
        related_name="+",
        verbose_name="operational controls",
        help_text="Procedures and instructions that control this aspect",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.ACTIVE)

    # The significance assessment (set by `services.assess_aspect`, never by the register form).
    scores = models.JSONField(default=dict, blank=True, help_text="Score per criterion key")
    method_snapshot = models.JSONField(
        default=dict, blank=True, help_text="The significance method the scores were given on"
    )
    score = models.PositiveIntegerField(null=True, blank=True, editable=False)
    significant = models.BooleanField(default=False, editable=False)
    significance_reason = models.CharField(max_length=300, blank=True, editable=False)
    assessed_on = models.DateField(null=True, blank=True, editable=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["organization", "code"]
        indexes = [
            models.Index(fields=["organization", "significant"], name="aspect_org_significant"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def assessed(self) -> bool:
        return self.assessed_on is not None

    def record_reason(self) -> str | None:
        # An assessed aspect is maintained documented information that objectives, controls
        # and the audit programme rely on: archive it instead of deleting it.
        if self.assessed_on is None:
            return None
        return f"its significance was assessed on {self.assessed_on:%Y-%m-%d}"
