"""Sign-in throttling across addresses: guessing one account's password from many IP addresses
locks that account too (accounts/lockout.py), and the refusal is the same for an address that
has no account."""

import re

import pytest
from axes.utils import reset
from django.conf import settings
from django.test import Client

from pdca.core.testing.personas import PASSWORD

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _no_failed_logins(db):
    reset()
    yield
    reset()


def sign_in(email, password, ip):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": email, "password": password})
    return response, client


def fail_from_many_addresses(email, count, per_address=1, first=1):
    for n in range(first, first + count):
        for _ in range(per_address):
            response, _ = sign_in(email, "wrong-password", f"10.0.{n // 250}.{n % 250 + 1}")
            assert response.status_code == 200, n


def without_csrf(content: bytes) -> bytes:
    """The page with its per-client CSRF token taken out."""
    return re.sub(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', rb"\1", content)


def test_the_account_limit_is_twenty_and_higher_than_the_per_address_limit():
    assert settings.PDCA_LOGIN_ACCOUNT_FAILURE_LIMIT == 20
    assert settings.PDCA_LOGIN_ACCOUNT_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT


def test_failures_from_many_addresses_lock_the_account_everywhere(personas):
    email = personas.manager.email
    fail_from_many_addresses(email, 19)
    response, _ = sign_in(email, "wrong-password", "192.0.2.20")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    # The right password from yet another address is refused as well.
    response, client = sign_in(email, PASSWORD, "198.51.100.7")
    assert response.status_code == 429
    assert client.session.get("_auth_user_id") is None


def test_the_lock_of_one_account_leaves_the_others_alone(personas):
    fail_from_many_addresses(personas.manager.email, 19)
    assert sign_in(personas.manager.email, "wrong", "192.0.2.20")[0].status_code == 429
    assert sign_in(personas.manager.email, PASSWORD, "198.51.100.7")[0].status_code == 429
    response, client = sign_in(personas.employee.email, PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.employee.pk)


def test_failures_below_the_account_limit_do_not_lock_it(personas):
    email = personas.manager.email
    fail_from_many_addresses(email, 4, per_address=4)  # 16 failures, 4 per address
    response, client = sign_in(email, PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.manager.pk)


def test_the_address_in_another_case_counts_for_the_same_account(personas):
    for n in range(20):
        email = "system_manager@a.example" if n % 2 else "System_Manager@A.example"
        response, _ = sign_in(email, "wrong-password", f"10.1.0.{n + 1}")
    assert response.status_code == 429


def test_the_refusal_does_not_tell_whether_the_account_exists(personas):
    known, unknown = personas.manager.email, "nobody@a.example"
    answers = {}
    for email in (known, unknown):
        fail_from_many_addresses(email, 19)
        answers[email] = [sign_in(email, pw, "203.0.113.9")[0] for pw in ("wrong", PASSWORD)]
    for a, b in zip(answers[known], answers[unknown], strict=True):
        assert a.status_code == b.status_code == 429
        assert without_csrf(a.content) == without_csrf(b.content)
        assert a["Content-Type"] == b["Content-Type"]
