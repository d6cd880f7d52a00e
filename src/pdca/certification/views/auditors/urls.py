"""Pages of the certification body's auditor pool and team selection."""

from django.urls import path

from pdca.certification.views.auditors import pages

urlpatterns = [
    path("cb/auditors/", pages.auditor_list, name="auditor-list"),
    path("cb/auditors/<int:user_id>/", pages.auditor_detail, name="auditor-detail"),
    path(
        "cb/auditors/<int:user_id>/transition-training/",
        pages.transition_training,
        name="auditor-transition-training",
    ),
    path("cb/cycle-audits/<int:pk>/team/", pages.team_select, name="team-select"),
    path("cb/cycle-audits/<int:pk>/team/add/", pages.team_add, name="team-add"),
]
