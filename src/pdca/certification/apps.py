from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "pdca.certification"
    label = "certification"
    verbose_name = "Certification body operations"

    def ready(self) -> None:
        from pdca.certification import hooks, jobs, permissions  # noqa: F401
        from pdca.certification.services import impartiality
        from pdca.certification.views.auditors import nav as auditor_nav
        from pdca.certification.views.certificates import nav as certificate_nav
        from pdca.certification.views.intake import nav as intake_nav
        from pdca.certification.views.programme import nav as programme_nav

        impartiality.register()
        hooks.register()
        for topic in (intake_nav, programme_nav, auditor_nav, certificate_nav):
            topic.add_items()
