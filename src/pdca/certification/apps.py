from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "pdca.certification"
    label = "certification"
    verbose_name = "Certification body operations"
