"""Pages of `pdca.interop`: the OSCAL page, its downloads and the import."""

from django.urls import path

from pdca.interop.oscal import views

app_name = "interop"

urlpatterns = [
    path("", views.oscal_home, name="oscal"),
    path("catalogs/<slug:code>.json", views.catalog_download, name="oscal-catalog"),
    path(
        "assessments/<int:assessment_id>/assessment-results.json",
        views.assessment_download,
        name="oscal-assessment",
    ),
    path("audits/<int:audit_id>/assessment-results.json", views.audit_download, name="oscal-audit"),
    path("poam.json", views.poam_download, name="oscal-poam"),
    path("import/", views.import_catalog, name="oscal-import"),
]
