"""Pages of findings and audit reports, included in the `audits` URL namespace."""

from django.urls import path

from pdca.audits.report import views

urlpatterns = [
    path("audits/<int:pk>/findings/", views.finding_list, name="findings"),
    path("audits/<int:pk>/findings/new/", views.finding_create, name="finding-create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding-edit"),
    path("findings/<int:pk>/delete/", views.finding_delete, name="finding-delete"),
    path("audits/<int:pk>/report/", views.report_page, name="report"),
    path("audits/<int:pk>/report/issue/", views.report_issue, name="report-issue"),
    path("audits/<int:pk>/report/revise/", views.report_revise, name="report-revise"),
    path("audits/<int:pk>/report/draft/pdf/", views.report_draft_pdf, name="report-draft-pdf"),
    path("audit-reports/<int:pk>/pdf/", views.report_pdf, name="report-pdf"),
]
