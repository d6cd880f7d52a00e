from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "pdca.assessments"
    label = "assessments"
    verbose_name = "Gap assessments"

    def ready(self) -> None:
        from pdca.assessments import (
            permissions,  # noqa: F401  (registers the rules)
            system_links,
            transition,
        )

        system_links.register()
        transition.register()

        from pdca.assessments import jobs  # noqa: F401  (registers the report and import jobs)
