"""The AI system inventory and AI system impact assessments (42001 6.1.4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class AISystem(Archivable, OrgOwned, RequirementLinked):
    """An AI system the organization provides, develops or uses: what it is for, who owns it,
    where it is in its life cycle, what data it uses and whom it affects."""

    record_type = "ai"

    class Stage(models.TextChoices):
        INCEPTION = "inception", "Inception"
        DESIGN = "design", "Design and development"
        VERIFICATION = "verification", "Verification and validation"
        DEPLOYMENT = "deployment", "Deployment"
        OPERATION = "operation", "Operation and monitoring"
        REEVALUATION = "reevaluation", "Re-evaluation"
        RETIREMENT = "retirement", "Retirement"

    class Role(models.TextChoices):
        PROVIDER = "provider", "Provider"
        DEVELOPER = "developer", "Developer (producer)"
        USER = "user", "User (deployer)"
        PARTNER = "partner", "Partner"

    name = models.CharField(max_length=200)
    purpose = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(max_length=14, choices=Stage.choices, default=Stage.INCEPTION)
    role = models.CharField(max_length=10, choices=Role.choices)
    provider_name = models.CharField(
        max_length=200, blank=True, help_text="Who supplies the system or its model, if not us"
    )
    data_used = models.TextField(blank=True)
    people_affected = models.TextField(blank=True)
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = "AI system"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="ai_system_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ImpactAssessment(Archivable, OrgOwned, RequirementLinked):
    """An AI system impact assessment (42001 6.1.4): the potential consequences of an AI
    system for individuals, groups and society, how likely and how severe they are (on the
    organization's risk scales), the measures taken, and when it is looked at again."""

    record_type = "ai"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    ai_system = models.ForeignKey(
        AISystem, on_delete=models.PROTECT, related_name="assessments", verbose_name="AI system"
    )
    title = models.CharField(max_length=200)
    assessed_on = models.DateField()
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    impact_individuals = models.TextField("impacts on individuals", blank=True)
    impact_groups = models.TextField("impacts on groups", blank=True)
    impact_society = models.TextField("impacts on society", blank=True)
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    measures = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        ordering = ["organization", "-assessed_on"]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        return "it is completed" if self.status == self.Status.COMPLETED else None
