from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "pdca.standards"
    label = "standards"
    verbose_name = "Standards"
