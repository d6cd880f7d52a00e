"""Promoting an improvement opportunity to a corrective action: who may, from which states,
the nonconformity it opens and the activity it records; its page and API by role."""

from __future__ import annotations

import pytest

from pdca.core.activity import snapshot
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import ROLES, login
from pdca.core.testing.queries import count_queries
from pdca.improvement.models import ImprovementOpportunity, Nonconformity
from pdca.improvement.opportunities.services import promote_opportunity
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.system.permissions import IMPLEMENTERS
from pdca.tenancy.models import Membership

pytestmark = pytest.mark.django_db

NOT_PROMOTERS = sorted(ORGANIZATION_ROLES - IMPLEMENTERS)


def make_opportunity(org, **fields) -> ImprovementOpportunity:
    values = {
        "reference": "OFI-004",
        "title": "Calibration reminders by e-mail",
        "description": "Gauges go overdue because nobody is reminded.",
        "benefit": "No gauge used past its date.",
        "source": "suggestion",
        **fields,
    }
    return ImprovementOpportunity.objects.create(organization=org, **values)


def state(opportunity) -> tuple:
    """What a refused promotion must leave as it was."""
    opportunity.refresh_from_db()
    return (
        snapshot(opportunity),
        Nonconformity.objects.count(),
        ActivityEntry.objects.count(),
    )


# --- the service --------------------------------------------------------------------------


def test_promotion_opens_a_nonconformity_from_the_opportunity(personas, catalog):
    process = Process.objects.create(organization=personas.org, code="P-02", name="Maintenance")
    clause = Requirement.objects.get(standard__code="iso9001-2015", number="7.1.5")
    owner = personas.users[Role.PROCESS_OWNER]
    opportunity = make_opportunity(personas.org, process=process, owner=owner)
    opportunity.requirements.set([clause])

    nc = promote_opportunity(opportunity, actor=personas.manager, severity="minor")

    assert Nonconformity.objects.get() == nc
    assert nc.organization == personas.org
    assert nc.title == "Calibration reminders by e-mail"
    assert nc.description == (
        "Gauges go overdue because nobody is reminded.\n\n"
        "Benefit expected: No gauge used past its date."
    )
    assert nc.source == "opportunity"
    assert nc.severity == "minor"
    assert nc.status == "reported"
    assert nc.process == process
    assert nc.owner == owner
    assert list(nc.requirements.all()) == [clause]
    opportunity.refresh_from_db()
    assert opportunity.status == "promoted"
    assert opportunity.promoted_to == nc


def test_promotion_records_the_new_nonconformity_and_the_promotion(personas):
    opportunity = make_opportunity(personas.org)
    nc = promote_opportunity(opportunity, actor=personas.manager)
    created = ActivityEntry.objects.get(object_type="improvement.nonconformity")
    assert (created.action, created.actor, created.object_id) == (
        "create",
        personas.manager,
        str(nc.pk),
    )
    assert created.changes["source"] == [None, "opportunity"]
    promoted = ActivityEntry.objects.get(object_type="improvement.improvementopportunity")
    assert promoted.action == "promote"
    assert promoted.actor == personas.manager
    assert promoted.changes == {"status": ["open", "promoted"], "promoted_to": [None, nc.pk]}
    assert nc.reference  # numbered by the nonconformity register
    assert promoted.message == f"Promoted to nonconformity {nc.reference}."
    assert ActivityEntry.objects.filter(organization=personas.org).count() == 2


def test_an_owner_given_replaces_the_opportunity_owner(personas):
    opportunity = make_opportunity(personas.org, owner=personas.users[Role.PROCESS_OWNER])
    nc = promote_opportunity(
        opportunity, actor=personas.manager, owner=personas.users[Role.INTERNAL_AUDITOR]
    )
    assert nc.owner == personas.users[Role.INTERNAL_AUDITOR]
    assert nc.severity == ""


def test_an_opportunity_without_description_gives_its_title(personas):
    opportunity = make_opportunity(personas.org, description="", benefit="")
    nc = promote_opportunity(opportunity, actor=personas.manager)
    assert nc.description == "Calibration reminders by e-mail"


@pytest.mark.parametrize("role", sorted(IMPLEMENTERS))
@pytest.mark.parametrize("status", ["open", "in_progress"])
def test_implementers_promote_open_and_in_progress_opportunities(personas, role, status):
    opportunity = make_opportunity(personas.org, status=status)
    nc = promote_opportunity(opportunity, actor=personas.users[role])
    assert nc.source == "opportunity"


