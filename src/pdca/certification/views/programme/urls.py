"""Pages of the certification body's programme (included by pdca.certification.urls)."""

from django.urls import URLPattern, path

from pdca.certification.views.programme import pages

urlpatterns: list[URLPattern] = [
    path("cb/programme/", pages.calendar_page, name="calendar"),
    path("cb/cycles/", pages.cycle_list, name="cycle-list"),
    path("cb/cycles/<int:pk>/", pages.cycle_detail, name="cycle-detail"),
    path("cb/applications/<int:pk>/open-cycle/", pages.cycle_open, name="cycle-open"),
    path("cb/cycles/<int:pk>/special/", pages.special_audit, name="cycle-special"),
    path("cb/cycles/<int:pk>/repeat/", pages.repeat_stage, name="cycle-repeat"),
    path(
        "cb/cycles/<int:pk>/transition-audit/",
        pages.transition_audit,
        name="cycle-transition-audit",
    ),
    path("cb/cycles/<int:pk>/decide/", pages.decide, name="cycle-decide"),
    path("cb/cycle-audits/<int:pk>/schedule/", pages.schedule, name="cycle-audit-schedule"),
    path(
        "cb/cycle-audits/<int:pk>/stage1-outcome/",
        pages.stage1_outcome,
        name="cycle-audit-outcome",
    ),
    path(
        "cb/cycle-audits/<int:pk>/delivered-days/",
        pages.delivered_days,
        name="cycle-audit-days",
    ),
    path("cb/finding-reviews/<int:pk>/answer/", pages.review_answer, name="review-answer"),
    path("cb/finding-reviews/<int:pk>/review/", pages.review_plan, name="review-plan"),
    path("cb/finding-reviews/<int:pk>/verify/", pages.review_verify, name="review-verify"),
]
