"""The certificate as a PDF: the body's logo, the client, standards named in full (edition and
amendments, with the transition to a newer edition when one replaces it), scope,
sites (an annex page when there are more than a few), the dates, the accreditation statement
(or that it is issued without accreditation), the signatory, and a QR code pointing to the
public verification page. A certificate that is no longer valid says so across its top."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pdca.certification.models import Certificate
from pdca.certification.services.certificate_public import transition_sentences, valid_on
from pdca.certification.services.certificates import body_profile
from pdca.certification.services.editions import standards_query
from pdca.core.permissions import require

#: Sites printed on the certificate itself; more go to an annex page.
SITES_ON_FACE = 3
#: Images the PDF embeds (logo, signature).
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp")


def verification_url(number: str) -> str:
    """The absolute address of the certificate's public verification page (PDCA_BASE_URL)."""
    return f"{settings.PDCA_BASE_URL}{reverse('verify:certificate', args=[number])}"


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (medium error correction)."""
    svg: str = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True)
    return svg


def _image(profile: Any, which: str) -> str | None:
    """The profile's logo or signature as a data: URI, or None when it has none (or its
    stored bytes are missing or altered, or it is not an image)."""
    from pdca.certification.services.profile import profile_image

    if profile is None:
        return None
    image = profile_image(profile, which)
    if image is None or image.content_type not in IMAGE_TYPES:
        return None
    return f"data:{image.content_type};base64,{base64.b64encode(image.data).decode()}"


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    profile = body_profile(certificate.organization)
    sites = list(certificate.sites.order_by("-is_central", "name"))
    url = verification_url(certificate.number)
    today = timezone.localdate()
    return {
        "certificate": certificate,
        "body": certificate.organization,
        "profile": profile,
        "standards": list(standards_query().filter(pk__in=certificate.standards.values("pk"))),
        "valid": valid_on(certificate, today),
        "transitions": transition_sentences(certificate, today),
        "sites": sites,
        "sites_on_face": sites if len(sites) <= SITES_ON_FACE else [],
        "annex": len(sites) > SITES_ON_FACE,
        "logo": _image(profile, "logo"),
        "signature": _image(profile, "signature"),
        "verify_url": url,
        "qr": qr_svg(url),
        "generated_at": timezone.localtime().replace(microsecond=0),
    }


def certificate_html(certificate: Certificate) -> str:
    return render_to_string("certification/certificates/pdf.html", certificate_context(certificate))


def certificate_pdf(certificate: Certificate, *, actor: Any) -> bytes:
    """The certificate's PDF, for a member of the body that issued it (`actor` None: the
    operator at the command line)."""
    if actor is not None:
        require(actor, "view", certificate)
    from weasyprint import HTML

    pdf: bytes = HTML(string=certificate_html(certificate)).write_pdf()
    return pdf


def certificate_filename(certificate: Certificate) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in certificate.number)
    return f"certificate-{safe}.pdf"
