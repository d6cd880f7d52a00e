"""Pages of management review (mounted at the site root). The fixed paths come before the
registers' so that `/management-reviews/schedule/` is not read as a review id."""

from django.urls import path

from pdca.core.registers.views import register_urls
from pdca.reviews import views
from pdca.reviews.dashboard.urls import urlpatterns as dashboard_urls
from pdca.reviews.leadership.urls import urlpatterns as leadership_urls
from pdca.reviews.registers import SPECS

app_name = "reviews"

urlpatterns = [
    *dashboard_urls,
    *leadership_urls,
    path("management-reviews/schedule/", views.schedule, name="schedule"),
    path(
        "management-reviews/schedule/<int:system_pk>/",
        views.schedule_edit,
        name="schedule-edit",
    ),
    path("management-reviews/<int:pk>/compile/", views.review_compile, name="review-compile"),
    path(
        "management-reviews/<int:pk>/inputs/<int:input_pk>/",
        views.input_assess,
        name="input-assess",
    ),
    path(
        "management-reviews/<int:pk>/transition/", views.review_transition, name="review-transition"
    ),
    path("review-actions/<int:pk>/close/", views.output_close, name="output-close"),
    path("management-reviews/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("management-reviews/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes-pdf"),
    path("management-reviews/<int:pk>/minutes.docx", views.minutes_docx, name="minutes-docx"),
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
