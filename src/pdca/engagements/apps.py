from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "pdca.engagements"
    label = "engagements"
    verbose_name = "Engagements between organizations"

    def ready(self) -> None:
        from pdca.engagements import permissions  # noqa: F401  (rules)
