"""Pages of audit programmes and audits (mounted at the site root)."""

from django.urls import path

from pdca.audits import auditor_pages
from pdca.audits.fieldwork import urls as fieldwork_urls
from pdca.audits.plan import urls as plan_urls
from pdca.audits.registers import SPECS
from pdca.audits.report import urls as report_urls
from pdca.core.registers.views import register_urls

app_name = "audits"

urlpatterns = [
    path("audits/auditors/", auditor_pages.auditors, name="auditors"),
    path(
        "audits/auditors/<int:user_id>/standards/<int:standard_id>/grant/",
        auditor_pages.auditor_grant,
        name="auditor-grant",
    ),
    *plan_urls.urlpatterns,
    *fieldwork_urls.urlpatterns,
    *report_urls.urlpatterns,
    *(pattern for spec in SPECS for pattern in register_urls(spec)),
]
