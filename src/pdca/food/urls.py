"""Pages of this app (mounted at the site root)."""

from django.urls import path

from pdca.core.registers.views import register_urls
from pdca.food import views
from pdca.food.registers import SPECS

app_name = "food"

urlpatterns = [
    path("food-safety-method/", views.method_detail, name="method"),
    path("food-safety-method/edit/", views.method_edit, name="method-edit"),
    path("prp-verifications/", views.verification_list, name="verification-list"),
    path("prp-verifications/<int:pk>/", views.verification_detail, name="verification-detail"),
    path(
        "prerequisite-programmes/<int:pk>/verify/",
        views.verification_create,
        name="verification-create",
    ),
    path("monitoring-deviations/", views.deviation_list, name="deviation-list"),
    path("monitoring-deviations/<int:pk>/", views.deviation_detail, name="deviation-detail"),
    path(
        "hazard-control-plan/<int:pk>/deviations/new/",
        views.deviation_create,
        name="deviation-create",
    ),
    path(
        "traceability-exercises/<int:pk>/raise-nonconformity/",
        views.exercise_raise,
        name="exercise-raise",
    ),
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
