"""Pages of a certification body (mounted at the site root, under /cb/)."""

from pdca.certification.views.auditors.urls import urlpatterns as auditor_urls
from pdca.certification.views.certificates.urls import urlpatterns as certificate_urls
from pdca.certification.views.intake.urls import urlpatterns as intake_urls
from pdca.certification.views.programme.urls import urlpatterns as programme_urls

app_name = "certification"

urlpatterns = [*intake_urls, *programme_urls, *auditor_urls, *certificate_urls]
