"""Public verification and the public register: no sign-in, public facts only, clear answers
for unknown and invalid certificates, rate-limited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings

from pdca.certification.models import Certificate, CertificationBodyProfile
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from tests.certification import certificate_factories as f

pytestmark = pytest.mark.django_db

S = Certificate.Status


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def body(personas):
    f.profile(personas.cb)
    return personas.cb


def _private_bits(cert: Certificate) -> list[str]:
    client = cert.client
    return [
        client.contact_email,
        client.contact_phone,
        client.contact_name,
        client.address,
        client.reference,
        "Hidden Town",  # site addresses
        "secret reason",
        f'"id": {cert.pk}',
        f'"client": {client.pk}',
    ]


def test_page_shows_the_public_facts_without_sign_in(client, body):
    cert = f.certificate(body, number="NB-000042", sites=2, codes=("iso9001-2015",))
    response = client.get("/verify/NB-000042/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "NB-000042",
        cert.client_name,
        "Design and manufacture of widgets",
        "Site 1 (GB)",
        "ISO 9001:2015",
        "Valid until",
        "2028-03-09",
        "CB",
        "Accredited by UKAS, number 0042",
        "Valid: issued on 2025-03-10, valid until 2028-03-09.",
    ):
        assert text in page, text
    for text in _private_bits(cert):
        assert text not in page, text


def test_api_shows_the_public_facts_and_nothing_else(client, body):
    cert = f.certificate(
        body,
        number="NB-000042",
        status=S.SUSPENDED,
        status_changed_on=dt.date(2026, 2, 1),
        status_reason="secret reason",
    )
    response = client.get("/api/v1/verify/NB-000042")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "number",
        "status",
        "status_label",
        "valid",
        "status_date",
        "status_text",
        "client_name",
        "scope",
        "sites",
        "standards",
        "transitions",
        "issued_on",
        "original_issued_on",
        "expires_on",
        "certification_body",
        "accredited",
        "accreditation_body",
        "accreditation_number",
        "replaced_by",
    }
    assert (data["status"], data["valid"], data["status_date"]) == (
        "suspended",
        False,
        "2026-02-01",
    )
    assert data["status_text"] == "Not valid: suspended since 2026-02-01."
    assert data["sites"] == [{"name": "Site 1", "country": "GB"}]
    text = response.content.decode()
    for bit in _private_bits(cert):
        assert bit not in text, bit


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (S.WITHDRAWN, "Not valid: withdrawn on 2026-02-01."),
        (S.EXPIRED, "Not valid: expired on 2026-02-01."),
        (S.SUSPENDED, "Not valid: suspended since 2026-02-01."),
    ],
)
def test_invalid_certificates_say_so_with_the_date(client, body, status, sentence):
    f.certificate(
        body,
        number="NB-000042",
        status=status,
        status_changed_on=dt.date(2026, 2, 1),
        status_reason="secret reason",
    )
    page = client.get("/verify/NB-000042/").content.decode()
    assert "Not valid:" in page and "2026-02-01" in page
    assert "secret reason" not in page
    data = client.get("/api/v1/verify/NB-000042").json()
    assert data["valid"] is False
    assert data["status_text"] == sentence


def test_renewed_certificate_points_to_its_successor(client, body):
    old = f.certificate(body, number="NB-000001", status=S.RENEWED)
    new = f.certificate(body, number="NB-000001-R1")
    Certificate.objects.filter(pk=new.pk).update(previous=old)
    data = client.get("/api/v1/verify/NB-000001").json()
    assert (data["valid"], data["replaced_by"]) == (False, "NB-000001-R1")
    assert 'href="/verify/NB-000001-R1/"' in client.get("/verify/NB-000001/").content.decode()


def test_non_accredited_certificate_says_so(client, body):
    f.certificate(body, number="NB-000042", accredited=False)
    assert "Issued without accreditation" in client.get("/verify/NB-000042/").content.decode()
    data = client.get("/api/v1/verify/NB-000042").json()
    assert (data["accredited"], data["accreditation_body"]) == (False, "")


@pytest.mark.parametrize("number", ["NB-999999", "nothing", "x" * 80, "%3Cscript%3E"])
def test_unknown_number_is_a_clear_404(client, body, number):
    f.certificate(body, number="NB-000042")
    page = client.get(f"/verify/{number}/")
    assert page.status_code == 404
    assert "is not a certificate of any certification body here" in page.content.decode()
    api = client.get(f"/api/v1/verify/{number}")
    assert api.status_code == 404
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["code"] == "unknown_certificate"


def test_number_is_matched_regardless_of_case(client, body):
    f.certificate(body, number="NB-000042")
    assert client.get("/api/v1/verify/nb-000042").json()["number"] == "NB-000042"


def test_signed_in_users_see_the_same_public_facts(client, body, personas):
    f.certificate(body, number="NB-000042")
    login(client, personas.users["cb_manager"])
    data = client.get("/api/v1/verify/NB-000042").json()
    assert "id" not in data


@override_settings(PDCA_VERIFY_RATE_LIMIT=3)
def test_rate_limit_answers_429_with_retry_after(client, body):
    f.certificate(body, number="NB-000042")
    for _ in range(2):
        assert client.get("/api/v1/verify/NB-000042").status_code == 200
    assert client.get("/verify/NB-000042/").status_code == 200
    api = client.get("/api/v1/verify/NB-000042")
    assert api.status_code == 429
    assert 1 <= int(api["Retry-After"]) <= 60
    assert api.json()["code"] == "rate_limited"
    page = client.get("/verify/")
    assert page.status_code == 429
    assert page["Retry-After"]
    # Another address has its own allowance.
    assert client.get("/api/v1/verify/NB-000042", REMOTE_ADDR="10.0.0.9").status_code == 200


@override_settings(PDCA_VERIFY_RATE_LIMIT=2, PDCA_CLIENT_IP_HEADER="X-Forwarded-For")
def test_rate_limit_reads_the_proxys_header_when_configured(client, body):
    f.certificate(body, number="NB-000042")
    headers = {"X-Forwarded-For": "203.0.113.7, 10.0.0.1"}
    for _ in range(2):
        assert client.get("/api/v1/verify/NB-000042", headers=headers).status_code == 200
    assert client.get("/api/v1/verify/NB-000042", headers=headers).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.7, 10.0.0.2"}
    assert client.get("/api/v1/verify/NB-000042", headers=other).status_code == 200


def test_rate_limit_window_resets():
    from django.test import RequestFactory

    from pdca.certification.services.certificate_public import rate_limited

    request = RequestFactory().get("/verify/", REMOTE_ADDR="192.0.2.1")
    with override_settings(PDCA_VERIFY_RATE_LIMIT=1):
        assert rate_limited(request, now=600.0) is None
        assert rate_limited(request, now=630.0) == 30
        assert rate_limited(request, now=660.0) is None


# --- the register ---------------------------------------------------------------------------


def test_register_lists_published_bodies_only(client, body):
    from pdca.tenancy.models import Organization

    shy = Organization.objects.create(
        name="Shy CB", slug="shy", kind=Organization.Kind.CERTIFICATION_BODY
    )
    CertificationBodyProfile.objects.create(organization=shy, public_register=False)
    unprofiled = Organization.objects.create(
        name="New CB", slug="new", kind=Organization.Kind.CERTIFICATION_BODY
    )
    listed = f.certificate(body, number="NB-000001")
    hidden = f.certificate(shy, number="SH-000001")
    f.certificate(unprofiled, number="NEW-000001")
    replaced = f.certificate(body, number="NB-000002", status=S.RENEWED)
    page = client.get("/verify/").content.decode()
    assert listed.number in page
    assert hidden.number not in page and "NEW-000001" not in page
    assert replaced.number not in page
    numbers = [r["number"] for r in client.get("/api/v1/verify/").json()["items"]]
    assert numbers == ["NB-000001"]
    # Verification by number still answers for every body.
    assert client.get("/api/v1/verify/SH-000001").status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "alpha"}, ["NB-000001"]),
        ({"q": "NB-000002"}, ["NB-000002"]),
        ({"standard": "iso14001-2015"}, ["NB-000002"]),
        ({"body": "cb"}, ["NB-000001", "NB-000002"]),
        ({"body": "nobody"}, []),
    ],
)
def test_register_search(client, body, query, expected):
    f.certificate(body, number="NB-000001", of=f.client(body, name="Alpha Ltd"))
    f.certificate(
        body, number="NB-000002", of=f.client(body, name="Beta Ltd"), codes=("iso14001-2015",)
    )
    data = client.get("/api/v1/verify/", query).json()
    assert [r["number"] for r in data["items"]] == expected
    assert data["count"] == len(expected)
    page = client.get("/verify/", query).content.decode()
    assert [n for n in ("NB-000001", "NB-000002") if f">{n}<" in page] == expected


def test_register_rows_hold_no_private_data(client, body):
    cert = f.certificate(body, status=S.SUSPENDED, status_reason="secret reason")
    text = client.get("/api/v1/verify/").content.decode()
    for bit in _private_bits(cert):
        assert bit not in text, bit
    assert "secret reason" not in client.get("/verify/").content.decode()


def test_register_bad_paging_is_422(client, body):
    response = client.get("/api/v1/verify/", {"limit": 0})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_register_query_count_does_not_grow(client, body):
    def make(n):
        for _ in range(n):
            f.certificate(body, sites=2, codes=("iso9001-2015", "iso14001-2015"))

    make(2)
    page_small, response = count_queries(lambda: client.get("/verify/"))
    assert response.status_code == 200
    api_small, _ = count_queries(lambda: client.get("/api/v1/verify/"))
    make(10)
    page_large, response = count_queries(lambda: client.get("/verify/"))
    assert response.content.decode().count('href="/verify/NB-') == 12
    api_large, response = count_queries(lambda: client.get("/api/v1/verify/"))
    assert response.json()["count"] == 12
    assert (page_large, api_large) == (page_small, api_small)


def test_verification_query_count_does_not_grow_with_sites(client, body):
    small_cert = f.certificate(body, sites=1)
    large_cert = f.certificate(body, sites=8, codes=("iso9001-2015", "iso14001-2015"))
    small, _ = count_queries(lambda: client.get(f"/api/v1/verify/{small_cert.number}"))
    large, _ = count_queries(lambda: client.get(f"/api/v1/verify/{large_cert.number}"))
    assert large == small


def test_openapi_documents_the_public_endpoints_with_404_and_429(client):
    schema = client.get("/api/v1/openapi.json").json()
    one = schema["paths"]["/api/v1/verify/{number}"]["get"]
    assert {"200", "404", "429"} <= set(one["responses"])
    assert one.get("security") in (None, [], [{}])
    search = schema["paths"]["/api/v1/verify/"]["get"]
    assert {"200", "422", "429"} <= set(search["responses"])
