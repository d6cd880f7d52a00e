"""Pages of this app (mounted at the site root). The fixed paths come before the registers'
so that `aspects/significant/` is not read as an entry."""

from django.urls import path

from pdca.core.registers.views import register_urls
from pdca.environment import views
from pdca.environment.registers import SPECS

app_name = "environment"

urlpatterns = [
    path("aspects/method/", views.method_detail, name="significance-method"),
    path("aspects/method/edit/", views.method_edit, name="significance-method-edit"),
    path("aspects/significant/", views.significant_list, name="aspects-significant"),
    path("aspects/<int:pk>/assess/", views.aspect_assess, name="aspect-assess"),
    path("compliance-obligations/due/", views.obligations_due, name="obligations-due"),
    path(
        "compliance-evaluations/<int:pk>/record/",
        views.evaluation_record,
        name="evaluation-record",
    ),
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
