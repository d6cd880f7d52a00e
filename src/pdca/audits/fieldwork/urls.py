"""Fieldwork pages (included in the `audits` URL namespace at the site root)."""

from django.urls import path

from pdca.audits.fieldwork import views

urlpatterns = [
    path("audits/<int:pk>/checklist/", views.checklist, name="checklist"),
    path(
        "audits/<int:pk>/checklist/generate/",
        views.checklist_generate,
        name="checklist-generate",
    ),
    path("audits/<int:pk>/checklist/add/", views.checklist_add, name="checklist-add"),
    path("audits/<int:pk>/checklist/apply/", views.checklist_apply, name="checklist-apply"),
    path("audits/<int:pk>/checklist/save/", views.checklist_save, name="checklist-save"),
    path("checklist-items/<int:pk>/", views.checklist_item, name="checklist-item"),
    path("checklist-items/<int:pk>/edit/", views.checklist_item_save, name="checklist-item-save"),
    path(
        "checklist-items/<int:pk>/delete/",
        views.checklist_item_delete,
        name="checklist-item-delete",
    ),
    path("checklist-items/<int:pk>/evidence/add/", views.evidence_add, name="evidence-add"),
    path("evidence-records/<int:pk>/delete/", views.evidence_delete, name="evidence-delete"),
    path("saved-checklists/", views.saved_checklists, name="saved-checklists"),
    path("saved-checklists/new/", views.saved_checklist_create, name="saved-checklist-create"),
    path("saved-checklists/<int:pk>/", views.saved_checklist_detail, name="saved-checklist"),
    path(
        "saved-checklists/<int:pk>/edit/", views.saved_checklist_edit, name="saved-checklist-edit"
    ),
    path(
        "saved-checklists/<int:pk>/apply/",
        views.saved_checklist_apply,
        name="saved-checklist-apply",
    ),
    path(
        "saved-checklists/<int:pk>/delete/",
        views.saved_checklist_delete,
        name="saved-checklist-delete",
    ),
]
