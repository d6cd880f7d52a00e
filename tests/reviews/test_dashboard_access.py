"""The dashboard page, its PDF, the API and `pdca dashboard`: who may see them (each role,
another organization, anonymous callers), the system picker and the empty state, links to
the registers, valid PDFs, CLI output, and constant queries as the records grow."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.core.testing.files import pdf_text
from pdca.reviews.permissions import READERS
from pdca.system.models import ManagementSystem
from tests.reviews.test_dashboard import TODAY, build, grow, make_system

pytestmark = pytest.mark.usefixtures("catalog")

ROLES = sorted(ALL_ROLES)
PAGE, PDF = "/dashboard/", "/dashboard/pdf/"
API, API_PDF = "/api/v1/dashboard/", "/api/v1/dashboard/pdf/"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("pdca.reviews.dashboard.figures.local_today", lambda: TODAY)


def test_the_url_names():
    assert reverse("reviews:dashboard") == PAGE
    assert reverse("reviews:dashboard-pdf") == PDF


# --- who may see it -----------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, PDF])
def test_pages_send_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [API, API_PDF])
def test_api_refuses_anonymous_callers(client, url):
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_page_and_pdf_by_role(client, personas, role):
    org = personas.org_for(role)
    system = make_system(org, "IMS")
    login(client, personas.users[role])
    page = client.get(PAGE)
    pdf = client.get(PDF, {"system": system.pk})
    if role in READERS and org == personas.org:
        assert page.status_code == 200
        assert page.context["d"].system_id == system.pk
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    else:
        assert (page.status_code, pdf.status_code) == (403, 403)


@pytest.mark.parametrize("role", ROLES)
def test_api_by_role(client, personas, role):
    org = personas.org_for(role)
    system = make_system(org, "IMS")
    login(client, personas.users[role])
    by_slug = client.get(API, {"organization": org.slug})
    by_system = client.get(API, {"system": system.pk})
    if role in READERS and org == personas.org:
        assert by_slug.status_code == 200, by_slug.content
        assert by_slug.json()["system_id"] == system.pk
        assert by_system.json()["organization"] == org.slug
    elif org == personas.org:
        assert (by_slug.status_code, by_system.status_code) == (403, 403)
    else:  # a certification body's roles do not see management systems at all
        assert (by_slug.status_code, by_system.status_code) == (403, 404)


def test_another_organizations_system_does_not_exist(client, personas):
    world = build(personas)
    ims = world["ims"].pk
    login(client, personas.outsider)
    assert client.get(PAGE, {"system": ims}).status_code == 404
    assert client.get(PDF, {"system": ims}).status_code == 404
    assert client.get(API, {"system": ims}).status_code == 404
    assert client.get(API, {"organization": "org-a"}).status_code == 404
    assert client.get(API, {"organization": "org-b", "system": ims}).status_code == 404
    assert client.get(API_PDF, {"system": ims}).status_code == 404
    own = client.get(PAGE)
    assert own.status_code == 200 and own.context["d"].system_name == "B system"
    assert own.context["d"].nonconformities.open == 1  # org B's own
    assert "IMS" not in own.content.decode()


# --- the page -----------------------------------------------------------------------------


def test_page_shows_each_tile_linked_to_its_register(client, personas):
    world = build(personas)
    login(client, personas.users[Role.TOP_MANAGEMENT])
    first = client.get(PAGE)
    assert first.context["system"].name == "Food safety"  # the first by name
    response = client.get(PAGE, {"system": world["ims"].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["d"].nonconformities.open == 4
    for tile in ("readiness", "review", "objectives", "nonconformities", "cycle-time", "risks",
                 "documents", "competence", "programme", "certification"):  # fmt: skip
        assert f'id="tile-{tile}"' in html, tile
    for link in (
        "/objectives/",
        "/nonconformities/",
        "/nonconformities/analytics/",
        "/risks/?sort=-residual_score",
        "/documents/?sort=review_due",
        "/training/matrix/",
        f"/audit-programmes/{world['programme'].pk}/",
        "/audits/",
        "/management-reviews/schedule/",
        f"/assessments/{response.context['d'].readiness.assessment_id}/",
    ):
        assert f'href="{link}"' in html, link
    assert "No certificate linked yet" in html and "2027-03-01" in html
    assert html.count("<svg") >= 4  # readiness, reported and closed, cycle time, measurements
    assert 'id="system-picker"' in html and "Food safety" in html
    assert f'href="/dashboard/pdf/?system={world["ims"].pk}"' in html


def test_the_picker_shows_another_system_and_refuses_a_bad_one(client, personas):
    build(personas)
    food = ManagementSystem.objects.get(name="Food safety")
    login(client, personas.manager)
    response = client.get(PAGE, {"system": food.pk})
    assert response.status_code == 200 and response.context["d"].system_name == "Food safety"
    assert "No gap assessment of this system yet." in response.content.decode()
    for bad in ("abc", "999999", "1\x00"):
        assert client.get(PAGE, {"system": bad}).status_code in (400, 404), bad


def test_an_organization_without_a_system_gets_an_empty_state(client, personas):
    login(client, personas.users[Role.TOP_MANAGEMENT])
    response = client.get(PAGE)
    assert response.status_code == 200
    assert 'id="dashboard-empty"' in response.content.decode()
    assert client.get(PDF).status_code == 404
    problem = client.get(API, {"organization": "org-a"})
    assert problem.status_code == 422 and "system" in problem.content.decode()


def test_a_process_owner_sees_no_competence_figures(client, personas):
    build(personas)
    login(client, personas.users[Role.PROCESS_OWNER])
    html = client.get(PAGE).content.decode()
    assert "Not shown to your role: only those who read everyone" in html
    assert 'href="/training/matrix/"' not in html  # a register the role may not open


# --- PDF and API --------------------------------------------------------------------------


def test_the_pdf_is_one_a4_page_set_with_the_figures(client, personas):
    world = build(personas)
    login(client, personas.users[Role.TOP_MANAGEMENT])
    response = client.get(PDF, {"system": world["ims"].pk})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dashboard-ims-2026-06-15.pdf"'
    text = pdf_text(response.content)
    assert "Dashboard: IMS" in text and "Risks above appetite" in text
    assert "Page 1 of 1" in text
    api = client.get(API_PDF, {"system": world["ims"].pk})
    assert api.status_code == 200 and api.content.startswith(b"%PDF-")


def test_api_returns_every_tile(client, personas):
    world = build(personas)
    login(client, personas.users[Role.TOP_MANAGEMENT])
    data = client.get(API, {"system": world["ims"].pk}).json()
    assert data["today"] == "2026-06-15"
    assert data["risks"]["above"] == 2 and data["competence"]["gaps"] == 6
    assert data["management_review"]["next_due"] == "2026-12-01"
    assert data["nonconformities"]["opened_by_month"][-1] == {"month": "2026-06-01", "count": 1}
    assert client.get(API, {"system": 0}).status_code == 422
    assert client.get(API, {"system": "x"}).status_code == 422


def test_openapi_describes_the_dashboard(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"][API]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"system", "organization"}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"readiness", "nonconformities", "certification", "management_review"} <= set(
        schema["properties"]
    )
    assert API_PDF in document["paths"]


# --- CLI ----------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(app, ["dashboard", *map(str, args)], prog_name="pdca")


def test_cli_prints_the_figures_as_json_a_table_and_a_pdf(personas, tmp_path):
    world = build(personas)
    ims = world["ims"].pk
    result = run(ims, "--org", "org-a", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["system_name"], data["nonconformities"]["open"]) == ("IMS", 4)
    table = run(ims)
    assert table.exit_code == 0, table.output
    assert "Mandatory gaps" in table.output and "none linked yet" in table.output
    target = tmp_path / "board.pdf"
    written = run(ims, "--format", "pdf", "--output", target)
    assert written.exit_code == 0, written.output
    assert target.read_bytes().startswith(b"%PDF-")
    as_owner = run(ims, "--as", "process_owner@a.example", "--format", "json")
    assert json.loads(as_owner.output)["competence"]["available"] is False


def test_cli_refusals(personas):
    world = build(personas)
    ims = world["ims"].pk
    assert run(ims, "--org", "org-b").exit_code == 1
    assert run(999999).exit_code == 1
    employee = run(ims, "--as", "employee@a.example")
    assert employee.exit_code == 1 and "may not see" in employee.output
    assert run(ims, "--as", "manager@b.example").exit_code == 1
    assert run(ims, "--format", "xml").exit_code == 2


# --- queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, API])
def test_queries_do_not_grow_with_the_records(client, personas, url):
    world = build(personas)
    login(client, personas.users[Role.TOP_MANAGEMENT])
    params = {"system": world["ims"].pk}
    client.get(url, params)
    grow(personas, world, 2)
    small, _ = count_queries(lambda: client.get(url, params))
    grow(personas, world, 9)
    large, response = count_queries(lambda: client.get(url, params))
    assert response.status_code == 200
    assert large == small
