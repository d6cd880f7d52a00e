from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "pdca.safety"
    label = "safety"
    verbose_name = "OH&S hazards, worker participation and incidents (ISO 45001)"

    def ready(self) -> None:
        from pdca.safety import registers  # noqa: F401  (its registers)
