"""Certificates name their editions in full (`ISO 99001:2015+A1:2024`) and show the transition
to the edition replacing them, on every page, in the API, the public verification and the PDF;
a certificate not transferred by the end of the transition is proposed for expiry; no new
certificate is issued to an edition past its `new_certificates_until`."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.certification.models import (
    Certificate,
    CertificateEvent,
    CertificationDecision,
)
from pdca.certification.services.certificate_pdf import certificate_html
from pdca.certification.services.certificate_proposals import certificate_proposals
from pdca.certification.services.certificate_transitions import transition_certificate
from pdca.certification.services.certificates import issue_certificate
from pdca.certification.services.decisions import decide
from pdca.certification.services.editions import issuing_problem, transition_of
from pdca.core.exceptions import Conflict
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from tests.certification import certificate_factories as f
from tests.certification.edition_factories import (
    NEW,
    NEW_NAME,
    OLD,
    OLD_NAME,
    TODAY,
    certified,
    editions,
)
from tests.certification.programme_factories import new_cycle

pytestmark = pytest.mark.django_db
S = Certificate.Status


def _day(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


# --- the editions' rules, without HTTP ----------------------------------------------------


def test_the_transition_says_where_to_move_and_by_when():
    old, new = editions(ends=dt.date(2029, 4, 15))
    found = transition_of(old)
    assert found is not None and found.successor == new
    assert found.sentence(dt.date(2029, 4, 15)) == (
        f"In transition: move to {NEW_NAME} by 2029-04-15 (provisional date)."
    )
    assert found.sentence(dt.date(2029, 4, 16)) == (
        f"Transition to {NEW_NAME} ended on 2029-04-15 (provisional date): certificates to "
        f"{OLD_NAME} are not valid after it."
    )
    assert transition_of(new) is None


def test_issuing_is_refused_after_the_last_date_for_new_certificates():
    old, _new = editions(ends=_day(300), new_until=_day(10))
    assert issuing_problem([old], _day(10), renewal=True) is None
    refused = issuing_problem([old], _day(11), renewal=True)
    assert refused is not None and f"after {_day(10):%Y-%m-%d} (provisional date)" in refused
    # A scope change keeps the certificate's dates: allowed until the transition ends.
    assert issuing_problem([old], _day(11), renewal=False) is None
    assert issuing_problem([old], _day(301), renewal=False) is not None


def test_an_initial_grant_to_a_replaced_edition_is_refused_with_its_code(personas):
    editions(ends=_day(300), new_until=_day(-1))
    cycle = new_cycle(personas, standards=(OLD,))
    decider = personas.users[Role.CERTIFICATION_DECISION_MAKER]
    with pytest.raises(Conflict) as refused:
        decide(cycle, outcome="granted", on=TODAY, actor=decider)
    assert refused.value.code == "edition_replaced"
    assert OLD_NAME in refused.value.message and NEW_NAME in refused.value.message
    assert not CertificationDecision.objects.filter(cycle=cycle).exists()
    assert not Certificate.objects.filter(cycle=cycle).exists()


def test_issue_certificate_itself_refuses_a_replaced_edition(personas):
    editions(ends=_day(300), new_until=_day(-1))
    cycle = new_cycle(personas, standards=(OLD,))
    decision = f.decision(cycle, TODAY)
    with pytest.raises(Conflict) as refused:
        issue_certificate(decision, actor=personas.users[Role.CERTIFICATION_DECISION_MAKER])
    assert refused.value.code == "edition_replaced"
    assert not Certificate.objects.filter(cycle=cycle).exists()


def test_a_certificate_not_transferred_is_proposed_for_expiry_after_the_transition(personas):
    editions(ends=_day(-5), new_until=_day(-200))
    cert, _cycle = certified(personas.cb, decided=_day(-400))
    current = f.certificate(personas.cb, codes=("iso27001-2022",))
    proposals = certificate_proposals(personas.cb, TODAY)
    assert [(p.certificate, p.action, p.since) for p in proposals] == [(cert, "expire", _day(-4))]
    assert proposals[0].reason == (
        f"Not transferred to {NEW_NAME} by the end of the transition, {_day(-5)} (provisional date)"
    )
    assert current not in [p.certificate for p in proposals]


def test_the_expiry_after_the_transition_goes_through_the_one_transition(personas):
    editions(ends=_day(-5), new_until=_day(-200))
    cert, _cycle = certified(personas.cb, decided=_day(-400))
    manager = personas.users[Role.CB_MANAGER]
    transition_certificate(
        cert, S.EXPIRED, actor=manager, reason="Not transferred in time", on=_day(-4)
    )
    cert.refresh_from_db()
    assert (cert.status, cert.status_changed_on) == (S.EXPIRED, _day(-4))
    assert cert.expires_on > TODAY  # expired before its own last day: the transition ended


def test_expiry_before_the_transition_ends_is_still_refused(personas):
    editions(ends=_day(30))
    cert, _cycle = certified(personas.cb)
    with pytest.raises(Conflict) as refused:
        transition_certificate(
            cert, S.EXPIRED, actor=personas.users[Role.CB_MANAGER], reason="x", on=TODAY
        )
    assert refused.value.code == "not_yet_expired"
    cert.refresh_from_db()
    assert cert.status == S.ACTIVE


def test_the_transfer_is_only_by_a_decision(personas):
    _old, new = editions()
    cert, _cycle = certified(personas.cb)
    with pytest.raises(Conflict) as refused:
        transition_certificate(
            cert, S.ACTIVE, actor=personas.users[Role.CB_MANAGER], reason="x", standards=[new]
        )
    assert refused.value.code == "transfer_by_decision"
    assert [s.code for s in cert.standards.all()] == [OLD]
    assert cert.events.count() == 1


# --- pages ----------------------------------------------------------------------------------


def test_certificate_page_names_the_edition_and_its_transition(client, personas):
    editions(ends=dt.date(2029, 4, 15))
    cert, cycle = certified(personas.cb)
    login(client, personas.users[Role.AUDITOR])
    page = client.get(f"/cb/certificates/{cert.pk}/").content.decode()
    assert OLD_NAME in page
    assert f"In transition: move to {NEW_NAME} by 2029-04-15 (provisional date)." in page
    assert f"/cb/cycles/{cycle.pk}/#transition" in page


def test_certificate_page_shows_a_transfer_in_the_history(client, personas):
    old, new = editions()
    cert, _cycle = certified(personas.cb)
    cert.standards.set([new])
    CertificateEvent.objects.create(
        organization=personas.cb,
        certificate=cert,
        from_status=S.ACTIVE,
        to_status=S.ACTIVE,
        on=TODAY,
        reason="Transferred",
        standards_from=[old.code],
        standards_to=[new.code],
    )
    login(client, personas.users[Role.AUDITOR])
    page = client.get(f"/cb/certificates/{cert.pk}/").content.decode()
    assert f"Editions: {OLD_NAME} → {NEW_NAME}" in page
    assert "In transition" not in page


def test_list_shows_the_transition_and_the_summary_and_filters(client, personas):
    editions(ends=dt.date(2029, 4, 15), new_until=dt.date(2027, 10, 31))
    moving, _cycle = certified(personas.cb)
    current = f.certificate(personas.cb, codes=("iso27001-2022",))
    login(client, personas.users[Role.AUDITOR])
    page = client.get("/cb/certificates/").content.decode()
    assert "Editions in transition" in page
    assert (
        f"<strong>{OLD_NAME}</strong> → {NEW_NAME}: certificates valid until 2029-04-15, no new "
        "or renewed ones after 2027-10-31"
    ) in page
    assert "1 certificate still to transfer" in page
    assert f"In transition: move to {NEW_NAME} by 2029-04-15" in page
    shown = client.get("/cb/certificates/?in_transition=yes").content.decode()
    assert f">{moving.number}<" in shown and f">{current.number}<" not in shown
    shown = client.get("/cb/certificates/?in_transition=no").content.decode()
    assert f">{moving.number}<" not in shown and f">{current.number}<" in shown


def test_list_and_detail_queries_do_not_grow_with_transitions(client, personas):
    editions()
    login(client, personas.users[Role.CB_MANAGER])
    cert, _ = certified(personas.cb)
    f.certificate(personas.cb, codes=("iso27001-2022", "iso45001-2018"))
    small, _ = count_queries(lambda: client.get("/cb/certificates/"))
    detail_small, _ = count_queries(lambda: client.get(f"/cb/certificates/{cert.pk}/"))
    api_small, _ = count_queries(lambda: client.get("/api/v1/cb/certificates/"))
    for _ in range(6):
        certified(personas.cb)
        f.certificate(personas.cb, codes=("iso27001-2022", "iso45001-2018"))
    large, response = count_queries(lambda: client.get("/cb/certificates/"))
    assert "7 certificates still to transfer" in response.content.decode()
    api_large, response = count_queries(lambda: client.get("/api/v1/cb/certificates/"))
    assert response.json()["count"] == 14
    assert (large, api_large) == (small, api_small)
    detail_large, _ = count_queries(lambda: client.get(f"/cb/certificates/{cert.pk}/"))
    assert detail_large == detail_small


# --- API ------------------------------------------------------------------------------------


def test_api_gives_the_full_name_and_the_transition_object(client, personas):
    editions(ends=dt.date(2029, 4, 15), new_until=dt.date(2027, 10, 31))
    cert, _cycle = certified(personas.cb)
    login(client, personas.users[Role.AUDITOR])
    data = client.get(f"/api/v1/cb/certificates/{cert.pk}/").json()
    transition = {
        "standard": OLD,
        "full_name": OLD_NAME,
        "successor": NEW,
        "successor_full_name": NEW_NAME,
        "ends": "2029-04-15",
        "new_certificates_until": "2027-10-31",
        "provisional": True,
        "ended": False,
        "note": "Three years from publication.",
        "text": f"In transition: move to {NEW_NAME} by 2029-04-15 (provisional date).",
    }
    assert data["standards"] == [
        {
            "code": OLD,
            "name": "ISO 99001",
            "edition": "2015",
            "edition_label": "2015+A1:2024",
            "full_name": OLD_NAME,
            "provisional": False,
            "transition": transition,
        }
    ]
    assert data["transition"] == transition
    listed = client.get("/api/v1/cb/certificates/", {"in_transition": True}).json()
    assert [r["number"] for r in listed["items"]] == [cert.number]
    other = f.certificate(personas.cb, codes=("iso27001-2022",))
    data = client.get(f"/api/v1/cb/certificates/{other.pk}/").json()
    assert data["transition"] is None


def test_a_final_certificate_shows_no_transition(client, personas):
    editions()
    cert, _cycle = certified(personas.cb)
    Certificate.objects.filter(pk=cert.pk).update(status=S.WITHDRAWN)
    login(client, personas.users[Role.AUDITOR])
    data = client.get(f"/api/v1/cb/certificates/{cert.pk}/").json()
    assert data["transition"] is None
    assert data["standards"][0]["transition"]["successor"] == NEW  # the edition's fact stays


# --- public verification and PDF -----------------------------------------------------------


def test_public_verification_names_the_edition_and_the_transition(client, personas):
    editions(ends=dt.date(2029, 4, 15))
    f.profile(personas.cb)
    cert, _cycle = certified(personas.cb)
    data = client.get(f"/api/v1/verify/{cert.number}").json()
    assert data["valid"] is True
    assert [s["full_name"] for s in data["standards"]] == [OLD_NAME]
    assert data["standards"][0]["transition"]["successor_full_name"] == NEW_NAME
    assert data["transitions"] == [
        f"In transition: move to {NEW_NAME} by 2029-04-15 (provisional date)."
    ]
    assert data["status_text"].startswith("Valid: issued on")
    page = client.get(f"/verify/{cert.number}/").content.decode()
    assert OLD_NAME in page and "In transition: move to" in page
    register = client.get("/api/v1/verify/", {"q": cert.number}).json()
    assert register["items"][0]["standards"][0]["full_name"] == OLD_NAME


def test_public_verification_says_not_valid_after_the_transition(client, personas):
    editions(ends=_day(-1), new_until=_day(-100))
    cert, _cycle = certified(personas.cb, decided=_day(-300))
    data = client.get(f"/api/v1/verify/{cert.number}").json()
    assert (data["status"], data["valid"]) == ("active", False)
    assert f"ended on {_day(-1):%Y-%m-%d}" in data["status_text"]
    page = client.get(f"/verify/{cert.number}/").content.decode()
    assert "Not valid: Valid: issued" not in page
    assert f"Transition to {NEW_NAME} ended on" in page


def test_pdf_names_the_edition_and_its_transition(personas):
    editions(ends=dt.date(2029, 4, 15))
    f.profile(personas.cb)
    cert, _cycle = certified(personas.cb)
    html = certificate_html(cert)
    assert OLD_NAME in html
    assert f"In transition: move to {NEW_NAME} by 2029-04-15 (provisional date)." in html
    assert "this certificate is not valid" not in html.lower()


def test_pdf_says_not_valid_after_the_transition(personas):
    editions(ends=_day(-1), new_until=_day(-100))
    cert, _cycle = certified(personas.cb, decided=_day(-300))
    assert "This certificate is not valid." in certificate_html(cert)
