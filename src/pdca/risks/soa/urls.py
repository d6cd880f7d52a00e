"""Pages of the Statement of Applicability, included in the `risks` URL namespace."""

from django.urls import path

from pdca.risks.soa import views

urlpatterns = [
    path("soa/", views.soa_list, name="soa-list"),
    path("soa/new/", views.soa_create, name="soa-create"),
    path("soa/<int:pk>/", views.soa_detail, name="soa-detail"),
    path("soa/<int:pk>/delete/", views.soa_delete, name="soa-delete"),
    path("soa/<int:pk>/sync/", views.soa_sync, name="soa-sync"),
    path("soa/<int:pk>/approve/", views.soa_approve, name="soa-approve"),
    path("soa/<int:pk>/versions/<int:number>/", views.soa_version, name="soa-version"),
    path("soa/<int:pk>/soa.xlsx", views.soa_xlsx, name="soa-xlsx"),
    path("soa/<int:pk>/pdf/", views.soa_pdf, name="soa-pdf"),
    path("soa/<int:pk>/import/", views.soa_import_page, name="soa-import"),
    path("soa/lines/<int:pk>/", views.soa_line, name="soa-line"),
    path("soa/lines/<int:pk>/edit/", views.soa_line_edit, name="soa-line-edit"),
]
