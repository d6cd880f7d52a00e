from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "pdca.audits"
    label = "audits"
    verbose_name = "Audits"

    def ready(self) -> None:
        from pdca.audits import permissions, registers, transition  # noqa: F401  (rules and registers)
        from pdca.audits.report import jobs  # noqa: F401  (the draft report's PDF job)

        transition.register()
