"""The analytics page, its XLSX download and the analytics API: who may see them (every role,
the outsider, anonymous callers), what they show, and constant queries as rows grow."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pdca.core.roles import ALL_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.core.xlsx import XLSX_CONTENT_TYPE
from pdca.improvement.permissions import READERS
from tests.improvement.test_analytics import TODAY, _grow, at, build, make_action, make_nc

pytestmark = pytest.mark.usefixtures("catalog")

ROLES = sorted(ALL_ROLES)
PAGE = "/nonconformities/analytics/"
EXPORT = "/nonconformities/analytics/export.xlsx"
API = "/api/v1/nonconformities/analytics/"
API_EXPORT = "/api/v1/nonconformities/analytics/export.xlsx"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("pdca.improvement.analytics.figures.local_today", lambda: TODAY)


def test_the_url_names():
    assert reverse("improvement:analytics") == PAGE
    assert reverse("improvement:analytics-export") == EXPORT


# --- who may see them ---------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_pages_send_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [API, API_EXPORT])
def test_api_refuses_anonymous_callers(client, url):
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_page_by_role(client, personas, role):
    make_nc(personas.org_for(role), 1, at(2026, 2, 1), source="complaint")
    login(client, personas.users[role])
    response = client.get(PAGE)
    if role in READERS:
        assert response.status_code == 200
        assert 'href="/nonconformities/?source=complaint"' in response.content.decode()
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_export_by_role(client, personas, role):
    make_nc(personas.org_for(role), 1, at(2026, 2, 1))
    login(client, personas.users[role])
    response = client.get(EXPORT)
    if role in READERS:
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX_CONTENT_TYPE
        sheet = load_workbook(io.BytesIO(response.content))["Nonconformities"]
        assert sheet["A2"].value == "NC-001"
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", [API, API_EXPORT])
def test_api_by_role(client, personas, role, url):
    org = personas.org_for(role)
    make_nc(org, 1, at(2026, 2, 1))
    login(client, personas.users[role])
    response = client.get(url, {"organization": org.slug})
    if role in READERS:
        assert response.status_code == 200, response.content
        if url == API:
            assert (response.json()["organization"], response.json()["total"]) == (org.slug, 1)
        else:
            assert response["Content-Type"] == XLSX_CONTENT_TYPE
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("url", [API, API_EXPORT])
def test_api_outsider_gets_404(client, personas, url):
    build(personas)
    login(client, personas.outsider)
    assert client.get(url, {"organization": "org-a"}).status_code == 404


def test_pages_show_the_outsider_only_their_own_organization(client, personas):
    build(personas)
    login(client, personas.outsider)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["figures"].organization_id == personas.other.pk
    assert response.context["figures"].total == 1  # org B's own
    html = response.content.decode()
    assert "NC-002" not in html and "P-02 Purchasing" not in html
    sheet = load_workbook(io.BytesIO(client.get(EXPORT).content))["Nonconformities"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["NC-001"]
    assert sheet["B2"].value == "Problem 1"


# --- what they show -----------------------------------------------------------------------


def test_page_shows_charts_links_and_recurrences(client, personas):
    data = build(personas)
    login(client, personas.manager)
    response = client.get(PAGE)
    html = response.content.decode()
    assert html.count("<svg") == 7
    assert f'href="/nonconformities/?process={data["machining"].pk}"' in html
    assert 'href="/nonconformities/?severity=minor"' in html
    assert 'href="/nonconformities/?status=dismissed">Dismissed <span class="fw-bold">1<' in html
    assert 'Overdue <span class="fw-bold">1<' in html
    assert "67% effective at the first check (2 of 3)" not in html  # shown to one decimal
    assert "66.7% effective at the first check (2 of 3)" in html
    assert "20 days" in html and "30 days" in html
    recurrences = html.split('id="recurrences"', 1)[1]
    nc = data["nc"]
    assert f'href="/nonconformities/{nc[6].pk}/">NC-006 Problem 6</a>' in recurrences
    assert f'href="/nonconformities/{nc[2].pk}/">NC-002 Problem 2</a>' in recurrences
    assert '<td class="text-end">59</td>' in recurrences
    assert 'href="/nonconformities/analytics/export.xlsx"' in html


def test_page_filters_by_date_and_standard_and_the_download_follows(client, personas):
    build(personas)
    login(client, personas.manager)
    query = {"date_from": "2026-01-01", "standard": "iso14001-2015"}
    response = client.get(PAGE, query)
    assert response.context["figures"].total == 1
    html = response.content.decode()
    assert (
        'href="/nonconformities/analytics/export.xlsx?date_from=2026-01-01&amp;standard=iso14001-2015"'
        in html
    )
    workbook = load_workbook(io.BytesIO(client.get(EXPORT, query).content))
    assert [row[0].value for row in workbook["Nonconformities"].iter_rows(min_row=2)] == ["NC-003"]
    assert workbook["Summary"]["B3"].value == "2026-01-01"
    assert workbook["Summary"]["B5"].value == "ISO 14001"


def test_page_ignores_bad_filters_and_says_so(client, personas):
    build(personas)
    login(client, personas.manager)
    response = client.get(
        PAGE, {"date_from": "2026-05-01", "date_to": "2026-01-01", "standard": "iso0000"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"date_to", "standard"}
    assert response.context["figures"].total == 5


def test_the_workbook_has_a_sheet_per_breakdown_and_every_nonconformity(client, personas):
    data = build(personas)
    nc2 = data["nc"][2]
    owner = personas.users["process_owner"]
    make_action(nc2, "Re-train the setters", owner, at(2026, 2, 20).date(), status="implemented")
    make_action(nc2, "Add a gauge check", owner, at(2026, 3, 1).date())
    login(client, personas.manager)
    response = client.get(EXPORT)
    assert response["Content-Disposition"].startswith(
        'attachment; filename="org-a-nonconformity-analytics-'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Summary",
        "By requirement",
        "By process",
        "By source",
        "By grade",
        "By month",
        "Recurrences",
        "Nonconformities",
    ]
    assert [[c.value for c in row] for row in workbook["By process"].iter_rows()] == [
        ["Process", "Nonconformities"],
        ["P-01 Machining", 3],
        ["P-02 Purchasing", 1],
        ["No process", 1],
    ]
    recurrences = [[c.value for c in row] for row in workbook["Recurrences"].iter_rows()]
    assert recurrences[1] == [
        "NC-006 Problem 6",
        "NC-002 Problem 2",
        "P-01 Machining",
        "ISO 9001 7.5",
        59,
    ]
    rows = [[c.value for c in row] for row in workbook["Nonconformities"].iter_rows(min_row=2)]
    assert [r[0] for r in rows] == [
        "NC-001",
        "NC-002",
        "NC-002",
        "NC-005",
        "NC-006",
        "NC-003",
        "NC-004",
    ]
    first_action = rows[1]
    assert first_action[2:4] == ["Closed", "Minor"]
    assert first_action[6].date().isoformat() == "2026-02-01"
    assert first_action[9] == 10
    assert first_action[11:] == [
        "Re-train the setters",
        "process_owner@a.example",
        first_action[13],
        "Implemented",
    ]
    assert first_action[13].date().isoformat() == "2026-02-20"
    assert rows[2][11] == "Add a gauge check"
    assert rows[3][2] == "Dismissed"
    assert rows[0][11:] == [None, None, None, None]
    summary = dict(workbook["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Median days to closure"] == 20
    assert summary["90th percentile days to closure (nearest rank)"] == 30
    assert summary["Dismissed"] == 1


def test_api_returns_every_figure(client, personas):
    data = build(personas)
    login(client, personas.manager)
    body = client.get(API, {"from": "2026-01-01"}).json()
    assert (body["date_from"], body["date_to"], body["standard"]) == ("2026-01-01", None, None)
    assert {k: body[k] for k in ("total", "open", "overdue", "closed", "dismissed")} == {
        "total": 4,
        "open": 2,
        "overdue": 1,
        "closed": 2,
        "dismissed": 1,
    }
    assert body["by_severity"] == [
        {"key": "major", "label": "Major", "count": 0},
        {"key": "minor", "label": "Minor", "count": 3},
        {"key": "", "label": "Not graded", "count": 1},
    ]
    assert body["by_requirement"][0] == {
        "key": str(body["by_requirement"][0]["key"]),
        "label": "ISO 9001 7.5",
        "count": 2,
        "standard": "iso9001-2015",
        "number": "7.5",
    }
    assert body["cycle_time"] == {"closed": 2, "median_days": 15.0, "p90_days": 20}
    assert body["first_time_effectiveness"] == {"checked": 2, "effective": 1, "percent": 50.0}
    nc = data["nc"]
    pair = body["recurrences"][1]
    assert (pair["later"]["id"], pair["earlier"]["id"], pair["days_apart"]) == (
        nc[2].pk,
        nc[1].pk,
        144,
    )
    assert (pair["process"], pair["process_name"], pair["shared_requirements"]) == (
        data["machining"].pk,
        "P-01 Machining",
        ["ISO 9001 8.7"],
    )
    assert [m["key"] for m in body["by_month"]] == [f"2026-0{m}" for m in range(1, 7)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"standard": "iso0000"}, "standard"),
        ({"from": "2026-05-01", "to": "2026-01-01"}, "to"),
        ({"from": "yesterday"}, "from"),
    ],
)
def test_api_names_a_bad_parameter(client, personas, params, field):
    login(client, personas.manager)
    response = client.get(API, params)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_api_asks_for_the_organization_when_there_are_several(client, personas):
    from pdca.tenancy.models import Membership

    build(personas)
    Membership.objects.create(organization=personas.other, user=personas.manager, role="consultant")
    login(client, personas.manager)
    response = client.get(API)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["organization"]
    assert client.get(API, {"organization": "org-b"}).json()["total"] == 1


# --- queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, EXPORT, API, API_EXPORT])
def test_queries_do_not_grow_with_nonconformities(client, personas, url):
    data = build(personas)
    owner = personas.users["process_owner"]
    login(client, personas.manager)
    _grow(personas, data, 10, 2)
    make_action(data["nc"][1], "Fix", owner, at(2026, 1, 1).date())
    small, _ = count_queries(lambda: client.get(url))
    _grow(personas, data, 20, 15)
    for nc in data["nc"][2:5]:
        make_action(nc, "Fix", owner, at(2026, 1, 1).date())
    large, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    assert large == small
