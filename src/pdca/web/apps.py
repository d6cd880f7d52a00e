from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pdca.web"
    label = "web"
    verbose_name = "Web"
