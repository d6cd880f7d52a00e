"""Business impact analyses and the resources each prioritized activity depends on."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked

HOURS_HELP = "In hours (24 = one day, 168 = one week)"


class BusinessImpactAnalysis(Archivable, OrgOwned, RequirementLinked):
    """The analysis of one activity (ISO 22301 8.2.2): what it delivers, who owns it, where it
    runs, how badly a disruption would hurt as time goes on (a grid of impact levels per
    category and time point, on the organization's BIA method), and from that how long it may
    be down at most (MTPD), how fast it must be back (RTO), how much data it may lose (RPO),
    the reduced level that is acceptable meanwhile, and its priority. Approved analyses are
    records: strategies and plans rely on them."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    activity = models.CharField(max_length=200, help_text="The activity analysed")
    product_service = models.CharField(
        "product or service",
        max_length=200,
        blank=True,
        help_text="What the activity delivers to customers or the business",
    )
    description = models.TextField(blank=True)
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mtpd_hours = models.PositiveIntegerField(
        "maximum tolerable period of disruption (hours)",
        null=True,
        blank=True,
        help_text="The MTPD chosen; the impact grid suggests one. " + HOURS_HELP,
    )
    rto_hours = models.PositiveIntegerField(
        "recovery time objective (hours)",
        null=True,
        blank=True,
        help_text="How soon the activity must run again, at least at its minimum level; "
        "within the MTPD. " + HOURS_HELP,
    )
    rpo_hours = models.PositiveIntegerField(
        "recovery point objective (hours)",
        null=True,
        blank=True,
        help_text="How much recent information may be lost, as hours of work to redo",
    )
    mbco = models.TextField(
        "minimum business continuity objective",
        blank=True,
        help_text="The reduced level of output that is acceptable during a disruption",
    )
    risks = models.ManyToManyField(
        "risks.Risk",
        blank=True,
        related_name="+",
        help_text="Disruption risks of the risk register that threaten this activity",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_date = models.DateField(null=True, blank=True)
    # Set through the impact grid (its own page and endpoint), not the entry form: editable
    # so that the register's API does not publish them as plain text fields.
    impacts = models.JSONField(
        default=dict, blank=True, help_text="{category key: [level per time point]}"
    )
    method_snapshot = models.JSONField(
        default=dict, blank=True, help_text="The BIA method the impacts were assessed with"
    )
    suggested_mtpd_hours = models.PositiveIntegerField(
        "suggested MTPD (hours)",
        null=True,
        blank=True,
        editable=False,
        help_text="The first time point at which an impact reaches the intolerable level",
    )
    priority = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="1 is recovered first"
    )
    approved_on = models.DateField(null=True, blank=True, editable=False)

    activity_exclude = ("method_snapshot",)
    record_type = "risk"

    class Meta:
        ordering = ["activity"]
        verbose_name = "business impact analysis"
        verbose_name_plural = "business impact analyses"

    def __str__(self) -> str:
        return self.activity

    def record_reason(self) -> str | None:
        if self.status == self.Status.APPROVED:
            return "it was approved; strategies and plans rely on it"
        return None

    @property
    def mtpd_effective_hours(self) -> int | None:
        """The MTPD chosen, or the grid's suggestion while none is chosen."""
        return self.mtpd_hours if self.mtpd_hours is not None else self.suggested_mtpd_hours


class BiaDependency(Archivable, OrgOwned):
    """A resource a prioritized activity cannot run without (people and skills, a site, a
    supplier, an IT system, information, equipment), what the activity needs of it at least,
    and how soon it must be back. It must be back no later than the activity's own recovery
    time objective."""

    class Kind(models.TextChoices):
        PEOPLE = "people", "People and skills"
        SITE = "site", "Site or building"
        SUPPLIER = "supplier", "Supplier"
        IT_SYSTEM = "it_system", "IT system"
        INFORMATION = "information", "Information"
        EQUIPMENT = "equipment", "Equipment"

    bia = models.ForeignKey(
        BusinessImpactAnalysis,
        on_delete=models.CASCADE,
        related_name="dependencies",
        verbose_name="business impact analysis",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    recovery_need = models.TextField(
        blank=True, help_text="The minimum needed to resume, e.g. two bakers, one oven line"
    )
    rto_hours = models.PositiveIntegerField(
        "needed back within (hours)",
        null=True,
        blank=True,
        help_text="No later than the activity's recovery time objective. " + HOURS_HELP,
    )
    notes = models.TextField(blank=True)

    record_type = "risk"

    class Meta:
        ordering = ["bia", "kind", "name"]
        verbose_name = "BIA dependency"
        verbose_name_plural = "BIA dependencies"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()})"

    def record_reason(self) -> str | None:
        if self.bia.status == BusinessImpactAnalysis.Status.APPROVED:
            return "part of an approved business impact analysis"
        return None
