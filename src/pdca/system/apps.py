from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "pdca.system"
    label = "system"
    verbose_name = "Management system"

    def ready(self) -> None:
        from pdca.core.registers.choices import requirement_choices
        from pdca.system import permissions, registers  # noqa: F401  (rules and registers)
        from pdca.system.selectors import requirement_choices as adopted_requirements

        requirement_choices.register(adopted_requirements)
