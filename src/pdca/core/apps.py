from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pdca.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from pdca.core.records.rules import connect_guards

        connect_guards()
