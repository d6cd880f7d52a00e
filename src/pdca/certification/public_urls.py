"""Public pages, without login: certificate verification and the public register."""

from django.urls import path

from pdca.certification.views.certificates import public

app_name = "verify"

urlpatterns = [
    path("", public.register, name="register"),
    path("<str:number>/", public.certificate, name="certificate"),
]
