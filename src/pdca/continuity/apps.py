from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "pdca.continuity"
    label = "continuity"
    verbose_name = "Business impact analysis, continuity plans and exercises (ISO 22301)"

    def ready(self) -> None:
        from pdca.continuity import permissions, registers  # noqa: F401  (rules and registers)
        from pdca.core.navigation import NavItem, add_item

        section = "Business continuity (ISO 22301)"
        for label, url_name, model in (
            (
                "Business impact analyses",
                "continuity:business-impact-analyses-list",
                "continuity.businessimpactanalysis",
            ),
            (
                "Prioritized activities",
                "continuity:prioritized",
                "continuity.businessimpactanalysis",
            ),
            (
                "Continuity strategies",
                "continuity:continuity-strategies-list",
                "continuity.continuitystrategy",
            ),
            ("Continuity plans", "continuity:continuity-plans-list", "continuity.continuityplan"),
            ("Exercise programme", "continuity:programme", "continuity.exercise"),
            ("BIA method", "continuity:method", "continuity.biamethod"),
        ):
            add_item(NavItem(label, url_name, section, model, standard="iso22301"))
