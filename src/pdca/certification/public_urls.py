"""Public pages, without login: certificate verification and the public register."""

from django.urls import URLPattern

app_name = "verify"

urlpatterns: list[URLPattern] = []
