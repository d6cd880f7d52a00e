"""Pages of the corrective-action workflow (included before the register's own URLs, so
`nonconformities/report/` is not read as an entry)."""

from django.urls import path

from pdca.improvement.workflow import views

urlpatterns: list = [
    path("nonconformities/report/", views.report, name="report"),
    path("nonconformities/tasks/", views.tasks, name="tasks"),
    path("nonconformities/policy/", views.policy, name="policy"),
    path(
        "nonconformities/<int:pk>/step/<slug:step>/",
        views.nonconformity_step,
        name="nonconformity-step",
    ),
    path("nonconformities/<int:pk>/actions/new/", views.action_create, name="action-create"),
    path("nonconformities/<int:pk>/raise-risk/", views.raise_risk_page, name="raise-risk"),
    path("corrective-actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("corrective-actions/<int:pk>/cancel/", views.action_cancel, name="action-cancel"),
    path("corrective-actions/<int:pk>/implement/", views.action_implement, name="action-implement"),
]
