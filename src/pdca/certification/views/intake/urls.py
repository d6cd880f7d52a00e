"""Pages of the certification body's intake (included by pdca.certification.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
