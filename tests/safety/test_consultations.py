"""Consultation and participation of workers: non-managerial participation is computed from
the participants' roles and the others counted, and shown per topic."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.registers.services import create_entry
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.safety.registers import CONSULTATIONS
from pdca.safety.selectors import participation

pytestmark = pytest.mark.django_db


def _consult(personas, participants, topic="ppe", days_ago=10, **fields):
    values = {
        "title": f"Consultation on {topic}",
        "held_on": timezone.localdate() - dt.timedelta(days=days_ago),
        "topic": topic,
        "format": "toolbox_talk",
        "participants": participants,
        **fields,
    }
    return create_entry(CONSULTATIONS, personas.org, actor=personas.manager, **values)


def test_workers_took_part_follows_the_members_roles(personas):
    managers_only = _consult(personas, [personas.manager, personas.users[Role.TOP_MANAGEMENT]])
    assert not managers_only.workers_took_part
    with_employee = _consult(personas, [personas.manager, personas.employee])
    assert with_employee.workers_took_part
    assert with_employee.members_non_managerial == 1
    with_owner = _consult(personas, [personas.users[Role.PROCESS_OWNER]])
    assert with_owner.workers_took_part


def test_others_counted_as_non_managerial_count_too(personas):
    consultation = _consult(
        personas, [personas.manager], other_participants="Agency welder", other_non_managerial=1
    )
    assert consultation.workers_took_part


def test_participation_by_topic_over_the_last_twelve_months(client, personas):
    _consult(personas, [personas.employee], topic="ppe")
    _consult(personas, [personas.manager], topic="ppe")
    _consult(personas, [personas.employee], topic="training")
    _consult(personas, [personas.employee], topic="training", days_ago=400)
    summary = participation(personas.org, personas.manager)
    assert (summary.total, summary.with_workers, summary.share) == (3, 2, 67)
    by_topic = {t.topic: (t.total, t.with_workers, t.share) for t in summary.by_topic}
    assert by_topic == {"ppe": (2, 1, 50), "training": (1, 1, 100)}
    login(client, personas.employee)
    response = client.get("/api/v1/consultations/participation/")
    assert response.status_code == 200
    assert response.json()["share"] == 67
    page = client.get("/consultations/participation/")
    assert page.status_code == 200
    assert 'id="share">67 %' in page.content.decode()
    login(client, personas.outsider)
    other = client.get(f"/api/v1/consultations/participation/?organization={personas.org.slug}")
    assert other.status_code == 404
