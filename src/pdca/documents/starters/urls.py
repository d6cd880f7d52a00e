"""Pages of starter templates, version downloads, coverage, search and document tasks
(included in the `documents` URL namespace, before the register's own pages)."""

from django.urls import path

from pdca.documents.starters import views

urlpatterns = [
    path("documents/templates/", views.template_list, name="template-list"),
    path("documents/templates/<slug:key>/", views.template_detail, name="template-detail"),
    path("documents/templates/<slug:key>/use/", views.template_use, name="template-use"),
    path("documents/templates/<slug:key>/docx/", views.template_docx, name="template-docx"),
    path("documents/templates/<slug:key>/pdf/", views.template_pdf, name="template-pdf"),
    path("documents/versions/<int:pk>/docx/", views.version_docx, name="version-docx"),
    path("documents/versions/<int:pk>/pdf/", views.version_pdf, name="version-pdf"),
    path("documents/coverage/", views.coverage, name="coverage"),
    path("documents/coverage.xlsx", views.coverage_xlsx, name="coverage-xlsx"),
    path("documents/search/", views.search, name="search"),
    path("documents/my-tasks/", views.my_tasks, name="my-tasks"),
]
