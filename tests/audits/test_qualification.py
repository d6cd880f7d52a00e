"""Internal auditors' qualification, derived from the people records and the audits: the path
passed (and not expired) plus completed internal audits of the standard, or a qualification
granted; the auditors page, recording a qualification, and the warning when a team member
is not qualified. A fixed number of queries whatever the number of people."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pdca.audits.models import Audit, AuditTeamMember
from pdca.audits.qualification import (
    REQUIRED_AUDITS,
    grant_internal_auditor,
    standings,
    team_warnings,
)
from pdca.core.exceptions import Conflict
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.people.models import Qualification
from pdca.standards.models import Standard
from tests.audits.test_audit_register import make_audit, make_member
from tests.people.factories import in_days, make_path, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def iso9001(catalog):
    return Standard.objects.get(code="iso9001-2015")


def auditor_path(org, actor):
    path = make_path(org, actor, "internal-auditor")
    path.role = Role.INTERNAL_AUDITOR
    path.save()
    return path


def completed_audit(org, standard, user, role: str, index: int) -> Audit:
    audit = make_audit(org, 10 + index, status=Audit.Status.CLOSED)
    audit.standards.add(standard)
    AuditTeamMember.objects.create(organization=org, audit=audit, user=user, role=role)
    return audit


def standing_of(org, user, standard):
    (found,) = standings(org, users=[user], standards=[standard])
    return found


def test_the_path_and_enough_audits_qualify(personas, iso9001):
    org, manager = personas.org, personas.manager
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    path = auditor_path(org, manager)
    assert not standing_of(org, auditor, iso9001).qualified
    record(org, manager, auditor, path=path, title="Internal auditor", completed_on=in_days(-10))
    only_path = standing_of(org, auditor, iso9001)
    assert not only_path.qualified and f"0 of {REQUIRED_AUDITS}" in only_path.missing
    completed_audit(org, iso9001, auditor, "observer", 1)
    # An audit still in progress does not count.
    running = make_audit(org, 30, status=Audit.Status.IN_PROGRESS)
    running.standards.add(iso9001)
    AuditTeamMember.objects.create(organization=org, audit=running, user=auditor, role="auditor")
    assert standing_of(org, auditor, iso9001).audits_count == 1
    completed_audit(org, iso9001, auditor, "lead", 2)
    qualified = standing_of(org, auditor, iso9001)
    assert qualified.qualified and (qualified.observed, qualified.audited, qualified.led) == (
        1,
        1,
        1,
    )
    assert "Internal auditor passed" in qualified.basis


def test_an_expired_path_or_audits_of_another_standard_do_not_qualify(personas, iso9001):
    org, manager = personas.org, personas.manager
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    path = auditor_path(org, manager)
    record(org, manager, auditor, path=path, completed_on=in_days(-800), expires_on=in_days(-5))
    other = Standard.objects.get(code="iso14001-2015")
    completed_audit(org, other, auditor, "auditor", 1)
    completed_audit(org, other, auditor, "auditor", 2)
    assert not standing_of(org, auditor, iso9001).qualified
    assert standing_of(org, auditor, other).path_record is None


def test_audits_logged_as_records_count_and_a_grant_qualifies(personas, iso9001):
    org, manager = personas.org, personas.manager
    person = make_member(org, "Experienced Auditor", Role.PROCESS_OWNER)
    path = auditor_path(org, manager)
    record(org, manager, person, path=path)
    for n in range(REQUIRED_AUDITS):
        record(
            org,
            manager,
            person,
            kind="audit",
            audit_role="auditor",
            standard=iso9001,
            title=f"Supplier audit {n}",
        )
    assert standing_of(org, person, iso9001).qualified
    newcomer = make_member(org, "Newcomer", Role.EMPLOYEE)
    Qualification.objects.create(
        organization=org,
        person=newcomer,
        kind="internal_auditor",
        standard=None,
        granted_on=in_days(-1),
    )
    assert standing_of(org, newcomer, iso9001).qualified


def test_recording_a_qualification_needs_the_records(personas, iso9001):
    org, manager = personas.org, personas.manager
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    with pytest.raises(Conflict, match="not qualified yet"):
        grant_internal_auditor(org, auditor, iso9001, actor=manager)
    assert not Qualification.objects.exists()
    path = auditor_path(org, manager)
    record(org, manager, auditor, path=path)
    completed_audit(org, iso9001, auditor, "observer", 1)
    completed_audit(org, iso9001, auditor, "auditor", 2)
    granted = grant_internal_auditor(org, auditor, iso9001, actor=manager)
    assert granted.standard == iso9001 and "2 audit(s)" in granted.basis
    with pytest.raises(Conflict, match="already"):
        grant_internal_auditor(org, auditor, iso9001, actor=manager)


def test_the_query_count_does_not_grow_with_people(personas, iso9001):
    org, manager = personas.org, personas.manager
    path = auditor_path(org, manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            standings(org, standards=[iso9001])
        return len(queries)

    people = [make_member(org, f"Auditor {n}", Role.INTERNAL_AUDITOR) for n in range(3)]
    for n, person in enumerate(people):
        record(org, manager, person, path=path)
        completed_audit(org, iso9001, person, "auditor", n)
    few = count()
    more = [make_member(org, f"Auditor {n}", Role.INTERNAL_AUDITOR) for n in range(3, 15)]
    for n, person in enumerate(more, start=3):
        record(org, manager, person, path=path)
        completed_audit(org, iso9001, person, "observer", n)
    assert count() == few


def test_the_team_page_shows_qualification_and_warns(client, personas, iso9001):
    org, manager = personas.org, personas.manager
    audit = make_audit(org, 50)
    audit.standards.add(iso9001)
    newcomer = make_member(org, "New Person", Role.EMPLOYEE)
    assert team_warnings(audit, newcomer) == [
        f"New Person is not qualified for iso9001-2015: the internal auditor path is not passed "
        f"(or has expired); 0 of {REQUIRED_AUDITS} audits taken part in."
    ]
    login(client, manager)
    page = client.get(f"/audits/{audit.pk}/team/add/").content.decode()
    assert "not qualified for iso9001-2015" in page
    response = client.post(
        f"/audits/{audit.pk}/team/add/", {"user": newcomer.pk, "role": "auditor"}, follow=True
    )
    assert "New Person is not qualified for iso9001-2015" in response.content.decode()
    assert audit.team.filter(user=newcomer).exists()


def test_the_auditors_page(client, personas, iso9001):
    org, manager = personas.org, personas.manager
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    path = auditor_path(org, manager)
    record(org, manager, auditor, path=path)
    completed_audit(org, iso9001, auditor, "observer", 1)
    completed_audit(org, iso9001, auditor, "auditor", 2)
    login(client, manager)
    page = client.get("/audits/auditors/").content.decode()
    assert "Record the qualification" in page
    grant = client.post(f"/audits/auditors/{auditor.pk}/standards/{iso9001.pk}/grant/")
    assert grant.status_code == 302 and Qualification.objects.filter(person=auditor).exists()
    login(client, personas.employee)
    assert client.get("/audits/auditors/").status_code == 403
    assert (
        client.post(f"/audits/auditors/{auditor.pk}/standards/{iso9001.pk}/grant/").status_code
        == 403
    )
    login(client, personas.outsider)
    assert client.post(
        f"/audits/auditors/{auditor.pk}/standards/{iso9001.pk}/grant/"
    ).status_code in (403, 404)
