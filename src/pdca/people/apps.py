from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "pdca.people"
    label = "people"
    verbose_name = "Competence and training"

    def ready(self) -> None:
        from pdca.people import permissions, registers  # noqa: F401
        from pdca.people import jobs  # noqa: F401  (installing the shipped paths)
