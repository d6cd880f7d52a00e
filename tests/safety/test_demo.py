"""The safety demo: Acme's hazards, consultation and incidents, loaded once."""

from __future__ import annotations

import pytest

from pdca.accounts.models import User
from pdca.core.roles import Role
from pdca.improvement.models import Nonconformity
from pdca.safety import demo
from pdca.safety.models import Consultation, Hazard, HazardControl, Incident
from pdca.tenancy.models import Membership, Organization, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db):
    org = Organization.objects.create(name="Acme Precision", slug="acme")
    Site.objects.create(organization=org, name="Wakefield machining plant", code="PL1")
    for email, name, role in (
        (demo.MANAGER, "Sam Quality", Role.SYSTEM_MANAGER),
        (demo.PRODUCTION, "Omar Production", Role.PROCESS_OWNER),
        (demo.EMPLOYEE, "Eli Employee", Role.EMPLOYEE),
    ):
        user = User.objects.create_user(email, "demo-password-1234", full_name=name)
        Membership.objects.create(organization=org, user=user, role=role)
    return org


def test_the_demo_loads_once(acme):
    demo.load({})
    hazards = Hazard.objects.filter(organization=acme)
    assert hazards.count() == 5
    assert set(hazards.values_list("site__code", flat=True)) == {"PL1"}
    levels = set(HazardControl.objects.filter(organization=acme).values_list("level", flat=True))
    assert {"elimination", "substitution", "engineering", "administrative", "ppe"} <= levels
    talk = Consultation.objects.get(organization=acme)
    assert talk.workers_took_part
    assert talk.participants.filter(email=demo.EMPLOYEE).exists()
    near_miss = Incident.objects.get(organization=acme, kind="near_miss")
    assert near_miss.status == "investigating" and near_miss.nonconformity is not None
    assert near_miss.reported_by.email == demo.EMPLOYEE
    injury = Incident.objects.get(organization=acme, kind="injury")
    assert injury.status == "closed" and injury.record_reason()
    assert Nonconformity.objects.filter(organization=acme).count() == 1
    demo.load({})
    assert Hazard.objects.filter(organization=acme).count() == 5
    assert Incident.objects.filter(organization=acme).count() == 2


def test_the_demo_does_nothing_without_acme(db):
    demo.load({})
    assert not Hazard.objects.exists()
