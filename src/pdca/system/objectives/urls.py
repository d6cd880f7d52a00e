"""Pages of objective tracking, included by the lead in the `workspace` namespace at the site
root (next to the objective register's own pages under `objectives/`)."""

from django.urls import path

from pdca.system.objectives import views

urlpatterns = [
    path("objectives/dashboard/", views.objective_dashboard, name="objective-dashboard"),
    path("objectives/measurements/", views.measurement_list, name="measurement-list"),
    path(
        "objectives/<int:objective_pk>/measurements/new/",
        views.measurement_create,
        name="measurement-create",
    ),
    path("objectives/measurements/<int:pk>/edit/", views.measurement_edit, name="measurement-edit"),
    path(
        "objectives/measurements/<int:pk>/delete/",
        views.measurement_delete,
        name="measurement-delete",
    ),
]
