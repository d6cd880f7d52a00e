"""Risks and opportunities (6.1), with the variants some standards ask for."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Risk(Archivable, OrgOwned, RequirementLinked):
    """A risk or opportunity (6.1) rated on the organization's risk method before treatment
    (inherent) and after it (residual), with its treatment, owner and review date.

    The same register holds the variants standards ask for: environmental aspects and their
    impacts (14001 6.1.2, with significance), OH&S hazards (45001 6.1.2) and information
    security risks (27001 6.1.2, treated by Annex A `controls`, 6.1.3). Scores are stored, so
    lists sort and filter by them; they are recomputed when the method changes.
    """

    record_type = "risk"

    class Kind(models.TextChoices):
        RISK = "risk", "Risk"
        OPPORTUNITY = "opportunity", "Opportunity"
        ASPECT = "aspect", "Environmental aspect"
        HAZARD = "hazard", "OH&S hazard"
        INFOSEC = "infosec", "Information security risk"

    class Treatment(models.TextChoices):
        ACCEPT = "accept", "Accept"
        REDUCE = "reduce", "Reduce"
        AVOID = "avoid", "Avoid"
        TRANSFER = "transfer", "Transfer"

    class Status(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        ASSESSED = "assessed", "Assessed"
        TREATING = "treating", "Treatment in progress"
        TREATED = "treated", "Treated"
        CLOSED = "closed", "Closed"

    class Condition(models.TextChoices):
        NORMAL = "normal", "Normal"
        ABNORMAL = "abnormal", "Abnormal"
        EMERGENCY = "emergency", "Emergency"

    class HazardType(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        MECHANICAL = "mechanical", "Mechanical"
        ELECTRICAL = "electrical", "Electrical"
        CHEMICAL = "chemical", "Chemical"
        BIOLOGICAL = "biological", "Biological"
        ERGONOMIC = "ergonomic", "Ergonomic"
        PSYCHOSOCIAL = "psychosocial", "Psychosocial"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RISK)
    code = models.CharField(max_length=20, help_text="Short reference, e.g. R-012")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_risks",
    )
    processes = models.ManyToManyField("system.Process", blank=True, related_name="risks")
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    treatment = models.CharField(max_length=10, choices=Treatment.choices, blank=True)
    treatment_plan = models.TextField(blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDENTIFIED)
    review_date = models.DateField(null=True, blank=True)
    # Environmental aspects (14001 6.1.2)
    activity = models.CharField(
        max_length=200, blank=True, help_text="Activity, product or service (aspects, hazards)"
    )
    condition = models.CharField(max_length=10, choices=Condition.choices, blank=True)
    environmental_impact = models.TextField(blank=True)
    legal_obligation = models.BooleanField(
        default=False, help_text="A compliance obligation applies: always significant"
    )
    # OH&S hazards (45001 6.1.2)
    hazard_type = models.CharField(max_length=14, choices=HazardType.choices, blank=True)
    exposed = models.CharField(max_length=200, blank=True, help_text="Who could be harmed")
    # Information security risks (27001 6.1.2, 6.1.3)
    asset = models.CharField(max_length=200, blank=True)
    threat = models.CharField(max_length=200, blank=True)
    vulnerability = models.CharField(max_length=200, blank=True)
    confidentiality = models.BooleanField(default=False)
    integrity = models.BooleanField(default=False)
    availability = models.BooleanField(default=False)
    controls = models.ManyToManyField(
        "standards.Requirement",
        blank=True,
        related_name="+",
        help_text="Annex A controls chosen to treat the risk",
    )

    class Meta:
        ordering = ["organization", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="risk_code_unique"),
        ]
        indexes = [models.Index(fields=["organization", "kind"], name="risk_kind_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def current_score(self) -> int | None:
        """The residual score once rated, otherwise the inherent one."""
        return self.residual_score if self.residual_score is not None else self.inherent_score

    def record_reason(self) -> str | None:
        return "it is closed" if self.status == self.Status.CLOSED else None


class TreatmentAction(OrgOwned):
    """An action of a risk's treatment plan, with its owner, due date and completion."""

    record_type = "risk"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["risk", "due_date", "pk"]

    def __str__(self) -> str:
        return self.description

    def record_reason(self) -> str | None:
        return "it was carried out" if self.status == self.Status.DONE else None
