from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "pdca.tenancy"
    label = "tenancy"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from pdca.core.permissions import membership_roles
        from pdca.tenancy import permissions  # noqa: F401  (registers the rules)
        from pdca.tenancy.selectors import roles_by_organization

        membership_roles.register(roles_by_organization)

        from pdca.tenancy.invitations import services  # noqa: F401  (the invitation mail job)
