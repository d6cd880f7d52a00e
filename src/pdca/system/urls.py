from django.urls import path

from pdca.system import views
from pdca.system.transition import views as transition_views

app_name = "system"

urlpatterns = [
    path("", views.system_list, name="system_list"),
    path("new/", views.system_create, name="system_create"),
    path("<int:pk>/", views.system_detail, name="system_detail"),
    path("<int:pk>/edit/", views.system_edit, name="system_edit"),
    path("<int:pk>/standards/", views.standard_adopt, name="standard_adopt"),
    path("<int:pk>/standards/<int:adoption_pk>/drop/", views.standard_drop, name="standard_drop"),
    path("<int:pk>/transition/<slug:code>/", transition_views.transition, name="transition"),
    path("<int:pk>/exclusions/new/", views.exclusion_add, name="exclusion_add"),
    path(
        "<int:pk>/exclusions/<int:exclusion_pk>/remove/",
        views.exclusion_remove,
        name="exclusion_remove",
    ),
]
