from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "pdca.documents"
    label = "documents"
    verbose_name = "Documented information and evidence"

    def ready(self) -> None:
        from pdca.documents import permissions, registers  # noqa: F401  (rules and registers)
        from pdca.documents.versions import jobs  # noqa: F401  (a version's PDF job)
