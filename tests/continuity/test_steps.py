"""The BIA method, the impact grid, the prioritized activities, the exercise programme and
the exercise and improvement steps, through the API and the pages, role by role (another
organization gets 404)."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.continuity.models import BiaMethod, BusinessImpactAnalysis, Exercise
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing.api_bundle import ROLES, login
from pdca.improvement.models import Nonconformity
from pdca.system.permissions import IMPLEMENTERS

from .factories import make_bia, make_exercise, make_improvement, make_plan

pytestmark = pytest.mark.django_db

METHOD = {
    "name": "Bakery BIA method",
    "categories": [
        {"name": "Money", "levels": ["Low", "Medium", "High", "Severe"]},
        {"name": "Customers", "levels": ["None", "Some", "Many", "All"]},
    ],
    "time_points": [{"hours": 4}, {"hours": 24, "label": "Next day"}, {"hours": 168}],
    "intolerable_level": 3,
    "priority_limits": [24],
}


@pytest.mark.parametrize("role", ROLES)
def test_method_api_by_role(client, personas, role):
    login(client, personas.users[role])
    url = f"/api/v1/continuity-method/?organization={personas.org.slug}"
    read = client.get(url)
    if role not in ORGANIZATION_ROLES:
        assert read.status_code == 404
        return
    assert read.status_code == 200, read.content
    assert read.json()["saved"] is False
    assert read.json()["categories"][0]["key"] == "financial"
    response = client.put(url, METHOD, content_type="application/json")
    if role in IMPLEMENTERS:
        assert response.status_code == 200, response.content
        body = response.json()
        assert [c["key"] for c in body["categories"]] == ["money", "customers"]
        assert body["time_points"][2] == {"hours": 168, "label": "1 week"}
    else:
        assert response.status_code == 403
        assert not BiaMethod.objects.filter(organization=personas.org).exists()


def test_method_api_names_bad_fields_and_refuses_stale_versions(client, personas):
    login(client, personas.manager)
    url = f"/api/v1/continuity-method/?organization={personas.org.slug}"
    bad = client.put(url, {**METHOD, "intolerable_level": 5}, content_type="application/json")
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"intolerable_level"}
    first = client.put(url, METHOD, content_type="application/json")
    etag = first["ETag"]
    client.put(url, {**METHOD, "name": "Second"}, content_type="application/json")
    login(client, personas.users["consultant"])
    stale = client.put(
        url, {**METHOD, "name": "Third"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    login(client, personas.outsider)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_method_pages_by_role(client, personas, role):
    login(client, personas.users[role])
    assert client.get("/continuity/method/").status_code == 200
    edit = client.get("/continuity/method/edit/")
    assert edit.status_code == (200 if role in IMPLEMENTERS else 403)
    if role in IMPLEMENTERS:
        response = client.post(
            "/continuity/method/edit/",
            {
                "name": "Bakery method",
                "categories": "Money: Low | High | Severe\nCustomers: None | Some | All",
                "time_points": "8 8 hours\n48 2 days",
                "intolerable_level": "3",
                "priority_limits": "24, 72",
            },
        )
        assert response.status_code == 302, response.content
        method = BiaMethod.objects.get(organization=personas.org)
        assert method.time_points == [
            {"hours": 8, "label": "8 hours"},
            {"hours": 48, "label": "2 days"},
        ]


def test_impacts_by_api_and_page(client, personas):
    bia = make_bia(personas.org)
    url = f"/api/v1/business-impact-analyses/{bia.pk}/impacts/"
    login(client, personas.employee)
    assert client.get(url).status_code == 200
    grid = {"customer-reputation": [1, 2, 4, 5, 5, 5]}
    assert client.put(url, {"impacts": grid}, content_type="application/json").status_code == 403
    login(client, personas.manager)
    bad = client.put(
        url, {"impacts": {"financial": [1, 9, 1, 1, 1, 1]}}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "impacts.financial.1"
    response = client.put(url, {"impacts": grid}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["suggested_mtpd_hours"] == 72
    page = client.post(
        f"/business-impact-analyses/{bia.pk}/impacts/",
        {"financial__0": "5", "legal-regulatory__1": ""},
    )
    assert page.status_code == 302
    bia.refresh_from_db()
    assert bia.suggested_mtpd_hours == 4 and bia.priority == 1
    detail = client.get(f"/business-impact-analyses/{bia.pk}/")
    assert "impact-grid" in detail.content.decode()
    login(client, personas.outsider)
    assert client.get(url).status_code == 404
    assert client.get(f"/business-impact-analyses/{bia.pk}/impacts/").status_code == 404


def test_prioritized_activities_by_mtpd(client, personas):
    make_bia(personas.org, 1, mtpd_hours=168)
    make_bia(personas.org, 2, mtpd_hours=24)
    make_bia(personas.org, 3)
    login(client, personas.employee)
    response = client.get("/api/v1/business-impact-analyses/prioritized/")
    assert [r["activity"] for r in response.json()] == [
        "Bread production 2",
        "Bread production 1",
        "Bread production 3",
    ]
    page = client.get("/business-impact-analyses/prioritized/").content.decode()
    assert page.index("Bread production 2") < page.index("Bread production 1")
    login(client, personas.outsider)
    assert client.get("/api/v1/business-impact-analyses/prioritized/").json() == []


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_complete_exercise_by_role(client, personas, role):
    exercise = make_exercise(personas.org)
    exercise.activities.set([make_bia(personas.org, mtpd_hours=24, rto_hours=12)])
    login(client, personas.users[role])
    body = {"actual_date": "2026-11-12", "objectives_met": "yes", "measured_recovery_hours": 10}
    response = client.post(
        f"/api/v1/exercises/{exercise.pk}/complete/", body, content_type="application/json"
    )
    exercise.refresh_from_db()
    if role in IMPLEMENTERS:
        assert response.status_code == 200, response.content
        assert response.json()["rto_achieved"] is True
        assert exercise.status == Exercise.Status.DONE
        assert ActivityEntry.objects.filter(object_id=str(exercise.pk), action="complete").exists()
    else:
        assert response.status_code == 403
        assert exercise.status == Exercise.Status.PLANNED


def test_exercise_pages_complete_and_cancel(client, personas):
    done, dropped = make_exercise(personas.org, 1), make_exercise(personas.org, 2)
    login(client, personas.employee)
    assert client.get(f"/exercises/{done.pk}/complete/").status_code == 403
    login(client, personas.manager)
    response = client.post(
        f"/exercises/{done.pk}/complete/",
        {"actual_date": "2026-11-01", "objectives_met": "no", "observations": "Nobody came"},
    )
    assert response.status_code == 302
    response = client.post(f"/exercises/{dropped.pk}/cancel/", {"reason": "Flu outbreak"})
    assert response.status_code == 302
    dropped.refresh_from_db()
    assert (dropped.status, dropped.observations) == ("cancelled", "Flu outbreak")
    again = client.post(
        f"/api/v1/exercises/{dropped.pk}/cancel/", {"reason": "x"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "not_planned"
    edit = client.get(f"/exercises/{done.pk}/edit/")
    assert edit.status_code == 302
    login(client, personas.outsider)
    assert client.get(f"/exercises/{done.pk}/complete/").status_code == 404


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_raise_nonconformity_by_role(client, personas, role, catalog):
    improvement = make_improvement(personas.org)
    login(client, personas.users[role])
    response = client.post(f"/api/v1/exercise-improvements/{improvement.pk}/raise-nonconformity/")
    improvement.refresh_from_db()
    if role in IMPLEMENTERS:
        assert response.status_code == 201, response.content
        assert response.json()["nonconformity"] == improvement.nonconformity_id
        detail = client.get(f"/exercise-improvements/{improvement.pk}/").content.decode()
        assert f"/nonconformities/{improvement.nonconformity_id}/" in detail
        api = client.get(f"/api/v1/exercise-improvements/{improvement.pk}/")
        assert api.json()["nonconformity"] == improvement.nonconformity_id
        twice = client.post(f"/api/v1/exercise-improvements/{improvement.pk}/raise-nonconformity/")
        assert twice.status_code == 409
        assert Nonconformity.objects.filter(organization=personas.org).count() == 1
    else:
        assert response.status_code == 403
        assert improvement.nonconformity_id is None


def test_raise_nonconformity_page(client, personas, catalog):
    improvement = make_improvement(personas.org)
    login(client, personas.manager)
    assert (
        client.get(f"/exercise-improvements/{improvement.pk}/raise-nonconformity/").status_code
        == 200
    )
    response = client.post(f"/exercise-improvements/{improvement.pk}/raise-nonconformity/")
    improvement.refresh_from_db()
    assert response["Location"] == f"/nonconformities/{improvement.nonconformity_id}/"
    login(client, personas.outsider)
    url = f"/exercise-improvements/{improvement.pk}/raise-nonconformity/"
    assert client.get(url).status_code == 404


def test_programme_shows_plans_not_exercised(client, personas):
    stale, fresh = make_plan(personas.org, 1), make_plan(personas.org, 2)
    exercise = make_exercise(
        personas.org, status="done", actual_date=dt.date.today() - dt.timedelta(days=30)
    )
    exercise.plans.set([fresh])
    login(client, personas.employee)
    body = client.get("/api/v1/exercises/programme/").json()
    assert body["plans_not_exercised"] == [stale.pk]
    page = client.get("/exercises/programme/").content.decode()
    section = page[page.index("not-exercised") : page.index("exercises-heading")]
    assert stale.title in section and fresh.title not in section
    login(client, personas.outsider)
    assert (
        client.get(f"/api/v1/exercises/programme/?organization={personas.org.slug}").status_code
        == 404
    )


def test_bia_detail_reads_against_its_snapshot_after_the_method_changes(client, personas):
    bia = make_bia(personas.org)
    BusinessImpactAnalysis.objects.filter(pk=bia.pk).update(
        impacts={"financial": [1, 2, 4, 4, 5, 5]}
    )
    login(client, personas.manager)
    client.put(
        f"/api/v1/continuity-method/?organization={personas.org.slug}",
        METHOD,
        content_type="application/json",
    )
    page = client.get(f"/business-impact-analyses/{bia.pk}/").content.decode()
    assert "Loss of a year&#x27;s profit" in page
    assert "method-changed" in page
