from django.urls import path

from pdca.engagements.links import grant_views, request_views, views

urlpatterns = [
    path("engagements/", views.engagement_list, name="list"),
    path("engagements/invite/", views.engagement_invite, name="invite"),
    path("engagements/join/<str:token>/", views.invitation, name="invitation"),
    path("engagements/<int:pk>/", views.engagement_detail, name="detail"),
    path("engagements/<int:pk>/end/", views.engagement_end, name="end"),
    path("engagements/<int:pk>/withdraw/", views.engagement_withdraw, name="withdraw"),
    path("engagements/<int:pk>/grants/new/", grant_views.grant_new, name="grant-new"),
    path("access-grants/<int:pk>/", grant_views.grant_detail, name="grant"),
    path("access-grants/<int:pk>/revoke/", grant_views.grant_revoke, name="grant-revoke"),
    path(
        "engagements/<int:pk>/shared/documents/<int:doc_pk>/",
        grant_views.shared_document,
        name="shared-document",
    ),
    path(
        "engagements/<int:pk>/shared/versions/<int:version_pk>/",
        grant_views.shared_version,
        name="shared-version",
    ),
    path(
        "engagements/<int:pk>/shared/evidence/<int:file_pk>/",
        grant_views.shared_evidence,
        name="shared-evidence",
    ),
    path(
        "engagements/<int:pk>/shared/registers/<slug:slug>/",
        grant_views.shared_register,
        name="shared-register",
    ),
    path("engagements/<int:pk>/requests/new/", request_views.request_new, name="request-new"),
    path("evidence-requests/<int:pk>/", request_views.request_detail, name="request"),
    path("evidence-requests/<int:pk>/review/", request_views.request_review, name="request-review"),
    path("engagements/<int:pk>/audits/<int:audit_pk>/", request_views.audit_detail, name="audit"),
    path(
        "engagements/<int:pk>/audits/<int:audit_pk>/release/",
        request_views.audit_release,
        name="audit-release",
    ),
    path("finding-links/<int:pk>/send-plan/", request_views.plan_send, name="send-plan"),
]
