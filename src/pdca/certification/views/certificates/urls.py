"""Pages of the certification body's certificates (included by pdca.certification.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
