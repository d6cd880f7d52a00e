from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "pdca.reviews"
    label = "reviews"
    verbose_name = "Leadership, management reviews and dashboards"

    def ready(self) -> None:
        from pdca.core.navigation import NavItem, add_item
        from pdca.reviews import permissions, registers  # noqa: F401  (rules and registers)

        section = "Leadership"
        for label, url_name, model in (
            ("Dashboard", "reviews:dashboard", "reviews.managementreview"),
            ("Leadership", "reviews:leadership", "reviews.managementreview"),
            ("Management reviews", "reviews:management-reviews-list", "reviews.managementreview"),
            ("Review schedule", "reviews:schedule", "reviews.managementreview"),
            ("Review actions", "reviews:review-actions-list", "reviews.reviewoutput"),
        ):
            add_item(NavItem(label, url_name, section, model))
