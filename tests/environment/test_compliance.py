"""Compliance obligations and their evaluation (9.1.2): due dates (first from registration,
then from the last evaluation plus the frequency), recording an evaluation (a record from then
on), a failing one opening exactly one nonconformity, and the list of evaluations due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.registers.services import create_entry, delete_entry, update_entry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.environment.dates import add_months, next_due
from pdca.environment.models import ComplianceEvaluation, ComplianceObligation
from pdca.environment.registers import EVALUATIONS, OBLIGATIONS
from pdca.environment.selectors import due_obligations
from pdca.environment.services import record_evaluation
from pdca.improvement.models import Nonconformity
from pdca.system.permissions import IMPLEMENTERS
from tests.environment.factories import make_evaluation, make_obligation

pytestmark = pytest.mark.django_db

ROLES = sorted(ALL_ROLES)


def register_obligation(personas, **fields) -> ComplianceObligation:
    values = {
        "title": "Trade effluent consent",
        "source": "permit",
        "requires": "Keep discharges within the consent's limits",
        "evaluation_frequency": 6,
        **fields,
    }
    return create_entry(OBLIGATIONS, personas.org, actor=personas.manager, **values)


def draft(personas, obligation, **fields) -> ComplianceEvaluation:
    values = {
        "obligation": obligation,
        "evaluated_on": dt.date(2026, 11, 2),
        "result": "compliant",
        **fields,
    }
    return create_entry(EVALUATIONS, personas.org, actor=personas.manager, **values)


# --- due dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2026, 12, 1), 12, dt.date(2027, 12, 1)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_next_due_counts_from_the_last_evaluation_or_else_from_registration():
    registered, evaluated = dt.date(2026, 1, 10), dt.date(2026, 5, 20)
    assert next_due(registered, None, 6) == dt.date(2026, 7, 10)
    assert next_due(registered, evaluated, 6) == dt.date(2026, 11, 20)


def test_the_first_evaluation_falls_due_a_frequency_after_registration(personas):
    obligation = register_obligation(personas)
    assert obligation.last_evaluated_on is None
    assert obligation.next_evaluation_due == add_months(timezone.localdate(), 6)


def test_changing_the_frequency_moves_the_due_date(personas):
    obligation = register_obligation(personas)
    update_entry(OBLIGATIONS, obligation, actor=personas.manager, evaluation_frequency=1)
    obligation.refresh_from_db()
    assert obligation.next_evaluation_due == add_months(timezone.localdate(), 1)


def test_recording_moves_the_due_date_to_the_evaluation_plus_the_frequency(personas):
    obligation = register_obligation(personas)
    record_evaluation(draft(personas, obligation), actor=personas.manager)
    obligation.refresh_from_db()
    assert obligation.last_evaluated_on == dt.date(2026, 11, 2)
    assert obligation.next_evaluation_due == dt.date(2027, 5, 2)
    # An older evaluation recorded later does not move the date back.
    record_evaluation(
        draft(personas, obligation, evaluated_on=dt.date(2026, 8, 1)), actor=personas.manager
    )
    obligation.refresh_from_db()
    assert obligation.next_evaluation_due == dt.date(2027, 5, 2)


def test_a_draft_does_not_move_the_due_date(personas):
    obligation = register_obligation(personas)
    due = obligation.next_evaluation_due
    draft(personas, obligation)
    obligation.refresh_from_db()
    assert (obligation.last_evaluated_on, obligation.next_evaluation_due) == (None, due)


def test_due_obligations_are_those_that_apply_and_are_due_by_the_day(personas):
    org, today = personas.org, timezone.localdate()
    overdue = make_obligation(org, 1, next_evaluation_due=today - dt.timedelta(days=30))
    due_today = make_obligation(org, 2, next_evaluation_due=today)
    make_obligation(org, 3, next_evaluation_due=today + dt.timedelta(days=1))
    make_obligation(org, 4, next_evaluation_due=today - dt.timedelta(days=1), status="ended")
    make_obligation(
        org, 5, next_evaluation_due=today - dt.timedelta(days=1), archived_at=timezone.now()
    )
    make_obligation(personas.other, 6, next_evaluation_due=today)
    assert list(due_obligations(org)) == [overdue, due_today]


# --- recording and nonconformities ------------------------------------------------------


@pytest.mark.parametrize("result", ["partial", "not_compliant"])
def test_a_failing_evaluation_opens_exactly_one_nonconformity(personas, catalog, result):
    obligation = register_obligation(personas, reference="Consent 0042")
    evaluation = draft(personas, obligation, result=result, findings="pH above 10 twice")
    assert not Nonconformity.objects.exists()
    record_evaluation(evaluation, actor=personas.manager)
    nonconformity = Nonconformity.objects.get()
    evaluation.refresh_from_db()
    assert evaluation.nonconformity == nonconformity
    assert nonconformity.organization == personas.org
    assert nonconformity.source == Nonconformity.Source.COMPLIANCE
    assert nonconformity.title.startswith("Trade effluent consent: ")
    assert "pH above 10 twice" in nonconformity.description
    with pytest.raises(Conflict):
        record_evaluation(evaluation, actor=personas.manager)
    assert Nonconformity.objects.count() == 1


def test_a_compliant_evaluation_opens_none(personas):
    evaluation = draft(personas, register_obligation(personas))
    record_evaluation(evaluation, actor=personas.manager)
    evaluation.refresh_from_db()
    assert evaluation.is_recorded and evaluation.nonconformity is None
    assert not Nonconformity.objects.exists()


def test_a_failing_result_needs_findings(personas):
    obligation = register_obligation(personas)
    with pytest.raises(ValidationFailed) as caught:
        draft(personas, obligation, result="partial")
    assert [e.field for e in caught.value.errors] == ["findings"]
    assert not ComplianceEvaluation.objects.exists()


def test_a_recorded_evaluation_is_never_changed_or_deleted(personas):
    evaluation = draft(personas, register_obligation(personas))
    record_evaluation(evaluation, actor=personas.manager)
    evaluation.refresh_from_db()
    with pytest.raises(Conflict):
        update_entry(EVALUATIONS, evaluation, actor=personas.manager, findings="Edited")
    with pytest.raises(Conflict) as caught:
        delete_entry(EVALUATIONS, evaluation, actor=personas.manager)
    assert caught.value.code == "is_record"
    evaluation.refresh_from_db()
    assert evaluation.findings == ""
    # The obligation evaluated is a record too.
    with pytest.raises(Conflict):
        delete_entry(OBLIGATIONS, evaluation.obligation, actor=personas.manager)


def test_an_employee_may_not_record(personas):
    evaluation = draft(personas, register_obligation(personas))
    with pytest.raises(PermissionDenied):
        record_evaluation(evaluation, actor=personas.employee)
    evaluation.refresh_from_db()
    assert not evaluation.is_recorded


@pytest.mark.parametrize("role", ROLES)
def test_record_api_by_role(client, personas, role):
    org = personas.org_for(role)
    evaluation = make_evaluation(org, result="partial", findings="Notes missing")
    login(client, personas.users[role])
    response = client.post(f"/api/v1/compliance-evaluations/{evaluation.pk}/record/")
    evaluation.refresh_from_db()
    if role in IMPLEMENTERS:
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["status"] == "recorded"
        assert data["nonconformity"] == evaluation.nonconformity_id is not None
        assert data["nonconformity_url"] == f"/nonconformities/{evaluation.nonconformity_id}/"
        again = client.post(f"/api/v1/compliance-evaluations/{evaluation.pk}/record/")
        assert again.status_code == 409
    else:
        expected = 403 if role in ORGANIZATION_ROLES else 404
        assert response.status_code == expected, response.content
        assert not evaluation.is_recorded


def test_the_evaluator_process_owner_records_their_own(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_evaluation(personas.org, 1, evaluator=owner)
    theirs = make_evaluation(personas.org, 2)
    login(client, owner)
    assert client.post(f"/api/v1/compliance-evaluations/{mine.pk}/record/").status_code == 200
    assert client.post(f"/api/v1/compliance-evaluations/{theirs.pk}/record/").status_code == 403


def test_outsider_cannot_record(client, personas):
    evaluation = make_evaluation(personas.org)
    login(client, personas.outsider)
    response = client.post(f"/api/v1/compliance-evaluations/{evaluation.pk}/record/")
    assert response.status_code == 404


def test_the_record_page_records_and_links_the_nonconformity(client, personas):
    evaluation = make_evaluation(personas.org, result="not_compliant", findings="No consent")
    login(client, personas.manager)
    assert client.get(f"/compliance-evaluations/{evaluation.pk}/record/").status_code == 200
    response = client.post(f"/compliance-evaluations/{evaluation.pk}/record/")
    assert response.status_code == 302
    evaluation.refresh_from_db()
    page = client.get(f"/compliance-evaluations/{evaluation.pk}/").content.decode()
    assert f'href="/nonconformities/{evaluation.nonconformity_id}/"' in page
    obligation_page = client.get(
        f"/compliance-obligations/{evaluation.obligation_id}/"
    ).content.decode()
    assert f'href="/nonconformities/{evaluation.nonconformity_id}/"' in obligation_page
    login(client, personas.employee)
    assert client.post(f"/compliance-evaluations/{evaluation.pk}/record/").status_code == 403


# --- the list of evaluations due --------------------------------------------------------


def _overdue(org, index):
    return make_obligation(
        org, index, next_evaluation_due=timezone.localdate() - dt.timedelta(days=index + 1)
    )


@pytest.mark.parametrize("role", ROLES)
def test_due_api_and_page_by_role(client, personas, role):
    org = personas.org_for(role)
    obligation = _overdue(org, 3)
    _overdue(personas.other, 4)
    login(client, personas.users[role])
    response = client.get("/api/v1/compliance-obligations/due/")
    page = client.get("/compliance-obligations/due/")
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 200, response.content
        [row] = response.json()["items"]
        assert (row["id"], row["days_overdue"], row["evaluations"]) == (obligation.pk, 4, 0)
        assert page.status_code == 200
        assert obligation.title in page.content.decode()
    else:
        assert response.status_code == 404
        assert page.status_code == 403


def test_due_list_query_counts_do_not_grow(client, personas):
    login(client, personas.manager)
    for i in range(2):
        _overdue(personas.org, i)
    small_api, _ = count_queries(lambda: client.get("/api/v1/compliance-obligations/due/"))
    small_page, _ = count_queries(lambda: client.get("/compliance-obligations/due/"))
    for i in range(2, 12):
        make_evaluation(personas.org, i, obligation=_overdue(personas.org, i))
    large_api, response = count_queries(lambda: client.get("/api/v1/compliance-obligations/due/"))
    large_page, _ = count_queries(lambda: client.get("/compliance-obligations/due/"))
    assert len(response.json()["items"]) == 12
    assert (large_api, large_page) == (small_api, small_page)
