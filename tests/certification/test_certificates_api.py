"""The certificate API: register, one certificate, the transition endpoint, PDF, proposals."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.accounts.models import User
from pdca.certification.models import Certificate
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, CERTIFICATION_BODY_ROLES, Role
from pdca.core.testing import ApiBundle
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from tests.certification import certificate_factories as f

pytestmark = pytest.mark.django_db

S = Certificate.Status
URL = "/api/v1/cb/certificates/"
CB_ROLES = sorted(CERTIFICATION_BODY_ROLES - {Role.ADMIN})
PEOPLE = [*sorted(ALL_ROLES), "cb_admin", "outsider"]


def _user(personas, who):
    if who == "cb_admin":
        return User.objects.get(email="admin@cb.example")
    if who == "outsider":
        return personas.outsider
    return personas.users[who]


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("who", PEOPLE)
def test_permission_matrix(client, personas, who):
    cert = f.certificate(personas.cb)
    login(client, _user(personas, who))
    member = who in CB_ROLES
    manager = who == Role.CB_MANAGER
    listed = client.get(URL)
    assert listed.status_code == 200
    assert [r["number"] for r in listed.json()["items"]] == ([cert.number] if member else [])
    detail = client.get(f"{URL}{cert.pk}/")
    assert detail.status_code == (200 if member else 404)
    pdf = client.get(f"{URL}{cert.pk}/pdf")
    assert pdf.status_code == (200 if member else 404)
    proposals = client.get(f"{URL}proposals", {"organization": "cb"})
    assert proposals.status_code == (200 if member else 404)
    response = _post(client, f"{URL}{cert.pk}/transition", {"to": "suspended", "reason": "x"})
    assert response.status_code == (200 if manager else 403 if member else 404)
    cert.refresh_from_db()
    assert cert.status == (S.SUSPENDED if manager else S.ACTIVE)
    assert cert.events.count() == (2 if manager else 1)


def test_anonymous_is_refused(client, personas):
    cert = f.certificate(personas.cb)
    for url in (URL, f"{URL}{cert.pk}/", f"{URL}{cert.pk}/pdf", f"{URL}proposals"):
        assert client.get(url).status_code == 401, url
    response = _post(client, f"{URL}{cert.pk}/transition", {"to": "suspended", "reason": "x"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_detail_has_sites_events_and_verification_url(client, personas):
    cert = f.certificate(personas.cb, number="NB-000009", sites=2, status=S.SUSPENDED)
    login(client, personas.users[Role.AUDITOR])
    data = client.get(f"{URL}{cert.pk}/").json()
    assert data["number"] == "NB-000009"
    assert data["valid"] is False
    assert [s["name"] for s in data["sites"]] == ["Site 1", "Site 2"]
    assert [(e["from_status"], e["to_status"]) for e in data["events"]] == [
        ("", "active"),
        ("active", "suspended"),
    ]
    assert data["verification_url"].endswith("/verify/NB-000009/")
    catalog = f.standard("iso9001-2015")
    assert [
        {k: s[k] for k in ("code", "name", "edition", "full_name")} for s in data["standards"]
    ] == [
        {
            "code": "iso9001-2015",
            "name": "ISO 9001",
            "edition": "2015",
            "full_name": catalog.full_name,
        }
    ]


def test_transition_records_activity_from_the_api(client, personas):
    cert = f.certificate(personas.cb, sites=2)
    keep = cert.sites.order_by("name").first()
    login(client, personas.users[Role.CB_MANAGER])
    response = _post(
        client,
        f"{URL}{cert.pk}/transition",
        {"to": "scope_reduced", "reason": "Site closed", "sites": [keep.pk], "on": "2026-01-10"},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["status_changed_on"]) == ("scope_reduced", "2026-01-10")
    assert [s["id"] for s in data["sites"]] == [keep.pk]
    entry = ActivityEntry.objects.get(object_id=str(cert.pk), action="reduce_scope")
    assert entry.via == "api"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "renewed", "reason": "x"}, "to"),
        ({"to": "revoked", "reason": "x"}, "to"),
        ({"to": "suspended"}, "reason"),
        ({"to": "suspended", "reason": ""}, "reason"),
        ({"to": "suspended", "reason": "x" * 501}, "reason"),
        ({"to": "suspended", "reason": "x", "on": "2026-02-30"}, "on"),
        ({"to": "suspended", "reason": "x", "on": "2999-01-01"}, "on"),
        ({"to": "scope_reduced", "reason": "x"}, "scope"),
        ({"to": "scope_reduced", "reason": "x", "sites": [0]}, "sites.0"),
        ({"to": "suspended", "reason": "x", "extra": 1}, "extra"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(client, personas, body, field):
    cert = f.certificate(personas.cb)
    login(client, personas.users[Role.CB_MANAGER])
    response = _post(client, f"{URL}{cert.pk}/transition", body)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    cert.refresh_from_db()
    assert (cert.status, cert.events.count()) == (S.ACTIVE, 1)


def test_site_of_another_client_is_refused(client, personas):
    cert = f.certificate(personas.cb, sites=2)
    other = f.site(f.client(personas.cb), name="Elsewhere")
    login(client, personas.users[Role.CB_MANAGER])
    response = _post(
        client,
        f"{URL}{cert.pk}/transition",
        {"to": "scope_reduced", "reason": "x", "sites": [other.pk]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sites"


@pytest.mark.parametrize(
    ("status", "to", "code"),
    [
        (S.WITHDRAWN, "active", "invalid_transition"),
        (S.EXPIRED, "suspended", "invalid_transition"),
        (S.ACTIVE, "active", "invalid_transition"),
        (S.ACTIVE, "expired", "not_yet_expired"),
    ],
)
def test_refused_move_is_409_with_its_code(client, personas, status, to, code):
    cert = f.certificate(personas.cb, status=status)
    login(client, personas.users[Role.CB_MANAGER])
    response = _post(client, f"{URL}{cert.pk}/transition", {"to": to, "reason": "x"})
    assert response.status_code == 409
    assert response.json()["code"] == code
    cert.refresh_from_db()
    assert cert.status == status


def test_stale_if_match_is_412(client, personas):
    cert = f.certificate(personas.cb)
    login(client, personas.users[Role.CB_MANAGER])
    etag = client.get(f"{URL}{cert.pk}/")["ETag"]
    Certificate.objects.filter(pk=cert.pk).update(updated_at=cert.updated_at + dt.timedelta(1))
    response = client.post(
        f"{URL}{cert.pk}/transition",
        {"to": "suspended", "reason": "x"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert response.status_code == 412
    cert.refresh_from_db()
    assert cert.status == S.ACTIVE


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "suspended"}, {"B"}),
        ({"standard": "iso14001-2015"}, {"C"}),
        ({"accredited": "false"}, {"C"}),
        ({"expiring_within": 30}, {"A"}),
        ({"q": "gamma"}, {"C"}),
        ({"organization": "cb"}, {"A", "B", "C"}),
        ({"organization": "org-b"}, set()),
    ],
)
def test_list_filters(client, personas, query, expected):
    from django.utils import timezone

    made = {
        "A": f.certificate(personas.cb, expires_on=timezone.localdate() + dt.timedelta(days=10)),
        "B": f.certificate(personas.cb, status=S.SUSPENDED),
        "C": f.certificate(
            personas.cb,
            of=f.client(personas.cb, name="Gamma"),
            codes=("iso14001-2015",),
            accredited=False,
        ),
    }
    login(client, personas.users[Role.AUDITOR])
    numbers = {r["number"] for r in client.get(URL, query).json()["items"]}
    assert numbers == {made[k].number for k in expected}


def test_list_filter_by_client_and_bad_filter(client, personas):
    cert = f.certificate(personas.cb)
    f.certificate(personas.cb)
    login(client, personas.users[Role.AUDITOR])
    rows = client.get(URL, {"client": cert.client_id}).json()["items"]
    assert [r["number"] for r in rows] == [cert.number]
    response = client.get(URL, {"status": "nope"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_proposals_endpoint(client, personas):
    cert = f.certificate(personas.cb, issued_on=dt.date(2024, 1, 10))
    f.surveillance(cert.cycle, dt.date(2025, 1, 10))
    login(client, personas.users[Role.LEAD_AUDITOR])
    data = client.get(f"{URL}proposals", {"on": "2026-01-01"}).json()
    assert data == [
        {
            "certificate": cert.pk,
            "number": cert.number,
            "client_name": cert.client_name,
            "status": "active",
            "action": "suspend",
            "to_status": "suspended",
            "since": "2025-01-10",
            "reason": "Surveillance audit due by 2025-01-10 not held",
        }
    ]


def test_pdf_endpoint(client, personas):
    cert = f.certificate(personas.cb, number="NB-000003")
    login(client, personas.users[Role.AUDITOR])
    response = client.get(f"{URL}{cert.pk}/pdf")
    assert response.content[:5] == b"%PDF-"
    assert 'filename="certificate-NB-000003.pdf"' in response["Content-Disposition"]


def test_list_query_count_does_not_grow(client, personas):
    login(client, personas.users[Role.AUDITOR])
    for _ in range(2):
        f.certificate(personas.cb)
    small, response = count_queries(lambda: client.get(URL))
    assert response.json()["count"] == 2
    for _ in range(10):
        f.certificate(personas.cb, codes=("iso9001-2015", "iso14001-2015"))
    large, response = count_queries(lambda: client.get(URL))
    assert response.json()["count"] == 12
    assert large == small


# --- the shared bundle --------------------------------------------------------------------------


class TestCertificateApiBundle(ApiBundle):
    """Certificates are issued by decisions and changed by transitions only: no create,
    update or delete through the API (those are refused by design)."""

    model = Certificate
    url = URL
    view_roles = frozenset(CB_ROLES)
    add_roles = change_roles = delete_roles = frozenset({Role.CB_MANAGER})
    creates = updates = deletes = False

    def make(self, org, index=0):
        return f.certificate(org)
