"""The hazard scoring method: its page and API (GET/PUT with ETag), who may change it."""

from __future__ import annotations

import pytest

from pdca.core.testing.api_bundle import login
from pdca.safety.models import HazardMethod

pytestmark = pytest.mark.django_db

BODY = {
    "likelihood_labels": ["Rare", "Possible", "Likely"],
    "severity_labels": ["Minor", "Serious", "Fatal"],
    "score_rule": "product",
    "acceptable_level": 3,
}


def test_the_default_method_is_read_by_every_member(client, personas):
    login(client, personas.employee)
    response = client.get("/api/v1/hazard-method/")
    assert response.status_code == 200
    assert response.json()["saved"] is False
    assert response.json()["max_score"] == 25


def test_only_implementers_change_it(client, personas):
    login(client, personas.employee)
    response = client.put("/api/v1/hazard-method/", BODY, content_type="application/json")
    assert response.status_code == 403
    login(client, personas.manager)
    response = client.put("/api/v1/hazard-method/", BODY, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["max_score"] == 9
    assert "ETag" in response
    assert HazardMethod.objects.get(organization=personas.org).acceptable_level == 3


def test_a_stale_etag_is_refused_and_bad_input_names_the_field(client, personas):
    login(client, personas.manager)
    etag = client.put("/api/v1/hazard-method/", BODY, content_type="application/json")["ETag"]
    client.put(
        "/api/v1/hazard-method/", {**BODY, "acceptable_level": 2}, content_type="application/json"
    )
    stale = client.put(
        "/api/v1/hazard-method/", BODY, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    bad = client.put(
        "/api/v1/hazard-method/", {**BODY, "acceptable_level": 10}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "acceptable_level"
    repeat = client.put(
        "/api/v1/hazard-method/",
        {**BODY, "severity_labels": ["A", "a"]},
        content_type="application/json",
    )
    assert repeat.status_code == 422
    assert repeat.json()["errors"][0]["field"] == "severity_labels.1"


def test_the_method_pages(client, personas):
    login(client, personas.employee)
    assert client.get("/hazards/method/").status_code == 200
    assert client.get("/hazards/method/edit/").status_code == 403
    login(client, personas.outsider)
    assert client.get("/hazards/method/").status_code == 200  # their own organization's
    login(client, personas.manager)
    response = client.post(
        "/hazards/method/edit/",
        {
            "name": "Acme scoring",
            "likelihood_labels": "Rare\nLikely",
            "severity_labels": "Minor\nMajor",
            "score_rule": "max",
            "acceptable_level": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert HazardMethod.objects.get(organization=personas.org).score_rule == "max"


def test_another_organizations_method_is_not_found(client, personas):
    login(client, personas.outsider)
    url = f"/api/v1/hazard-method/?organization={personas.org.slug}"
    assert client.get(url).status_code == 404
    assert client.put(url, BODY, content_type="application/json").status_code == 404
    assert not HazardMethod.objects.filter(organization=personas.org).exists()
