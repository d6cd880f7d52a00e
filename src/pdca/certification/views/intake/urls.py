"""Pages of the certification body's intake (included by pdca.certification.urls): the
profile, the registers (accredited scopes, clients, client sites, conflicts of interest) and
applications with their contract review and audit time. Only certification-body roles may use
them (see certification.permissions), and the services refuse another kind of organization."""

from django.urls import URLPattern, path

from pdca.certification.registers import SPECS
from pdca.certification.views.intake import applications, audit_time, profile
from pdca.core.registers.views import register_urls

urlpatterns: list[URLPattern] = [
    path("cb/profile/", profile.profile, name="profile"),
    path("cb/profile/images/<str:which>/", profile.image, name="profile-image"),
    path("cb/applications/", applications.application_list, name="applications-list"),
    path(
        "cb/applications/new/",
        applications.application_create,
        name="applications-create",
    ),
    path(
        "cb/applications/<int:pk>/",
        applications.application_detail,
        name="applications-detail",
    ),
    path(
        "cb/applications/<int:pk>/edit/",
        applications.application_edit,
        name="applications-edit",
    ),
    path(
        "cb/applications/<int:pk>/transition/",
        applications.application_transition,
        name="applications-transition",
    ),
    path(
        "cb/applications/<int:pk>/audit-time/",
        audit_time.audit_time,
        name="applications-time",
    ),
    path(
        "cb/applications/<int:pk>/audit-time.pdf",
        audit_time.audit_time_pdf,
        name="applications-time-pdf",
    ),
    *(p for spec in SPECS for p in register_urls(spec, f"cb/{spec.slug}")),
]
