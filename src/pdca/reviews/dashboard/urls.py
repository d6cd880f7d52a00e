"""Pages of the top-management dashboard (included by `reviews/urls.py`)."""

from django.urls import URLPattern, path

from pdca.reviews.dashboard import views

urlpatterns: list[URLPattern] = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/pdf/", views.dashboard_pdf_view, name="dashboard-pdf"),
]
