from django.apps import AppConfig


class FoodConfig(AppConfig):
    name = "pdca.food"
    label = "food"
    verbose_name = "Food safety hazard control (ISO 22000)"

    def ready(self) -> None:
        from pdca.core.navigation import NavItem, add_item
        from pdca.food import permissions, registers  # noqa: F401  (rules and registers)

        section = "Food safety (ISO 22000)"
        for label, url_name, model in (
            (
                "Prerequisite programmes",
                "food:prerequisite-programmes-list",
                "prerequisiteprogramme",
            ),
            ("Flow diagrams", "food:food-flows-list", "processflow"),
            ("Hazard analysis", "food:food-hazards-list", "hazardanalysis"),
            ("Hazard control plan", "food:hazard-control-plan-list", "hazardcontrolplan"),
            ("Monitoring deviations", "food:deviation-list", "monitoringdeviation"),
            ("Traceability exercises", "food:traceability-exercises-list", "traceabilityexercise"),
            ("Food safety method", "food:method", "foodsafetymethod"),
        ):
            add_item(NavItem(label, url_name, section, f"food.{model}", standard="iso22000"))
