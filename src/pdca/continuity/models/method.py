"""The organization's business impact analysis method: impact categories with their scales,
the time points assessed, the level that cannot be tolerated, and the priority limits."""

from __future__ import annotations

from typing import Any

from django.db import models

from pdca.core.models import OrgOwned


def default_categories() -> list[dict[str, Any]]:
    return [
        {
            "key": "financial",
            "name": "Financial",
            "levels": [
                "Negligible loss",
                "Loss within the month's margin",
                "Loss of a quarter's profit",
                "Loss of a year's profit",
                "Threatens the business",
            ],
        },
        {
            "key": "customer-reputation",
            "name": "Customers and reputation",
            "levels": [
                "Nobody notices",
                "A few complaints",
                "Orders lost, local press",
                "A key customer lost",
                "National press, contracts lost",
            ],
        },
        {
            "key": "legal-regulatory",
            "name": "Legal and regulatory",
            "levels": [
                "No breach",
                "Minor breach, put right at once",
                "Breach reported to a regulator",
                "Enforcement notice or fine",
                "Prosecution or licence withdrawn",
            ],
        },
        {
            "key": "health-safety",
            "name": "Health and safety",
            "levels": [
                "No harm",
                "First aid",
                "Lost-time injury or ill health",
                "Serious injury",
                "Fatality or harm to the public",
            ],
        },
    ]


def default_time_points() -> list[dict[str, Any]]:
    return [
        {"hours": 4, "label": "4 hours"},
        {"hours": 24, "label": "1 day"},
        {"hours": 72, "label": "3 days"},
        {"hours": 168, "label": "1 week"},
        {"hours": 336, "label": "2 weeks"},
        {"hours": 720, "label": "1 month"},
    ]


def default_priority_limits() -> list[int]:
    return [24, 72, 168]


class BiaMethod(OrgOwned):
    """How this organization analyses business impact (ISO 22301 8.2.2): the kinds of impact
    it weighs (money, customers and reputation, the law, health and safety…), each on its own
    scale of levels; the moments after a disruption at which impacts are assessed (4 hours,
    1 day, 1 week…); the level from which an impact cannot be tolerated, which gives each
    activity its suggested maximum tolerable period of disruption; and the limits (in hours of
    that period) that rank activities into priorities. One per organization; every analysis
    keeps a copy of the method it was made with."""

    name = models.CharField(max_length=100, default="Business impact analysis method")
    categories = models.JSONField(default=default_categories)
    time_points = models.JSONField(default=default_time_points)
    intolerable_level = models.PositiveSmallIntegerField(
        default=4, help_text="From this level on, an impact cannot be tolerated"
    )
    priority_limits = models.JSONField(
        default=default_priority_limits,
        help_text="Hours of the maximum tolerable period up to which an activity is priority "
        "1, 2, 3…; longer ones come last",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="bia_method_per_organization"),
        ]
        verbose_name = "BIA method"

    def __str__(self) -> str:
        return self.name
