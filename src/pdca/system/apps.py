from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "pdca.system"
    label = "system"
    verbose_name = "Management system"

    def ready(self) -> None:
        from pdca.system import permissions, registers  # noqa: F401  (rules and registers)
