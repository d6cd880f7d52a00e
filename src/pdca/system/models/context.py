"""Context of the organization (clause 4.1) and interested parties (clause 4.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class ContextIssue(Archivable, OrgOwned, RequirementLinked):
    """An internal or external issue that affects the system's ability to achieve its intended
    results (4.1): where it comes from (a PESTLE or SWOT category), what it does to us, and when
    we look at it again."""

    record_type = "context"

    class Origin(models.TextChoices):
        INTERNAL = "internal", "Internal"
        EXTERNAL = "external", "External"

    class Category(models.TextChoices):
        POLITICAL = "political", "Political"
        ECONOMIC = "economic", "Economic"
        SOCIAL = "social", "Social"
        TECHNOLOGICAL = "technological", "Technological"
        LEGAL = "legal", "Legal"
        ENVIRONMENTAL = "environmental", "Environmental"
        STRENGTH = "strength", "Strength"
        WEAKNESS = "weakness", "Weakness"
        OPPORTUNITY = "opportunity", "Opportunity"
        THREAT = "threat", "Threat"
        OTHER = "other", "Other"

    class Effect(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEGATIVE = "negative", "Negative"
        MIXED = "mixed", "Mixed"

    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "No longer relevant"

    title = models.CharField(max_length=200)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField(blank=True)
    effect = models.CharField(max_length=10, choices=Effect.choices, default=Effect.NEGATIVE)
    effect_description = models.TextField(
        blank=True, help_text="What the issue does to the system's intended results"
    )
    response = models.TextField(blank=True, help_text="How the system addresses or monitors it")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)

    class Meta:
        ordering = ["organization", "origin", "category", "title"]
        verbose_name = "context issue"

    def __str__(self) -> str:
        return self.title


class InterestedParty(Archivable, OrgOwned, RequirementLinked):
    """A party that affects or is affected by the system (4.2), its needs and expectations,
    which of them the system takes on as its own requirements, and how we keep track of them."""

    record_type = "context"

    class Origin(models.TextChoices):
        INTERNAL = "internal", "Internal"
        EXTERNAL = "external", "External"

    class Category(models.TextChoices):
        CUSTOMER = "customer", "Customers"
        EMPLOYEE = "employee", "Employees and workers"
        OWNER = "owner", "Owners and shareholders"
        SUPPLIER = "supplier", "Suppliers and partners"
        REGULATOR = "regulator", "Regulators and authorities"
        COMMUNITY = "community", "Neighbours and community"
        OTHER = "other", "Other"

    class Level(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    name = models.CharField(max_length=200)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    needs = models.TextField(help_text="Their relevant needs and expectations")
    addressed = models.BooleanField(
        default=True, help_text="The system takes these needs on as its own requirements"
    )
    how_addressed = models.TextField(
        blank=True, help_text="Where the system meets them (process, policy, obligation)"
    )
    monitoring = models.TextField(blank=True, help_text="How we learn whether they change")
    influence = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = "interested party"
        verbose_name_plural = "interested parties"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="party_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
