"""Pages of an audit's status steps, team, plan and meetings (in the `audits` namespace)."""

from django.urls import path

from pdca.audits.plan import views

urlpatterns = [
    path("audits/<int:pk>/transition/", views.transition, name="transition"),
    path("audits/<int:pk>/team/add/", views.team_add, name="team-add"),
    path("audits/team/<int:pk>/edit/", views.team_edit, name="team-edit"),
    path("audits/team/<int:pk>/delete/", views.team_delete, name="team-delete"),
    path("audits/<int:pk>/plan/", views.plan, name="plan"),
    path("audits/<int:pk>/plan.pdf", views.plan_download, name="plan-pdf"),
    path("audits/<int:pk>/plan/new/", views.plan_item_create, name="plan-item-create"),
    path("audits/plan-items/<int:pk>/edit/", views.plan_item_edit, name="plan-item-edit"),
    path("audits/plan-items/<int:pk>/delete/", views.plan_item_delete, name="plan-item-delete"),
    path("audits/<int:pk>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("audits/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("audits/meetings/<int:pk>/delete/", views.meeting_delete, name="meeting-delete"),
]
