"""The organization's way of scoring hazards: scales, score rule and acceptable level."""

from __future__ import annotations

from django.db import models

from pdca.core.models import OrgOwned


def default_likelihood_labels() -> list[str]:
    return ["Very unlikely", "Unlikely", "Possible", "Likely", "Very likely"]


def default_severity_labels() -> list[str]:
    return [
        "First aid only",
        "Medical treatment",
        "Lost-time injury or ill health",
        "Major injury or long-term ill health",
        "Fatality or permanent disability",
    ]


class HazardMethod(OrgOwned):
    """How this organization scores OH&S risks (45001 6.1.2.2): a likelihood scale and a
    severity scale (labels, level 1 first), the rule that turns the two into a score, and the
    highest score it accepts with the controls in place. One per organization; each hazard keeps
    a copy of the method it was scored with, so changing the method keeps earlier assessments
    readable."""

    class ScoreRule(models.TextChoices):
        PRODUCT = "product", "Likelihood × severity"
        SUM = "sum", "Likelihood + severity"
        MAX = "max", "The higher of likelihood and severity"

    name = models.CharField(max_length=100, default="Hazard scoring")
    likelihood_labels = models.JSONField(default=default_likelihood_labels)
    severity_labels = models.JSONField(default=default_severity_labels)
    score_rule = models.CharField(
        max_length=10, choices=ScoreRule.choices, default=ScoreRule.PRODUCT
    )
    acceptable_level = models.PositiveIntegerField(
        default=6, help_text="The highest score accepted once the controls are in place"
    )

    class Meta:
        verbose_name = "hazard scoring method"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="hazard_method_per_organization"),
        ]

    def __str__(self) -> str:
        return self.name
