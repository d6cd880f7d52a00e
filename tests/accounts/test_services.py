"""Creating people: accounts.services.create_user and update_profile."""

import pytest

from pdca.accounts import services
from pdca.accounts.models import User
from pdca.core.activity import snapshot
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry

PASSWORD = "a-long-enough-pass-phrase"


def _counts():
    return User.objects.count(), ActivityEntry.objects.count()


@pytest.mark.django_db
def test_create_user_stores_the_email_trimmed_and_in_lower_case():
    user = services.create_user(email="  Ann.Smith@Example.COM ", password=PASSWORD)
    user.refresh_from_db()
    assert user.email == "ann.smith@example.com"
    assert user.check_password(PASSWORD)
    assert user.is_active is True
    assert user.is_staff is False
    assert user.is_superuser is False


@pytest.mark.django_db
def test_create_user_trims_the_full_name():
    user = services.create_user(email="ann@example.com", full_name="  Ann Smith  ")
    assert User.objects.get(pk=user.pk).full_name == "Ann Smith"


@pytest.mark.django_db
def test_user_created_without_password_has_no_usable_password():
    user = services.create_user(email="ann@example.com")
    user.refresh_from_db()
    assert user.has_usable_password() is False


@pytest.mark.django_db
def test_superuser_is_created_as_staff_and_superuser():
    user = services.create_user(email="root@example.com", password=PASSWORD, is_superuser=True)
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (True, True)


@pytest.mark.django_db
def test_create_user_records_one_activity_entry_without_the_password(personas):
    actor = personas.users["admin"]
    before = ActivityEntry.objects.count()
    user = services.create_user(
        email="Ann@Example.com", full_name="Ann", password=PASSWORD, actor=actor
    )
    assert ActivityEntry.objects.count() == before + 1
    entry = ActivityEntry.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert entry.action == "create"
    assert entry.actor == actor
    assert entry.actor_label == actor.email
    assert entry.chain == "platform"
    assert entry.organization_id is None
    assert entry.object_repr == "Ann"
    assert entry.changes["email"] == [None, "ann@example.com"]
    assert entry.changes["full_name"] == [None, "Ann"]
    assert "password" not in entry.changes
    assert user.password not in str(entry.changes)


@pytest.mark.django_db
def test_create_user_without_actor_is_recorded_as_the_system():
    user = services.create_user(email="ann@example.com", password=PASSWORD)
    entry = ActivityEntry.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert (entry.actor, entry.actor_label, entry.via) == (None, "system", "system")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "second", ["ann@example.com", "ANN@EXAMPLE.COM", "Ann@Example.com", " ann@example.com "]
)
def test_duplicate_email_is_refused_whatever_its_case(second):
    first = services.create_user(email="ann@example.com", full_name="First", password=PASSWORD)
    users, entries = _counts()
    with pytest.raises(Conflict) as caught:
        services.create_user(email=second, full_name="Second", password=PASSWORD)
    assert caught.value.code == "duplicate"
    assert caught.value.status == 409
    assert caught.value.message == "A user with the e-mail address ann@example.com already exists."
    assert _counts() == (users, entries)
    first.refresh_from_db()
    assert first.full_name == "First"
    assert first.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw", "This password is too short. It must contain at least 10 characters."),
        ("qwertyuiop", "This password is too common."),
        ("8675309142857", "This password is entirely numeric."),
        ("ann.smith.example", "The password is too similar to the e-mail address."),
    ],
)
def test_weak_password_is_refused_naming_the_password_field(password, message):
    users, entries = _counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(email="ann.smith@example.com", password=password)
    assert caught.value.code == "validation_failed"
    assert {e.field for e in caught.value.errors} == {"password"}
    assert message in [e.message for e in caught.value.errors]
    assert _counts() == (users, entries)
    assert not User.objects.filter(email="ann.smith@example.com").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["", "   ", "not-an-address", "ann@", "@example.com", "a@@b.example"]
)
def test_invalid_email_is_refused_naming_the_email_field(email):
    users, entries = _counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(email=email, password=PASSWORD)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("email", "Enter a valid e-mail address.")
    ]
    assert _counts() == (users, entries)


@pytest.mark.django_db
def test_invalid_email_is_reported_before_a_weak_password():
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(email="nobody", password="short")
    assert [e.field for e in caught.value.errors] == ["email"]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_update_profile_changes_the_name_and_records_the_change(personas):
    user = personas.employee
    services.update_profile(user, full_name="  Eve Employee ", actor=user)
    user.refresh_from_db()
    assert user.full_name == "Eve Employee"
    entry = ActivityEntry.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert entry.action == "update"
    assert entry.changes == {"full_name": ["Employee A", "Eve Employee"]}


@pytest.mark.django_db
def test_nobody_may_change_another_persons_profile(personas):
    user = personas.employee
    before = snapshot(user)
    entries = ActivityEntry.objects.count()
    with pytest.raises(PermissionDenied) as caught:
        services.update_profile(user, full_name="Hijacked", actor=personas.manager)
    assert caught.value.code == "permission_denied"
    user.refresh_from_db()
    assert snapshot(user) == before
    assert ActivityEntry.objects.count() == entries
