from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "pdca.safety"
    label = "safety"
    verbose_name = "OH&S hazards, worker participation and incidents (ISO 45001)"

    def ready(self) -> None:
        from pdca.core.navigation import NavItem, add_item
        from pdca.safety import permissions, registers  # noqa: F401  (rules and registers)

        section = "Health and safety (ISO 45001)"
        for label, url_name, model in (
            ("Hazards", "safety:hazards-list", "safety.hazard"),
            ("Hazard controls", "safety:hazard-controls-list", "safety.hazardcontrol"),
            ("Worker consultation", "safety:consultations-list", "safety.consultation"),
            ("Worker participation", "safety:participation", "safety.consultation"),
            ("Incidents", "safety:incidents-list", "safety.incident"),
            ("Hazard scoring", "safety:method", "safety.hazardmethod"),
        ):
            add_item(NavItem(label, url_name, section, model, standard="iso45001"))
        add_item(
            NavItem(
                "Report an incident",
                "safety:incident-report",
                section,
                "safety.incident",
                action="report",
                standard="iso45001",
            )
        )
