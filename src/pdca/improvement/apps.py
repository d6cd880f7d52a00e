from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "pdca.improvement"
    label = "improvement"
    verbose_name = "Nonconformity and improvement"

    def ready(self) -> None:
        from pdca.improvement import finding_link, origin_link, permissions, registers  # noqa: F401

        finding_link.register()
        origin_link.register()

        from pdca.improvement import jobs  # noqa: F401  (the daily reminders job)
