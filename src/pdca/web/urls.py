from django.urls import path

from pdca.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("activity/", views.activity, name="activity"),
]
