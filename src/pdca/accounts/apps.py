from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pdca.accounts"
    label = "accounts"
    verbose_name = "Accounts"
