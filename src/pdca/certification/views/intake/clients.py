"""The client's own part of its register page: its sites, applications, cycles and
certificates, one query each, with links to the pages that exist."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pdca.certification.models import Application, Client, ClientSite
from pdca.certification.views.intake.common import url_or_none
from pdca.core.permissions import may

CYCLE_DETAIL = "certification:cycle-detail"
CERTIFICATE_DETAIL = "certification:certificate-detail"


def client_context(request, client: Client) -> dict[str, Any]:
    org = client.organization_id
    applications = [
        {
            "object": application,
            "url": reverse("certification:applications-detail", args=[application.pk]),
            "standards": ", ".join(str(s) for s in application.standards.all()),
        }
        for application in client.applications.prefetch_related("standards").order_by("-created_at")
    ]
    cycles = [
        {"object": cycle, "url": url_or_none(CYCLE_DETAIL, cycle.pk)}
        for cycle in client.cycles.order_by("-number")
    ]
    certificates = [
        {"object": certificate, "url": url_or_none(CERTIFICATE_DETAIL, certificate.pk)}
        for certificate in client.certificates.order_by("-issued_on", "number")
    ]
    return {
        "sites": list(client.sites.order_by("-is_central", "name")),
        "applications": applications,
        "cycles": cycles,
        "certificates": certificates,
        "can_add_application": may(request.user, "add", Application, organization=org),
        "can_add_site": may(request.user, "add", ClientSite, organization=org),
    }
