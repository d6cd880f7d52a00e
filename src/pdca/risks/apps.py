from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "pdca.risks"
    label = "risks"
    verbose_name = "Risks, Statement of Applicability and AI"

    def ready(self) -> None:
        from pdca.risks import permissions, registers, transition  # noqa: F401  (rules and registers)
        from pdca.risks.soa import jobs  # noqa: F401  (the SoA's PDF and import jobs)

        transition.register()
