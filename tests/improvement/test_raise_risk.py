"""A nonconformity raises a risk in the register: the service, its page and its endpoint."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import Conflict, PermissionDenied
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import Nonconformity
from pdca.improvement.risk_link import raise_risk
from pdca.risks.models import Risk
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db


def make_nc(personas, **fields) -> Nonconformity:
    org = personas.org
    process = Process.objects.create(organization=org, code="P-01", name="Machining")
    nc = Nonconformity.objects.create(
        organization=org,
        reference="NC-0007",
        title="Guard removed on lathe 3",
        description="The chuck guard was off during the night shift.",
        source="employee",
        status="cause_analysed",
        severity="major",
        owner=personas.users[Role.PROCESS_OWNER],
        process=process,
        root_cause="Guards slow down changeovers.",
        **fields,
    )
    nc.requirements.set([Requirement.objects.get(standard__code="iso9001-2015", number="8.5.1")])
    return nc


def test_the_risk_takes_the_nonconformitys_title_process_owner_and_requirements(personas, catalog):
    nc = make_nc(personas)
    risk = raise_risk(nc, actor=personas.manager)
    nc.refresh_from_db()
    assert nc.risk == risk
    assert (risk.code, risk.title, risk.kind, risk.status) == (
        "R-NC-0007",
        "Guard removed on lathe 3",
        "risk",
        "identified",
    )
    assert risk.owner == personas.users[Role.PROCESS_OWNER]
    assert list(risk.processes.all()) == [nc.process]
    assert list(risk.requirements.all()) == list(nc.requirements.all())
    assert risk.description.endswith("Root cause: Guards slow down changeovers.")
    entry = ActivityEntry.objects.filter(object_type="improvement.nonconformity").latest("seq")
    assert (entry.action, entry.message) == ("update", "Raised risk R-NC-0007.")


def test_a_taken_code_gets_a_suffix(personas, catalog):
    Risk.objects.create(organization=personas.org, code="R-NC-0007", title="Older")
    risk = raise_risk(make_nc(personas), actor=personas.manager)
    assert risk.code == "R-NC-0007-2"


def test_a_second_risk_is_refused_and_nothing_is_written(personas, catalog):
    nc = make_nc(personas)
    first = raise_risk(nc, actor=personas.manager)
    with pytest.raises(Conflict) as refused:
        raise_risk(nc, actor=personas.manager)
    assert refused.value.code == "risk_linked"
    assert list(Risk.objects.all()) == [first]


def test_the_owner_who_may_not_add_risks_is_refused_with_nothing_written(personas, catalog):
    nc = make_nc(personas)
    before = ActivityEntry.objects.count()
    with pytest.raises(PermissionDenied):
        raise_risk(nc, actor=personas.users[Role.PROCESS_OWNER])
    nc.refresh_from_db()
    assert nc.risk is None
    assert not Risk.objects.exists()
    assert ActivityEntry.objects.count() == before


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_the_page_and_the_endpoint_by_role(client, personas, catalog, role):
    nc = make_nc(personas)
    login(client, personas.users[role])
    page = client.post(f"/nonconformities/{nc.pk}/raise-risk/")
    if role in IMPLEMENTERS:
        risk = Risk.objects.get()
        assert page.status_code == 302
        assert page["Location"] == f"/risks/{risk.pk}/edit/"
        api = client.post(f"/api/v1/nonconformities/{nc.pk}/raise-risk/")
        assert (api.status_code, api.json()["code"]) == (409, "risk_linked")
    else:
        # The process owner owns the nonconformity but may not add risks, the other readers
        # may not change it (403); an employee not named on it may not even see it (404).
        expected = 404 if role == Role.EMPLOYEE else 403
        assert page.status_code == expected
        api = client.post(f"/api/v1/nonconformities/{nc.pk}/raise-risk/")
        assert api.status_code == expected
        assert not Risk.objects.exists()


def test_the_endpoint_answers_201_and_the_outsider_404(client, personas, catalog):
    nc = make_nc(personas)
    login(client, personas.outsider)
    assert client.post(f"/api/v1/nonconformities/{nc.pk}/raise-risk/").status_code == 404
    login(client, personas.manager)
    response = client.post(f"/api/v1/nonconformities/{nc.pk}/raise-risk/")
    assert response.status_code == 201
    assert response.json()["code"] == "R-NC-0007"


def test_the_page_offers_the_button_only_to_who_may_use_it(client, personas, catalog):
    nc = make_nc(personas)
    login(client, personas.manager)
    assert "Raise a risk from it" in client.get(f"/nonconformities/{nc.pk}/").content.decode()
    login(client, personas.users[Role.PROCESS_OWNER])
    assert "Raise a risk from it" not in client.get(f"/nonconformities/{nc.pk}/").content.decode()
