from django.urls import path

from pdca.assessments import file_views, views

app_name = "assessments"

# One flat list: the spreadsheet and report pages (file_views.py) append theirs below.
urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("new/", views.assessment_create, name="assessment_create"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("<int:pk>/delete/", views.assessment_delete, name="assessment_delete"),
    path("<int:pk>/plan/", views.assessment_plan, name="assessment_plan"),
    path("<int:pk>/compare/", views.assessment_compare, name="assessment_compare"),
    path("<int:pk>/items/bulk/", views.items_bulk, name="items_bulk"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/split/", views.item_split, name="item_split"),
    path("<int:pk>/export.xlsx", file_views.assessment_export, name="assessment_export"),
    path("<int:pk>/import/", file_views.assessment_import, name="assessment_import"),
    path("<int:pk>/report/pdf/", file_views.report_job, {"fmt": "pdf"}, name="report_pdf"),
    path("<int:pk>/report/xlsx/", file_views.report_job, {"fmt": "xlsx"}, name="report_xlsx"),
]
