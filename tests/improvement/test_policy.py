"""The corrective-action policy: defaults until changed, changed by implementers only, days
checked field by field, and the due date of a triaged nonconformity taken from it."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES
from pdca.improvement.models import CapaPolicy, Nonconformity
from pdca.improvement.policy import policy_for, update_capa_policy
from pdca.improvement.workflow.services import transition_nonconformity
from tests.improvement.factories import IMPLEMENTERS, drive, in_days, make_cast, step_data

pytestmark = pytest.mark.django_db


def policy_entries(org) -> list[ActivityEntry]:
    return list(
        ActivityEntry.objects.filter(
            organization=org, object_type="improvement.capapolicy"
        ).order_by("seq")
    )


def test_an_organization_without_a_policy_gets_the_defaults_unsaved(personas):
    policy = policy_for(personas.org)
    assert policy.pk is None
    assert (
        policy.major_due_days,
        policy.minor_due_days,
        policy.major_wait_days,
        policy.minor_wait_days,
    ) == (60, 90, 30, 14)
    assert (policy.wait_days("major"), policy.wait_days("minor")) == (30, 14)
    assert (policy.due_days("major"), policy.due_days("minor")) == (60, 90)
    assert not CapaPolicy.objects.exists()


def test_the_first_change_creates_the_policy_with_its_entry(personas):
    update_capa_policy(personas.org, actor=personas.manager, major_due_days=45)
    policy = CapaPolicy.objects.get(organization=personas.org)
    assert (policy.major_due_days, policy.minor_due_days) == (45, 90)
    [entry] = policy_entries(personas.org)
    assert (entry.action, entry.actor, entry.changes["major_due_days"]) == (
        "create",
        personas.manager,
        [None, 45],
    )


def test_a_later_change_records_only_what_changed(personas):
    update_capa_policy(personas.org, actor=personas.manager, major_due_days=45)
    update_capa_policy(personas.org, actor=personas.manager, major_due_days=45, minor_wait_days=7)
    assert CapaPolicy.objects.count() == 1
    entry = policy_entries(personas.org)[-1]
    assert (entry.action, entry.changes) == ("update", {"minor_wait_days": [14, 7]})


def test_a_change_to_the_same_values_writes_no_entry(personas):
    update_capa_policy(personas.org, actor=personas.manager, major_due_days=45)
    update_capa_policy(personas.org, actor=personas.manager, major_due_days=45)
    assert len(policy_entries(personas.org)) == 1


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES - IMPLEMENTERS))
def test_only_implementers_change_the_policy(personas, role):
    with pytest.raises(PermissionDenied):
        update_capa_policy(personas.org, actor=personas.users[role], major_due_days=10)
    assert not CapaPolicy.objects.exists()
    assert policy_entries(personas.org) == []


def test_a_member_of_another_organization_cannot_change_it(personas):
    with pytest.raises(PermissionDenied):
        update_capa_policy(personas.org, actor=personas.outsider, major_due_days=10)
    assert not CapaPolicy.objects.exists()


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"major_due_days": 0}, ["major_due_days"]),
        ({"minor_due_days": -1}, ["minor_due_days"]),
        ({"major_wait_days": 731}, ["major_wait_days"]),
        ({"minor_wait_days": "14"}, ["minor_wait_days"]),
        ({"minor_wait_days": True}, ["minor_wait_days"]),
        ({"minor_wait_days": 1.5}, ["minor_wait_days"]),
        ({"grace_days": 3}, ["grace_days"]),
        ({"major_due_days": 0, "major_wait_days": -5}, ["major_due_days", "major_wait_days"]),
    ],
)
def test_bad_days_are_refused_naming_each_field(personas, fields, bad):
    update_capa_policy(personas.org, actor=personas.manager, minor_due_days=80)
    before = list(CapaPolicy.objects.values())
    with pytest.raises(ValidationFailed) as excinfo:
        update_capa_policy(personas.org, actor=personas.manager, **fields)
    assert [e.field for e in excinfo.value.errors] == bad
    assert list(CapaPolicy.objects.values()) == before
    assert len(policy_entries(personas.org)) == 1


def test_the_limits_themselves_are_accepted(personas):
    policy = update_capa_policy(
        personas.org,
        actor=personas.manager,
        major_due_days=1,
        minor_due_days=730,
        major_wait_days=0,
    )
    assert (policy.major_due_days, policy.minor_due_days, policy.major_wait_days) == (1, 730, 0)


@pytest.mark.parametrize(("severity", "days"), [("major", 20), ("minor", 40)])
def test_triage_takes_the_due_date_from_the_policy(personas, catalog, severity, days):
    cast = make_cast(personas)
    update_capa_policy(cast.org, actor=cast.manager, major_due_days=20, minor_due_days=40)
    nc = drive(cast, Nonconformity.Status.REPORTED)
    data = step_data(cast, "triage") | {"severity": severity}
    assert transition_nonconformity(nc, "triage", actor=cast.manager, **data).due_date == in_days(
        days
    )


def test_another_organizations_policy_does_not_apply(personas):
    update_capa_policy(personas.other, actor=personas.outsider, minor_due_days=5)
    assert policy_for(personas.org).minor_due_days == 90
    assert policy_for(personas.other.pk).minor_due_days == 5
