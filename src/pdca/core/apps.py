from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pdca.core"
    label = "core"
    verbose_name = "Core"
