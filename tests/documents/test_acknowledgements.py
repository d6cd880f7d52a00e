"""Read and acknowledge: requests by role and by person, who may ask, confirming (only the
person asked, once), the report's counts, requests left on a superseded version and asking the
same people again, and the report's query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.documents import acknowledgements as acks
from pdca.documents.models import Acknowledgement, DocumentVersion
from pdca.documents.versions import services
from pdca.system.permissions import IMPLEMENTERS
from pdca.tenancy.models import Membership
from tests.documents.test_versions import make_document, make_version, publish

pytestmark = pytest.mark.django_db

Status = DocumentVersion.Status
TODAY = acks.today()


def add_members(org, role: str, count: int) -> list:
    from pdca.accounts.models import User

    made = []
    for i in range(count):
        user = User.objects.create_user(
            f"{role}{i}@{org.slug}.example", "pw-123456789", full_name=f"{role} {i:02d}"
        )
        Membership.objects.create(organization=org, user=user, role=role)
        made.append(user)
    return made


def test_asking_roles_and_people(personas):
    version = make_version(personas.org, Status.PUBLISHED)
    extra = add_members(personas.org, Role.EMPLOYEE, 2)
    due = TODAY + dt.timedelta(days=14)
    made = acks.request_acknowledgement(
        version,
        actor=personas.manager,
        roles=[Role.EMPLOYEE],
        users=[personas.users[Role.INTERNAL_AUDITOR]],
        due_date=due,
    )
    asked = {a.user: a.via_role for a in made}
    assert asked == {
        personas.employee: "employee",
        extra[0]: "employee",
        extra[1]: "employee",
        personas.users[Role.INTERNAL_AUDITOR]: "",
    }
    assert {(a.due_date, a.assigned_by, a.acknowledged_at) for a in made} == {
        (due, personas.manager, None)
    }
    entry = ActivityEntry.objects.get(action="request_acknowledgement")
    assert entry.object_id == str(version.pk)
    assert len(entry.changes["asked"][1]) == 4
    # Asking again skips the people already asked.
    again = acks.request_acknowledgement(
        version, actor=personas.manager, roles=[Role.EMPLOYEE, Role.PROCESS_OWNER]
    )
    assert [a.user for a in again] == [personas.users[Role.PROCESS_OWNER]]
    assert Acknowledgement.objects.count() == 5


@pytest.mark.parametrize(
    ("request_kw", "field"),
    [
        ({"roles": ["wizard"]}, "roles"),
        ({"roles": [Role.LEAD_AUDITOR]}, "roles"),
        ({}, "roles"),
        ("outsider", "users"),
        ({"roles": [Role.EMPLOYEE], "due_date": dt.date(2000, 1, 1)}, "due_date"),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(personas, request_kw, field):
    version = make_version(personas.org, Status.PUBLISHED)
    kw = {"users": [personas.outsider]} if request_kw == "outsider" else request_kw
    with pytest.raises(ValidationFailed) as caught:
        acks.request_acknowledgement(version, actor=personas.manager, **kw)
    assert [e.field for e in caught.value.errors] == [field]
    assert not Acknowledgement.objects.exists()
    assert not ActivityEntry.objects.filter(action="request_acknowledgement").exists()


@pytest.mark.parametrize("status", ["draft", "in_review", "approved", "superseded", "obsolete"])
def test_only_the_published_version_is_read(personas, status):
    version = make_version(personas.org, status)
    with pytest.raises(Conflict) as caught:
        acks.request_acknowledgement(version, actor=personas.manager, roles=[Role.EMPLOYEE])
    assert caught.value.code == "not_published"
    assert not Acknowledgement.objects.exists()


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_who_asks(personas, role):
    version = make_version(personas.org, Status.PUBLISHED)
    if role in IMPLEMENTERS:
        acks.request_acknowledgement(version, actor=personas.users[role], roles=[Role.EMPLOYEE])
        assert Acknowledgement.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            acks.request_acknowledgement(version, actor=personas.users[role], roles=[Role.EMPLOYEE])
        assert not Acknowledgement.objects.exists()


def test_only_the_person_asked_confirms_and_only_once(personas):
    version = make_version(personas.org, Status.PUBLISHED)
    acks.request_acknowledgement(version, actor=personas.manager, users=[personas.employee])
    with pytest.raises(PermissionDenied) as caught:
        acks.acknowledge(version, actor=personas.users[Role.PROCESS_OWNER])
    assert caught.value.code == "not_asked"
    first = acks.acknowledge(version, actor=personas.employee)
    assert first.acknowledged_at is not None
    second = acks.acknowledge(version, actor=personas.employee)
    assert second.acknowledged_at == first.acknowledged_at
    assert ActivityEntry.objects.filter(action="acknowledge", actor=personas.employee).count() == 1


def test_the_report_counts(personas):
    version = make_version(personas.org, Status.PUBLISHED)
    late, on_time, done = (
        personas.employee,
        personas.users[Role.PROCESS_OWNER],
        personas.users[Role.ADMIN],
    )
    for user, due in ((late, TODAY - dt.timedelta(days=1)), (on_time, TODAY), (done, None)):
        Acknowledgement.objects.create(
            organization=personas.org, version=version, user=user, due_date=due, via_role=""
        )
    acks.acknowledge(version, actor=done)
    report = acks.acknowledgement_report(version)
    assert (report.asked, report.done, report.pending, report.overdue, report.percent) == (
        3,
        1,
        2,
        1,
        33,
    )
    assert [(r.email, r.role, r.overdue, r.acknowledged_at is not None) for r in report.rows] == [
        (late.email, "Employee", True, False),
        (on_time.email, "Process owner", False, False),
        (done.email, "Administrator", False, True),
    ]
    assert report.note == ""
    own = acks.acknowledgement_report(version, only_user=late)
    assert [r.email for r in own.rows] == [late.email]


def test_pending_requests_stay_on_the_superseded_version(personas):
    document = make_document(personas.org)
    author, approver = personas.users[Role.CONSULTANT], personas.manager
    first = publish(document, author=author, approver=approver, content="# One")
    acks.request_acknowledgement(
        first, actor=approver, roles=[Role.EMPLOYEE], users=[personas.users[Role.ADMIN]]
    )
    acks.acknowledge(first, actor=personas.users[Role.ADMIN])
    second = publish(document, author=author, approver=approver, content="# Two", summary="Second")
    first.refresh_from_db()
    assert first.acknowledgements.filter(acknowledged_at__isnull=True).count() == 1
    report = acks.acknowledgement_report(first)
    assert report.note == (
        "This version was superseded by v2. Its 1 pending request(s) stay on this version; ask "
        "the same people again on v2."
    )
    with pytest.raises(Conflict):
        acks.acknowledge(first, actor=personas.employee)
    again = acks.request_same_people(second, actor=approver)
    assert {(a.user, a.via_role) for a in again} == {
        (personas.employee, "employee"),
        (personas.users[Role.ADMIN], ""),
    }
    assert acks.acknowledgement_report(second).pending == 2
    assert acks.request_same_people(second, actor=approver) == []
    with pytest.raises(Conflict) as caught:
        acks.request_same_people(first, actor=approver)
    assert caught.value.code == "not_published"


def test_the_first_version_has_nobody_to_ask_again(personas):
    version = make_version(personas.org, Status.PUBLISHED)
    with pytest.raises(Conflict) as caught:
        acks.request_same_people(version, actor=personas.manager)
    assert caught.value.code == "no_previous_version"


def test_the_report_costs_the_same_queries_with_many_people(personas):
    version = make_version(personas.org, Status.PUBLISHED)
    acks.request_acknowledgement(version, actor=personas.manager, roles=[Role.EMPLOYEE])
    n_small, report = count_queries(lambda: acks.acknowledgement_report(version))
    assert report.asked == 1
    add_members(personas.org, Role.EMPLOYEE, 15)
    acks.request_acknowledgement(version, actor=personas.manager, roles=[Role.EMPLOYEE])
    Acknowledgement.objects.filter(version=version).update(acknowledged_at=timezone.now())
    n_large, report = count_queries(lambda: acks.acknowledgement_report(version))
    assert (report.asked, report.done) == (16, 16)
    assert n_large == n_small


def test_a_publication_of_a_withdrawn_document_brings_it_back(personas):
    document = make_document(personas.org)
    publish(document, author=personas.users[Role.CONSULTANT], approver=personas.manager)
    services.make_obsolete(document, actor=personas.manager, reason="Paused")
    assert document.obsolete is True
    publish(
        document, author=personas.users[Role.CONSULTANT], approver=personas.manager, summary="Back"
    )
    document.refresh_from_db()
    assert document.obsolete is False
    assert list(document.versions.values_list("number", "status")) == [
        (2, "published"),
        (1, "obsolete"),
    ]
