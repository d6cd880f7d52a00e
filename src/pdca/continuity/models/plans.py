"""Continuity strategies and solutions, and business continuity plans with their roles and
contact lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class ContinuityStrategy(Archivable, OrgOwned, RequirementLinked):
    """A way of keeping prioritized activities going or getting them back within their
    recovery time objectives (ISO 22301 8.3): an alternate site, a second supplier, a manual
    workaround, a reciprocal agreement… with the resources it takes, what it costs, and how
    far it got (proposed, approved, implemented). An implemented solution is a record."""

    class Kind(models.TextChoices):
        ALTERNATE_SITE = "alternate_site", "Alternate site"
        SECOND_SUPPLIER = "second_supplier", "Second supplier"
        MANUAL_WORKAROUND = "manual_workaround", "Manual workaround"
        RECIPROCAL = "reciprocal", "Reciprocal agreement"
        STOCK = "stock", "Extra stock or spares"
        REMOTE_WORK = "remote_work", "Remote working"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        IMPLEMENTED = "implemented", "Implemented"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True, help_text="How the strategy works")
    activities = models.ManyToManyField(
        "continuity.BusinessImpactAnalysis",
        blank=True,
        related_name="strategies",
        verbose_name="activities",
        help_text="The prioritized activities it protects",
    )
    resources = models.TextField(
        "resources required",
        blank=True,
        help_text="People, premises, equipment, supplies, IT, information, partners",
    )
    cost_note = models.TextField(blank=True, help_text="What it costs to set up and to keep")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    record_type = "risk"

    class Meta:
        ordering = ["title"]
        verbose_name = "continuity strategy"
        verbose_name_plural = "continuity strategies"

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.status == self.Status.IMPLEMENTED:
            return "it was implemented"
        return None


class ContinuityPlan(Archivable, OrgOwned, RequirementLinked):
    """A business continuity plan (ISO 22301 8.4): the activities it covers, when it is
    activated, who does what (roles with deputies), whom to call (the contact list), the
    recovery steps, the controlled document that carries it, its version and last review.
    An approved plan is a record."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    title = models.CharField(max_length=200)
    activities = models.ManyToManyField(
        "continuity.BusinessImpactAnalysis",
        blank=True,
        related_name="plans",
        verbose_name="activities",
        help_text="The prioritized activities in its scope",
    )
    strategies = models.ManyToManyField(
        ContinuityStrategy,
        blank=True,
        related_name="plans",
        help_text="The strategies and solutions it puts to work",
    )
    activation_criteria = models.TextField(
        blank=True, help_text="When the plan is activated, and who decides"
    )
    recovery_steps = models.TextField(
        blank=True, help_text="What is done, in order, to resume and then to return to normal"
    )
    document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The controlled document that holds the plan",
    )
    version = models.CharField(max_length=20, blank=True, default="1")
    last_reviewed = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField(null=True, blank=True, editable=False)

    record_type = "document"

    class Meta:
        ordering = ["title"]
        verbose_name = "continuity plan"
        verbose_name_plural = "continuity plans"

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.status == self.Status.APPROVED:
            return "it was approved"
        return None


class PlanRole(Archivable, OrgOwned):
    """A role in a continuity plan's response structure: who takes it (a member, or a named
    person outside the system), their deputy, and what they are responsible for."""

    plan = models.ForeignKey(
        ContinuityPlan,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name="continuity plan",
    )
    role = models.CharField(max_length=150, help_text="e.g. Incident lead, Communications")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A member who takes the role",
    )
    name = models.CharField(
        max_length=150, blank=True, help_text="Or the name of someone who is not a member"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A member who stands in",
    )
    deputy_name = models.CharField(
        max_length=150, blank=True, help_text="Or the name of a deputy who is not a member"
    )
    responsibilities = models.TextField(blank=True)

    record_type = "document"

    class Meta:
        ordering = ["plan", "role"]
        verbose_name = "plan role"

    def __str__(self) -> str:
        return self.role

    def record_reason(self) -> str | None:
        if self.plan.status == ContinuityPlan.Status.APPROVED:
            return "part of an approved continuity plan"
        return None


class PlanContact(Archivable, OrgOwned):
    """Someone to call when a continuity plan is activated: staff, customers and partners,
    emergency services, suppliers; with their phone and e-mail."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", "Internal"
        EXTERNAL = "external", "External"
        EMERGENCY = "emergency", "Emergency services"
        SUPPLIER = "supplier", "Supplier"

    plan = models.ForeignKey(
        ContinuityPlan,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name="continuity plan",
    )
    name = models.CharField(max_length=150)
    company = models.CharField("organization", max_length=150, blank=True)
    role = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField("e-mail", blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INTERNAL)

    record_type = "document"

    class Meta:
        ordering = ["plan", "kind", "name"]
        verbose_name = "plan contact"

    def __str__(self) -> str:
        return self.name

    def record_reason(self) -> str | None:
        if self.plan.status == ContinuityPlan.Status.APPROVED:
            return "part of an approved continuity plan"
        return None
