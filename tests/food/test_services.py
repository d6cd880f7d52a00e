"""The food safety services: verifications move the due date and open a nonconformity when
they fail, each deviation opens exactly one, a failed exercise raises one once, a CCP needs its
critical limit, and a changed method leaves earlier analyses readable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.registers.services import create_entry, update_entry
from pdca.core.testing.api_bundle import login
from pdca.food import services
from pdca.food.method_services import method_for, update_method
from pdca.food.models import FoodSafetyMethod
from pdca.food.registers import CONTROL_PLAN, HAZARDS
from pdca.improvement.models import Nonconformity
from tests.food.factories import (
    make_exercise,
    make_hazard,
    make_plan,
    make_programme,
    make_step,
)

pytestmark = pytest.mark.django_db


def test_a_conforming_verification_moves_the_next_due_date(personas):
    programme = make_programme(personas.org, frequency="monthly", started_on=dt.date(2026, 9, 1))
    assert programme.next_due == dt.date(2026, 10, 1)
    v = services.record_prp_verification(
        programme, actor=personas.manager, verified_on=dt.date(2026, 10, 31), result="conforming"
    )
    programme.refresh_from_db()
    assert programme.last_verified_on == dt.date(2026, 10, 31)
    assert programme.next_due == dt.date(2026, 11, 30)
    assert v.nonconformity_id is None
    assert not Nonconformity.objects.filter(organization=personas.org).exists()
    # An older verification recorded late leaves the dates alone.
    services.record_prp_verification(
        programme, actor=personas.manager, verified_on=dt.date(2026, 10, 2), result="conforming"
    )
    programme.refresh_from_db()
    assert programme.next_due == dt.date(2026, 11, 30)


def test_a_programme_past_its_due_date_is_overdue(personas):
    programme = make_programme(personas.org, frequency="weekly", started_on=dt.date(2020, 1, 1))
    assert programme.overdue
    assert not make_programme(personas.org, 1, started_on=None).overdue


def test_a_failed_verification_opens_one_nonconformity(personas):
    programme = make_programme(personas.org, title="Pest control")
    v = services.record_prp_verification(
        programme,
        actor=personas.manager,
        verified_on=dt.date(2026, 11, 1),
        result="not_conforming",
        notes="Bait station 7 missing by the flour silo",
    )
    nc = Nonconformity.objects.get(organization=personas.org)
    assert v.nonconformity_id == nc.pk
    assert nc.source == Nonconformity.Source.DEVIATION
    assert "Pest control" in nc.title
    assert "Bait station 7" in nc.description
    assert nc.site_id == programme.site_id


def test_a_failed_verification_needs_notes_and_writes_nothing_without(personas):
    programme = make_programme(personas.org)
    with pytest.raises(ValidationFailed) as caught:
        services.record_prp_verification(
            programme,
            actor=personas.manager,
            verified_on=dt.date(2026, 11, 1),
            result="not_conforming",
        )
    assert caught.value.errors[0].field == "notes"
    assert not programme.verifications.exists()


def test_the_owner_of_a_programme_records_its_verifications_others_may_not(personas):
    owner = personas.users["process_owner"]
    mine = make_programme(personas.org, owner=owner)
    theirs = make_programme(personas.org, 1)
    services.record_prp_verification(
        mine, actor=owner, verified_on=dt.date(2026, 11, 1), result="conforming"
    )
    with pytest.raises(PermissionDenied):
        services.record_prp_verification(
            theirs, actor=owner, verified_on=dt.date(2026, 11, 1), result="conforming"
        )
    with pytest.raises(PermissionDenied):
        services.record_prp_verification(
            mine, actor=personas.employee, verified_on=dt.date(2026, 11, 1), result="conforming"
        )


def test_each_deviation_opens_exactly_one_nonconformity(personas):
    plan = make_plan(personas.org, code="CCP-1", lower_limit=Decimal("92"), unit="°C")
    first = services.record_deviation(
        plan,
        actor=personas.manager,
        occurred_on=dt.date(2026, 11, 2),
        value=Decimal("88.5"),
        product_action="held",
        product_affected="Batch 1142",
        correction="Re-baked",
    )
    second = services.record_deviation(
        plan,
        actor=personas.manager,
        occurred_on=dt.date(2026, 11, 3),
        value=Decimal("90"),
        product_action="destroyed",
        correction="Batch destroyed",
    )
    ncs = Nonconformity.objects.filter(organization=personas.org)
    assert ncs.count() == 2
    assert {first.nonconformity_id, second.nonconformity_id} == set(
        ncs.values_list("pk", flat=True)
    )
    assert "88.5" in ncs.get(pk=first.nonconformity_id).description
    # Opening another for the same deviation is refused by corrective action.
    from pdca.food import hooks

    with pytest.raises(Conflict):
        hooks.control_failed.call(first, actor=personas.manager, title="Again", description="x")
    assert ncs.count() == 2


def test_a_value_within_the_critical_limit_is_no_deviation(personas):
    plan = make_plan(personas.org, lower_limit=Decimal("92"), upper_limit=Decimal("110"))
    with pytest.raises(ValidationFailed) as caught:
        services.record_deviation(
            plan,
            actor=personas.manager,
            occurred_on=dt.date(2026, 11, 2),
            value=Decimal("95"),
            product_action="none",
            correction="None",
        )
    assert caught.value.errors[0].field == "value"
    assert not plan.deviations.exists()
    assert not Nonconformity.objects.exists()


def test_an_oprp_deviation_is_an_observation(personas):
    plan = make_plan(
        personas.org, code="OPRP-1", category="oprp", lower_limit=None, action_criteria="Signed"
    )
    deviation = services.record_deviation(
        plan,
        actor=personas.manager,
        occurred_on=dt.date(2026, 11, 2),
        observation="Clean-down before the sesame-free run not signed off",
        product_action="held",
        correction="Line re-cleaned, product held for allergen test",
    )
    assert deviation.nonconformity.title.startswith("OPRP-1: action criteria")


def test_a_ccp_needs_a_critical_limit_and_an_oprp_its_action_criteria(personas):
    base = {"control_measure": "Bake", "code": "CCP-5"}
    with pytest.raises(ValidationFailed) as caught:
        create_entry(CONTROL_PLAN, personas.org, actor=personas.manager, category="ccp", **base)
    assert {e.field for e in caught.value.errors} == {"lower_limit", "parameter"}
    with pytest.raises(ValidationFailed) as caught:
        create_entry(CONTROL_PLAN, personas.org, actor=personas.manager, category="oprp", **base)
    assert {e.field for e in caught.value.errors} == {"action_criteria"}
    plan = create_entry(
        CONTROL_PLAN,
        personas.org,
        actor=personas.manager,
        category="ccp",
        parameter="core temperature",
        upper_limit=Decimal("2"),
        **base,
    )
    assert plan.limits_text == "≤ 2"


def test_a_plan_controls_only_significant_hazards_of_its_category(personas):
    ccp = make_hazard(personas.org)
    minor = make_hazard(personas.org, 1, likelihood=1, severity=1)
    assert ccp.control_category == "ccp" and minor.control_category == "prp"
    plan = make_plan(personas.org)
    with pytest.raises(ValidationFailed) as caught:
        update_entry(CONTROL_PLAN, plan, actor=personas.manager, hazards=[ccp, minor])
    assert caught.value.errors[0].field == "hazards"
    update_entry(CONTROL_PLAN, plan, actor=personas.manager, hazards=[ccp])
    assert list(plan.hazards.all()) == [ccp]


def test_the_decision_is_stored_with_its_answers(personas):
    step = make_step(personas.org)
    analysis = create_entry(
        HAZARDS,
        personas.org,
        actor=personas.manager,
        step=step,
        category="allergen",
        hazard="Sesame cross-contact from shared divider",
        likelihood=3,
        severity=4,
        control_measure="Sesame products last, validated clean-down",
        designed_to_control="no",
        later_step_controls="no",
        measurable_limit="no",
    )
    assert analysis.significant and analysis.score == 12
    assert analysis.control_category == "oprp"
    assert "no measurable critical limit" in analysis.decision_reason


def test_a_changed_method_keeps_earlier_analyses_readable(personas):
    analysis = make_hazard(personas.org, likelihood=2, severity=4)
    assert analysis.significant
    assert analysis.method_snapshot["significance_threshold"] == 8
    update_method(personas.org, actor=personas.manager, significance_threshold=10)
    analysis.refresh_from_db()
    # The stored result and its method copy stay as they were judged.
    assert analysis.significant and analysis.method_snapshot["significance_threshold"] == 8
    # Edited again, it is judged on the method in force.
    update_entry(HAZARDS, analysis, actor=personas.manager, source="Flour")
    analysis.refresh_from_db()
    assert not analysis.significant and analysis.control_category == "prp"
    assert analysis.method_snapshot["significance_threshold"] == 10


def test_a_failed_exercise_raises_one_nonconformity(personas):
    passed = make_exercise(personas.org, minutes_taken=95, reconciled_percent=Decimal("100"))
    assert passed.result == "passed"
    with pytest.raises(Conflict):
        services.raise_exercise_nonconformity(passed, actor=personas.manager)
    failed = make_exercise(personas.org, 1, minutes_taken=310, reconciled_percent=Decimal("97.5"))
    assert failed.result == "failed"
    nc = services.raise_exercise_nonconformity(failed, actor=personas.manager)
    assert "310 minutes" in nc.description and "97.5%" in nc.description
    failed.refresh_from_db()
    assert failed.nonconformity_id == nc.pk
    with pytest.raises(Conflict) as caught:
        services.raise_exercise_nonconformity(failed, actor=personas.manager)
    assert caught.value.code == "nonconformity_exists"


def test_exercise_api_and_page_raise_the_nonconformity(client, personas):
    failed = make_exercise(personas.org, minutes_taken=400, reconciled_percent=Decimal("100"))
    login(client, personas.employee)
    url = f"/api/v1/traceability-exercises/{failed.pk}/raise-nonconformity/"
    assert client.post(url).status_code == 403
    login(client, personas.outsider)
    assert client.post(url).status_code == 404
    login(client, personas.manager)
    response = client.post(url)
    assert response.status_code == 201, response.content
    nc_id = response.json()["nonconformity"]
    page = client.get(f"/traceability-exercises/{failed.pk}/").content.decode()
    assert f"/nonconformities/{nc_id}/" in page
    assert client.post(url).status_code == 409


def test_verification_api_opens_a_nonconformity_and_shows_it(client, personas):
    programme = make_programme(personas.org)
    login(client, personas.manager)
    response = client.post(
        "/api/v1/prp-verifications/",
        {
            "programme": programme.pk,
            "verified_on": "2026-11-01",
            "result": "not_conforming",
            "notes": "Mixer bowl swab 450 RLU, over the 150 limit",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    nc_id = response.json()["nonconformity"]
    assert Nonconformity.objects.filter(pk=nc_id, organization=personas.org).exists()
    page = client.get(f"/prp-verifications/{response.json()['id']}/").content.decode()
    assert f"/nonconformities/{nc_id}/" in page
    assert (
        f"/nonconformities/{nc_id}/"
        in client.get(f"/prerequisite-programmes/{programme.pk}/").content.decode()
    )


def test_flow_page_shows_the_steps_in_order_with_their_control(client, personas):
    step2 = make_step(personas.org, 1, name="Metal detection")
    flow = step2.flow
    make_step(personas.org, 0, flow=flow, name="Receiving flour", step_type="receiving")
    make_hazard(personas.org, step=step2, category="physical", hazard="Metal fragments")
    login(client, personas.employee)
    html = client.get(f"/food-flows/{flow.pk}/").content.decode()
    assert html.index("Receiving flour") < html.index("Metal detection")
    assert "CCP" in html


# --- the method -----------------------------------------------------------------------------


def test_method_api_by_role(client, personas):
    login(client, personas.employee)
    response = client.get("/api/v1/food-safety-method/")
    assert response.status_code == 200
    assert response.json()["saved"] is False
    assert response.json()["significance_threshold"] == 8
    body = {
        "likelihood_labels": ["Rare", "Possible", "Likely"],
        "severity_labels": ["Minor", "Serious", "Fatal"],
        "significance_threshold": 4,
        "trace_target_hours": "2",
        "reconciliation_target_percent": "99.5",
    }
    assert (
        client.put("/api/v1/food-safety-method/", body, content_type="application/json").status_code
        == 403
    )
    login(client, personas.outsider)
    assert (
        client.get(f"/api/v1/food-safety-method/?organization={personas.org.slug}").status_code
        == 404
    )
    login(client, personas.users["cb_manager"])
    assert client.get("/api/v1/food-safety-method/").status_code == 404
    login(client, personas.manager)
    response = client.put("/api/v1/food-safety-method/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["saved"] is True and response.json()["max_score"] == 9
    bad = {**body, "significance_threshold": 10}
    response = client.put("/api/v1/food-safety-method/", bad, content_type="application/json")
    assert response.status_code == 422
    assert "significance_threshold" in {e["field"] for e in response.json()["errors"]}
    assert method_for(personas.org).significance_threshold == 4


def test_method_pages_by_role(client, personas):
    login(client, personas.employee)
    assert client.get("/food-safety-method/").status_code == 200
    assert client.get("/food-safety-method/edit/").status_code == 403
    login(client, personas.manager)
    response = client.post(
        "/food-safety-method/edit/",
        {
            "name": "Fenwick method",
            "likelihood_labels": "Rare\nPossible\nLikely\nFrequent",
            "severity_labels": "Minor\nModerate\nSerious\nSevere",
            "significance_threshold": 6,
            "trace_target_hours": "4",
            "reconciliation_target_percent": "100",
        },
    )
    assert response.status_code == 302
    method = FoodSafetyMethod.objects.get(organization=personas.org)
    assert method.severity_labels[-1] == "Severe" and method.significance_threshold == 6
    assert "Fenwick method" in client.get("/food-safety-method/").content.decode()
