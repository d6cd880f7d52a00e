"""The account pages: sign-in and lockout, password change and reset, profile tokens, logout."""

import hashlib
import re

import pytest
from axes.utils import reset
from django.conf import settings
from django.core import mail
from django.test import Client

from pdca.accounts import services
from pdca.accounts.models import ApiToken, User
from pdca.core.models import ActivityEntry
from pdca.core.testing.api_bundle import login
from pdca.core.testing.personas import PASSWORD

LOGIN = "/accounts/login/"
NEW_PASSWORD = "a-brand-new-pass-phrase"
WRONG_CREDENTIALS = (
    "Please enter a correct e-mail address and password. "
    "Note that both fields may be case-sensitive."
)
SECRET = re.compile(r"pdca_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


@pytest.fixture(autouse=True)
def _no_failed_logins(db):
    reset()
    yield
    reset()


def _sign_in(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def _signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- sign-in ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["system_manager@a.example", "SYSTEM_MANAGER@A.EXAMPLE", "System_Manager@A.example"]
)
def test_sign_in_with_the_email_in_any_case_redirects_home(client, personas, email):
    response = _sign_in(client, email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in_as(client) == str(personas.manager.pk)


def test_the_login_page_shows_an_email_field(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'type="email" name="username"' in response.content.decode()


def test_sign_in_follows_a_safe_next_address(client, personas):
    response = client.post(
        LOGIN, {"username": personas.manager.email, "password": PASSWORD, "next": "/sites/"}
    )
    assert response["Location"] == "/sites/"


def test_sign_in_ignores_a_next_address_on_another_site(client, personas):
    response = client.post(
        LOGIN,
        {"username": personas.manager.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client, personas):
    response = _sign_in(client, personas.manager.email, "not-the-password")
    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.content.decode()
    assert _signed_in_as(client) is None


def test_an_unknown_email_shows_the_same_error(client, personas):
    response = _sign_in(client, "nobody@a.example", PASSWORD)
    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.content.decode()
    assert _signed_in_as(client) is None


def test_a_deactivated_user_cannot_sign_in(client, personas):
    User.objects.filter(pk=personas.manager.pk).update(is_active=False)
    response = _sign_in(client, personas.manager.email, PASSWORD)
    assert response.status_code == 200
    assert _signed_in_as(client) is None


# --- lockout (django-axes) --------------------------------------------------------------------


def test_the_failure_limit_is_five():
    assert settings.AXES_FAILURE_LIMIT == 5


def test_five_failed_sign_ins_lock_the_account_even_for_the_right_password(client, personas):
    email = personas.manager.email
    for _ in range(4):
        response = _sign_in(client, email, "wrong-password")
        assert response.status_code == 200
        assert WRONG_CREDENTIALS in response.content.decode()
    response = _sign_in(client, email, "wrong-password")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()

    response = _sign_in(client, email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert _signed_in_as(client) is None


def test_changing_the_case_of_the_email_does_not_dodge_the_lockout(client, personas):
    # Regression: axes counted "Ann@x" and "ann@x" apart, while sign-in treats them as one.
    for email in [
        "system_manager@a.example",
        "System_manager@a.example",
        "SYSTEM_MANAGER@a.example",
    ]:
        _sign_in(client, email, "wrong-password")
    _sign_in(client, "system_manager@A.example", "wrong-password")
    assert _sign_in(client, "system_manager@a.EXAMPLE", "wrong-password").status_code == 429
    for email in ["system_manager@a.example", "System_Manager@A.Example"]:
        response = _sign_in(client, email, PASSWORD)
        assert response.status_code == 429
    assert _signed_in_as(client) is None


def test_a_lockout_does_not_lock_other_accounts(client, personas):
    for _ in range(5):
        _sign_in(client, personas.manager.email, "wrong-password")
    response = _sign_in(client, personas.employee.email, PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(client) == str(personas.employee.pk)


def test_resetting_the_lockout_lets_the_right_password_in_again(client, personas):
    for _ in range(5):
        _sign_in(client, personas.manager.email, "wrong-password")
    reset()
    assert _sign_in(client, personas.manager.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count_of_failures(client, personas):
    email = personas.manager.email
    for _ in range(4):
        _sign_in(client, email, "wrong-password")
    assert _sign_in(client, email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert _sign_in(client, email, "wrong-password").status_code == 200
    assert _sign_in(client, email, PASSWORD).status_code == 302


# --- password change --------------------------------------------------------------------------


def test_password_change_needs_a_sign_in(client, db):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/change/"


def test_password_change_replaces_the_old_password(client, personas):
    user = personas.manager
    login(client, user)
    assert client.get("/accounts/password/change/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/done/"
    assert _signed_in_as(client) == str(user.pk)  # the session survives its own change

    assert _sign_in(Client(), user.email, PASSWORD).status_code == 200
    fresh = Client()
    assert _sign_in(fresh, user.email, NEW_PASSWORD).status_code == 302
    assert _signed_in_as(fresh) == str(user.pk)


def test_password_change_with_a_wrong_old_password_changes_nothing(client, personas):
    user = personas.manager
    login(client, user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not user.check_password(NEW_PASSWORD)


def test_password_change_refuses_a_weak_new_password(client, personas):
    user = personas.manager
    login(client, user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- password reset ---------------------------------------------------------------------------


def _reset_link(message):
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _choose_password(client, link, password):
    response = client.get(link)
    assert response.status_code == 302  # Django moves the token out of the address
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    assert "Choose a new password" in client.get(form_url).content.decode()
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_password_reset_sends_one_link_that_sets_a_new_password(client, personas):
    user = personas.manager
    response = client.post("/accounts/password/reset/", {"email": "System_Manager@A.example"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["system_manager@a.example"]
    assert message.subject == "Choose your pdca password"

    response = _choose_password(client, _reset_link(message), NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    assert _sign_in(Client(), user.email, PASSWORD).status_code == 200
    fresh = Client()
    assert _sign_in(fresh, user.email, NEW_PASSWORD).status_code == 302
    assert _signed_in_as(fresh) == str(user.pk)


def test_a_reset_link_works_only_once(client, personas):
    client.post("/accounts/password/reset/", {"email": personas.manager.email})
    link = _reset_link(mail.outbox[0])
    _choose_password(client, link, NEW_PASSWORD)
    response = Client().get(link, follow=True)
    assert "This link is no longer valid" in response.content.decode()
    personas.manager.refresh_from_db()
    assert personas.manager.check_password(NEW_PASSWORD)


def test_an_unknown_email_sends_nothing_but_shows_the_same_page(client, personas):
    known = client.post("/accounts/password/reset/", {"email": personas.manager.email})
    mail.outbox.clear()
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@a.example"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []
    page = Client().get(unknown["Location"])
    assert page.status_code == 200
    assert "If the address belongs to an account" in page.content.decode()


def test_a_deactivated_user_gets_no_reset_email(client, personas):
    User.objects.filter(pk=personas.manager.pk).update(is_active=False)
    response = client.post("/accounts/password/reset/", {"email": personas.manager.email})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_a_person_created_without_password_chooses_one_by_password_reset(client, db):
    # Regression: Django's reset form skips accounts without a usable password, so people
    # created with `pdca createuser --no-password` (or invited) could never choose one.
    user = services.create_user(email="new.person@example.com", password=None)
    client.post("/accounts/password/reset/", {"email": "New.Person@example.com"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    response = _choose_password(client, _reset_link(mail.outbox[0]), NEW_PASSWORD)
    assert response["Location"] == "/accounts/reset/done/"
    fresh = Client()
    assert _sign_in(fresh, "new.person@example.com", NEW_PASSWORD).status_code == 302
    assert _signed_in_as(fresh) == str(user.pk)


# --- profile and its tokens -------------------------------------------------------------------


def test_the_profile_needs_a_sign_in(client, db):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_a_token_made_on_the_profile_page_shows_its_secret_once(client, personas):
    login(client, personas.manager)
    response = client.post("/accounts/profile/tokens/", {"name": "backup", "expires_in_days": "30"})
    assert response.status_code == 200
    html = response.content.decode()
    secrets = SECRET.findall(html)
    assert len(secrets) == 1
    secret = secrets[0]
    token = ApiToken.objects.get()
    assert token.name == "backup"
    assert token.user == personas.manager
    assert secret.startswith(f"pdca_{token.prefix}_")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert "Token “backup” created." in html
    assert services.authenticate_token(secret) == personas.manager
    entry = ActivityEntry.objects.get(object_type="accounts.apitoken", object_id=str(token.pk))
    assert entry.via == "web"

    again = client.get("/accounts/profile/").content.decode()
    assert secret not in again
    assert SECRET.findall(again) == []
    assert f"pdca_{token.prefix}_…" in again


def test_a_token_made_on_the_page_without_expiry_never_expires(client, personas):
    login(client, personas.manager)
    client.post("/accounts/profile/tokens/", {"name": "forever", "expires_in_days": ""})
    assert ApiToken.objects.get().expires_at is None


def test_a_token_without_a_name_is_refused_on_the_page(client, personas):
    login(client, personas.manager)
    response = client.post("/accounts/profile/tokens/", {"name": "", "expires_in_days": "30"})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert SECRET.findall(response.content.decode()) == []
    assert ApiToken.objects.count() == 0


def test_a_token_is_revoked_from_the_profile_page(client, personas):
    token, secret = services.create_api_token(personas.manager, name="old", actor=personas.manager)
    login(client, personas.manager)
    response = client.post(f"/accounts/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    token.refresh_from_db()
    assert token.status == "revoked"
    assert services.authenticate_token(secret) is None
    page = client.get("/accounts/profile/").content.decode()
    assert "Token “old” revoked." in page
    assert f'action="/accounts/profile/tokens/{token.pk}/revoke/"' not in page


def test_revoking_a_revoked_token_on_the_page_says_so(client, personas):
    token, _ = services.create_api_token(personas.manager, name="old", actor=personas.manager)
    services.revoke_api_token(token, actor=personas.manager)
    token.refresh_from_db()
    login(client, personas.manager)
    response = client.post(f"/accounts/profile/tokens/{token.pk}/revoke/", follow=True)
    assert "This token is already revoked." in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at == token.revoked_at


def test_nobody_can_revoke_someone_elses_token_on_the_page(client, personas):
    token, _ = services.create_api_token(personas.employee, name="theirs", actor=personas.employee)
    login(client, personas.manager)
    response = client.post(f"/accounts/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_revoking_on_the_page_needs_post(client, personas):
    token, _ = services.create_api_token(personas.manager, name="t", actor=personas.manager)
    login(client, personas.manager)
    assert client.get(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 405
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_the_profile_lists_only_ones_own_tokens(client, personas):
    services.create_api_token(personas.manager, name="mine-token", actor=personas.manager)
    services.create_api_token(personas.employee, name="their-token", actor=personas.employee)
    login(client, personas.manager)
    html = client.get("/accounts/profile/").content.decode()
    assert "mine-token" in html
    assert "their-token" not in html


# --- logout -----------------------------------------------------------------------------------


def test_logout_by_post_signs_out_and_goes_to_the_login_page(client, personas):
    login(client, personas.manager)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert _signed_in_as(client) is None


def test_logout_by_get_is_not_allowed_and_keeps_the_session(client, personas):
    login(client, personas.manager)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert _signed_in_as(client) == str(personas.manager.pk)
