"""Personal API tokens: the services, and the API at /api/v1/me/ and /api/v1/me/tokens/."""

import datetime as dt
import hashlib
import json

import pytest
from django.test import Client
from django.utils import timezone

from pdca.accounts import services
from pdca.accounts.models import ApiToken
from pdca.core.activity import snapshot
from pdca.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.testing.api_bundle import LOGIN_BACKEND, login

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
PROBLEM = "application/problem+json"


@pytest.fixture
def frozen_now(monkeypatch):
    """timezone.now() answers NOW, for services and auto_now fields alike."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def _token(user, **kwargs):
    return services.create_api_token(user, name=kwargs.pop("name", "script"), actor=user, **kwargs)


def _bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _entries(token, action=None):
    entries = ActivityEntry.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk))
    return entries.filter(action=action) if action else entries


# --- creating ---------------------------------------------------------------------------------


def test_create_returns_a_secret_that_starts_with_pdca_and_the_tokens_prefix(personas):
    token, secret = _token(personas.manager, name="nightly export")
    assert secret.startswith(f"pdca_{token.prefix}_")
    assert len(token.prefix) == 8
    assert len(secret) == len("pdca_") + 8 + 1 + 43
    token.refresh_from_db()
    assert token.user == personas.manager
    assert token.name == "nightly export"
    assert token.status == "active"
    assert (token.expires_at, token.last_used_at, token.revoked_at) == (None, None, None)


def test_two_tokens_get_different_prefixes_and_secrets(personas):
    first, first_secret = _token(personas.manager)
    second, second_secret = _token(personas.manager)
    assert first.prefix != second.prefix
    assert first_secret != second_secret


def test_the_secret_is_never_stored_only_its_sha256_digest(personas):
    token, secret = _token(personas.manager)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    for value in row.values():
        assert secret not in str(value)
    body = secret.split("_", 2)[2]
    assert all(body not in str(value) for value in row.values())


def test_the_activity_entry_of_a_new_token_holds_neither_secret_nor_digest(personas):
    token, secret = _token(personas.manager, name="ci")
    entry = _entries(token).get()
    assert entry.action == "create"
    assert entry.actor == personas.manager
    assert entry.object_repr == f"ci ({token.prefix}…)"
    logged = json.dumps(entry.changes)
    assert secret not in logged
    assert token.digest not in logged
    assert set(entry.changes) == {"user", "name", "prefix"}


def test_a_token_expires_the_chosen_number_of_days_later(personas, frozen_now):
    token, _ = _token(personas.manager, expires_in_days=30)
    token.refresh_from_db()
    assert token.expires_at == NOW + dt.timedelta(days=30)


@pytest.mark.parametrize("days", [1, services.MAX_TOKEN_DAYS])
def test_expiry_bounds_are_accepted(personas, frozen_now, days):
    token, _ = _token(personas.manager, expires_in_days=days)
    assert ApiToken.objects.get(pk=token.pk).expires_at == NOW + dt.timedelta(days=days)


@pytest.mark.parametrize("days", [0, -1, 367])
def test_expiry_outside_1_to_366_days_is_refused_and_nothing_is_written(personas, days):
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        _token(personas.manager, expires_in_days=days)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("expires_in_days", "Choose between 1 and 366 days, or none.")
    ]
    assert ApiToken.objects.count() == 0
    assert ActivityEntry.objects.count() == entries


@pytest.mark.parametrize("name", ["", "   ", None])
def test_a_token_needs_a_name(personas, name):
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        _token(personas.manager, name=name)
    assert [e.field for e in caught.value.errors] == ["name"]
    assert ApiToken.objects.count() == 0
    assert ActivityEntry.objects.count() == entries


def test_a_too_long_name_and_a_bad_expiry_are_reported_together(personas):
    with pytest.raises(ValidationFailed) as caught:
        _token(personas.manager, name="x" * 101, expires_in_days=0)
    assert [e.field for e in caught.value.errors] == ["name", "expires_in_days"]
    assert ApiToken.objects.count() == 0


def test_nobody_may_create_a_token_for_someone_else(personas):
    with pytest.raises(PermissionDenied):
        services.create_api_token(personas.employee, name="x", actor=personas.manager)
    assert ApiToken.objects.count() == 0


# --- revoking ---------------------------------------------------------------------------------


def test_revoke_stamps_the_token_and_records_it(personas, frozen_now):
    token, _ = _token(personas.manager)
    services.revoke_api_token(token, actor=personas.manager)
    token.refresh_from_db()
    assert token.revoked_at == NOW
    assert token.status == "revoked"
    entry = _entries(token, "revoke").get()
    assert entry.actor == personas.manager
    assert entry.changes == {"revoked_at": [None, NOW.isoformat()]}


def test_revoking_a_revoked_token_again_is_a_conflict_and_changes_nothing(personas):
    token, _ = _token(personas.manager)
    services.revoke_api_token(token, actor=personas.manager)
    token.refresh_from_db()
    before = snapshot(token)
    entries = ActivityEntry.objects.count()
    with pytest.raises(Conflict) as caught:
        services.revoke_api_token(token, actor=personas.manager)
    assert caught.value.code == "already_revoked"
    token.refresh_from_db()
    assert snapshot(token) == before
    assert ActivityEntry.objects.count() == entries


def test_nobody_may_revoke_someone_elses_token(personas):
    token, secret = _token(personas.employee)
    entries = ActivityEntry.objects.count()
    with pytest.raises(NotFound):
        services.revoke_api_token(token, actor=personas.manager)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ActivityEntry.objects.count() == entries
    assert services.authenticate_token(secret) == personas.employee


# --- authenticating ---------------------------------------------------------------------------


def test_a_good_token_authenticates_its_user(personas):
    token, secret = _token(personas.manager)
    user = services.authenticate_token(secret)
    assert user == personas.manager
    assert user.api_token == token


def test_a_wrong_secret_with_a_real_prefix_authenticates_nobody(personas):
    token, secret = _token(personas.manager)
    forged = f"pdca_{token.prefix}_{'A' * 43}"
    assert forged != secret
    assert services.authenticate_token(forged) is None
    assert services.authenticate_token(secret + "x") is None
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None


@pytest.mark.parametrize(
    "raw", ["", "pdca_", "pdca_nounderscore", "token", "PDCA_abc_def", "Bearer pdca_a_b"]
)
def test_malformed_tokens_authenticate_nobody(personas, raw):
    _token(personas.manager)
    assert services.authenticate_token(raw) is None


def test_a_secret_without_its_pdca_prefix_authenticates_nobody(personas):
    _, secret = _token(personas.manager)
    assert services.authenticate_token(secret.removeprefix("pdca_")) is None


def test_a_revoked_token_authenticates_nobody(personas):
    token, secret = _token(personas.manager)
    services.revoke_api_token(token, actor=personas.manager)
    assert services.authenticate_token(secret) is None


def test_an_expired_token_authenticates_nobody(personas):
    token, secret = _token(personas.manager, expires_in_days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.authenticate_token(secret) is None
    token.refresh_from_db()
    assert token.status == "expired"
    assert token.last_used_at is None


def test_a_token_of_a_deactivated_user_authenticates_nobody(personas):
    _, secret = _token(personas.manager)
    type(personas.manager).objects.filter(pk=personas.manager.pk).update(is_active=False)
    assert services.authenticate_token(secret) is None


def test_using_a_token_stamps_last_used_at(personas, frozen_now):
    token, secret = _token(personas.manager)
    services.authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW


def test_last_used_at_is_stamped_at_most_once_a_minute(personas, monkeypatch):
    token, secret = _token(personas.manager)
    first = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: first)
    services.authenticate_token(secret)
    monkeypatch.setattr(timezone, "now", lambda: first + dt.timedelta(seconds=59))
    services.authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    later = first + dt.timedelta(minutes=1, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    services.authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later


def test_using_a_token_writes_no_activity_entry(personas):
    _, secret = _token(personas.manager)
    entries = ActivityEntry.objects.count()
    services.authenticate_token(secret)
    assert ActivityEntry.objects.count() == entries


# --- through the API --------------------------------------------------------------------------


def test_a_bearer_token_authenticates_get_me(personas):
    _, secret = _token(personas.manager)
    response = Client().get("/api/v1/me/", **_bearer(secret))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": personas.manager.pk,
        "email": "system_manager@a.example",
        "full_name": "System Manager A",
        "is_superuser": False,
        "memberships": [{"organization_id": personas.org.pk, "role": "system_manager"}],
    }


def test_get_me_without_credentials_is_401_problem(db):
    response = Client().get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_authenticated"


def _revoke(token):
    services.revoke_api_token(token, actor=token.user)


def _expire(token):
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))


@pytest.mark.parametrize("spoil", [_revoke, _expire], ids=["revoked", "expired"])
def test_a_revoked_or_expired_token_gets_401_problem(personas, spoil):
    token, secret = _token(personas.manager, expires_in_days=30)
    spoil(token)
    response = Client().get("/api/v1/me/", **_bearer(secret))
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 401
    assert problem["code"] == "not_authenticated"
    assert problem["instance"] == "/api/v1/me/"


@pytest.mark.parametrize("spoil", [_revoke, _expire], ids=["revoked", "expired"])
def test_a_write_with_a_revoked_or_expired_token_gets_401_not_a_csrf_refusal(personas, spoil):
    # Regression: without a session cookie the session check used to answer 403 "CSRF check
    # Failed" to every unsafe request that no token authenticated.
    token, secret = _token(personas.manager, expires_in_days=30)
    spoil(token)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/me/tokens/", {"name": "new"}, content_type="application/json", **_bearer(secret)
    )
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_authenticated"
    assert ApiToken.objects.count() == 1


def test_an_anonymous_write_gets_401(db):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/me/tokens/", {"name": "new"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert ApiToken.objects.count() == 0


def test_post_tokens_returns_the_secret_once_and_the_list_never_shows_it(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/api/v1/me/tokens/",
        {"name": "nightly export", "expires_in_days": 90},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    token = ApiToken.objects.get()
    secret = body["token"]
    assert secret.startswith(f"pdca_{token.prefix}_")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert body["id"] == token.pk
    assert body["name"] == "nightly export"
    assert body["prefix"] == token.prefix
    assert body["status"] == "active"
    assert body["revoked_at"] is None
    assert _entries(token, "create").get().via == "api"

    listed = client.get("/api/v1/me/tokens/")
    assert listed.status_code == 200
    assert secret not in listed.content.decode()
    assert token.digest not in listed.content.decode()
    page = listed.json()
    assert page["count"] == 1
    assert [item["id"] for item in page["items"]] == [token.pk]
    assert set(page["items"][0]) == {
        "id",
        "name",
        "prefix",
        "status",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    }
    assert services.authenticate_token(secret) == personas.manager


def test_the_token_list_shows_only_ones_own_tokens(client, personas):
    mine, _ = _token(personas.manager)
    _token(personas.employee)
    login(client, personas.manager)
    page = client.get("/api/v1/me/tokens/").json()
    assert page["count"] == 1
    assert [item["id"] for item in page["items"]] == [mine.pk]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "expires_in_days": 367}, "expires_in_days"),
        ({"name": ""}, "name"),
        ({"name": "x", "colour": "red"}, "colour"),
    ],
)
def test_invalid_token_input_gets_422_naming_the_field(client, personas, payload, field):
    login(client, personas.manager)
    entries = ActivityEntry.objects.count()
    response = client.post("/api/v1/me/tokens/", payload, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert ApiToken.objects.count() == 0
    assert ActivityEntry.objects.count() == entries


def test_a_token_revokes_itself_through_the_api_and_then_stops_working(personas):
    token, secret = _token(personas.manager)
    client = Client()
    response = client.delete(f"/api/v1/me/tokens/{token.pk}/", **_bearer(secret))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked"
    assert ApiToken.objects.get(pk=token.pk).status == "revoked"
    assert client.get("/api/v1/me/", **_bearer(secret)).status_code == 401


def test_revoking_twice_through_the_api_is_409(client, personas):
    token, _ = _token(personas.manager)
    login(client, personas.manager)
    assert client.delete(f"/api/v1/me/tokens/{token.pk}/").status_code == 200
    revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    response = client.delete(f"/api/v1/me/tokens/{token.pk}/")
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "already_revoked"
    assert ApiToken.objects.get(pk=token.pk).revoked_at == revoked_at
    assert _entries(token, "revoke").count() == 1


def test_a_user_cannot_revoke_someone_elses_token(client, personas):
    theirs, secret = _token(personas.employee)
    entries = ActivityEntry.objects.count()
    login(client, personas.manager)
    response = client.delete(f"/api/v1/me/tokens/{theirs.pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert ActivityEntry.objects.count() == entries
    assert services.authenticate_token(secret) == personas.employee


# --- CSRF: sessions need it, tokens do not ----------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_a_session_write_without_csrf_token_is_refused_and_creates_nothing(csrf_client, personas):
    csrf_client.force_login(personas.manager, backend=LOGIN_BACKEND)
    entries = ActivityEntry.objects.count()
    response = csrf_client.post(
        "/api/v1/me/tokens/", {"name": "sneaky"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "CSRF check Failed"
    assert ApiToken.objects.count() == 0
    assert ActivityEntry.objects.count() == entries


def test_a_session_revoke_without_csrf_token_is_refused(csrf_client, personas):
    token, _ = _token(personas.manager)
    csrf_client.force_login(personas.manager, backend=LOGIN_BACKEND)
    assert csrf_client.delete(f"/api/v1/me/tokens/{token.pk}/").status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_session_write_with_the_csrf_token_is_accepted(csrf_client, personas):
    csrf_client.force_login(personas.manager, backend=LOGIN_BACKEND)
    assert csrf_client.get("/accounts/profile/").status_code == 200  # sets the CSRF cookie
    response = csrf_client.post(
        "/api/v1/me/tokens/",
        {"name": "from the browser"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf_client.cookies["csrftoken"].value,
    )
    assert response.status_code == 201, response.content
    assert ApiToken.objects.get().name == "from the browser"


def test_a_session_read_needs_no_csrf_token(csrf_client, personas):
    csrf_client.force_login(personas.manager, backend=LOGIN_BACKEND)
    assert csrf_client.get("/api/v1/me/").status_code == 200


def test_token_authenticated_writes_need_no_csrf_token(csrf_client, personas):
    _, secret = _token(personas.manager, name="first")
    response = csrf_client.post(
        "/api/v1/me/tokens/", {"name": "second"}, content_type="application/json", **_bearer(secret)
    )
    assert response.status_code == 201, response.content
    assert sorted(ApiToken.objects.values_list("name", flat=True)) == ["first", "second"]
    response = csrf_client.patch(
        "/api/v1/me/",
        {"full_name": "Sam Manager"},
        content_type="application/json",
        **_bearer(secret),
    )
    assert response.status_code == 200, response.content
    personas.manager.refresh_from_db()
    assert personas.manager.full_name == "Sam Manager"
