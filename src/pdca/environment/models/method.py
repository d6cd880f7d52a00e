"""The organization's significance method for environmental aspects."""

from __future__ import annotations

from django.db import models

from pdca.core.models import OrgOwned


def default_criteria() -> list[dict]:
    """Five criteria scored 1 to 5; the legal one makes an aspect significant at its maximum."""
    return [
        {"key": "severity", "label": "Severity of the impact", "min": 1, "max": 5, "legal": False},
        {
            "key": "probability",
            "label": "Probability or frequency",
            "min": 1,
            "max": 5,
            "legal": False,
        },
        {"key": "scale", "label": "Scale and duration", "min": 1, "max": 5, "legal": False},
        {"key": "legal", "label": "Legal concern", "min": 1, "max": 5, "legal": True},
        {"key": "stakeholder", "label": "Stakeholder concern", "min": 1, "max": 5, "legal": False},
    ]


class SignificanceMethod(OrgOwned):
    """How this organization decides which environmental aspects are significant (6.1.2): the
    criteria it scores each aspect on (each with its own range), the rule that combines the
    scores into one figure, the threshold at or above which an aspect is significant, and
    whether a legal criterion at its maximum makes an aspect significant whatever its total.
    One per organization; each assessed aspect keeps a copy of the method it was assessed
    with, so changing the method leaves earlier assessments readable."""

    class Rule(models.TextChoices):
        SUM = "sum", "Sum of the scores"
        PRODUCT = "product", "Product of the scores"
        MAX = "max", "The highest score"

    name = models.CharField(max_length=100, default="Significance method")
    criteria = models.JSONField(default=default_criteria)
    rule = models.CharField(max_length=10, choices=Rule.choices, default=Rule.SUM)
    threshold = models.PositiveIntegerField(
        default=15, help_text="An aspect scoring this or more is significant"
    )
    legal_max_significant = models.BooleanField(
        "a legal criterion at its maximum makes it significant", default=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], name="significance_method_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return self.name
