"""The certification body's certificate pages: register, detail, transition, PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pdca.accounts.models import User
from pdca.certification.models import Certificate
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, CERTIFICATION_BODY_ROLES, Role
from pdca.core.testing import ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from tests.certification import certificate_factories as f

pytestmark = pytest.mark.django_db

S = Certificate.Status
CB_ROLES = sorted(CERTIFICATION_BODY_ROLES - {Role.ADMIN})


def _user(personas, role):
    if role == "cb_admin":
        return User.objects.get(email="admin@cb.example")
    if role == "outsider":
        return personas.outsider
    return personas.users[role]


PEOPLE = [*sorted(ALL_ROLES), "cb_admin", "outsider"]


def _urls(cert):
    return {
        "list": reverse("certification:certificate-list"),
        "detail": reverse("certification:certificate-detail", args=[cert.pk]),
        "pdf": reverse("certification:certificate-pdf", args=[cert.pk]),
        "transition": reverse("certification:certificate-transition", args=[cert.pk]),
    }


@pytest.mark.parametrize("who", PEOPLE)
def test_pages_by_role(client, personas, who):
    cert = f.certificate(personas.cb)
    login(client, _user(personas, who))
    # The body's administrator holds no certification role (see certification.permissions).
    member = who in CB_ROLES
    manager = who == Role.CB_MANAGER
    urls = _urls(cert)
    response = client.get(urls["list"])
    assert response.status_code == (200 if member else 403)
    if member:
        assert cert.number in response.content.decode()
    assert client.get(urls["detail"]).status_code == (200 if member else 404)
    pdf = client.get(urls["pdf"])
    assert pdf.status_code == (200 if member else 404)
    if member:
        assert pdf["Content-Type"] == "application/pdf"
    assert client.get(urls["transition"]).status_code == (
        200 if manager else 403 if member else 404
    )
    before = (cert.status, cert.events.count())
    response = client.post(urls["transition"], {"to": S.SUSPENDED, "reason": "Overdue"})
    cert.refresh_from_db()
    if manager:
        assert response.status_code == 302
        assert (cert.status, cert.events.count()) == (S.SUSPENDED, before[1] + 1)
        assert ActivityEntry.objects.get(object_id=str(cert.pk), action="suspend").via == "web"
    else:
        assert response.status_code == (403 if member else 404)
        assert (cert.status, cert.events.count()) == before


def test_anonymous_is_sent_to_sign_in(client, personas):
    cert = f.certificate(personas.cb)
    for url in _urls(cert).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_detail_shows_history_and_forms_to_a_manager(client, personas):
    cert = f.certificate(personas.cb, status=S.SUSPENDED, status_reason="Surveillance overdue")
    login(client, personas.users[Role.CB_MANAGER])
    page = client.get(_urls(cert)["detail"]).content.decode()
    assert "Status history" in page
    assert "Surveillance overdue" in page
    assert 'name="reason"' in page
    assert "Restore" in page and "Withdraw" in page
    login(client, personas.users[Role.AUDITOR])
    page = client.get(_urls(cert)["detail"]).content.decode()
    assert "Surveillance overdue" in page
    assert 'name="reason"' not in page


def test_transition_without_reason_shows_the_error_and_writes_nothing(client, personas):
    cert = f.certificate(personas.cb)
    login(client, personas.users[Role.CB_MANAGER])
    response = client.post(_urls(cert)["transition"], {"to": S.SUSPENDED, "reason": ""})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    cert.refresh_from_db()
    assert cert.status == S.ACTIVE


def test_refused_move_shows_the_services_reason(client, personas):
    cert = f.certificate(personas.cb, status=S.SUSPENDED, status_changed_on=dt.date(2026, 2, 1))
    login(client, personas.users[Role.CB_MANAGER])
    response = client.post(
        _urls(cert)["transition"], {"to": S.ACTIVE, "reason": "Fixed", "on": "2026-01-10"}
    )
    assert response.status_code == 422
    assert "on or after the last change of status" in response.content.decode()
    cert.refresh_from_db()
    assert cert.status == S.SUSPENDED


def test_move_not_offered_is_refused_by_the_form(client, personas):
    cert = f.certificate(personas.cb, status=S.WITHDRAWN)
    login(client, personas.users[Role.CB_MANAGER])
    response = client.post(_urls(cert)["transition"], {"to": S.ACTIVE, "reason": "Undo"})
    assert response.status_code == 422
    cert.refresh_from_db()
    assert cert.status == S.WITHDRAWN


def test_scope_reduction_from_the_full_form(client, personas):
    cert = f.certificate(personas.cb, sites=3)
    keep = list(cert.sites.order_by("name").values_list("pk", flat=True))[:1]
    login(client, personas.users[Role.CB_MANAGER])
    response = client.post(
        _urls(cert)["transition"],
        {"to": S.SCOPE_REDUCED, "reason": "Two sites closed", "sites": keep, "scope": ""},
    )
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.status == S.SCOPE_REDUCED
    assert list(cert.sites.values_list("pk", flat=True)) == keep


def test_stale_page_is_refused(client, personas):
    cert = f.certificate(personas.cb)
    login(client, personas.users[Role.CB_MANAGER])
    page = client.get(_urls(cert)["transition"]).content.decode()
    version = page.split('name="_version" value="')[1].split('"')[0]
    Certificate.objects.filter(pk=cert.pk).update(scope="Changed meanwhile")
    Certificate.objects.filter(pk=cert.pk).update(updated_at=cert.updated_at + dt.timedelta(1))
    response = client.post(
        _urls(cert)["transition"], {"to": S.SUSPENDED, "reason": "x", "_version": version}
    )
    assert response.status_code == 422
    cert.refresh_from_db()
    assert cert.status == S.ACTIVE


def test_proposal_on_the_list_is_one_click_with_a_reason(client, personas):
    cert = f.certificate(personas.cb, issued_on=dt.date(2024, 1, 10))
    f.surveillance(cert.cycle, dt.date(2025, 1, 10))
    login(client, personas.users[Role.CB_MANAGER])
    list_url = _urls(cert)["list"]
    page = client.get(list_url).content.decode()
    assert "Proposed today (1)" in page
    assert "Surveillance audit due by 2025-01-10 not held" in page
    response = client.post(
        _urls(cert)["transition"],
        {"to": S.SUSPENDED, "reason": "Surveillance overdue", "next": list_url},
    )
    assert response.status_code == 302
    assert response["Location"] == list_url
    cert.refresh_from_db()
    assert cert.status == S.SUSPENDED
    login(client, personas.users[Role.AUDITOR])
    assert "Proposed today" not in client.get(list_url).content.decode()


def test_next_elsewhere_is_ignored(client, personas):
    cert = f.certificate(personas.cb)
    login(client, personas.users[Role.CB_MANAGER])
    response = client.post(
        _urls(cert)["transition"],
        {"to": S.SUSPENDED, "reason": "x", "next": "https://evil.example/"},
    )
    assert response["Location"] == _urls(cert)["detail"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=suspended", {"B"}),
        ("standard=iso14001-2015", {"C"}),
        ("accredited=no", {"C"}),
        ("accredited=yes", {"A", "B"}),
        ("expiring_within=30", {"A"}),
        ("q=Gamma", {"C"}),
        ("q=NB-0000", {"A", "B", "C"}),
        ("status=bogus", {"A", "B", "C"}),
    ],
)
def test_list_filters(client, personas, query, expected):
    from django.utils import timezone

    today = timezone.localdate()
    made = {
        "A": f.certificate(
            personas.cb,
            number="NB-000001",
            of=f.client(personas.cb, name="Alpha"),
            expires_on=today + dt.timedelta(days=20),
        ),
        "B": f.certificate(
            personas.cb,
            number="NB-000002",
            of=f.client(personas.cb, name="Beta"),
            status=S.SUSPENDED,
        ),
        "C": f.certificate(
            personas.cb,
            number="NB-000003",
            of=f.client(personas.cb, name="Gamma"),
            codes=("iso14001-2015",),
            accredited=False,
        ),
    }
    login(client, personas.users[Role.AUDITOR])
    page = client.get(f"{_urls(made['A'])['list']}?{query}").content.decode()
    shown = {key for key, cert in made.items() if f">{cert.number}<" in page}
    assert shown == expected


def test_list_filter_by_client(client, personas):
    alpha = f.certificate(personas.cb, of=f.client(personas.cb, name="Alpha"))
    beta = f.certificate(personas.cb, of=f.client(personas.cb, name="Beta"))
    login(client, personas.users[Role.AUDITOR])
    page = client.get(f"{_urls(alpha)['list']}?client={beta.client_id}").content.decode()
    assert f">{beta.number}<" in page and f">{alpha.number}<" not in page
    # The filter offers every client with a certificate and keeps the one chosen.
    assert f'<option value="{beta.client_id}" selected>Beta</option>' in page
    assert f'<option value="{alpha.client_id}">Alpha</option>' in page


def test_list_query_count_does_not_grow(client, personas):
    login(client, personas.users[Role.CB_MANAGER])
    url = reverse("certification:certificate-list")
    for _ in range(2):
        cert = f.certificate(personas.cb, sites=2)
        f.surveillance(cert.cycle, dt.date(2025, 1, 10))
    small, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    for _ in range(10):
        cert = f.certificate(personas.cb, sites=2, codes=("iso9001-2015", "iso14001-2015"))
        f.surveillance(cert.cycle, dt.date(2025, 1, 10))
    large, response = count_queries(lambda: client.get(url))
    assert "Proposed today (12)" in response.content.decode()
    assert large == small, f"{small} queries with 2 certificates, {large} with 12"


def test_detail_query_count_does_not_grow_with_history(client, personas):
    cert = f.certificate(personas.cb, sites=2)
    login(client, personas.users[Role.CB_MANAGER])
    url = _urls(cert)["detail"]
    small, _ = count_queries(lambda: client.get(url))
    for day in range(1, 6):
        on = dt.date(2025, 6, day)
        cert.events.create(
            organization=personas.cb, from_status=S.ACTIVE, to_status=S.SUSPENDED, on=on, reason="x"
        )
    large, _ = count_queries(lambda: client.get(url))
    assert large == small


class TestCertificatePageBundle(ViewBundle):
    """The register and the certificate page; certificates are not created, edited or
    deleted on pages (decisions issue them, transitions change them)."""

    model = Certificate
    list_url = "/cb/certificates/"
    view_roles = frozenset(CB_ROLES)

    def make(self, org, index=0):
        return f.certificate(org)

    def list_text(self, obj):
        return obj.number

    def detail_url(self, obj):
        return f"/cb/certificates/{obj.pk}/"

    def test_outsider_gets_404(self, client, personas):
        # The outsider's role reads no certificates anywhere: the register refuses (403), a
        # certificate of another organization does not exist for them (404).
        obj = self.make(personas.cb)
        login(client, personas.outsider)
        assert client.get(self.list_url).status_code == 403
        for url in (self.detail_url(obj), f"{self.detail_url(obj)}pdf/"):
            assert client.get(url).status_code == 404
        assert client.post(f"{self.detail_url(obj)}transition/", {}).status_code == 404
