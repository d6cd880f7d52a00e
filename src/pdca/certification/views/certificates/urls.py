"""Pages of the certification body's certificates (included by pdca.certification.urls)."""

from django.urls import URLPattern, path

from pdca.certification.views.certificates import pages

urlpatterns: list[URLPattern] = [
    path("cb/certificates/", pages.certificate_list, name="certificate-list"),
    path("cb/certificates/<int:pk>/", pages.certificate_detail, name="certificate-detail"),
    path("cb/certificates/<int:pk>/pdf/", pages.certificate_pdf_view, name="certificate-pdf"),
    path(
        "cb/certificates/<int:pk>/transition/",
        pages.certificate_transition,
        name="certificate-transition",
    ),
]
