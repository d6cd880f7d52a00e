"""Pages of competence and training (mounted at the site root)."""

from django.urls import path

from pdca.core.registers.views import register_urls
from pdca.people.registers import SPECS
from pdca.people.views import competence, courses, training

app_name = "people"

urlpatterns = [
    path("training/", training.home, name="home"),
    path("training/paths/", training.path_list, name="path-list"),
    path("training/paths/install/", training.install_paths, name="install"),
    path("training/paths/new/", courses.path_edit, name="path-create"),
    path("training/paths/<int:pk>/", courses.path_detail, name="path-detail"),
    path("training/paths/<int:pk>/edit/", courses.path_edit, name="path-edit"),
    path("training/paths/<int:pk>/start/", training.path_start, name="path-start"),
    path("training/enrolments/<int:pk>/", training.enrolment, name="enrolment"),
    path("training/enrolments/<int:pk>/modules/<int:module>/", training.module, name="module"),
    path("training/attempts/<int:pk>/", training.attempt, name="attempt"),
    path("training/courses/", courses.course_list, name="course-list"),
    path("training/courses/new/", courses.course_edit, name="course-create"),
    path("training/courses/import/", courses.course_import, name="course-import"),
    path("training/courses/<int:pk>/", courses.course_detail, name="course-detail"),
    path("training/courses/<int:pk>/edit/", courses.course_edit, name="course-edit"),
    path("training/courses/<int:pk>/export.yaml", courses.course_export, name="course-export"),
    path("training/courses/<int:pk>/images/<str:name>", courses.course_image, name="course-image"),
    path("training/courses/<int:pk>/modules/new/", courses.module_edit, name="module-create"),
    path(
        "training/courses/<int:pk>/modules/<int:module>/edit/",
        courses.module_edit,
        name="module-edit",
    ),
    path(
        "training/courses/<int:pk>/modules/<int:module>/delete/",
        courses.module_delete,
        name="module-delete",
    ),
    path(
        "training/courses/<int:pk>/modules/<int:module>/questions/new/",
        courses.question_edit,
        name="question-create",
    ),
    path(
        "training/courses/<int:pk>/modules/<int:module>/questions/<int:question>/edit/",
        courses.question_edit,
        name="question-edit",
    ),
    path("training/matrix/", competence.matrix, name="matrix"),
    path("training/matrix.xlsx", competence.matrix_xlsx, name="matrix-xlsx"),
    path("training/matrix/gap-actions/", competence.gap_actions, name="gap-actions"),
    path(
        "training/training-records/<int:pk>/evaluate/",
        competence.record_evaluate,
        name="record-evaluate",
    ),
    path(
        "training/awareness-campaigns/<int:pk>/launch/",
        competence.campaign_launch,
        name="campaign-launch",
    ),
    path(
        "training/awareness-campaigns/<int:pk>/close/",
        competence.campaign_close,
        name="campaign-close",
    ),
    path(
        "training/awareness-campaigns/<int:pk>/report.<str:kind>",
        competence.campaign_report_file,
        name="campaign-report",
    ),
    *(p for spec in SPECS for p in register_urls(spec, f"training/{spec.slug}")),
]
