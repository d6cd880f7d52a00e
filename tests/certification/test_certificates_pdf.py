"""The certificate PDF: its text, the site annex, the accreditation line and the QR code."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest
import segno
from django.test import override_settings

from pdca.certification.models import Certificate
from pdca.certification.services.certificate_pdf import (
    certificate_filename,
    certificate_html,
    certificate_pdf,
    qr_svg,
    verification_url,
)
from pdca.core.exceptions import PermissionDenied
from pdca.core.roles import Role
from tests.certification import certificate_factories as f

pytestmark = pytest.mark.django_db

S = Certificate.Status


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    if os.environ.get("PDCA_KEEP_CERTIFICATE_PDF"):  # to look at it: pdftoppm -png
        (tmp_path.parent / f"kept-{path.name}").write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(done.stdout.split())


@pytest.fixture
def manager(personas):
    return personas.users[Role.CB_MANAGER]


@override_settings(PDCA_BASE_URL="https://certs.example.org")
def test_pdf_carries_the_certificates_facts(personas, manager, tmp_path):
    f.profile(personas.cb, address="1 Audit Street, London")
    client = f.client(personas.cb, name="Widgets Ltd")
    cert = f.certificate(
        personas.cb, number="NB-000042", of=client, codes=("iso9001-2015", "iso14001-2015")
    )
    text = _text(certificate_pdf(cert, actor=manager), tmp_path)
    assert "NB-000042" in text
    assert "Widgets Ltd" in text
    assert "Design and manufacture of widgets" in text
    assert "ISO 9001:2015" in text and "ISO 14001:2015" in text
    assert "Original certification 2025-03-10" in text
    assert "Valid until 2028-03-09" in text
    assert "Issued under accreditation by UKAS (accreditation number 0042)" in text
    assert "without accreditation" not in text
    assert "Dana Signer" in text
    # The address wraps under the QR code.
    assert "https://certs.example.org/verify/NB-000042/" in text.replace(" ", "")
    assert "Annex" not in text
    assert "not valid" not in text


def test_non_accredited_certificate_says_so(personas, manager, tmp_path):
    cert = f.certificate(personas.cb, accredited=False)
    text = _text(certificate_pdf(cert, actor=manager), tmp_path)
    assert "This certificate is issued without accreditation." in text
    assert "UKAS" not in text


def test_many_sites_go_to_an_annex_page(personas, manager, tmp_path):
    cert = f.certificate(personas.cb, sites=5)
    text = _text(certificate_pdf(cert, actor=manager), tmp_path)
    assert "5 sites, listed in the annex to this certificate" in text
    assert "Annex: sites" in text
    assert all(f"Site {n}" in text for n in range(1, 6))
    assert "Page 2 of 2" in text


def test_withdrawn_certificate_pdf_says_it_is_not_valid(personas, manager, tmp_path):
    cert = f.certificate(personas.cb, status=S.WITHDRAWN, status_changed_on=dt.date(2026, 1, 5))
    text = _text(certificate_pdf(cert, actor=manager), tmp_path)
    assert "Withdrawn on 2026-01-05: this certificate is not valid." in text


@override_settings(PDCA_BASE_URL="https://certs.example.org")
def test_qr_code_encodes_the_verification_url(personas):
    cert = f.certificate(personas.cb, number="NB-000007")
    url = verification_url(cert.number)
    assert url == "https://certs.example.org/verify/NB-000007/"
    html = certificate_html(cert)
    assert qr_svg(url) in html
    # The page holds exactly the symbol segno makes for the URL (and no other URL's).
    svg = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True)
    assert svg in html
    assert qr_svg(url + "x") not in html


def test_pdf_is_refused_to_someone_outside_the_body(personas):
    cert = f.certificate(personas.cb)
    with pytest.raises(PermissionDenied):
        certificate_pdf(cert, actor=personas.outsider)


def test_filename_is_safe(personas):
    cert = f.certificate(personas.cb, number="NB-000001-R1")
    assert certificate_filename(cert) == "certificate-NB-000001-R1.pdf"


SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    b'<rect width="40" height="20" fill="#1f3a5f"/></svg>'
)


def test_logo_and_signature_from_the_profile_are_embedded(personas, manager):
    from pdca.certification.services.profile import store_profile_image

    f.profile(personas.cb)
    store_profile_image(personas.cb, "logo", "logo.svg", SVG_LOGO, actor=manager)
    store_profile_image(personas.cb, "signature", "sign.svg", SVG_LOGO, actor=manager)
    cert = f.certificate(personas.cb)
    html = certificate_html(cert)
    assert html.count('src="data:image/svg+xml;base64,') == 2
    assert certificate_pdf(cert, actor=manager)[:5] == b"%PDF-"
