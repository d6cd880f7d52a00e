from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "pdca.people"
    label = "people"
    verbose_name = "Competence and training"

    def ready(self) -> None:
        from pdca.people import (  # noqa: F401
            install_jobs,
            jobs,
            permissions,
            registers,
        )
