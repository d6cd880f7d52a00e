"""A training record of kind `transition` (an auditor's training for a new edition of a
standard) names the new edition: one that replaces an earlier edition in the catalog. The
register refuses it without one, or with an edition that replaces none, naming the field; and
only valid, passed or attended records count for team selection (`trained_for`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.exceptions import ValidationFailed
from pdca.core.registers.services import create_entry
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.people.models import TrainingRecord
from pdca.people.registers import RECORDS
from pdca.people.services.transition_training import new_editions, trained_for
from pdca.standards.models import Standard

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def editions(db):
    old = Standard.objects.create(
        code="iso98001-2015",
        name="ISO 98001",
        title="Test",
        edition="2015",
        discipline="quality",
        structure="hs",
    )
    new = Standard.objects.create(
        code="iso98001-2026",
        name="ISO 98001",
        title="Test",
        edition="2026",
        discipline="quality",
        structure="hs",
        replaces=old,
        transition_ends=TODAY + dt.timedelta(days=300),
    )
    return old, new


def _record(personas, **fields):
    values = {
        "person": personas.users[Role.EMPLOYEE],
        "kind": "transition",
        "title": "Transition training",
        "completed_on": TODAY - dt.timedelta(days=5),
    }
    values.update(fields)
    return create_entry(RECORDS, personas.org, actor=personas.users[Role.SYSTEM_MANAGER], **values)


def test_a_transition_record_names_the_new_edition(personas, editions):
    _old, new = editions
    record = _record(personas, standard=new)
    assert (record.kind, record.standard) == ("transition", new)
    assert new in new_editions()


@pytest.mark.parametrize("which", ["none", "old"])
def test_without_a_new_edition_the_standard_is_named(personas, editions, which):
    old, _new = editions
    with pytest.raises(ValidationFailed) as refused:
        _record(personas, standard=None if which == "none" else old)
    assert [e.field for e in refused.value.errors] == ["standard"]
    assert not TrainingRecord.objects.filter(kind="transition").exists()


def test_the_register_api_refuses_it_naming_the_standard(client, personas, editions):
    old, new = editions
    login(client, personas.users[Role.SYSTEM_MANAGER])
    body = {
        "organization": personas.org.slug,
        "person": personas.users[Role.EMPLOYEE].pk,
        "kind": "transition",
        "title": "Transition training",
        "completed_on": TODAY.isoformat(),
        "standard": old.pk,
    }
    response = client.post("/api/v1/training-records/", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert "standard" in response.content.decode()
    body["standard"] = new.pk
    response = client.post("/api/v1/training-records/", body, content_type="application/json")
    assert response.status_code == 201, response.content


def test_only_valid_passed_or_attended_records_count(personas, editions):
    _old, new = editions
    people = {
        role: personas.users[role]
        for role in (Role.EMPLOYEE, Role.PROCESS_OWNER, Role.INTERNAL_AUDITOR, Role.TOP_MANAGEMENT)
    }
    _record(personas, person=people[Role.EMPLOYEE], standard=new)
    _record(personas, person=people[Role.PROCESS_OWNER], standard=new, result="failed")
    _record(
        personas,
        person=people[Role.INTERNAL_AUDITOR],
        standard=new,
        expires_on=TODAY - dt.timedelta(days=1),
        completed_on=TODAY - dt.timedelta(days=400),
    )
    _record(
        personas,
        person=people[Role.TOP_MANAGEMENT],
        standard=new,
        result="attended",
        completed_on=TODAY - dt.timedelta(days=1),
    )
    found = trained_for(personas.org.pk, [u.pk for u in people.values()], [new.pk], TODAY)
    assert dict(found) == {
        people[Role.EMPLOYEE].pk: {new.pk},
        people[Role.TOP_MANAGEMENT].pk: {new.pk},
    }
