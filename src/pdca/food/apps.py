from django.apps import AppConfig


class FoodConfig(AppConfig):
    name = "pdca.food"
    label = "food"
    verbose_name = "Food safety hazard control (ISO 22000)"

    def ready(self) -> None:
        from pdca.food import registers  # noqa: F401  (its registers)
