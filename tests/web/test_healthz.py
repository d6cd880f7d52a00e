"""GET /healthz: liveness and database status for load balancers and monitoring."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from pdca import __version__

NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.mark.django_db
def test_healthz_answers_ok_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "version", "database"}
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert set(body["database"]) == {"status", "vendor", "latency_ms"}
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] == connection.vendor
    assert isinstance(body["database"]["latency_ms"], float)
    assert body["database"]["latency_ms"] >= 0


@pytest.mark.django_db
def test_healthz_is_never_cached(client):
    response = client.get("/healthz")
    assert response["Cache-Control"] == NEVER_CACHE
    assert "Expires" in response


@pytest.mark.django_db
def test_a_database_failure_gives_503_with_status_error(client):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("database is locked")
    ) as cursor:
        response = client.get("/healthz")
    assert cursor.call_count == 1
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == NEVER_CACHE
    body = response.json()
    assert body["status"] == "error"
    assert body["version"] == __version__
    assert body["database"]["status"] == "error"
    assert body["database"]["error"] == "OperationalError"
    assert body["database"]["vendor"] == connection.vendor
    # The reason stays in the server's logs; a public probe learns only the error's class.
    assert "database is locked" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_answers_ok_again_once_the_database_is_back(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_answers_only_get(client, method):
    assert getattr(client, method)("/healthz").status_code == 405


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_answers_plain_http_probes_when_https_is_enforced(client):
    assert client.get("/healthz").status_code == 200
    redirected = client.get("/accounts/login/")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/accounts/login/"
