from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "pdca.system"
    label = "system"
    verbose_name = "Management system"

    def ready(self) -> None:
        from pdca.system import permissions  # noqa: F401  (registers the rules)
