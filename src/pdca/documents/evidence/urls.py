"""Pages of the evidence store, included in the `documents` URL namespace."""

from django.urls import path

from pdca.documents.evidence import views

urlpatterns = [
    path("evidence/", views.evidence_list, name="evidence-list"),
    path("evidence/upload/", views.evidence_upload, name="evidence-upload"),
    path("evidence/<int:pk>/", views.evidence_detail, name="evidence-detail"),
    path("evidence/<int:pk>/edit/", views.evidence_edit, name="evidence-edit"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence-delete"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence-download"),
]
