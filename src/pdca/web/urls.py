from django.urls import path

from pdca.web import records_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("activity/", views.activity, name="activity"),
    path("records/", records_views.records, name="records"),
]
