from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "pdca.interop"
    label = "interop"
    verbose_name = "OSCAL, backups and restores"
