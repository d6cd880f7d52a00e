"""The corrective-action policy page: every member reads the four day settings, the system
manager and consultants change them; others get 403 and nothing changes; bad numbers show
the field's error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import CapaPolicy
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db
URL = "/nonconformities/policy/"
VALID = {"major_due_days": 45, "minor_due_days": 80, "major_wait_days": 21, "minor_wait_days": 7}


def test_the_url_is_named_policy():
    assert reverse("improvement:policy") == URL


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_every_member_reads_the_defaults(client, personas, role):
    login(client, personas.users[role])
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert {name: form[name].value() for name in VALID} == {
        "major_due_days": 60,
        "minor_due_days": 90,
        "major_wait_days": 30,
        "minor_wait_days": 14,
    }
    assert response.context["can_change"] is (role in IMPLEMENTERS)
    page = response.content.decode()
    assert ("disabled" in page) is (role not in IMPLEMENTERS)


@pytest.mark.parametrize("role", sorted(IMPLEMENTERS))
def test_implementers_change_it(client, personas, role):
    user = personas.users[role]
    login(client, user)
    response = client.post(URL, VALID)
    assert response.status_code == 302
    policy = CapaPolicy.objects.get(organization=personas.org)
    assert {name: getattr(policy, name) for name in VALID} == VALID
    assert ActivityEntry.objects.filter(actor=user, action="create").count() == 1


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES - IMPLEMENTERS))
def test_other_members_may_not_change_it(client, personas, role):
    login(client, personas.users[role])
    assert client.post(URL, VALID).status_code == 403
    assert not CapaPolicy.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"major_due_days": 0}, "major_due_days", "greater than or equal to 1"),
        ({"minor_wait_days": -1}, "minor_wait_days", "greater than or equal to 0"),
        ({"major_wait_days": 1000}, "major_wait_days", "less than or equal to 730"),
        ({"minor_due_days": ""}, "minor_due_days", "This field is required."),
    ],
)
def test_bad_days_show_the_fields_error_and_change_nothing(
    client, personas, overrides, field, message
):
    login(client, personas.manager)
    response = client.post(URL, {**VALID, **overrides})
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not CapaPolicy.objects.exists()


def test_the_outsider_reads_and_changes_only_their_own(client, personas):
    login(client, personas.outsider)
    assert client.post(URL, VALID).status_code == 302
    assert CapaPolicy.objects.get().organization == personas.other
    login(client, personas.manager)
    assert client.get(URL).context["form"]["major_due_days"].value() == 60


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
