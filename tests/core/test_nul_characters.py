"""NUL characters are refused before they reach a query (PostgreSQL cannot store them), with an
error naming the field, on pages and on the API alike."""

import pytest

from pdca.core.testing.api_bundle import login
from pdca.tenancy.models import Site


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/requirements/?q=a%00b", "q"),
        ("/api/v1/sites/?q=%00", "q"),
        ("/api/v1/activity/?action=x%00", "action"),
    ],
)
def test_an_api_query_with_a_nul_character_names_the_parameter(client, personas, url, field):
    login(client, personas.manager)
    response = client.get(url)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_json_body_with_a_nul_character_names_the_field_and_writes_nothing(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/api/v1/sites/",
        '{"organization": "org-a", "name": "Depot\\u0000"}',
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["name"]
    assert not Site.objects.filter(organization=personas.org).exists()


def test_a_form_with_a_nul_character_is_refused_and_nothing_is_written(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/sites/new/", "name=Depot%00", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert b"name: Must not contain a NUL character." in response.content
    assert not Site.objects.filter(organization=personas.org).exists()


def test_ordinary_requests_pass(client, personas):
    login(client, personas.manager)
    assert client.get("/api/v1/requirements/?q=cloud").status_code == 200
    assert client.get("/sites/?q=100%25").status_code == 200