@pytest.mark.parametrize("role", sorted(set(ROLES) - IMPLEMENTERS))
def test_other_roles_may_not_promote(personas, role):
    # The process owner owns this one, and still may not: promotion is the implementers' call.
    opportunity = make_opportunity(personas.org, owner=personas.users[Role.PROCESS_OWNER])
    before = state(opportunity)
    with pytest.raises(PermissionDenied):
        promote_opportunity(opportunity, actor=personas.users[role])
    assert state(opportunity) == before


@pytest.mark.parametrize(
    ("status", "code"),
    [("rejected", "opportunity_closed"), ("implemented", "opportunity_closed")],
)
def test_a_closed_opportunity_is_not_promoted(personas, status, code):
    opportunity = make_opportunity(personas.org, status=status)
    before = state(opportunity)
    with pytest.raises(Conflict) as caught:
        promote_opportunity(opportunity, actor=personas.manager)
    assert caught.value.code == code
    assert f"is {status}" in caught.value.message
    assert state(opportunity) == before


def test_an_opportunity_is_promoted_once(personas):
    opportunity = make_opportunity(personas.org)
    first = promote_opportunity(opportunity, actor=personas.manager)
    before = state(opportunity)
    with pytest.raises(Conflict) as caught:
        promote_opportunity(opportunity, actor=personas.users[Role.CONSULTANT])
    assert caught.value.code == "already_promoted"
    assert state(opportunity) == before
    assert opportunity.promoted_to == first


def test_a_wrong_severity_or_owner_writes_nothing(personas):
    opportunity = make_opportunity(personas.org)
    before = state(opportunity)
    with pytest.raises(ValidationFailed) as caught:
        promote_opportunity(opportunity, actor=personas.manager, severity="critical")
    assert [e.field for e in caught.value.errors] == ["severity"]
    assert state(opportunity) == before
    with pytest.raises(ValidationFailed) as caught:
        promote_opportunity(opportunity, actor=personas.manager, owner=personas.outsider)
    assert [e.field for e in caught.value.errors] == ["owner"]
    assert state(opportunity) == before


# --- the page -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_promote_page_by_role(client, personas, role):
    opportunity = make_opportunity(personas.org)
    before = state(opportunity)
    login(client, personas.users[role])
    response = client.post(
        f"/opportunities/{opportunity.pk}/promote/", {"severity": "major", "owner": ""}
    )
    if role in IMPLEMENTERS:
        nc = Nonconformity.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/nonconformities/{nc.pk}/"
        assert nc.severity == "major"
        entry = ActivityEntry.objects.get(action="promote")
        assert (entry.actor, entry.via) == (personas.users[role], "web")
    else:
        # Members of the organization see the opportunity but may not promote it; the
        # certification body's people are not members: to them it does not exist.
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)
        assert state(opportunity) == before


def test_outsider_gets_404_from_the_promote_page(client, personas):
    opportunity = make_opportunity(personas.org)
    before = state(opportunity)
    login(client, personas.outsider)
    assert client.post(f"/opportunities/{opportunity.pk}/promote/").status_code == 404
    assert client.get(f"/opportunities/{opportunity.pk}/promote/").status_code == 404
    assert state(opportunity) == before


def test_a_refused_promotion_is_shown_on_the_opportunity_page(client, personas):
    opportunity = make_opportunity(personas.org, status="rejected")
    before = state(opportunity)
    login(client, personas.manager)
    response = client.post(f"/opportunities/{opportunity.pk}/promote/", follow=True)
    assert response.redirect_chain == [(f"/opportunities/{opportunity.pk}/", 302)]
    html = response.content.decode()
    assert "OFI-004 is rejected: only an open or in-progress opportunity is promoted" in html
    assert 'id="promote-form"' not in html
    assert state(opportunity) == before


def test_a_bad_owner_on_the_page_is_shown_and_writes_nothing(client, personas):
    opportunity = make_opportunity(personas.org)
    before = state(opportunity)
    login(client, personas.manager)
    response = client.post(
        f"/opportunities/{opportunity.pk}/promote/", {"owner": personas.outsider.pk}, follow=True
    )
    assert response.redirect_chain == [(f"/opportunities/{opportunity.pk}/", 302)]
    assert "Owner: Select a valid choice." in response.content.decode()
    assert state(opportunity) == before


