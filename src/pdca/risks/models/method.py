"""The organization's risk method: its scales, score rule, acceptance threshold and bands."""

from __future__ import annotations

from django.db import models

from pdca.core.models import OrgOwned


def default_likelihood_labels() -> list[str]:
    return ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]


def default_impact_labels() -> list[str]:
    return ["Negligible", "Minor", "Moderate", "Major", "Severe"]


def default_bands() -> list[dict]:
    return [
        {"up_to": 4, "label": "Low", "colour": "#2e7d32"},
        {"up_to": 9, "label": "Medium", "colour": "#f9a825"},
        {"up_to": 16, "label": "High", "colour": "#ef6c00"},
        {"up_to": 25, "label": "Critical", "colour": "#c62828"},
    ]


class RiskMethod(OrgOwned):
    """How this organization rates risks (6.1.2): a likelihood scale and an impact scale (each
    a list of labels, level 1 first), the rule that turns the two into a score, the highest
    score it accepts without treatment, and the bands (score ranges with a label and a colour)
    the heat map paints. One per organization."""

    class ScoreRule(models.TextChoices):
        PRODUCT = "product", "Likelihood × impact"
        SUM = "sum", "Likelihood + impact"
        MAX = "max", "The higher of likelihood and impact"

    name = models.CharField(max_length=100, default="Risk method")
    likelihood_labels = models.JSONField(default=default_likelihood_labels)
    impact_labels = models.JSONField(default=default_impact_labels)
    score_rule = models.CharField(
        max_length=10, choices=ScoreRule.choices, default=ScoreRule.PRODUCT
    )
    acceptance_threshold = models.PositiveIntegerField(
        default=6, help_text="Scores up to this value may be accepted without treatment"
    )
    bands = models.JSONField(default=default_bands)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="risk_method_per_organization"),
        ]

    def __str__(self) -> str:
        return self.name
