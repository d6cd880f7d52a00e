"""The portfolio page (included by `engagements/urls.py`, namespace "engagements")."""

from django.urls import URLPattern, path

from pdca.engagements.portfolio import views

urlpatterns: list[URLPattern] = [
    path("portfolio/", views.portfolio, name="portfolio"),
]
