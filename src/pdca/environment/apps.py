from django.apps import AppConfig


class EnvironmentConfig(AppConfig):
    name = "pdca.environment"
    label = "environment"
    verbose_name = "Environmental aspects and compliance obligations (ISO 14001)"

    def ready(self) -> None:
        from pdca.environment import registers  # noqa: F401  (its registers)
