"""The organization's food safety method: how hazards are scored and what exercises must meet."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from pdca.core.models import OrgOwned


def default_likelihood_labels() -> list[str]:
    return ["Very unlikely", "Unlikely", "Possible", "Likely", "Very likely"]


def default_severity_labels() -> list[str]:
    return [
        "No health effect",
        "Mild, short illness",
        "Illness needing treatment",
        "Serious illness or injury",
        "Life-threatening",
    ]


class FoodSafetyMethod(OrgOwned):
    """How this organization's food safety team rates a hazard at a step: a likelihood scale and
    a severity scale (labels, level 1 first), the score (likelihood × severity) from which a
    hazard counts as significant, and what a traceability or recall exercise must achieve (the
    longest time to trace a lot and the share of the quantity to account for). One per
    organization; a default one applies until it is saved."""

    name = models.CharField(max_length=100, default="Food safety method")
    likelihood_labels = models.JSONField(default=default_likelihood_labels)
    severity_labels = models.JSONField(default=default_severity_labels)
    significance_threshold = models.PositiveIntegerField(
        default=8, help_text="A hazard scoring this or more (likelihood × severity) is significant"
    )
    trace_target_hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=Decimal("4"),
        help_text="The longest time an exercise may take to trace a lot, in hours",
    )
    reconciliation_target_percent = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=Decimal("100"),
        help_text="The share of the lot's quantity an exercise must account for",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="food_method_per_organization"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def max_score(self) -> int:
        return len(self.likelihood_labels) * len(self.severity_labels)

    def hazard_snapshot(self) -> dict:
        """What a hazard analysis keeps of the method it was scored with."""
        return {
            "name": self.name,
            "likelihood_labels": list(self.likelihood_labels),
            "severity_labels": list(self.severity_labels),
            "significance_threshold": self.significance_threshold,
            "rule": "likelihood × severity",
        }

    def exercise_snapshot(self) -> dict:
        """What a traceability exercise keeps of the targets it was judged against."""
        return {
            "trace_target_hours": str(self.trace_target_hours),
            "reconciliation_target_percent": str(self.reconciliation_target_percent),
        }