def test_a_get_of_the_promote_page_goes_back_to_the_opportunity(client, personas):
    opportunity = make_opportunity(personas.org)
    login(client, personas.manager)
    response = client.get(f"/opportunities/{opportunity.pk}/promote/")
    assert response.status_code == 302
    assert response["Location"] == f"/opportunities/{opportunity.pk}/"
    assert not Nonconformity.objects.exists()


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_the_opportunity_page_offers_promotion_to_implementers(client, personas, role):
    opportunity = make_opportunity(personas.org)
    login(client, personas.users[role])
    html = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert ('id="promote-form"' in html) is (role in IMPLEMENTERS)
    assert "Not promoted." in html
    assert "Not from an audit finding." in html


def test_the_opportunity_page_links_the_nonconformity_it_was_promoted_to(client, personas):
    opportunity = make_opportunity(personas.org)
    nc = promote_opportunity(opportunity, actor=personas.manager)
    login(client, personas.users[Role.TOP_MANAGEMENT])
    html = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert f'href="/nonconformities/{nc.pk}/"' in html
    assert 'id="promote-form"' not in html
    # An employee who neither reported nor owns it sees that it was promoted, without a link
    # to a nonconformity they may not open.
    login(client, personas.employee)
    html = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "Promoted to" in html
    assert f'href="/nonconformities/{nc.pk}/"' not in html


def test_opportunity_page_queries_do_not_grow_with_members(client, personas):
    opportunity = make_opportunity(personas.org)
    login(client, personas.manager)
    url = f"/opportunities/{opportunity.pk}/"
    small, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    from pdca.accounts.models import User

    for i in range(10):
        user = User.objects.create_user(f"member{i}@a.example", "x" * 20, full_name=f"M {i}")
        Membership.objects.create(organization=personas.org, user=user, role=Role.EMPLOYEE)
    large, response = count_queries(lambda: client.get(url))
    assert "M 9" in response.content.decode()
    assert large == small


# --- the API ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_promote_endpoint_by_role(client, personas, role):
    opportunity = make_opportunity(personas.org)
    before = state(opportunity)
    login(client, personas.users[role])
    response = client.post(
        f"/api/v1/opportunities/{opportunity.pk}/promote/",
        {"severity": "minor", "owner": personas.users[Role.PROCESS_OWNER].pk},
        content_type="application/json",
    )
    if role in IMPLEMENTERS:
        assert response.status_code == 201, response.content
        nc = Nonconformity.objects.get()
        assert response.json() == {
            "id": nc.pk,
            "reference": nc.reference,
            "url": f"/nonconformities/{nc.pk}/",
            "opportunity": opportunity.pk,
        }
        assert (nc.severity, nc.owner) == ("minor", personas.users[Role.PROCESS_OWNER])
        assert ActivityEntry.objects.get(action="promote").via == "api"
    else:
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)
        assert response["Content-Type"] == "application/problem+json"
        assert state(opportunity) == before


def test_promote_endpoint_without_a_body(client, personas):
    opportunity = make_opportunity(personas.org, owner=personas.users[Role.PROCESS_OWNER])
    login(client, personas.manager)
    response = client.generic(
        "POST", f"/api/v1/opportunities/{opportunity.pk}/promote/", b"", "application/json"
    )
    assert response.status_code == 201, response.content
    nc = Nonconformity.objects.get(pk=response.json()["id"])
    assert (nc.severity, nc.owner) == ("", personas.users[Role.PROCESS_OWNER])


def test_promote_endpoint_refusals(client, personas):
    opportunity = make_opportunity(personas.org)
    url = f"/api/v1/opportunities/{opportunity.pk}/promote/"
    login(client, personas.manager)
    before = state(opportunity)
    for body, field in (
        ({"owner": personas.outsider.pk}, "owner"),
        ({"severity": "critical"}, "severity"),
        ({"colour": "red"}, "colour"),
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 422, body
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert state(opportunity) == before
    assert client.post(url, {}, content_type="application/json").status_code == 201
    before = state(opportunity)
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_promoted"
    assert state(opportunity) == before


def test_outsider_gets_404_from_the_promote_endpoint(client, personas):
    opportunity = make_opportunity(personas.org)
    before = state(opportunity)
    login(client, personas.outsider)
    response = client.post(
        f"/api/v1/opportunities/{opportunity.pk}/promote/", {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert state(opportunity) == before


def test_anonymous_is_refused(client, personas):
    opportunity = make_opportunity(personas.org)
    before = state(opportunity)
    response = client.post(f"/opportunities/{opportunity.pk}/promote/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.post(
        f"/api/v1/opportunities/{opportunity.pk}/promote/", {}, content_type="application/json"
    )
    assert response.status_code == 401
    assert state(opportunity) == before
