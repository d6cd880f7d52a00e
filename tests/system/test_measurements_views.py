"""Measurement pages (record, edit, delete, the organization's recent measurements) with the
permission matrix, the objectives dashboard, and the tracking part of an objective's page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from pdca.core.models import ActivityEntry
from pdca.core.records.rules import disposing
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ViewBundle, count_queries
from pdca.core.testing.api_bundle import login
from pdca.system.models import Measurement, Objective, Process
from pdca.system.objectives.views import objective_detail_context
from pdca.system.permissions import OBJECTIVE_SETTERS
from tests.system.test_objective_tracking import host_objective, make_measurement, make_objective

LIST = "/objectives/measurements/"
DASHBOARD = "/objectives/dashboard/"


def today() -> dt.date:
    return timezone.localdate()


def create_url(objective) -> str:
    return f"/objectives/{objective.pk}/measurements/new/"


class TestMeasurementPages(ViewBundle):
    model = Measurement
    list_url = LIST
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = OBJECTIVE_SETTERS
    invalid_form_data = [
        ({"measured_on": "", "value": "1"}, "measured_on"),
        ({"measured_on": "2026-02-30", "value": "1"}, "measured_on"),
        (lambda org: {"measured_on": today().isoformat(), "value": "NaN"}, "value"),
        (lambda org: {"measured_on": today().isoformat(), "value": ""}, "value"),
        (lambda org: {"measured_on": today().isoformat(), "value": "1.23456"}, "value"),
        ({"measured_on": "2001-01-01", "value": "1"}, "measured_on"),  # before the start
        (
            lambda org: {
                "measured_on": (today() + dt.timedelta(days=1)).isoformat(),
                "value": "1",
            },
            "measured_on",
        ),
        (lambda org: {"measured_on": today().isoformat(), "value": "1", "note": "x" * 301}, "note"),
    ]

    def make(self, org, index: int = 0) -> Measurement:
        return make_measurement(org, index)

    def list_text(self, obj) -> str:
        return obj.note

    def create_url_for(self, org) -> str:
        return create_url(host_objective(org))

    def edit_url(self, obj) -> str:
        return f"/objectives/measurements/{obj.pk}/edit/"

    def delete_url(self, obj) -> str:
        return f"/objectives/measurements/{obj.pk}/delete/"

    def form_data(self, org) -> dict:
        return {"measured_on": today().isoformat(), "value": "91.5", "note": "Monthly report"}

    def edit_data(self, obj) -> dict:
        return {"measured_on": obj.measured_on.isoformat(), "value": "99", "note": obj.note}


# --- recording through the pages -----------------------------------------------------------------


def test_recording_redirects_and_shows_a_duplicate_on_the_date_field(client, personas):
    objective = make_objective(personas.org)
    login(client, personas.manager)
    data = {"measured_on": today().isoformat(), "value": "88.5", "note": "March"}
    response = client.post(create_url(objective), data)
    assert response.status_code == 302
    m = Measurement.objects.get()
    assert (m.value, m.note, m.recorded_by) == (D("88.5"), "March", personas.manager)
    response = client.post(create_url(objective), data)
    assert response.status_code == 200
    assert "already has a measurement on" in response.context["form"].errors["measured_on"][0]
    assert Measurement.objects.count() == 1


def test_the_owning_process_owner_may_record_a_non_owning_one_may_not(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_objective(personas.org, 0, owner=owner)
    theirs = make_objective(personas.org, 1)
    login(client, owner)
    assert client.get(create_url(mine)).status_code == 200
    data = {"measured_on": today().isoformat(), "value": "90"}
    assert client.post(create_url(mine), data).status_code == 302
    m = Measurement.objects.get()
    assert client.get(f"/objectives/measurements/{m.pk}/edit/").status_code == 200
    assert client.post(create_url(theirs), data).status_code == 403
    other = make_measurement(personas.org, 3, objective=theirs)
    assert client.post(f"/objectives/measurements/{other.pk}/edit/", data).status_code == 403
    assert client.post(f"/objectives/measurements/{other.pk}/delete/").status_code == 403
    assert Measurement.objects.count() == 2
    other.refresh_from_db()
    assert other.value == D("83")


def test_the_outsider_cannot_record_on_our_objective(client, personas):
    objective = make_objective(personas.org)
    login(client, personas.outsider)
    assert client.get(create_url(objective)).status_code == 404
    data = {"measured_on": today().isoformat(), "value": "1"}
    assert client.post(create_url(objective), data).status_code == 404
    assert not Measurement.objects.exists()


def test_a_cancelled_objective_refuses_with_a_message(client, personas):
    objective = make_objective(personas.org, status=Objective.Status.CANCELLED)
    login(client, personas.manager)
    response = client.post(create_url(objective), {"measured_on": today().isoformat(), "value": 1})
    assert response.status_code == 200
    assert "set it back to active" in " ".join(response.context["form"].non_field_errors())
    assert not Measurement.objects.exists()
    assert not ActivityEntry.objects.filter(object_type="system.measurement").exists()


# --- the tracking part of the objective's page ---------------------------------------------------


def render_detail(user, objective) -> tuple[int, str]:
    request = RequestFactory().get("/")
    request.user = user

    def run() -> str:
        extra = objective_detail_context(request, objective)
        return render_to_string(
            "system/_objective_detail.html", {"object": objective, "extra": extra}, request
        )

    return count_queries(run)


def series(objective, values) -> None:
    for n, value in enumerate(values):
        Measurement.objects.create(
            organization=objective.organization,
            objective=objective,
            measured_on=objective.start_date + dt.timedelta(days=30 * n),
            value=D(value),
            note=f"Month {n}",
        )


def test_detail_shows_badge_expected_gap_chart_table_and_form(personas):
    start = today() - dt.timedelta(days=100)
    objective = make_objective(
        personas.org,
        baseline=D("0"),
        target=D("100"),
        start_date=start,
        due_date=start + dt.timedelta(days=200),
    )
    series(objective, ["0", "10", "20", "30"])  # day 90 expects 45: 15 behind, off track
    _, html = render_detail(personas.manager, objective)
    assert '<span class="badge text-bg-danger" title="Off track">Off track</span>' in html
    assert "45%" in html and "-15% behind the plan" in html
    assert 'class="objective-chart"' in html
    assert html.count('class="point"') == 4
    # A measurement is a record: corrected, never deleted.
    assert html.count("/edit/") == 4 and html.count("/delete/") == 0
    assert 'id="measurement-form"' in html
    assert f'action="/objectives/{objective.pk}/measurements/new/"' in html
    # Newest first in the table.
    table = html.split('id="measurements"', 1)[1]
    assert table.index("Month 3") < table.index("Month 0")


def test_detail_for_readers_has_no_form_or_edit_links(personas):
    objective = make_objective(personas.org)
    series(objective, ["85"])
    _, html = render_detail(personas.employee, objective)
    assert "Month 0" in html
    assert "/edit/" not in html and 'id="measurement-form"' not in html


def test_detail_of_a_closed_objective_keeps_its_measurements_as_they_are(personas):
    objective = make_objective(personas.org, status=Objective.Status.ACHIEVED)
    series(objective, ["96"])
    _, html = render_detail(personas.manager, objective)
    assert "This objective is closed (achieved)" in html
    assert "/edit/" not in html and 'id="measurement-form"' not in html


def test_detail_query_count_does_not_grow_with_measurements(personas):
    objective = make_objective(personas.org, start_date=today() - dt.timedelta(days=400))
    series(objective, ["80", "81"])
    render_detail(personas.manager, objective)  # the user's roles are read once, then kept
    n_small, _ = render_detail(personas.manager, objective)
    with disposing():
        Measurement.objects.filter(objective=objective).delete()
    series(objective, [str(80 + i) for i in range(12)])
    n_large, html = render_detail(personas.manager, objective)
    assert html.count('class="point"') == 12
    assert n_small == n_large


# --- the dashboard -------------------------------------------------------------------------------


def test_dashboard_groups_active_objectives_by_process_with_badges_and_sparklines(client, personas):
    delivery = Process.objects.create(organization=personas.org, code="P-01", name="Delivery")
    start = today() - dt.timedelta(days=100)
    plan = {
        "baseline": D("0"),
        "target": D("100"),
        "start_date": start,
        "due_date": start + dt.timedelta(days=200),
    }
    on = make_objective(personas.org, 0, title="On-time delivery", process=delivery, **plan)
    series(on, ["0", "15", "30", "45"])  # exactly on the line
    make_objective(personas.org, 1, title="Supplier audits", **plan)
    make_objective(personas.org, 2, title="Old goal", status=Objective.Status.CANCELLED)
    make_objective(personas.other, 0, title="Their objective")
    login(client, personas.employee)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Old goal" not in html and "Their objective" not in html
    groups = [
        (g["process"], [o.title for o in g["objectives"]]) for g in response.context["groups"]
    ]
    assert sorted(groups, key=lambda g: g[0] is not None) == [
        (None, ["Supplier audits"]),
        (delivery, ["On-time delivery"]),
    ]
    assert '<h2 class="h5" id="group-' in html and ">Delivery</h2>" in html
    assert ">No process</h2>" in html
    assert '<span class="badge text-bg-success" title="On track">On track</span>' in html
    assert '<span class="badge text-bg-secondary" title="No data">No data</span>' in html
    assert len(re.findall(r'class="sparkline"', html)) == 2
    assert "1 on track" in html and "1 no data" in html


def test_dashboard_query_count_does_not_grow(client, personas):
    login(client, personas.manager)
    processes = [
        Process.objects.create(organization=personas.org, code=f"P-{i}", name=f"Process {i}")
        for i in range(3)
    ]

    def add(count: int, offset: int) -> None:
        for i in range(offset, offset + count):
            objective = make_objective(personas.org, i, process=processes[i % 3])
            series(objective, ["80", "82", "85"])

    add(2, 0)
    n_small, response = count_queries(lambda: client.get(DASHBOARD))
    assert response.status_code == 200
    add(10, 2)
    n_large, response = count_queries(lambda: client.get(DASHBOARD))
    assert response.context["total"] == 12
    assert n_small == n_large


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_dashboard_is_open_to_every_member(client, personas, role):
    login(client, personas.users[role])
    assert client.get(DASHBOARD).status_code == 200


def test_dashboard_refuses_certification_body_roles_and_anonymous(client, personas):
    login(client, personas.users[Role.LEAD_AUDITOR])
    assert client.get(DASHBOARD).status_code == 403
    client.logout()
    assert client.get(DASHBOARD)["Location"].startswith("/accounts/login/")


# --- on the objective's own page (the register framework's detail page) -------------------------


def test_the_objective_page_shows_tracking_and_records_from_its_form(client, personas):
    objective = make_objective(personas.org)
    series(objective, ["80", "84"])
    login(client, personas.manager)
    page = f"/objectives/{objective.pk}/"
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="tracking"' in html and 'class="objective-chart"' in html
    assert f'action="/objectives/{objective.pk}/measurements/new/"' in html
    response = client.post(
        create_url(objective), {"measured_on": today().isoformat(), "value": "90"}
    )
    assert response.status_code == 302
    assert response["Location"] == page
    assert "90%" in client.get(page).content.decode()


def test_the_measurement_history_shows_its_changes(client, personas):
    m = make_measurement(personas.org)
    login(client, personas.manager)
    client.post(
        f"/objectives/measurements/{m.pk}/edit/",
        {"measured_on": m.measured_on, "value": "81", "note": m.note},
    )
    response = client.get(f"/api/v1/measurements/{m.pk}/history/")
    (entry,) = response.json()["items"]
    assert (entry["action"], entry["via"]) == ("update", "web")
    assert entry["changes"] == {"value": ["80.0000", "81"]}
