"""The certification body's registers (built by `core.registers`): accredited scopes, clients,
client sites and conflicts of interest: the permission matrix of each (pages and API), bad
input naming the field, query counts at two sizes; the client's reference numbered and sector
codes normalized, one central function per client, dates in order, and the client's page with
its sites, applications, cycles and certificates in one query each."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.certification.models import AccreditedScope, Client, ClientSite, ConflictOfInterest
from pdca.certification.registers import CLIENTS, CONFLICTS, SCOPES, SITES
from pdca.core.exceptions import NotFound, ValidationFailed
from pdca.core.registers.services import create_entry, update_entry
from pdca.core.roles import Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from tests.certification.factories import (
    TODAY,
    make_application,
    make_cb_personas,
    make_client,
    make_scope,
    make_site,
    standard,
)

pytestmark = pytest.mark.django_db

MANAGERS = frozenset({Role.CB_MANAGER})
MEMBERS = frozenset(
    {
        Role.CB_MANAGER,
        Role.LEAD_AUDITOR,
        Role.AUDITOR,
        Role.TECHNICAL_EXPERT,
        Role.CERTIFICATION_DECISION_MAKER,
    }
)


@pytest.fixture
def personas(db):
    return make_cb_personas()


def _member(org, index: int):
    from pdca.accounts.models import User
    from pdca.tenancy.models import Membership

    user = User.objects.create_user(f"person{index}@{org.slug}.example", "x" * 20)
    role = Role.AUDITOR if org.kind == "certification_body" else Role.EMPLOYEE
    Membership.objects.create(organization=org, user=user, role=role)
    return user


def _client(org, index=0):
    return Client.objects.filter(organization=org).first() or make_client(org, 900 + index)


# --- accredited scopes ----------------------------------------------------------------------


class ScopeData:
    model = AccreditedScope

    def make(self, org, index=0):
        return make_scope(org, "iso9001-2015", sector_codes=f"SC{index:02d}Q")

    def list_text(self, obj):
        return obj.sector_codes


class TestScopePages(ScopeData, ViewBundle):
    list_url = "/cb/accredited-scopes/"
    create_url = "/cb/accredited-scopes/new/"
    view_roles = MEMBERS
    add_roles = change_roles = delete_roles = MANAGERS
    invalid_form_data = [
        (lambda org: {"sector_codes": "17", "valid_from": "2026-01-01"}, "standard"),
        (
            lambda org: {
                "standard": standard("iso9001-2015").pk,
                "valid_from": "2026-05-01",
                "valid_until": "2026-04-01",
            },
            "valid_until",
        ),
    ]

    def form_data(self, org):
        return {
            "standard": standard("iso14001-2015").pk,
            "sector_codes": "17;19",
            "valid_from": "2026-01-01",
        }

    def edit_data(self, obj):
        return {"standard": obj.standard_id, "sector_codes": "28", "valid_from": "2026-02-01"}

    def detail_url(self, obj):
        return f"/cb/accredited-scopes/{obj.pk}/"

    def edit_url(self, obj):
        return f"/cb/accredited-scopes/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/cb/accredited-scopes/{obj.pk}/delete/"


class TestScopeApi(ScopeData, ApiBundle):
    url = "/api/v1/cb/accredited-scopes/"
    view_roles = MEMBERS
    add_roles = change_roles = delete_roles = MANAGERS
    update_payload = {"sector_codes": "17, 19"}
    invalid_payloads = [
        (
            lambda org: {"organization": org.slug, "standard": 999999, "valid_from": "2026-01-01"},
            "standard",
        ),
        ({"valid_from": "2026-05-01", "valid_until": "2026-04-01"}, "valid_until"),
    ]

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "standard": standard("iso27001-2022").pk,
            "sector_codes": "33 ; 35",
            "valid_from": "2026-01-01",
        }


# --- clients --------------------------------------------------------------------------------


class ClientData:
    model = Client

    def make(self, org, index=0):
        return make_client(org, index)

    def list_text(self, obj):
        return obj.name


class TestClientPages(ClientData, ViewBundle):
    list_url = "/cb/clients/"
    create_url = "/cb/clients/new/"
    view_roles = MEMBERS
    add_roles = change_roles = delete_roles = MANAGERS
    invalid_form_data = [
        ({"name": "", "reference": ""}, "name"),
        ({"name": "Acme", "country": "GBR"}, "country"),
        ({"name": "Acme", "contact_email": "not-an-address"}, "contact_email"),
        (lambda org: {"name": "Twice", "reference": make_client(org, 77).reference}, "reference"),
    ]

    def form_data(self, org):
        return {"name": "Acme Ltd", "country": "gb", "sector_codes": "17;19 , 28"}

    def edit_data(self, obj):
        return {"name": obj.name + " (renamed)", "reference": obj.reference}

    def detail_url(self, obj):
        return f"/cb/clients/{obj.pk}/"

    def edit_url(self, obj):
        return f"/cb/clients/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/cb/clients/{obj.pk}/delete/"


class TestClientApi(ClientData, ApiBundle):
    url = "/api/v1/cb/clients/"
    view_roles = MEMBERS
    add_roles = change_roles = delete_roles = MANAGERS
    update_payload = {"contact_name": "New contact"}
    invalid_payloads = [
        (lambda org: {"organization": org.slug, "name": ""}, "name"),
        (lambda org: {"organization": org.slug, "name": "X", "country": "1A"}, "country"),
        (lambda org: {"organization": org.slug, "name": "X", "owner": 999999}, "owner"),
    ]

    def create_payload(self, org):
        return {"organization": org.slug, "name": "Acme Ltd", "sector_codes": "17;19"}


# --- client sites ---------------------------------------------------------------------------


class SiteData:
    model = ClientSite

    def make(self, org, index=0):
        return make_site(_client(org), f"Plant {index:02d}")

    def list_text(self, obj):
        return obj.name


class TestSitePages(SiteData, ViewBundle):
    list_url = "/cb/client-sites/"
    create_url = "/cb/client-sites/new/"
    view_roles = MEMBERS
    add_roles = change_roles = delete_roles = MANAGERS
    invalid_form_data = [
        (lambda org: {"client": _client(org).pk, "name": ""}, "name"),
        (lambda org: {"name": "Depot"}, "client"),
        (
            lambda org: {
                "client": make_site(_client(org), "HQ", is_central=True).client_id,
                "name": "Second HQ",
                "is_central": "on",
            },
            "is_central",
        ),
    ]

    def form_data(self, org):
        return {"client": _client(org).pk, "name": "Depot", "headcount": "12"}

    def edit_data(self, obj):
        return {"client": obj.client_id, "name": obj.name + " North", "headcount": "30"}

    def detail_url(self, obj):
        return f"/cb/client-sites/{obj.pk}/"

    def edit_url(self, obj):
        return f"/cb/client-sites/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/cb/client-sites/{obj.pk}/delete/"


class TestSiteApi(SiteData, ApiBundle):
    url = "/api/v1/cb/client-sites/"
    view_roles = MEMBERS
    add_roles = change_roles = delete_roles = MANAGERS
    update_payload = {"headcount": 99}
    invalid_payloads = [
        (lambda org: {"organization": org.slug, "client": 999999, "name": "X"}, "client"),
        (lambda org: {"organization": org.slug, "client": _client(org).pk, "name": ""}, "name"),
    ]

    def create_payload(self, org):
        return {"organization": org.slug, "client": _client(org).pk, "name": "Depot"}


# --- conflicts of interest ------------------------------------------------------------------


class ConflictData:
    model = ConflictOfInterest

    def make(self, org, index=0):
        return ConflictOfInterest.objects.create(
            organization=org,
            person=_member(org, index),
            client=_client(org),
            kind="relationship",
            description=f"Declared tie {index:02d}",
            declared_on=TODAY,
        )

    def list_text(self, obj):
        return obj.person.email.split("@")[0]


class TestConflictPages(ConflictData, ViewBundle):
    list_url = "/cb/conflicts-of-interest/"
    create_url = "/cb/conflicts-of-interest/new/"
    view_roles = MEMBERS
    add_roles = MEMBERS
    change_roles = delete_roles = MANAGERS
    invalid_form_data = [
        (
            lambda org: {
                "person": _member(org, 50).pk,
                "client": _client(org).pk,
                "kind": "consultancy",
                "declared_on": "2026-01-01",
                "started_on": "2025-06-01",
                "ended_on": "2025-01-01",
            },
            "ended_on",
        ),
        (
            lambda org: {
                "person": _member(org, 51).pk,
                "client": _client(org).pk,
                "kind": "bribery",
                "declared_on": "2026-01-01",
            },
            "kind",
        ),
    ]

    def form_data(self, org):
        return {
            "person": _member(org, 60).pk,
            "client": _client(org).pk,
            "kind": "consultancy",
            "declared_on": "2026-01-10",
            "started_on": "2024-01-01",
            "ended_on": "2025-06-30",
        }

    def edit_data(self, obj):
        return {
            "person": obj.person_id,
            "client": obj.client_id,
            "kind": "employment",
            "declared_on": "2026-01-11",
        }

    def detail_url(self, obj):
        return f"/cb/conflicts-of-interest/{obj.pk}/"

    def edit_url(self, obj):
        return f"/cb/conflicts-of-interest/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/cb/conflicts-of-interest/{obj.pk}/delete/"


class TestConflictApi(ConflictData, ApiBundle):
    url = "/api/v1/cb/conflicts-of-interest/"
    view_roles = MEMBERS
    add_roles = MEMBERS
    change_roles = delete_roles = MANAGERS
    update_payload = {"kind": "implemented"}
    invalid_payloads = [
        (
            lambda org: {
                "organization": org.slug,
                "person": _member(org, 71).pk,
                "client": _client(org).pk,
                "kind": "consultancy",
                "declared_on": "2026-01-01",
                "started_on": "2026-02-01",
                "ended_on": "2026-01-01",
            },
            "ended_on",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "person": _member(personas_other(org), 70).pk,
                "client": _client(org).pk,
                "kind": "other",
                "declared_on": "2026-01-01",
            },
            "person",
        ),
    ]

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "person": _member(org, 61).pk,
            "client": _client(org).pk,
            "kind": "relationship",
            "declared_on": "2026-01-01",
        }


def personas_other(org):
    """An organization other than `org` (its people are not members of `org`)."""
    from pdca.tenancy.models import Organization

    return Organization.objects.exclude(pk=org.pk).exclude(kind="certification_body").first()


# --- the registers' own rules ---------------------------------------------------------------


def test_client_references_are_numbered_when_left_empty(personas):
    manager = personas.users[Role.CB_MANAGER]
    first = create_entry(
        CLIENTS, personas.cb, actor=manager, name="First", sector_codes=" 17;19 ,17"
    )
    second = create_entry(CLIENTS, personas.cb, actor=manager, name="Second")
    mine = create_entry(CLIENTS, personas.cb, actor=manager, name="Own", reference=" c-0042 ")
    third = create_entry(CLIENTS, personas.cb, actor=manager, name="Third")
    assert [first.reference, second.reference, mine.reference, third.reference] == [
        "C-0001",
        "C-0002",
        "C-0042",
        "C-0043",
    ]
    assert first.sector_codes == "17, 19"


def test_only_a_certification_body_keeps_these_registers(personas):
    from pdca.tenancy.models import Membership

    manager = personas.users[Role.CB_MANAGER]
    Membership.objects.create(organization=personas.org, user=manager, role=Role.CB_MANAGER)
    from pdca.core.permissions import forget_memberships

    forget_memberships(manager)
    with pytest.raises(NotFound) as caught:
        create_entry(CLIENTS, personas.org, actor=manager, name="Nope")
    assert caught.value.code == "not_a_certification_body"
    assert not Client.objects.filter(organization=personas.org).exists()


def test_one_central_function_per_client(personas):
    manager = personas.users[Role.CB_MANAGER]
    client = make_client(personas.cb)
    create_entry(SITES, personas.cb, actor=manager, client=client, name="HQ", is_central=True)
    other = create_entry(SITES, personas.cb, actor=manager, client=client, name="Plant")
    with pytest.raises(ValidationFailed) as caught:
        update_entry(SITES, other, actor=manager, is_central=True)
    assert caught.value.errors[0].field == "is_central"
    # Another client has its own central function.
    create_entry(
        SITES,
        personas.cb,
        actor=manager,
        client=make_client(personas.cb, 2),
        name="HQ",
        is_central=True,
    )


def test_scopes_normalize_sectors_and_offer_catalog_standards_only(personas):
    manager = personas.users[Role.CB_MANAGER]
    scope = create_entry(
        SCOPES,
        personas.cb,
        actor=manager,
        standard=standard("iso9001-2015"),
        sector_codes="17;;19 ,17",
        valid_from=TODAY,
    )
    assert scope.sector_codes == "17, 19"
    assert SCOPES.limit_choices["standard"]


def test_conflicts_need_dates_in_order_and_a_member(personas):
    auditor = personas.users[Role.AUDITOR]
    client = make_client(personas.cb)
    with pytest.raises(ValidationFailed) as caught:
        create_entry(
            CONFLICTS,
            personas.cb,
            actor=auditor,
            person=auditor,
            client=client,
            kind="consultancy",
            declared_on=TODAY,
            started_on=dt.date(2025, 6, 1),
            ended_on=dt.date(2025, 5, 31),
        )
    assert caught.value.errors[0].field == "ended_on"
    with pytest.raises(ValidationFailed) as caught:
        create_entry(
            CONFLICTS,
            personas.cb,
            actor=auditor,
            person=personas.outsider,
            client=client,
            kind="relationship",
            declared_on=TODAY,
        )
    assert caught.value.errors[0].field == "person"
    same_day = create_entry(
        CONFLICTS,
        personas.cb,
        actor=auditor,
        person=auditor,
        client=client,
        kind="employment",
        declared_on=TODAY,
        started_on=TODAY,
        ended_on=TODAY,
    )
    assert same_day.pk


# --- the client's page ----------------------------------------------------------------------


def _fill(client_obj, n: int) -> None:
    cb = client_obj.organization
    start = client_obj.sites.count()
    for i in range(start, start + n):
        make_site(client_obj, f"Site {client_obj.pk}-{i}", is_central=(i == 0))
        make_application(cb, client_obj, ["iso9001-2015", "iso14001-2015"], complexity="low")


def test_client_page_lists_sites_and_applications_with_constant_queries(client, personas):
    login(client, personas.users[Role.AUDITOR])
    small = make_client(personas.cb, 1)
    _fill(small, 1)
    url = f"/cb/clients/{small.pk}/"
    n_small, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Site " in html and "central function" in html
    assert "ISO 14001:2015, ISO 9001:2015" in html
    assert 'id="client-cycles"' in html and 'id="client-certificates"' in html
    assert "New application" not in html  # an auditor does not write applications
    _fill(small, 6)
    n_large, response = count_queries(lambda: client.get(url))
    assert response.content.decode().count("/cb/applications/") >= 7
    assert n_large == n_small, f"{n_small} queries, then {n_large}"


def test_client_page_links_cycles_and_certificates_only_where_pages_exist(client, personas):
    from pdca.certification.models import Certificate, CertificationCycle
    from pdca.certification.views.intake.common import has_url

    login(client, personas.users[Role.CB_MANAGER])
    client_obj = make_client(personas.cb)
    cycle = CertificationCycle.objects.create(
        organization=personas.cb, client=client_obj, scope="All"
    )
    Certificate.objects.create(
        organization=personas.cb,
        number="NB-TEST-1",
        client=client_obj,
        cycle=cycle,
        scope="All",
        client_name=client_obj.name,
        issued_on=TODAY,
        original_issued_on=TODAY,
        expires_on=TODAY + dt.timedelta(days=1000),
        status_changed_on=TODAY,
    )
    html = client.get(f"/cb/clients/{client_obj.pk}/").content.decode()
    assert "Cycle 1" in html and "NB-TEST-1" in html
    assert "New application" in html
    has_url.cache_clear()
    cycle_link = has_url("certification:cycle-detail")
    assert (">Cycle 1</a>" in html) is cycle_link
    assert (">NB-TEST-1</a>" in html) is has_url("certification:certificate-detail")
