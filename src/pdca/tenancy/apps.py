from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "pdca.tenancy"
    label = "tenancy"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from pdca.tenancy import permissions  # noqa: F401  (registers the rules)
