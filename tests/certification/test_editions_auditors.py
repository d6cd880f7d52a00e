"""Transition training: recorded per auditor per new edition (service, page, API, CLI), shown
in the pool, and read by team selection, which warns about an auditor of a new edition without
it as it warns about a missing qualification. Each role, another body, query counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.audits.models import AuditTeamMember
from pdca.certification.services.impartiality import candidates, competence_warnings
from pdca.cli import app
from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from pdca.people.models import TrainingRecord
from pdca.people.services.transition_training import record_transition_training
from tests.certification.auditor_factories import make_cycle, make_cycle_audit, qualify
from tests.certification.edition_factories import NEW, NEW_NAME, OLD, TODAY, editions
from tests.certification.factories import make_cb_personas

pytestmark = pytest.mark.django_db
CB_ROLES = sorted(ALL_ROLES - ORGANIZATION_ROLES)
EVERYONE = [*CB_ROLES, "admin", Role.SYSTEM_MANAGER, Role.EMPLOYEE, "outsider"]
AUDIT_DAY = TODAY + dt.timedelta(days=30)


@pytest.fixture
def personas(db):
    return make_cb_personas()


def _as(client, personas, who):
    user = personas.outsider if who == "outsider" else personas.users[who]
    login(client, user)
    return user


def _train(personas, person, *, completed_on=None, **kwargs):
    return record_transition_training(
        personas.cb,
        actor=personas.users[Role.CB_MANAGER],
        person=person,
        standard=kwargs.pop("standard", NEW),
        completed_on=completed_on or TODAY - dt.timedelta(days=10),
        **kwargs,
    )


@pytest.fixture
def new_edition_audit(personas):
    """A programme audit of a cycle certified to the new edition, and the lead and the auditor
    qualified for the old edition (which counts for the new one)."""
    editions()
    cycle = make_cycle(personas.cb, codes=(NEW,))
    lead = personas.users[Role.LEAD_AUDITOR]
    qualify(personas.cb, lead, code=OLD)
    qualify(personas.cb, personas.users[Role.AUDITOR], code=OLD, kind="auditor")
    return make_cycle_audit(cycle, start=AUDIT_DAY, lead=lead)


# --- the record -------------------------------------------------------------------------------


def test_recording_transition_training(personas):
    editions()
    auditor = personas.users[Role.AUDITOR]
    record = _train(personas, auditor, provider="Academy", hours=7)
    assert (record.kind, record.standard.code, record.result, record.title) == (
        "transition",
        NEW,
        "passed",
        f"Transition training: {NEW_NAME}",
    )
    entry = ActivityEntry.objects.get(
        object_type="people.trainingrecord", object_id=str(record.pk), action="create"
    )
    assert entry.changes["kind"] == [None, "transition"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"standard": OLD}, "standard"),  # replaces no earlier edition
        ({"standard": "nope-2026"}, "standard"),
        ({"result": "failed"}, "result"),
    ],
)
def test_bad_records_name_the_field_and_write_nothing(personas, kwargs, field):
    editions()
    with pytest.raises(ValidationFailed) as refused:
        _train(personas, personas.users[Role.AUDITOR], **kwargs)
    assert [e.field for e in refused.value.errors] == [field]
    assert not TrainingRecord.objects.filter(kind="transition").exists()


def test_someone_outside_the_body_is_refused(personas):
    editions()
    with pytest.raises(ValidationFailed) as refused:
        _train(personas, personas.outsider)
    assert [e.field for e in refused.value.errors] == ["person"]


@pytest.mark.parametrize(
    "role", [Role.LEAD_AUDITOR, Role.AUDITOR, Role.CERTIFICATION_DECISION_MAKER]
)
def test_only_the_manager_records_it(personas, role):
    editions()
    with pytest.raises(PermissionDenied):
        record_transition_training(
            personas.cb,
            actor=personas.users[role],
            person=personas.users[Role.AUDITOR],
            standard=NEW,
            completed_on=TODAY,
        )


# --- team selection ---------------------------------------------------------------------------


def test_an_auditor_without_transition_training_is_warned_about(personas, new_edition_audit):
    lead = personas.users[Role.LEAD_AUDITOR]
    auditor = personas.users[Role.AUDITOR]
    _train(personas, lead)
    found = {c.email: c for c in candidates(new_edition_audit, "auditor")}
    assert (found[lead.email].qualified, found[lead.email].untrained) == (True, [])
    assert found[auditor.email].missing == []
    assert found[auditor.email].untrained == [NEW_NAME]
    assert found[auditor.email].qualified is False
    assert competence_warnings(new_edition_audit, auditor, "auditor") == [
        f"{auditor.get_full_name()} has no transition training for {NEW_NAME}: record it "
        "before they audit the new edition."
    ]
    assert competence_warnings(new_edition_audit, lead, "lead") == []
    # A technical expert does not audit: no transition training asked of them.
    expert = personas.users[Role.TECHNICAL_EXPERT]
    assert all(
        "transition" not in w for w in competence_warnings(new_edition_audit, expert, "expert")
    )


def test_training_expired_or_after_the_audit_does_not_count(personas, new_edition_audit):
    auditor = personas.users[Role.AUDITOR]
    late = _train(personas, auditor, completed_on=AUDIT_DAY + dt.timedelta(days=1))
    assert late.pk
    old = _train(personas, auditor, completed_on=TODAY - dt.timedelta(days=800))
    TrainingRecord.objects.filter(pk=old.pk).update(expires_on=TODAY)
    found = {c.email: c for c in candidates(new_edition_audit, "auditor")}
    assert found[auditor.email].untrained == [NEW_NAME]


def test_an_old_edition_audit_needs_no_transition_training(personas):
    editions()
    cycle = make_cycle(personas.cb, codes=(OLD,))
    qualify(personas.cb, personas.users[Role.AUDITOR], code=OLD, kind="auditor")
    item = make_cycle_audit(cycle, start=AUDIT_DAY)
    found = {c.email: c for c in candidates(item, "auditor")}
    assert found[personas.users[Role.AUDITOR].email].qualified is True


def test_candidates_take_the_same_queries_with_more_training(personas, new_edition_audit):
    small, _ = count_queries(lambda: candidates(new_edition_audit, "auditor"))
    for role in (Role.LEAD_AUDITOR, Role.AUDITOR, Role.TECHNICAL_EXPERT):
        _train(personas, personas.users[role])
    large, rows = count_queries(lambda: candidates(new_edition_audit, "auditor"))
    assert large == small
    assert sum(1 for c in rows if not c.untrained) == 3


def test_team_page_shows_the_gap_and_adding_warns(client, personas, new_edition_audit):
    login(client, personas.users[Role.CB_MANAGER])
    url = f"/cb/cycle-audits/{new_edition_audit.pk}/team/"
    html = client.get(f"{url}?role=auditor").content.decode()
    assert f"No transition training for {NEW_NAME}" in html
    auditor = personas.users[Role.AUDITOR]
    response = client.post(f"{url}add/", {"user": auditor.pk, "role": "auditor"}, follow=True)
    assert AuditTeamMember.objects.filter(audit=new_edition_audit.audit, user=auditor).exists()
    assert f"has no transition training for {NEW_NAME}" in response.content.decode()


def test_api_candidates_and_adding_give_the_gap(client, personas, new_edition_audit):
    login(client, personas.users[Role.CB_MANAGER])
    auditor = personas.users[Role.AUDITOR]
    rows = client.get(
        f"/api/v1/cb/cycle-audits/{new_edition_audit.pk}/candidates/", {"role": "auditor"}
    ).json()
    by_email = {r["email"]: r for r in rows}
    assert by_email[auditor.email]["untrained"] == [NEW_NAME]
    response = client.post(
        f"/api/v1/cb/cycle-audits/{new_edition_audit.pk}/team/",
        {"user": auditor.pk, "role": "auditor"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        f"{auditor.get_full_name()} has no transition training for {NEW_NAME}: record it "
        "before they audit the new edition."
    ]


# --- page, API and CLI to record it ------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_api_recording_by_role(client, personas, who):
    editions()
    auditor = personas.users[Role.AUDITOR]
    _as(client, personas, who)
    response = client.post(
        f"/api/v1/cb/auditors/{auditor.pk}/transition-training/",
        {"standard": NEW, "completed_on": TODAY.isoformat(), "provider": "Academy"},
        content_type="application/json",
    )
    expected = 201 if who == Role.CB_MANAGER else 403 if who in CB_ROLES else 404
    assert response.status_code == expected, response.content
    made = TrainingRecord.objects.filter(person=auditor, kind="transition")
    assert made.count() == (1 if expected == 201 else 0)
    if expected == 201:
        assert response.json()["full_name"] == NEW_NAME
        entry = ActivityEntry.objects.get(
            object_type="people.trainingrecord", object_id=str(made.get().pk)
        )
        assert entry.via == "api"


def test_api_bad_input_names_the_field(client, personas):
    editions()
    auditor = personas.users[Role.AUDITOR]
    login(client, personas.users[Role.CB_MANAGER])
    url = f"/api/v1/cb/auditors/{auditor.pk}/transition-training/"
    for body, field in (
        ({"standard": OLD, "completed_on": TODAY.isoformat()}, "standard"),
        ({"standard": "nope", "completed_on": TODAY.isoformat()}, "standard"),
        ({"standard": NEW}, "completed_on"),
        ({"standard": NEW, "completed_on": TODAY.isoformat(), "result": "failed"}, "result"),
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 422, response.content
        assert field in json.dumps(response.json())
    response = client.post(
        f"/api/v1/cb/auditors/{personas.users[Role.SYSTEM_MANAGER].pk}/transition-training/",
        {"standard": NEW, "completed_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 404  # not in the pool
    assert not TrainingRecord.objects.filter(kind="transition").exists()


def test_pool_api_lists_transition_training(client, personas):
    editions()
    _train(personas, personas.users[Role.AUDITOR], provider="Academy")
    login(client, personas.users[Role.LEAD_AUDITOR])
    rows = {r["email"]: r for r in client.get("/api/v1/cb/auditors/").json()}
    training = rows[personas.users[Role.AUDITOR].email]["transition_training"]
    assert [(t["standard"], t["full_name"], t["provider"]) for t in training] == [
        (NEW, NEW_NAME, "Academy")
    ]


@pytest.mark.parametrize("who", EVERYONE)
def test_page_recording_by_role(client, personas, who):
    editions()
    auditor = personas.users[Role.AUDITOR]
    _as(client, personas, who)
    url = f"/cb/auditors/{auditor.pk}/"
    page = client.get(url)
    member = who in CB_ROLES
    assert page.status_code == (200 if member else 404 if who == "outsider" else 403)
    if member:
        assert ('id="transition-training-form"' in page.content.decode()) == (
            who == Role.CB_MANAGER
        )
    response = client.post(
        f"{url}transition-training/",
        {"standard": NEW, "completed_on": TODAY.isoformat(), "result": "passed"},
    )
    expected = 302 if who == Role.CB_MANAGER else 403 if who != "outsider" else 404
    assert response.status_code == expected
    assert TrainingRecord.objects.filter(kind="transition").count() == (1 if expected == 302 else 0)
    if expected == 302:
        html = client.get(url).content.decode()
        assert f"Transition training: {NEW_NAME}" in html


def test_page_refusal_names_the_field(client, personas):
    editions()
    login(client, personas.users[Role.CB_MANAGER])
    auditor = personas.users[Role.AUDITOR]
    response = client.post(
        f"/cb/auditors/{auditor.pk}/transition-training/", {"standard": NEW, "result": "passed"}
    )
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert not TrainingRecord.objects.filter(kind="transition").exists()


def test_pool_page_queries_do_not_grow_with_training(client, personas):
    editions()
    login(client, personas.users[Role.CB_MANAGER])
    _train(personas, personas.users[Role.AUDITOR])
    small, _ = count_queries(lambda: client.get("/cb/auditors/"))
    api_small, _ = count_queries(lambda: client.get("/api/v1/cb/auditors/"))
    for role in (Role.LEAD_AUDITOR, Role.TECHNICAL_EXPERT, Role.CERTIFICATION_DECISION_MAKER):
        _train(personas, personas.users[role])
        _train(personas, personas.users[role], completed_on=TODAY - dt.timedelta(days=30))
    large, response = count_queries(lambda: client.get("/cb/auditors/"))
    assert response.content.decode().count(NEW_NAME) == 7
    api_large, _ = count_queries(lambda: client.get("/api/v1/cb/auditors/"))
    assert (large, api_large) == (small, api_small)


def test_cli_records_lists_and_warns(personas, new_edition_audit):
    runner = CliRunner()
    auditor = personas.users[Role.AUDITOR]
    manager = personas.users[Role.CB_MANAGER]
    result = runner.invoke(
        app,
        [
            "cb",
            "auditors",
            "train",
            personas.users[Role.LEAD_AUDITOR].email,
            "--org",
            "cb",
            "--standard",
            NEW,
            "--completed-on",
            TODAY.isoformat(),
            "--as",
            manager.email,
        ],
    )
    assert result.exit_code == 0, result.output
    record = TrainingRecord.objects.get(kind="transition")
    entry = ActivityEntry.objects.get(object_type="people.trainingrecord", object_id=str(record.pk))
    assert entry.via == "cli"
    refused = runner.invoke(
        app,
        [
            "cb",
            "auditors",
            "train",
            auditor.email,
            "--org",
            "cb",
            "--standard",
            OLD,
            "--completed-on",
            TODAY.isoformat(),
            "--as",
            manager.email,
        ],
    )
    assert refused.exit_code == 1
    assert "standard:" in refused.output
    listed = runner.invoke(app, ["cb", "auditors", "list", "--org", "cb", "--format", "json"])
    rows = {r["email"]: r for r in json.loads(listed.output)}
    assert rows[personas.users[Role.LEAD_AUDITOR].email]["transition_training"] == [NEW]
    shown = runner.invoke(
        app,
        ["cb", "team", "candidates", str(new_edition_audit.pk), "--org", "cb", "--format", "json"],
    )
    rows = {r["email"]: r for r in json.loads(shown.output)}
    assert rows[auditor.email]["untrained"] == [NEW_NAME]
    added = runner.invoke(
        app,
        [
            "cb",
            "team",
            "add",
            str(new_edition_audit.pk),
            auditor.email,
            "--org",
            "cb",
            "--as",
            manager.email,
        ],
    )
    assert added.exit_code == 0, added.output
    assert f"no transition training for {NEW_NAME}" in added.output
