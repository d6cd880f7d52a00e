from django.apps import AppConfig


class EnvironmentConfig(AppConfig):
    name = "pdca.environment"
    label = "environment"
    verbose_name = "Environmental aspects and compliance obligations (ISO 14001)"

    def ready(self) -> None:
        from pdca.core.navigation import NavItem, add_item
        from pdca.environment import permissions, registers  # noqa: F401  (rules, registers)

        section = "Environment (ISO 14001)"
        for label, url_name, model in (
            ("Aspects", "environment:aspects-list", "environment.aspect"),
            ("Significant aspects", "environment:aspects-significant", "environment.aspect"),
            (
                "Compliance obligations",
                "environment:compliance-obligations-list",
                "environment.complianceobligation",
            ),
            (
                "Evaluations due",
                "environment:obligations-due",
                "environment.complianceobligation",
            ),
            (
                "Evaluations of compliance",
                "environment:compliance-evaluations-list",
                "environment.complianceevaluation",
            ),
            (
                "Significance method",
                "environment:significance-method",
                "environment.significancemethod",
            ),
        ):
            add_item(NavItem(label, url_name, section, model, standard="iso14001"))
