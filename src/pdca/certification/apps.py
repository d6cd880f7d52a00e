from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "pdca.certification"
    label = "certification"
    verbose_name = "Certification body operations"

    def ready(self) -> None:
        from pdca.certification import permissions  # noqa: F401
        from pdca.certification.views.certificates import nav as certificate_nav
        from pdca.certification.views.intake import nav as intake_nav
        from pdca.certification.views.programme import nav as programme_nav

        for topic in (intake_nav, programme_nav, certificate_nav):
            topic.add_items()
