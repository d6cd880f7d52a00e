"""Every allowed change of a certificate's status, and every refused one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.certification.models import Certificate, CertificateEvent
from pdca.certification.services.certificate_transitions import MOVES, transition_certificate
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from tests.certification import certificate_factories as f

pytestmark = pytest.mark.django_db

S = Certificate.Status
ON = dt.date(2026, 1, 10)


@pytest.fixture
def manager(personas):
    return personas.users[Role.CB_MANAGER]


def _state(cert: Certificate) -> tuple:
    cert.refresh_from_db()
    return (
        cert.status,
        cert.status_changed_on,
        cert.status_reason,
        cert.scope,
        sorted(cert.sites.values_list("name", flat=True)),
        cert.events.count(),
        ActivityEntry.objects.filter(object_id=str(cert.pk)).count(),
    )


ALLOWED = [
    (S.ACTIVE, S.SUSPENDED, "suspend"),
    (S.SCOPE_REDUCED, S.SUSPENDED, "suspend"),
    (S.SUSPENDED, S.ACTIVE, "restore"),
    (S.ACTIVE, S.WITHDRAWN, "withdraw"),
    (S.SCOPE_REDUCED, S.WITHDRAWN, "withdraw"),
    (S.SUSPENDED, S.WITHDRAWN, "withdraw"),
]


@pytest.mark.parametrize(("source", "target", "action"), ALLOWED)
def test_allowed_status_change_writes_event_and_activity(personas, manager, source, target, action):
    cert = f.certificate(personas.cb, status=source, status_changed_on=dt.date(2025, 6, 1))
    events = cert.events.count()
    transition_certificate(cert, target, actor=manager, reason="Client asked", on=ON)
    cert.refresh_from_db()
    assert (cert.status, cert.status_changed_on, cert.status_reason) == (
        target,
        ON,
        "Client asked",
    )
    event = cert.events.order_by("-id").first()
    assert (event.from_status, event.to_status, event.on, event.reason, event.by) == (
        source,
        target,
        ON,
        "Client asked",
        manager,
    )
    assert cert.events.count() == events + 1
    entry = ActivityEntry.objects.get(object_id=str(cert.pk), action=action)
    assert entry.changes["status"] == [source, target]
    assert entry.message == "Client asked"


def test_move_table_is_what_the_docs_list():
    pairs = {(m.source, m.target) for m in MOVES}
    assert pairs == {
        (S.ACTIVE, S.SUSPENDED),
        (S.SCOPE_REDUCED, S.SUSPENDED),
        (S.SUSPENDED, S.ACTIVE),
        (S.ACTIVE, S.WITHDRAWN),
        (S.SCOPE_REDUCED, S.WITHDRAWN),
        (S.SUSPENDED, S.WITHDRAWN),
        (S.ACTIVE, S.SCOPE_REDUCED),
        (S.SUSPENDED, S.SCOPE_REDUCED),
        (S.SCOPE_REDUCED, S.SCOPE_REDUCED),
        (S.ACTIVE, S.EXPIRED),
        (S.SCOPE_REDUCED, S.EXPIRED),
        (S.SUSPENDED, S.EXPIRED),
    }


REFUSED = [
    (source, target)
    for source in S.values
    for target in S.values
    if (source, target) not in {(m.source, m.target) for m in MOVES} and target != S.RENEWED
]


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_move_is_refused_and_changes_nothing(personas, manager, source, target):
    cert = f.certificate(
        personas.cb,
        status=source,
        status_changed_on=dt.date(2025, 6, 1),
        expires_on=dt.date(2025, 12, 31) if target == S.EXPIRED else None,
    )
    before = _state(cert)
    extra = {"scope": "Less"} if target == S.SCOPE_REDUCED else {}
    with pytest.raises(Conflict) as refused:
        transition_certificate(cert, target, actor=manager, reason="Because", on=ON, **extra)
    assert refused.value.code == "invalid_transition"
    assert _state(cert) == before


@pytest.mark.parametrize("source", S.values)
def test_renewed_only_through_a_decision(personas, manager, source):
    cert = f.certificate(personas.cb, status=source)
    before = _state(cert)
    with pytest.raises(Conflict) as refused:
        transition_certificate(cert, S.RENEWED, actor=manager, reason="Because", on=ON)
    assert refused.value.code == "renewal_by_decision"
    assert _state(cert) == before


def test_unknown_status_is_refused(personas, manager):
    cert = f.certificate(personas.cb)
    with pytest.raises(Conflict) as refused:
        transition_certificate(cert, "revoked", actor=manager, reason="x", on=ON)
    assert refused.value.code == "invalid_status"


@pytest.mark.parametrize("reason", ["", "   "])
def test_suspension_needs_a_reason(personas, manager, reason):
    cert = f.certificate(personas.cb)
    before = _state(cert)
    with pytest.raises(ValidationFailed) as refused:
        transition_certificate(cert, S.SUSPENDED, actor=manager, reason=reason, on=ON)
    assert [(e.field, e.code) for e in refused.value.errors] == [("reason", "required")]
    assert _state(cert) == before


def test_too_long_reason_and_future_date_are_named(personas, manager):
    cert = f.certificate(personas.cb)
    future = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        transition_certificate(cert, S.SUSPENDED, actor=manager, reason="x" * 501, on=future)
    assert [e.field for e in refused.value.errors] == ["reason", "on"]


def test_date_before_the_last_change_is_refused(personas, manager):
    cert = f.certificate(personas.cb, status=S.SUSPENDED, status_changed_on=dt.date(2026, 2, 1))
    before = _state(cert)
    with pytest.raises(Conflict) as refused:
        transition_certificate(cert, S.ACTIVE, actor=manager, reason="Fixed", on=ON)
    assert refused.value.code == "date_before_last_change"
    assert _state(cert) == before


def test_expiry_before_the_last_valid_day_is_refused(personas, manager):
    cert = f.certificate(personas.cb, expires_on=ON)
    with pytest.raises(Conflict) as refused:
        transition_certificate(cert, S.EXPIRED, actor=manager, reason="Ended", on=ON)
    assert refused.value.code == "not_yet_expired"


def test_expiry_the_day_after_the_last_valid_day(personas, manager):
    cert = f.certificate(personas.cb, expires_on=ON - dt.timedelta(days=1))
    transition_certificate(cert, S.EXPIRED, actor=manager, reason="Ended", on=ON)
    assert _state(cert)[:2] == (S.EXPIRED, ON)


def test_suspension_after_expiry_is_refused(personas, manager):
    cert = f.certificate(personas.cb, expires_on=dt.date(2025, 12, 31))
    with pytest.raises(Conflict) as refused:
        transition_certificate(cert, S.SUSPENDED, actor=manager, reason="Late", on=ON)
    assert refused.value.code == "past_expiry"


def test_scope_reduction_keeps_chosen_sites_and_new_text(personas, manager):
    cert = f.certificate(personas.cb, sites=3)
    keep = list(cert.sites.order_by("name"))[:2]
    transition_certificate(
        cert,
        S.SCOPE_REDUCED,
        actor=manager,
        reason="Site 3 closed",
        on=ON,
        scope="Manufacture of widgets",
        sites=keep,
    )
    state = _state(cert)
    assert state[:5] == (
        S.SCOPE_REDUCED,
        ON,
        "Site 3 closed",
        "Manufacture of widgets",
        ["Site 1", "Site 2"],
    )
    entry = ActivityEntry.objects.get(object_id=str(cert.pk), action="reduce_scope")
    assert entry.changes["scope"] == ["Design and manufacture of widgets", "Manufacture of widgets"]
    assert len(entry.changes["sites"][0]) == 3


def test_suspended_certificate_can_end_its_suspension_by_a_scope_reduction(personas, manager):
    cert = f.certificate(personas.cb, status=S.SUSPENDED, status_changed_on=dt.date(2025, 6, 1))
    transition_certificate(cert, S.SCOPE_REDUCED, actor=manager, reason="Cut", on=ON, scope="Less")
    assert _state(cert)[0] == S.SCOPE_REDUCED
    assert cert.is_valid


def test_scope_reduction_needs_a_change(personas, manager):
    cert = f.certificate(personas.cb, sites=2)
    before = _state(cert)
    with pytest.raises(ValidationFailed) as refused:
        transition_certificate(cert, S.SCOPE_REDUCED, actor=manager, reason="x", on=ON)
    assert refused.value.errors[0].field == "scope"
    with pytest.raises(ValidationFailed) as refused:
        transition_certificate(
            cert,
            S.SCOPE_REDUCED,
            actor=manager,
            reason="x",
            on=ON,
            scope=cert.scope,
            sites=list(cert.sites.all()),
        )
    assert refused.value.errors[0].code == "unchanged"
    assert _state(cert) == before


def test_scope_reduction_refuses_foreign_or_no_sites(personas, manager):
    cert = f.certificate(personas.cb, sites=2)
    other = f.site(f.client(personas.cb), name="Elsewhere")
    before = _state(cert)
    for sites, code in (([other], "not_a_site"), ([], "required")):
        with pytest.raises(ValidationFailed) as refused:
            transition_certificate(
                cert, S.SCOPE_REDUCED, actor=manager, reason="x", on=ON, sites=sites
            )
        assert [(e.field, e.code) for e in refused.value.errors] == [("sites", code)]
    assert _state(cert) == before


def test_scope_given_with_another_move_is_refused(personas, manager):
    cert = f.certificate(personas.cb)
    with pytest.raises(ValidationFailed) as refused:
        transition_certificate(cert, S.SUSPENDED, actor=manager, reason="x", on=ON, scope="y")
    assert refused.value.errors[0].field == "scope"


@pytest.mark.parametrize(
    "role",
    [Role.LEAD_AUDITOR, Role.AUDITOR, Role.TECHNICAL_EXPERT, Role.CERTIFICATION_DECISION_MAKER],
)
def test_only_managers_change_a_certificate(personas, role):
    cert = f.certificate(personas.cb)
    before = _state(cert)
    with pytest.raises(PermissionDenied):
        transition_certificate(cert, S.SUSPENDED, actor=personas.users[role], reason="x", on=ON)
    assert _state(cert) == before


def test_outsider_cannot_change_a_certificate(personas):
    cert = f.certificate(personas.cb)
    with pytest.raises(PermissionDenied):
        transition_certificate(cert, S.SUSPENDED, actor=personas.outsider, reason="x", on=ON)
    assert not CertificateEvent.objects.filter(certificate=cert, to_status=S.SUSPENDED).exists()


def test_without_a_person_only_expiry_happens(personas):
    cert = f.certificate(personas.cb, expires_on=dt.date(2025, 12, 31))
    with pytest.raises(Conflict) as refused:
        transition_certificate(cert, S.SUSPENDED, actor=None, reason="x", on=ON)
    assert refused.value.code == "actor_required"
    transition_certificate(cert, S.EXPIRED, actor=None, reason="Expired", on=ON)
    event = cert.events.order_by("-id").first()
    assert (event.to_status, event.by) == (S.EXPIRED, None)
