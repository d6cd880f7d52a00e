"""Pages of the risk method, the heat map and treatment actions (included in the `risks`
namespace at the site root)."""

from django.urls import path

from pdca.risks.method import views

urlpatterns = [
    path("risks/method/", views.method_detail, name="method"),
    path("risks/method/edit/", views.method_edit, name="method-edit"),
    path("risks/heatmap/", views.heatmap, name="heatmap"),
    path("risks/actions/", views.action_list, name="action-list"),
    path("risks/<int:risk_pk>/actions/new/", views.action_create, name="action-create"),
    path("risks/actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("risks/actions/<int:pk>/delete/", views.action_delete, name="action-delete"),
    path("risks/actions/<int:pk>/complete/", views.action_complete, name="action-complete"),
]
