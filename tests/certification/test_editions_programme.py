"""The transition audit in the programme: planned combined with a surveillance due before the
end of the transition or on its own, refused when it cannot be held in time, scheduled against
the new edition; a granted transition decision transfers the certificate (history kept). The
page button, the API endpoint and the CLI command, each role, and query counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.audits.models import Audit
from pdca.certification.models import (
    Certificate,
    CertificationDecision,
    CycleAudit,
)
from pdca.certification.services import decisions
from pdca.certification.services.programme_audits import record_delivered_days, schedule_audit
from pdca.certification.services.transitions import (
    plan_transition_audit,
    transition_options,
)
from pdca.cli import app
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from tests.certification.edition_factories import (
    NEW,
    NEW_NAME,
    OLD,
    OLD_NAME,
    TODAY,
    certified,
    editions,
    programme_audit,
)
from tests.certification.factories import make_cb_personas

pytestmark = pytest.mark.django_db
K = CycleAudit.Kind
CB_ROLES = sorted(ALL_ROLES - ORGANIZATION_ROLES)
EVERYONE = [*CB_ROLES, "admin", Role.SYSTEM_MANAGER, Role.EMPLOYEE, "outsider"]


@pytest.fixture
def personas(db):
    return make_cb_personas()


def _as(client, personas, who):
    user = personas.outsider if who == "outsider" else personas.users[who]
    login(client, user)
    return user


def _day(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def manager(personas):
    return personas.users[Role.CB_MANAGER]


# --- planning ---------------------------------------------------------------------------------


def test_the_surveillance_due_before_the_deadline_is_offered(personas):
    editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    first = programme_audit(cycle, K.SURVEILLANCE, 1)
    assert first.due_date <= _day(400) < programme_audit(cycle, K.SURVEILLANCE, 2).due_date
    assert transition_options(cycle) == [first]


def test_combined_with_the_surveillance(personas):
    _old, new = editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    first = programme_audit(cycle, K.SURVEILLANCE, 1)
    item = plan_transition_audit(cycle, actor=manager(personas), combine_with=first)
    assert item == first
    assert list(item.transition_to.all()) == [new]
    assert CycleAudit.objects.filter(cycle=cycle).count() == 3  # nothing added
    entry = ActivityEntry.objects.get(
        object_type="certification.cycleaudit", object_id=str(first.pk), action="plan_transition"
    )
    assert entry.changes["transition_to"] == [[], [NEW]]
    assert transition_options(cycle) == []


def test_a_separate_transition_audit_is_due_by_the_end_of_the_transition(personas):
    _old, new = editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    item = plan_transition_audit(cycle, actor=manager(personas))
    assert (item.kind, item.sequence, item.due_date, item.planned_days) == (
        K.TRANSITION,
        1,
        _day(400),
        None,
    )
    assert list(item.transition_to.all()) == [new]
    assert item.reason == f"Transition from {OLD_NAME} to {NEW_NAME}."
    entry = ActivityEntry.objects.get(
        object_type="certification.cycleaudit", object_id=str(item.pk), action="create"
    )
    assert entry.changes["transition_to"] == [[], [NEW]]


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"due_date": "after"}, "due_date", "after_deadline"),
        ({"due_date": "past"}, "due_date", "past"),
        ({"combine_with": "second"}, "combine_with", "after_deadline"),
        ({"combine_with": "other"}, "combine_with", "not_in_cycle"),
        ({"combine_with": "first", "due_date": "ok"}, "due_date", "invalid"),
        ({"to": ["iso27001-2022"]}, "to", "not_a_successor"),
    ],
)
def test_bad_input_names_the_field_and_plans_nothing(personas, kwargs, field, code):
    editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    _other_cert, other = certified(personas.cb)
    values = {
        "after": _day(401),
        "past": _day(-1),
        "ok": _day(10),
        "first": programme_audit(cycle, K.SURVEILLANCE, 1),
        "second": programme_audit(cycle, K.SURVEILLANCE, 2),
        "other": programme_audit(other, K.SURVEILLANCE, 1),
    }
    given = {k: values.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    with pytest.raises(ValidationFailed) as refused:
        plan_transition_audit(cycle, actor=manager(personas), **given)
    assert [(e.field, e.code) for e in refused.value.errors] == [(field, code)]
    assert not CycleAudit.objects.filter(cycle=cycle, transition_to__isnull=False).exists()


def test_refusals_have_stable_codes(personas):
    editions(ends=_day(-1), new_until=_day(-100))
    _cert, ended = certified(personas.cb, decided=_day(-300))
    with pytest.raises(Conflict) as refused:
        plan_transition_audit(ended, actor=manager(personas))
    assert refused.value.code == "transition_ended"
    _cert, current = certified(personas.cb, codes=("iso27001-2022",))
    with pytest.raises(Conflict) as refused:
        plan_transition_audit(current, actor=manager(personas))
    assert refused.value.code == "no_transition"
    assert not CycleAudit.objects.filter(kind=K.TRANSITION).exists()


def test_a_second_plan_is_refused_while_one_is_to_be_held(personas):
    editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    plan_transition_audit(cycle, actor=manager(personas))
    with pytest.raises(Conflict) as refused:
        plan_transition_audit(
            cycle, actor=manager(personas), combine_with=programme_audit(cycle, K.SURVEILLANCE, 1)
        )
    assert refused.value.code == "already_planned"


def test_not_certified_cycle_is_refused(personas):
    from tests.certification.programme_factories import new_cycle

    editions()
    cycle = new_cycle(personas, standards=(OLD,))
    with pytest.raises(Conflict) as refused:
        plan_transition_audit(cycle, actor=manager(personas))
    assert refused.value.code == "not_certified"


@pytest.mark.parametrize(
    "role", [Role.LEAD_AUDITOR, Role.AUDITOR, Role.CERTIFICATION_DECISION_MAKER]
)
def test_only_a_manager_plans_it(personas, role):
    editions()
    _cert, cycle = certified(personas.cb)
    with pytest.raises(PermissionDenied):
        plan_transition_audit(cycle, actor=personas.users[role])
    assert not CycleAudit.objects.filter(kind=K.TRANSITION).exists()


# --- scheduling and deciding ------------------------------------------------------------------


def _held_transition(personas, *, combine: bool = True):
    """A certificate to the old edition whose transition audit was held and reported."""
    old, new = editions(ends=_day(400))
    cert, cycle = certified(personas.cb)
    first = programme_audit(cycle, K.SURVEILLANCE, 1)
    item = plan_transition_audit(
        cycle, actor=manager(personas), combine_with=first if combine else None
    )
    scheduled = schedule_audit(
        item,
        start_date=_day(-10),
        end_date=_day(-9),
        lead_auditor=personas.users[Role.LEAD_AUDITOR],
        actor=manager(personas),
    )
    Audit.objects.filter(pk=scheduled.audit.pk).update(status=Audit.Status.REPORT_ISSUED)
    record_delivered_days(item, "2", "", actor=manager(personas))
    return cert, cycle, item, scheduled.audit, old, new


def test_the_scheduled_audit_covers_the_new_edition(personas):
    _cert, _cycle, _item, audit, _old, new = _held_transition(personas)
    assert list(audit.standards.all()) == [new]
    assert audit.title.startswith("Surveillance 1 and transition:")
    assert f"Transition to {NEW_NAME}" in audit.objectives
    assert audit.criteria == NEW_NAME


def test_a_separate_transition_audit_is_scheduled_as_its_own(personas):
    _cert, _cycle, item, audit, _old, new = _held_transition(personas, combine=False)
    assert item.kind == K.TRANSITION
    assert audit.reference.endswith("-TR1")
    assert audit.title.startswith("Transition audit:")
    assert list(audit.standards.all()) == [new]


def test_a_granted_transition_decision_transfers_the_certificate(personas):
    cert, cycle, _item, _audit, _old, _new = _held_transition(personas)
    decider = personas.users[Role.CERTIFICATION_DECISION_MAKER]
    assert decisions.default_kind(cycle) == CertificationDecision.Kind.TRANSITION
    checklist = {i.code: i for i in decisions.decision_checklist(cycle, decider, TODAY)}
    assert all(i.ok for i in checklist.values()), [i for i in checklist.values() if not i.ok]
    assert checklist["transition_window"].detail == (
        f"Certificate {cert.number} in force, to {NEW_NAME} by {_day(400):%Y-%m-%d} "
        "(provisional date)."
    )
    before = (cert.number, cert.expires_on, cert.status)
    decision = decisions.decide(
        cycle, kind="transition", outcome="granted", on=TODAY, actor=decider
    )
    cert.refresh_from_db()
    assert (cert.number, cert.expires_on, cert.status) == before
    assert [s.code for s in cert.standards.all()] == [NEW]
    assert [s.code for s in cycle.standards.all()] == [NEW]
    event = cert.events.order_by("-pk").first()
    assert (event.from_status, event.to_status, event.on) == ("active", "active", TODAY)
    assert (event.standards_from, event.standards_to) == ([OLD], [NEW])
    assert event.reason == (
        f"Transferred from {OLD_NAME} to {NEW_NAME} on the transition decision of {TODAY}"
    )
    assert event.by == decider
    assert decision.certificate == cert
    assert Certificate.objects.filter(cycle=cycle).count() == 1  # transferred, not reissued
    entry = ActivityEntry.objects.get(
        object_type="certification.certificate", object_id=str(cert.pk), action="transfer"
    )
    assert entry.changes == {"standards": [[OLD], [NEW]]}
    assert ActivityEntry.objects.filter(
        object_type="certification.certificationcycle", object_id=str(cycle.pk), action="transfer"
    ).exists()
    assert decisions.default_kind(cycle) == CertificationDecision.Kind.SCOPE_CHANGE


def test_a_scope_reduced_certificate_is_transferred_and_stays_reduced(personas):
    cert, cycle, _item, _audit, _old, _new = _held_transition(personas)
    Certificate.objects.filter(pk=cert.pk).update(status="scope_reduced")
    decider = personas.users[Role.CERTIFICATION_DECISION_MAKER]
    decisions.decide(cycle, kind="transition", outcome="granted", on=TODAY, actor=decider)
    cert.refresh_from_db()
    assert cert.status == "scope_reduced"
    assert [s.code for s in cert.standards.all()] == [NEW]


def test_a_transfer_to_editions_that_do_not_replace_the_certificates_is_refused(personas):
    from pdca.certification.services.certificate_transitions import transition_certificate
    from tests.certification import certificate_factories as f

    editions()
    cert, cycle = certified(personas.cb)
    decision = f.decision(cycle, TODAY, kind="transition")
    with pytest.raises(ValidationFailed) as refused:
        transition_certificate(
            cert,
            "active",
            actor=personas.users[Role.CERTIFICATION_DECISION_MAKER],
            reason="Transfer",
            standards=[f.standard("iso27001-2022")],
            decision=decision,
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [("standards", "not_a_successor")]
    assert [s.code for s in cert.standards.all()] == [OLD]
    assert cert.events.count() == 1


def test_a_transition_decision_after_the_end_is_refused(personas):
    cert, cycle, _item, _audit, _old, new = _held_transition(personas)
    decider = personas.users[Role.CERTIFICATION_DECISION_MAKER]
    new.transition_ends = _day(-1)
    new.save()
    with pytest.raises(Conflict) as refused:
        decisions.decide(cycle, kind="transition", outcome="granted", on=TODAY, actor=decider)
    assert refused.value.code == "decision_checklist_incomplete"
    assert "Within the transition period" in refused.value.message
    assert [s.code for s in cert.standards.all()] == [OLD]
    assert not CertificationDecision.objects.filter(cycle=cycle).exists()


def test_a_transition_decision_without_a_held_audit_lists_the_report(personas):
    editions(ends=_day(400))
    cert, cycle = certified(personas.cb)
    plan_transition_audit(cycle, actor=manager(personas))
    decider = personas.users[Role.CERTIFICATION_DECISION_MAKER]
    missing = {
        i.code
        for i in decisions.decision_checklist(cycle, decider, TODAY, kind="transition")
        if not i.ok
    }
    assert missing == {"report_issued"}
    with pytest.raises(Conflict):
        decisions.decide(cycle, kind="transition", outcome="granted", on=TODAY, actor=decider)
    assert [s.code for s in cert.standards.all()] == [OLD]


# --- the API, the page and the CLI ------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_api_endpoint_by_role(client, personas, who):
    editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    _as(client, personas, who)
    response = client.post(
        f"/api/v1/cb/cycles/{cycle.pk}/transition-audit/", {}, content_type="application/json"
    )
    expected = 201 if who == Role.CB_MANAGER else 403 if who in CB_ROLES else 404
    assert response.status_code == expected, response.content
    planned = CycleAudit.objects.filter(cycle=cycle, kind=K.TRANSITION)
    assert planned.count() == (1 if expected == 201 else 0)
    if expected == 201:
        data = response.json()
        assert (data["kind"], data["due_date"], data["transition_to"]) == (
            "transition",
            _day(400).isoformat(),
            [NEW],
        )
        entry = ActivityEntry.objects.get(
            object_type="certification.cycleaudit", object_id=str(data["id"]), action="create"
        )
        assert entry.via == "api"


def test_api_combines_and_names_bad_fields(client, personas):
    editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    login(client, manager(personas))
    url = f"/api/v1/cb/cycles/{cycle.pk}/transition-audit/"
    detail = client.get(f"/api/v1/cb/cycles/{cycle.pk}/").json()
    first = programme_audit(cycle, K.SURVEILLANCE, 1)
    assert detail["transition_options"] == [
        {"id": first.pk, "label": "Surveillance 1", "due_date": first.due_date.isoformat()}
    ]
    assert [t["successor"] for t in detail["transitions"]] == [NEW]
    for body, field in (
        ({"due_date": _day(401).isoformat()}, "due_date"),
        ({"combine_with": 0}, "combine_with"),
        ({"to": ["nope"]}, "to"),
        ({"extra": 1}, "extra"),
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 422, response.content
        assert field in json.dumps(response.json()), body
    assert not CycleAudit.objects.filter(cycle=cycle, transition_to__isnull=False).exists()
    response = client.post(url, {"combine_with": first.pk}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["id"] == first.pk and response.json()["transition_to"] == [NEW]
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_planned"


@pytest.mark.parametrize("who", EVERYONE)
def test_page_button_by_role(client, personas, who):
    editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    _as(client, personas, who)
    page = client.get(f"/cb/cycles/{cycle.pk}/")
    member = who in CB_ROLES
    assert page.status_code == (200 if member else 404)
    if member:
        html = page.content.decode()
        assert f"In transition: move to {NEW_NAME} by {_day(400):%Y-%m-%d}" in html
        assert ('id="transition-form"' in html) == (who == Role.CB_MANAGER)
    first = programme_audit(cycle, K.SURVEILLANCE, 1)
    response = client.post(
        f"/cb/cycles/{cycle.pk}/transition-audit/", {"combine_with": first.pk, "reason": ""}
    )
    expected = 302 if who == Role.CB_MANAGER else 403 if member else 404
    assert response.status_code == expected
    first.refresh_from_db()
    assert [s.code for s in first.transition_to.all()] == ([NEW] if expected == 302 else [])


def test_page_refusal_shows_the_field(client, personas):
    editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    login(client, manager(personas))
    response = client.post(
        f"/cb/cycles/{cycle.pk}/transition-audit/",
        {"combine_with": "", "due_date": _day(401).isoformat()},
    )
    assert response.status_code == 422
    assert "due_date: After the end of the transition" in response.content.decode()
    assert not CycleAudit.objects.filter(kind=K.TRANSITION).exists()


def test_cycle_page_and_api_queries_do_not_grow_with_the_programme(client, personas):
    editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    login(client, manager(personas))
    plan_transition_audit(cycle, actor=manager(personas))
    small, _ = count_queries(lambda: client.get(f"/cb/cycles/{cycle.pk}/"))
    api_small, _ = count_queries(lambda: client.get(f"/api/v1/cb/cycles/{cycle.pk}/"))
    cal_small, _ = count_queries(lambda: client.get("/api/v1/cb/programme/?months=24"))
    for sequence in range(3, 8):
        CycleAudit.objects.create(
            organization=personas.cb,
            cycle=cycle,
            kind=K.SURVEILLANCE,
            sequence=sequence,
            due_date=_day(30 + sequence),
        )
    large, response = count_queries(lambda: client.get(f"/cb/cycles/{cycle.pk}/"))
    assert response.status_code == 200
    api_large, response = count_queries(lambda: client.get(f"/api/v1/cb/cycles/{cycle.pk}/"))
    assert len(response.json()["transition_options"]) == 6
    cal_large, _ = count_queries(lambda: client.get("/api/v1/cb/programme/?months=24"))
    assert (large, api_large, cal_large) == (small, api_small, cal_small)


def test_cli_plans_and_shows_the_transition(personas):
    editions(ends=_day(400))
    _cert, cycle = certified(personas.cb)
    runner = CliRunner()
    shown = runner.invoke(app, ["cb", "cycles", "show", str(cycle.pk), "--org", "cb"])
    assert shown.exit_code == 0, shown.output
    assert f"In transition: move to {NEW_NAME}" in shown.output
    first = programme_audit(cycle, K.SURVEILLANCE, 1)
    assert f"{first.pk} Surveillance 1 due by" in shown.output
    refused = runner.invoke(
        app, ["cb", "cycles", "transition", str(cycle.pk), "--org", "cb", "--as", "x@y.example"]
    )
    assert refused.exit_code != 0
    result = runner.invoke(
        app,
        [
            "cb",
            "cycles",
            "transition",
            str(cycle.pk),
            "--org",
            "cb",
            "--combine-with",
            str(first.pk),
            "--as",
            manager(personas).email,
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Surveillance 1 (id {first.pk}) carries the transition to {NEW_NAME}" in result.output
    entry = ActivityEntry.objects.get(
        object_type="certification.cycleaudit", object_id=str(first.pk), action="plan_transition"
    )
    assert entry.via == "cli"
    again = runner.invoke(
        app,
        [
            "cb",
            "cycles",
            "transition",
            str(cycle.pk),
            "--org",
            "cb",
            "--as",
            manager(personas).email,
        ],
    )
    assert again.exit_code == 1
    assert "already carries the transition" in again.output
    listed = runner.invoke(app, ["cb", "cycles", "list", "--org", "cb", "--format", "json"])
    rows = {r["id"]: r for r in json.loads(listed.output)}
    assert rows[cycle.pk]["in_transition"] == [OLD]
