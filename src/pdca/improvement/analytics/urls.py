"""Pages of the improvement app: nonconformity analytics and its XLSX download (before the
register's own `nonconformities/<int:pk>/` paths, though fixed paths never clash with them)."""

from django.urls import path

from pdca.improvement.analytics import views

urlpatterns = [
    path("nonconformities/analytics/", views.analytics, name="analytics"),
    path("nonconformities/analytics/export.xlsx", views.analytics_export, name="analytics-export"),
]
