from django.urls import path

from pdca.core.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/retry/", views.job_retry, name="retry"),
    path("<int:pk>/download/", views.job_download, name="download"),
]
