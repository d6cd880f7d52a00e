"""Issuing certificates from granted decisions: numbers, dates, accreditation, renewals."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.certification.models import Certificate, CertificationCycle, CertificationDecision
from pdca.certification.services.certificates import issue_certificate
from pdca.core.exceptions import Conflict
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from tests.certification import certificate_factories as f

pytestmark = pytest.mark.django_db

K = CertificationDecision.Kind
S = Certificate.Status


@pytest.fixture
def body(personas):
    f.profile(personas.cb)
    f.accredit(personas.cb)
    return personas.cb


@pytest.fixture
def decider(personas):
    return personas.users[Role.CERTIFICATION_DECISION_MAKER]


#: An edition no newer one replaces in the catalog: renewals years ahead meet no transition.
LASTING = ("iso27001-2022",)


def _issue(cycle, on, decider, kind=K.INITIAL):
    decision = f.decision(cycle, on, kind=kind, by=decider)
    return issue_certificate(decision, actor=decider), decision


def test_initial_certificate_copies_the_cycle_and_sets_its_dates(body, decider):
    client = f.client(body, name="Widgets Ltd", legal_name="Widgets Limited")
    cycle = f.cycle(client, codes=("iso9001-2015", "iso14001-2015"), sites=2)
    f.accredit(body, "iso14001-2015")
    cert, decision = _issue(cycle, dt.date(2026, 5, 4), decider)
    assert cert.number == "NB-000001"
    assert cert.client_name == "Widgets Limited"
    assert cert.scope == "Design and manufacture of widgets"
    assert sorted(s.code for s in cert.standards.all()) == ["iso14001-2015", "iso9001-2015"]
    assert sorted(s.name for s in cert.sites.all()) == ["Site 1", "Site 2"]
    assert cert.issued_on == cert.original_issued_on == dt.date(2026, 5, 4)
    assert cert.expires_on == dt.date(2029, 5, 3)
    assert (cert.status, cert.status_changed_on) == (S.ACTIVE, dt.date(2026, 5, 4))
    assert cert.accredited is True
    assert (cert.accreditation_body, cert.accreditation_number) == ("UKAS", "0042")
    cycle.refresh_from_db()
    assert cycle.status == CertificationCycle.Status.CERTIFIED
    assert (cycle.decision_date, cycle.expiry_date) == (dt.date(2026, 5, 4), dt.date(2029, 5, 3))
    decision.refresh_from_db()
    assert decision.certificate_id == cert.pk
    events = list(cert.events.values_list("from_status", "to_status", "on", "by"))
    assert events == [("", S.ACTIVE, dt.date(2026, 5, 4), decider.pk)]
    actions = list(
        ActivityEntry.objects.filter(organization=body).values_list("object_type", "action")
    )
    assert ("certification.certificate", "create") in actions
    assert ("certification.certificationcycle", "certify") in actions


def test_decision_on_29_february_expires_on_28_february_three_years_on(body, decider):
    cert, _ = _issue(f.cycle(f.client(body)), dt.date(2028, 2, 29), decider)
    assert cert.issued_on == dt.date(2028, 2, 29)
    assert cert.expires_on == dt.date(2031, 2, 28)


def test_numbers_follow_the_bodys_sequence_and_skip_another_bodys_numbers(body, decider, personas):
    from pdca.tenancy.models import Organization

    rival = Organization.objects.create(
        name="Rival", slug="rival", kind=Organization.Kind.CERTIFICATION_BODY
    )
    f.certificate(rival, number="NB-000002")
    first, _ = _issue(f.cycle(f.client(body)), dt.date(2026, 1, 5), decider)
    second, _ = _issue(f.cycle(f.client(body)), dt.date(2026, 1, 6), decider)
    assert (first.number, second.number) == ("NB-000001", "NB-000003")


def test_body_without_profile_uses_the_default_prefix_and_is_not_accredited(personas, decider):
    cert, _ = _issue(f.cycle(f.client(personas.cb)), dt.date(2026, 1, 5), decider)
    assert cert.number == "CERT-000001"
    assert cert.accredited is False
    assert (cert.accreditation_body, cert.accreditation_number) == ("", "")
    assert "issued without accreditation" in cert.events.get().reason


def test_standard_without_accredited_scope_gives_a_non_accredited_certificate(body, decider):
    cycle = f.cycle(f.client(body), codes=("iso9001-2015", "iso27001-2022"))
    cert, _ = _issue(cycle, dt.date(2026, 1, 5), decider)
    assert cert.accredited is False
    assert cert.accreditation_body == ""
    assert "ISO/IEC 27001:2022" in cert.events.get().reason or "27001" in cert.events.get().reason


def test_uncovered_sector_of_the_client_gives_a_non_accredited_certificate(personas, decider):
    f.profile(personas.cb)
    f.accredit(personas.cb, sector_codes="17, 19")
    covered, _ = _issue(
        f.cycle(f.client(personas.cb, sector_codes="17")), dt.date(2026, 1, 5), decider
    )
    uncovered, _ = _issue(
        f.cycle(f.client(personas.cb, sector_codes="17, 28")), dt.date(2026, 1, 5), decider
    )
    assert (covered.accredited, uncovered.accredited) == (True, False)


def test_scope_valid_only_before_the_decision_does_not_accredit(personas, decider):
    f.profile(personas.cb)
    f.accredit(personas.cb, valid_until=dt.date(2025, 12, 31))
    cert, _ = _issue(f.cycle(f.client(personas.cb)), dt.date(2026, 1, 5), decider)
    assert cert.accredited is False


def test_refused_decision_issues_nothing(body, decider):
    cycle = f.cycle(f.client(body))
    decision = f.decision(cycle, dt.date(2026, 1, 5), by=decider)
    decision.outcome = CertificationDecision.Outcome.REFUSED
    decision.save()
    with pytest.raises(Conflict) as refused:
        issue_certificate(decision, actor=decider)
    assert refused.value.code == "decision_not_granted"
    assert not Certificate.objects.exists()


def test_second_initial_decision_on_a_certified_cycle_is_refused(body, decider):
    cycle = f.cycle(f.client(body))
    _issue(cycle, dt.date(2026, 1, 5), decider)
    with pytest.raises(Conflict) as refused:
        _issue(cycle, dt.date(2026, 2, 5), decider)
    assert refused.value.code == "certificate_exists"
    assert Certificate.objects.count() == 1


def test_recertification_renews_with_a_revision_and_keeps_the_rhythm(body, decider):
    first_cycle = f.cycle(f.client(body), codes=LASTING)
    old, _ = _issue(first_cycle, dt.date(2026, 5, 4), decider)
    second_cycle = f.cycle(first_cycle.client, previous=first_cycle, codes=LASTING)
    new, _ = _issue(second_cycle, dt.date(2029, 3, 1), decider, kind=K.RECERTIFICATION)
    old.refresh_from_db()
    assert new.number == "NB-000001-R1"
    assert new.previous_id == old.pk
    assert new.issued_on == dt.date(2029, 3, 1)
    assert new.original_issued_on == dt.date(2026, 5, 4)
    assert new.expires_on == dt.date(2032, 5, 3)
    assert (old.status, old.status_changed_on) == (S.RENEWED, dt.date(2029, 3, 1))
    assert old.events.last().reason == "Replaced by NB-000001-R1"
    second_cycle.refresh_from_db()
    assert second_cycle.expiry_date == dt.date(2032, 5, 3)


def test_leap_day_certificate_renews_to_the_leap_rhythm(body, decider):
    first_cycle = f.cycle(f.client(body), codes=LASTING)
    old, _ = _issue(first_cycle, dt.date(2028, 2, 29), decider)
    second_cycle = f.cycle(first_cycle.client, previous=first_cycle, codes=LASTING)
    new, _ = _issue(second_cycle, dt.date(2030, 12, 1), decider, kind=K.RECERTIFICATION)
    assert old.expires_on == dt.date(2031, 2, 28)
    assert new.expires_on == dt.date(2034, 2, 28)


def test_recertification_after_expiry_is_refused_and_points_to_restoration(body, decider):
    first_cycle = f.cycle(f.client(body))
    old, _ = _issue(first_cycle, dt.date(2026, 5, 4), decider)
    second_cycle = f.cycle(first_cycle.client, previous=first_cycle)
    with pytest.raises(Conflict) as refused:
        _issue(second_cycle, dt.date(2029, 5, 4), decider, kind=K.RECERTIFICATION)
    assert refused.value.code == "recertification_after_expiry"
    assert "restoration" in refused.value.message
    old.refresh_from_db()
    assert old.status == S.ACTIVE
    assert Certificate.objects.count() == 1


def _expired(body, decider, on=dt.date(2026, 5, 4)):
    first_cycle = f.cycle(f.client(body), codes=LASTING)
    old, _ = _issue(first_cycle, on, decider)
    Certificate.objects.filter(pk=old.pk).update(
        status=S.EXPIRED, status_changed_on=old.expires_on + dt.timedelta(days=1)
    )
    return old, f.cycle(first_cycle.client, previous=first_cycle, codes=LASTING)


def test_restoration_within_six_months_of_expiry_renews_the_expired_certificate(body, decider):
    old, second_cycle = _expired(body, decider)
    new, _ = _issue(second_cycle, dt.date(2029, 11, 3), decider, kind=K.RESTORATION)
    old.refresh_from_db()
    assert new.number == "NB-000001-R1"
    assert new.expires_on == dt.date(2032, 5, 3)
    assert new.original_issued_on == dt.date(2026, 5, 4)
    assert old.status == S.RENEWED


def test_restoration_after_the_deadline_is_refused(body, decider):
    _old, second_cycle = _expired(body, decider)
    with pytest.raises(Conflict) as refused:
        _issue(second_cycle, dt.date(2029, 11, 4), decider, kind=K.RESTORATION)
    assert refused.value.code == "restoration_too_late"
    assert "2029-11-03" in refused.value.message


def test_restoration_of_a_certificate_in_force_is_refused(body, decider):
    first_cycle = f.cycle(f.client(body))
    _issue(first_cycle, dt.date(2026, 5, 4), decider)
    with pytest.raises(Conflict) as refused:
        _issue(first_cycle, dt.date(2027, 5, 4), decider, kind=K.RESTORATION)
    assert refused.value.code == "not_expired"


def test_recertification_without_a_certificate_is_refused(body, decider):
    with pytest.raises(Conflict) as refused:
        _issue(f.cycle(f.client(body)), dt.date(2027, 5, 4), decider, kind=K.RECERTIFICATION)
    assert refused.value.code == "no_certificate_to_replace"


def test_suspended_certificate_is_not_recertified(body, decider):
    first_cycle = f.cycle(f.client(body))
    old, _ = _issue(first_cycle, dt.date(2026, 5, 4), decider)
    Certificate.objects.filter(pk=old.pk).update(status=S.SUSPENDED)
    with pytest.raises(Conflict) as refused:
        _issue(
            f.cycle(first_cycle.client, previous=first_cycle),
            dt.date(2029, 1, 4),
            decider,
            kind=K.RECERTIFICATION,
        )
    assert refused.value.code == "certificate_not_in_force"


def test_scope_change_issues_a_revision_with_the_same_expiry(body, decider):
    cycle = f.cycle(f.client(body))
    old, _ = _issue(cycle, dt.date(2026, 5, 4), decider)
    CertificationCycle.objects.filter(pk=cycle.pk).update(
        scope="Design, manufacture and servicing of widgets"
    )
    new, _ = _issue(cycle, dt.date(2027, 2, 1), decider, kind=K.SCOPE_CHANGE)
    old.refresh_from_db()
    cycle.refresh_from_db()
    assert new.number == "NB-000001-R1"
    assert new.scope == "Design, manufacture and servicing of widgets"
    assert new.expires_on == old.expires_on == dt.date(2029, 5, 3)
    assert new.issued_on == dt.date(2027, 2, 1)
    assert new.original_issued_on == dt.date(2026, 5, 4)
    assert old.status == S.RENEWED
    assert cycle.decision_date == dt.date(2026, 5, 4)


def test_initial_decision_after_a_withdrawal_starts_a_new_number(body, decider):
    cycle = f.cycle(f.client(body))
    old, _ = _issue(cycle, dt.date(2026, 5, 4), decider)
    Certificate.objects.filter(pk=old.pk).update(status=S.WITHDRAWN)
    new, _ = _issue(f.cycle(cycle.client, previous=cycle), dt.date(2027, 5, 4), decider)
    old.refresh_from_db()
    assert new.number == "NB-000002"
    assert new.previous_id is None
    assert old.status == S.WITHDRAWN
