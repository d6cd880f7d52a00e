"""Pages of engagements (mounted at the site root): links, grants and what the provider reads
under them, evidence requests, released audits; the stage 1 rehearsal; the consultant's
portfolio."""

from pdca.engagements.links.urls import urlpatterns as link_urls
from pdca.engagements.portfolio.urls import urlpatterns as portfolio_urls
from pdca.engagements.rehearsal.urls import urlpatterns as rehearsal_urls

app_name = "engagements"

urlpatterns = [*link_urls, *rehearsal_urls, *portfolio_urls]
