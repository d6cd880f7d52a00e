from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pdca.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from pdca.core.records.rules import connect_guards

        connect_guards()

        # The job framework's permission rules and its own kinds (e-mail, ping, clean-up).
        from pdca.core.jobs import builtin, permissions  # noqa: F401
        from pdca.core.registers import jobs  # noqa: F401  (the register import job)
