"""Pages of document versions, reviews and acknowledgements (in the `documents` namespace)."""

from django.urls import path

from pdca.documents.versions import views

urlpatterns = [
    path("documents/review/", views.review_queue, name="review-queue"),
    path("documents/to-read/", views.my_acknowledgements, name="my-acknowledgements"),
    path("documents/versions/preview/", views.version_preview, name="version-preview"),
    path("documents/<int:document_pk>/versions/new/", views.version_create, name="version-create"),
    path("documents/versions/<int:pk>/", views.version_detail, name="version-detail"),
    path("documents/versions/<int:pk>/edit/", views.version_edit, name="version-edit"),
    path("documents/versions/<int:pk>/delete/", views.version_delete, name="version-delete"),
    path(
        "documents/versions/<int:pk>/step/<slug:step>/",
        views.version_transition,
        name="version-transition",
    ),
    path("documents/versions/<int:pk>/read/", views.ack_confirm, name="ack-confirm"),
    path("documents/versions/<int:pk>/ask/", views.ack_request, name="ack-request"),
    path("documents/versions/<int:pk>/readers/", views.ack_report, name="ack-report"),
]
