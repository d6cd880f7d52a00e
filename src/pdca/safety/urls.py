"""Pages of this app (mounted at the site root): the fixed paths first, then the registers'."""

from django.urls import path

from pdca.core.registers.views import register_urls
from pdca.safety import views
from pdca.safety.registers import SPECS

app_name = "safety"

urlpatterns = [
    path("hazards/method/", views.method_detail, name="method"),
    path("hazards/method/edit/", views.method_edit, name="method-edit"),
    path("consultations/participation/", views.participation, name="participation"),
    path("incidents/report/", views.incident_report, name="incident-report"),
    path(
        "incidents/<int:pk>/investigate/", views.incident_investigate, name="incident-investigate"
    ),
    path("incidents/<int:pk>/transition/", views.incident_transition, name="incident-transition"),
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
