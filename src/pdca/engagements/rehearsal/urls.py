"""Pages of the stage 1 rehearsal (included by `engagements/urls.py`, namespace
"engagements", at the site root)."""

from django.urls import URLPattern, path

from pdca.engagements.rehearsal import views

urlpatterns: list[URLPattern] = [
    path("rehearsal/", views.systems, name="rehearsal-systems"),
    path("rehearsal/rules/", views.rules, name="rehearsal-rules"),
    path("rehearsal/systems/<int:pk>/", views.system_page, name="rehearsal-system"),
    path("rehearsal/systems/<int:pk>/run/", views.run, name="rehearsal-run"),
    path("rehearsal/runs/<int:pk>/", views.detail, name="rehearsal-detail"),
    path("rehearsal/runs/<int:pk>/pdf/", views.pdf, name="rehearsal-pdf"),
]
