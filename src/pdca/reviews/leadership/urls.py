from django.urls import URLPattern, path

from pdca.reviews.leadership import views

urlpatterns: list[URLPattern] = [
    path("leadership/", views.leadership, name="leadership"),
]
