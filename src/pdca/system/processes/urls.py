"""URLs of the process map, turtle diagrams and the RACI grid (included by the site's URLs in
the `workspace` namespace, at the site root, beside the registers' own pages)."""

from django.urls import path

from pdca.system.processes import views as process_pages

urlpatterns = [
    path("processes/map/", process_pages.process_map, name="process-map"),
    path("processes/map.pdf", process_pages.process_map_pdf, name="process-map-pdf"),
    path("processes/<int:pk>/turtle/", process_pages.process_turtle, name="process-turtle"),
    path("responsibilities/raci/", process_pages.raci_page, name="raci"),
    path("responsibilities/raci.xlsx", process_pages.raci_xlsx, name="raci-xlsx"),
    path("responsibilities/raci/cell/", process_pages.raci_cell, name="raci-cell"),
    path("responsibilities/raci/rename/", process_pages.raci_rename, name="raci-rename"),
]
