from pdca.reviews.models.reviews import (
    DEFAULT_INTERVAL_MONTHS,
    ManagementReview,
    ReviewInput,
    ReviewOutput,
    ReviewPlan,
)

__all__ = [
    "DEFAULT_INTERVAL_MONTHS",
    "ManagementReview",
    "ReviewInput",
    "ReviewOutput",
    "ReviewPlan",
]
