"""A member's team and site (what competence requirements and training are assigned by) are
kept on the membership: changed on the member's page and through the API, a site of another
organization refused."""

from __future__ import annotations

import pytest

from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.tenancy.models import Membership, Site

pytestmark = pytest.mark.django_db


def test_the_api_sets_and_clears_team_and_site(client, personas):
    plant = Site.objects.create(organization=personas.org, name="Plant", code="PL")
    foreign = Site.objects.create(organization=personas.other, name="Elsewhere", code="EL")
    membership = Membership.objects.get(organization=personas.org, user=personas.employee)
    login(client, personas.manager)
    url = f"/api/v1/memberships/{membership.pk}/"
    response = client.patch(
        url, {"team": "Warehouse", "site": plant.pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["team"], response.json()["site"]) == ("Warehouse", plant.pk)
    refused = client.patch(url, {"site": foreign.pk}, content_type="application/json")
    assert refused.status_code == 422 and "site" in refused.content.decode()
    membership.refresh_from_db()
    assert membership.site == plant
    client.patch(url, {"site": 0}, content_type="application/json")
    membership.refresh_from_db()
    assert (membership.team, membership.site) == ("Warehouse", None)


def test_the_member_page_sets_team_and_site(client, personas):
    plant = Site.objects.create(organization=personas.org, name="Plant", code="PL")
    membership = Membership.objects.get(organization=personas.org, user=personas.employee)
    login(client, personas.manager)
    response = client.post(
        f"/members/{membership.pk}/edit/",
        {"role": Role.EMPLOYEE, "job_title": "Picker", "team": "Warehouse", "site": plant.pk},
    )
    assert response.status_code == 302, response.content[:2000]
    membership.refresh_from_db()
    assert (membership.job_title, membership.team, membership.site) == (
        "Picker",
        "Warehouse",
        plant,
    )
