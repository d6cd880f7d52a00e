from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pdca.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from pdca.accounts import jobs  # noqa: F401  (the password-reset mail job)
