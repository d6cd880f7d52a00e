from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "pdca.continuity"
    label = "continuity"
    verbose_name = "Business impact analysis, continuity plans and exercises (ISO 22301)"

    def ready(self) -> None:
        from pdca.continuity import registers  # noqa: F401  (its registers)
