"""Pages of this app (mounted at the site root). The fixed paths come before the registers'
so that `/exercises/programme/` is not read as an exercise id."""

from django.urls import path

from pdca.continuity import views
from pdca.continuity.registers import SPECS
from pdca.core.registers.views import register_urls

app_name = "continuity"

urlpatterns = [
    path("continuity/method/", views.method_detail, name="method"),
    path("continuity/method/edit/", views.method_edit, name="method-edit"),
    path("business-impact-analyses/prioritized/", views.prioritized, name="prioritized"),
    path("business-impact-analyses/<int:pk>/impacts/", views.bia_impacts, name="bia-impacts"),
    path("exercises/programme/", views.programme, name="programme"),
    path("exercises/<int:pk>/complete/", views.exercise_complete, name="exercise-complete"),
    path("exercises/<int:pk>/cancel/", views.exercise_cancel, name="exercise-cancel"),
    path(
        "exercise-improvements/<int:pk>/raise-nonconformity/",
        views.improvement_raise,
        name="improvement-raise",
    ),
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
