from django.urls import path

from pdca.standards import views

app_name = "standards"

# Fixed paths come before `<code>/<number>/`, which would otherwise take them.
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("integrated/", views.integrated, name="integrated"),
    path("<slug:old>/to/<slug:new>/", views.comparison, name="comparison"),
    path("<slug:old>/to/<slug:new>/comparison.csv", views.comparison_csv, name="comparison_csv"),
    path("<slug:old>/to/<slug:new>/comparison.xlsx", views.comparison_xlsx, name="comparison_xlsx"),
    path("<slug:code>/", views.standard_detail, name="detail"),
    path(
        "<slug:code>/documented-information/",
        views.documented_information,
        name="documented_information",
    ),
    path(
        "<slug:code>/documented-information.csv",
        views.documented_information_csv,
        name="documented_information_csv",
    ),
    path(
        "<slug:code>/documented-information.xlsx",
        views.documented_information_xlsx,
        name="documented_information_xlsx",
    ),
    path("<slug:code>/<str:number>/", views.requirement_detail, name="requirement"),
]
